// A tiny ZEGO AI Agent client for the tests: signs each request itself (Signature 2.0 =
// md5(AppId + SignatureNonce + ServerSecret + Timestamp)) with node:crypto. There is no ZEGO
// server SDK on npm, so these requests are the contract.
import crypto from 'node:crypto';
import { call } from './emulator.mjs';

export const defaultApp = { appId: 1234567890, secret: '0123456789abcdef0123456789abcdef' };

export function signature(appId, nonce, secret, timestamp) {
  return crypto.createHash('md5').update(`${appId}${nonce}${secret}${timestamp}`).digest('hex');
}

/**
 * A client bound to one emulator and app. `clockOffset` follows PUT /_emulator/clock (see
 * shiftClock) so signatures stay inside the 10-minute window while tests move time.
 */
export function zegoClient(url, { appId = defaultApp.appId, secret = defaultApp.secret } = {}) {
  const client = {
    url,
    appId,
    secret,
    clockOffset: 0,

    /** The six public query parameters, signed; `overrides` replaces (or, with undefined, drops) any. */
    query(action, overrides = {}) {
      const timestamp = overrides.Timestamp ?? String(Math.floor(Date.now() / 1000 + client.clockOffset));
      const nonce = overrides.SignatureNonce ?? crypto.randomBytes(8).toString('hex');
      const params = {
        Action: action,
        AppId: String(appId),
        SignatureNonce: nonce,
        Timestamp: timestamp,
        Signature: signature(overrides.AppId ?? appId, nonce, secret, timestamp),
        SignatureVersion: '2.0',
        ...overrides,
      };
      const search = new URLSearchParams();
      for (const [k, v] of Object.entries(params)) if (v !== undefined) search.append(k, v);
      return search.toString();
    },

    /** POST /?<signed query> with a JSON body; resolves {status, json, text, headers}. */
    async send(action, body = {}, { query = {}, method = 'POST', headers = {}, rawBody, extraQuery = '' } = {}) {
      const target = `${url}/?${client.query(action, query)}${extraQuery}`;
      if (method === 'GET') return call(target, { method, headers });
      if (rawBody !== undefined) return call(target, { method, headers: { 'content-type': 'application/json', ...headers }, body: rawBody });
      return call(target, { method, headers, json: body });
    },

    /** send() that asserts Code 0 and returns Data (or {}). */
    async ok(action, body = {}, options = {}) {
      const r = await client.send(action, body, options);
      if (r.status !== 200 || r.json?.Code !== 0) {
        throw new Error(`${action} answered ${r.status} ${r.text}`);
      }
      return r.json.Data ?? {};
    },

    /** send() that returns the Code. */
    async code(action, body = {}, options = {}) {
      const r = await client.send(action, body, options);
      if (r.status !== 200) throw new Error(`${action} answered HTTP ${r.status}: ${r.text}`);
      return r.json.Code;
    },
  };
  return client;
}

/** Shifts the emulator's clock and keeps the clients' signing clocks with it. */
export async function shiftClock(url, offsetSeconds, ...clients) {
  const r = await call(`${url}/_emulator/clock`, { method: 'PUT', json: { offsetSeconds } });
  if (r.status !== 200) throw new Error(`clock: ${r.text}`);
  for (const c of clients) c.clockOffset = offsetSeconds;
}

/** Merges a "zego" fixture section into the live state. */
export async function mergeZego(url, section) {
  const r = await call(`${url}/_emulator/state`, { method: 'POST', json: { zego: section } });
  if (r.status !== 200) throw new Error(`state: ${r.text}`);
  return r.json.zego;
}

/** The live "zego" state; `secrets: true` shows the ServerSecrets and LLM/TTS/ASR keys unredacted. */
export async function zegoState(url, { secrets = false } = {}) {
  return (await call(`${url}/_emulator/state?vendor=zego${secrets ? '&secrets=true' : ''}`)).json.zego;
}

export const rtc = (n = 1) => ({
  RoomId: `room_${n}`,
  AgentStreamId: `agent_stream_${n}`,
  AgentUserId: `agent_user_${n}`,
  UserStreamId: `user_stream_${n}`,
});

export const llm = {
  Url: 'https://ark.cn-beijing.volces.com/api/v3/chat/completions',
  ApiKey: 'zego_test',
  Model: 'doubao-1-5-lite-32k-250115',
  SystemPrompt: 'You are Jacky.',
};

export const tts = {
  Vendor: 'ByteDance',
  Params: { app: { appid: 'zego_test', token: 'zego_test', cluster: 'volcano_tts' }, audio: { voice_type: 'zh_female_vv_uranus_bigtts' } },
};
