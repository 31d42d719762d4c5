// Shared by the AgentCore integration and contract tests: the default fixture's names, an SDK
// client pointed at the emulator, and a SigV4 signer for raw requests.
import crypto from 'node:crypto';
import { BedrockAgentCoreClient } from '@aws-sdk/client-bedrock-agentcore';

export const RUNTIME_ARN = 'arn:aws:bedrock-agentcore:us-east-1:123456789012:runtime/echo_agent-a1b2c3d4e5';
export const CODE_INTERPRETER = 'aws.codeinterpreter.v1';
export const BROWSER = 'aws.browser.v1';
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A runtime session id the model accepts (33..256 characters). */
export const runtimeSessionId = (tag = '') => `session-${tag}-${crypto.randomUUID()}`;

/** The real SDK client, as a user would configure it against agentemu. */
export function client(url, { region = 'us-east-1', credentials = TEST_CREDENTIALS, ...rest } = {}) {
  return new BedrockAgentCoreClient({ region, endpoint: url, credentials, ...rest });
}

/** Awaits `promise` and answers the error it rejects with (fails when it resolves). */
export async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');
const escape = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Signs a raw request the way the SDK does (x-amz-content-sha256 signed, path encoded twice).
 * `path` is the raw, already-encoded path. Answers the headers to send.
 */
export function sign({ method, host, path, query = '', headers = {}, body = '', accessKeyId = 'test',
  secretAccessKey = 'test', region = 'us-east-1', date = new Date() }) {
  const amzDate = date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const all = { ...headers, host, 'x-amz-date': amzDate, 'x-amz-content-sha256': sha256(body) };
  const names = Object.keys(all).map((n) => n.toLowerCase()).sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim()]));
  // Like the SDK: empty and '.' segments dropped, then every segment encoded once more.
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  const canonicalUri = `/${segments.map((s) => escape(s)).join('/')}${segments.length && path.endsWith('/') ? '/' : ''}`;
  const decode = (x) => { try { return decodeURIComponent(x); } catch { return x; } };
  const canonicalQuery = query
    ? query.split('&').map((p) => p.split('=').map((x) => escape(decode(x ?? '')))).sort()
      .map(([k, v = '']) => `${k}=${v}`).join('&')
    : '';
  const canonical = [method, canonicalUri, canonicalQuery, names.map((n) => `${n}:${lower[n]}\n`).join(''),
    names.join(';'), sha256(body)].join('\n');
  const scope = `${day}/${region}/bedrock-agentcore/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), 'bedrock-agentcore'), 'aws4_request');
  const signature = hmac(key, sts).toString('hex');
  return {
    ...all,
    authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}
