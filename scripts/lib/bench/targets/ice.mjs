// ICE: a V3-signed (ACS3-HMAC-SHA256) DescribeAIAgentInstance, the full request path: decode,
// signature verification, clock window, nonce check, RAM-style policy, validation, state lookup
// and the JSON answer. The instance is created here, and the request signed here, right before
// the run. wrk replays the one signed request, so it carries the bench key of
// scripts/lib/bench/fixtures/ice.json, which is allowed to reuse its SignatureNonce; its
// x-acs-date stays inside the 15-minute window for any sensible --duration.
import { v3Request, VOICE_AGENT } from '../../../../tests/support/ice.mjs';

const BENCH_KEY = { id: 'benchid', secret: 'benchsecret' };

export default async function targets({ url }) {
  const start = v3Request(url, {
    action: 'StartAIAgentInstance',
    key: BENCH_KEY,
    params: {
      AIAgentId: VOICE_AGENT,
      RuntimeConfig: JSON.stringify({ AgentUserId: 'bench-agent', ChannelId: 'bench-channel', AuthToken: 'token' }),
      AgentConfig: JSON.stringify({ Greeting: 'Hello', TtsConfig: { VoiceId: 'zhixiaoxia' } }),
      UserData: '{"bench":true}',
    },
  });
  const started = await fetch(start.url, start.init);
  const body = await started.json();
  if (started.status !== 200) throw new Error(`ice bench: StartAIAgentInstance answered ${started.status}: ${JSON.stringify(body)}`);

  const describe = v3Request(url, { action: 'DescribeAIAgentInstance', key: BENCH_KEY, params: { InstanceId: body.InstanceId } });
  const target = new URL(describe.url);
  return [{
    name: 'ice DescribeAIAgentInstance V3',
    goal: 0.6,
    signed: true,
    method: describe.init.method,
    path: target.pathname + target.search,
    headers: describe.init.headers,
  }];
}
