// Hand-rolled Alibaba Cloud request signers for the ICE integration tests and the bench: V2
// (HMAC-SHA1, parameters in the query or a form body) and V3 (ACS3-HMAC-SHA256). Written from
// the published algorithm, independent of the emulator's C++ and of the SDKs, so a test can
// also build deliberately wrong requests (stale timestamps, replayed nonces, bad signatures).
import crypto from 'node:crypto';

export const VERSION = '2020-11-09';
export const TEST_KEY = { id: 'testid', secret: 'testsecret' };
export const VOICE_AGENT = '39f8e0bc005e4f309379701645f4a001';
export const AVATAR_AGENT = '39f8e0bc005e4f309379701645f4a002';

/** RFC 3986: encodeURIComponent plus !'()* escaped. */
export function rfc3986(text) {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export const isoSeconds = (date = new Date()) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');
export const nonce = () => crypto.randomBytes(16).toString('hex');

function canonical(params) {
  return Object.keys(params)
    .sort()
    .map((k) => `${rfc3986(k)}=${rfc3986(String(params[k]))}`)
    .join('&');
}

export function v2StringToSign(method, params) {
  const { Signature, ...rest } = params;
  return `${method}&${rfc3986('/')}&${rfc3986(canonical(rest))}`;
}

export function v2Sign(method, params, secret) {
  return crypto.createHmac('sha1', `${secret}&`).update(v2StringToSign(method, params)).digest('base64');
}

/**
 * A V2 request: {url, init} for fetch. `inBody` moves every parameter (Signature included) to a
 * form body, like pop-core's POST. `tamper(params)` may change parameters after signing.
 */
export function v2Request(base, { action, params = {}, key = TEST_KEY, method = 'GET', inBody = false,
  timestamp = isoSeconds(), signatureNonce = nonce(), format = 'JSON', common = {}, tamper } = {}) {
  const all = {
    Action: action, Version: VERSION, Format: format, AccessKeyId: key.id, SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0', SignatureNonce: signatureNonce, Timestamp: timestamp, ...common, ...params,
  };
  for (const k of Object.keys(all)) if (all[k] === undefined) delete all[k];
  all.Signature = v2Sign(method, all, key.secret);
  tamper?.(all);
  const encoded = canonical(all);
  if (inBody) {
    return { url: `${base}/`, init: { method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encoded } };
  }
  return { url: `${base}/?${encoded}`, init: { method } };
}

const sha256hex = (data) => crypto.createHash('sha256').update(data).digest('hex');

/** The V3 canonical request for `headers` (lowercase names) as listed in `signedHeaders`. */
export function v3CanonicalRequest(method, query, headers, signedHeaders, body = '') {
  const names = signedHeaders.split(';');
  const canonicalHeaders = names.map((n) => `${n}:${String(headers[n] ?? '').trim()}\n`).join('');
  return [method, '/', canonical(query), canonicalHeaders, signedHeaders, sha256hex(body)].join('\n');
}

/**
 * A V3 request: {url, init}. The action and version go in x-acs-* headers, parameters in the
 * query (or, with `form`, in a form body). `host` must be what fetch sends (host:port).
 */
export function v3Request(base, { action, params = {}, key = TEST_KEY, method = 'POST', date = isoSeconds(),
  signatureNonce = nonce(), form = false, extraHeaders = {}, signedHeaders, secret, algorithm = 'ACS3-HMAC-SHA256',
  version = VERSION } = {}) {
  const host = new URL(base).host;
  const body = form ? canonical(params) : '';
  const query = form ? {} : params;
  const headers = {
    host,
    'x-acs-action': action,
    'x-acs-version': version,
    'x-acs-date': date,
    'x-acs-content-sha256': sha256hex(body),
    ...(signatureNonce ? { 'x-acs-signature-nonce': signatureNonce } : {}),
    ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...extraHeaders,
  };
  const signed = signedHeaders ?? Object.keys(headers).filter((h) => h === 'host' || h === 'content-type' || h.startsWith('x-acs-')).sort().join(';');
  const canonicalRequest = v3CanonicalRequest(method, query, headers, signed, body);
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256hex(canonicalRequest)}`;
  const signature = crypto.createHmac('sha256', secret ?? key.secret).update(stringToSign).digest('hex');
  const { host: _host, ...sent } = headers;
  sent.authorization = `${algorithm} Credential=${key.id},SignedHeaders=${signed},Signature=${signature}`;
  const qs = Object.keys(query).map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(String(query[k]))}`).join('&');
  return {
    url: `${base}/${qs ? `?${qs}` : ''}`,
    init: { method, headers: sent, ...(form ? { body } : {}) },
    canonicalRequest,
    stringToSign,
  };
}

/** fetch() a signed request; {status, headers, text, json}. Never throws on HTTP errors. */
export async function send({ url, init }) {
  const response = await fetch(url, init);
  const text = await response.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: response.status, headers: response.headers, text, json };
}

export const v2 = (base, options) => send(v2Request(base, options));
export const v3 = (base, options) => send(v3Request(base, options));

/** Moves the emulator's clock to `offsetSeconds` from real time. */
export async function setClock(base, offsetSeconds) {
  const r = await fetch(`${base}/_emulator/clock`, { method: 'PUT', body: JSON.stringify({ offsetSeconds }) });
  if (r.status !== 200) throw new Error(`clock: ${r.status} ${await r.text()}`);
}
