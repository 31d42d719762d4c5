// ZEGO AI Agent: a signed QueryAgentInstanceStatus, the call a client polls most. The agent and
// its instance are created here, with signed requests, right before the run; the measured
// request is signed once (nonce replay checks are off by default, as on ZEGO's gateway).
import crypto from 'node:crypto';

const appId = 1234567890;
const secret = '0123456789abcdef0123456789abcdef';  // fixtures/default.json

function signedQuery(action) {
  const nonce = crypto.randomBytes(8).toString('hex');
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = crypto.createHash('md5').update(`${appId}${nonce}${secret}${timestamp}`).digest('hex');
  return `/?Action=${action}&AppId=${appId}&SignatureNonce=${nonce}&Timestamp=${timestamp}` +
    `&Signature=${signature}&SignatureVersion=2.0`;
}

async function send(url, action, body) {
  const response = await fetch(url + signedQuery(action), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await response.json();
  if (json.Code !== 0) throw new Error(`zego bench setup: ${action} answered ${JSON.stringify(json)}`);
  return json.Data ?? {};
}

export default async function targets({ url }) {
  const agentId = `bench-${crypto.randomBytes(4).toString('hex')}`;
  await send(url, 'RegisterAgent', {
    AgentId: agentId,
    LLM: { Url: 'https://llm.example/v1/chat/completions', ApiKey: 'bench', Model: 'bench' },
    TTS: { Vendor: 'ByteDance', Params: { app: { appid: 'bench' } } },
  });
  const { AgentInstanceId } = await send(url, 'CreateAgentInstance', {
    AgentId: agentId,
    UserId: 'bench_user',
    RTC: { RoomId: 'bench_room', AgentStreamId: 'bench_agent_stream', AgentUserId: 'bench_agent', UserStreamId: 'bench_user_stream' },
  });
  return [{
    name: 'zego-query-agent-instance-status',
    goal: 0.6,
    signed: true,
    method: 'POST',
    path: signedQuery('QueryAgentInstanceStatus'),
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ AgentInstanceId }),
  }];
}
