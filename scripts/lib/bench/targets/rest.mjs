// The REST agent runtime's hot routes: reading one agent, and stopping one (every stop a real
// stop of a running agent, so the measured path is the full state change, not a 409).
const ELIZA = '550e8400-e29b-41d4-a716-446655440000'; // fixtures/default.json

// More agents than wrk has connections: a stop is sent only after the start of the same agent,
// issued a whole round earlier, has been answered.
const AGENTS = 512;

async function post(url, path, body) {
  const response = await fetch(url + path, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await response.json();
  if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

export default async function targets({ url }) {
  const ids = [];
  for (let i = 0; i < AGENTS; i += 1) {
    const id = (await post(url, '/agents', { name: `bench-${i}` })).data.agentId;
    await post(url, `/agents/${id}/start`);
    ids.push(id);
  }
  // The probe (whose answer nginx serves) stops an agent of its own.
  const probeAgent = (await post(url, '/agents', { name: 'bench-probe' })).data.agentId;
  await post(url, `/agents/${probeAgent}/start`);

  // Rounds over all agents, which start out running: stop them all, then start them all, and
  // again. wrk calls request() once before the run to check it (that request is never sent);
  // the agent it skips is still running when its start comes, and starting is idempotent.
  const lua = `
local ids = {${ids.map((id) => `"${id}"`).join(',')}}
local n = #ids
local i = 0
local json = { ["Content-Type"] = "application/json" }
request = function()
  local k = i % n + 1
  local stopping = math.floor(i / n) % 2 == 0
  i = i + 1
  if stopping then
    return wrk.format("POST", "/agents/" .. ids[k] .. "/stop", json, "{}")
  end
  return wrk.format("POST", "/agents/" .. ids[k] .. "/start")
end
`;
  return [
    { name: 'rest GET /agents/{id}', goal: 0.8, reference: true, method: 'GET', path: `/agents/${ELIZA}` },
    {
      name: 'rest POST /agents/{id}/stop (+start)',
      goal: 0.6,
      method: 'POST',
      path: `/agents/${probeAgent}/stop`,
      lua,
      probe: { method: 'POST', path: `/agents/${probeAgent}/stop`, headers: { 'content-type': 'application/json' }, body: '{}' },
      // A run ends mid-round; the script starts with a stop round, so every agent runs again first.
      prepare: async () => { for (const id of ids) await post(url, `/agents/${id}/start`); },
    },
  ];
}
