// The real Alibaba Cloud clients in one calling convention, for the ICE contract tests:
// @alicloud/openapi-core and @alicloud/openapi-client callApi (V3 ACS3-HMAC-SHA256 by default,
// HMAC-SHA1 with signatureAlgorithm 'v2'), and @alicloud/pop-core RPCClient (V2, GET and POST),
// each with a check of how it reports an error.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { TEST_KEY } from './ice.mjs';

const require = createRequire(import.meta.url);
export const Core = require('@alicloud/openapi-core');
export const Client = require('@alicloud/openapi-client');
export const Pop = require('@alicloud/pop-core');
// The clients' own runtime-option classes (dependencies the pinned packages install).
const { RuntimeOptions: CoreRuntime } = require('@darabonba/typescript');
const { RuntimeOptions: ClientRuntime } = require('@alicloud/tea-util');

function openapi(lib, Runtime, { v2 = false } = {}) {
  const U = lib.$OpenApiUtil ?? lib;  // openapi-core nests its models, openapi-client does not
  return (port, { key = TEST_KEY, version = '2020-11-09' } = {}) => {
    const client = new lib.default(new U.Config({
      accessKeyId: key.id, accessKeySecret: key.secret, endpoint: `127.0.0.1:${port}`, protocol: 'http',
      ...(key.token ? { securityToken: key.token, type: 'sts' } : {}),
      ...(v2 ? { signatureAlgorithm: 'v2' } : {}),
    }));
    return async (action, query, { nonce, timestamp, format } = {}) => {
      const params = new U.Params({ action, version, protocol: 'HTTPS', pathname: '/', method: 'POST', authType: 'AK',
        style: 'RPC', reqBodyType: 'formData', bodyType: format === 'XML' ? 'string' : 'json' });
      const q = { ...query, ...(format ? { Format: format } : {}) };
      const headers = {};
      // A fixed nonce or timestamp replaces the client's own (request values override its defaults).
      if (nonce) v2 ? (q.SignatureNonce = nonce) : (headers['x-acs-signature-nonce'] = nonce);
      if (timestamp !== undefined) v2 ? (q.Timestamp = timestamp) : (headers['x-acs-date'] = timestamp);
      const response = await client.callApi(params, new U.OpenApiRequest({ query: q, headers }), new Runtime({}));
      assert.equal(response.statusCode, 200);
      return response.body;
    };
  };
}

function popcore(method) {
  return (port, { key = TEST_KEY, version = '2020-11-09' } = {}) => {
    const client = new Pop.RPCClient({ accessKeyId: key.id, accessKeySecret: key.secret, endpoint: `http://127.0.0.1:${port}`,
      apiVersion: version, ...(key.token ? { securityToken: key.token } : {}) });
    // json-bigint builds prototype-less objects: round-trip them so deepEqual compares values.
    return async (action, query, { nonce, timestamp } = {}) => JSON.parse(JSON.stringify(
      await client.request(action, { ...query, ...(nonce ? { SignatureNonce: nonce } : {}),
        ...(timestamp !== undefined ? { Timestamp: timestamp } : {}) }, { method, timeout: 10000 })));
  };
}

// How each client reports an error: the fields it exposes, checked against the wire.
const expectCore = (error, code, status) => {
  assert.ok(error instanceof Core.AlibabaCloudError, `${error}`);
  assert.equal(error.name, code.includes('Throttling') ? 'ThrottlingError' : status >= 500 ? 'ServerError' : 'ClientError');
  assert.equal(error.code, code);
  assert.equal(error.statusCode, status);
  assert.equal(error.data.Code, code);
  assert.equal(error.requestId, error.data.RequestId);
  assert.ok(error.message.startsWith(`${code}: code: ${status}, ${error.data.Message} request id: `), error.message);
};
const expectClient = (error, code, status) => {
  assert.equal(error.code, code, `${error}`);
  assert.equal(error.statusCode, status);
  assert.equal(error.data.statusCode, status);
  assert.equal(error.data.Code, code);
  assert.match(error.data.RequestId, /^[0-9A-F-]{36}$/);
};
const expectPop = (error, code, status) => {
  assert.equal(error.code, code, `${error}`);
  assert.equal(error.name, `${code}Error`);
  assert.equal(error.data.Code, code);
  assert.equal(error.entry.response.statusCode, status);
  assert.ok(error.message.startsWith(error.data.Message), error.message);
};

export const clients = [
  { name: 'openapi-core V3', make: openapi(Core, CoreRuntime), expect: expectCore },
  { name: 'openapi-core V2', make: openapi(Core, CoreRuntime, { v2: true }), expect: expectCore },
  { name: 'openapi-client V3', make: openapi(Client, ClientRuntime), expect: expectClient },
  { name: 'openapi-client V2', make: openapi(Client, ClientRuntime, { v2: true }), expect: expectClient },
  { name: 'pop-core POST', make: popcore('POST'), expect: expectPop },
  { name: 'pop-core GET', make: popcore('GET'), expect: expectPop },
];

export async function rejects(promise, client, code, status) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${client.name}: expected ${code}, the call succeeded`);
  client.expect(error, code, status);
  return error;
}

