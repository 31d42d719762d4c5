// AgentCore: GetCodeInterpreterSession with full SigV4 verification on every request. The target
// function starts a session with a signed request, then signs the GET fresh right before the run
// (the signature stays valid for the emulator's 15-minute window; wrk replays it unchanged).
import crypto from 'node:crypto';

const hmac = (key, data) => crypto.createHmac('sha256', key).update(data).digest();
const sha256 = (data) => crypto.createHash('sha256').update(data).digest('hex');

// SigV4 as the AWS SDK signs it (x-amz-content-sha256 signed, and any `extra` headers, named in
// lower case); `path` and `query` are already encoded and need no further escaping here.
export function sign({ method, host, path, query = '', body = '', extra = {}, accessKeyId = 'test', secretAccessKey = 'test',
  region = 'us-east-1' }) {
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers = { ...extra, host, 'x-amz-content-sha256': sha256(body), 'x-amz-date': amzDate };
  const names = Object.keys(headers).sort();
  const canonical = [method, path, query, names.map((n) => `${n}:${headers[n]}\n`).join(''), names.join(';'), sha256(body)].join('\n');
  const scope = `${day}/${region}/bedrock-agentcore/aws4_request`;
  const sts = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, day), region), 'bedrock-agentcore'), 'aws4_request');
  return {
    ...extra,
    Host: host,
    'X-Amz-Date': amzDate,
    'X-Amz-Content-Sha256': headers['x-amz-content-sha256'],
    Authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${hmac(key, sts).toString('hex')}`,
  };
}

export default async function targets({ url }) {
  const host = new URL(url).host;
  const base = '/code-interpreters/aws.codeinterpreter.v1/sessions';
  const body = JSON.stringify({ name: 'bench', sessionTimeoutSeconds: 28800 });
  const started = await fetch(`${url}${base}/start`, {
    method: 'PUT', body, headers: { ...sign({ method: 'PUT', host, path: `${base}/start`, body }), 'Content-Type': 'application/json' },
  });
  const session = await started.json();
  if (started.status !== 200) throw new Error(`agentcore bench: StartCodeInterpreterSession answered ${started.status}`);
  const query = `sessionId=${session.sessionId}`;
  return [{
    name: 'agentcore-get-code-interpreter-session-sigv4',
    goal: 0.6,
    signed: true,
    method: 'GET',
    path: `${base}/get?${query}`,
    headers: sign({ method: 'GET', host, path: `${base}/get`, query }),
  }];
}
