// agentemu's dashboard: plain JavaScript over the admin API (README, "Admin API"). Every panel
// is an object with refresh(); the live toggle polls the visible one once a second. Text from
// requests is always set as textContent, never as HTML: the journal holds what clients sent.
'use strict';

const POLL_MS = 1000;

// ---- helpers ---------------------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'class') node.className = value;
    else if (key === 'data') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, { method = 'GET', json } = {}) {
  const init = { method, headers: {} };
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  const response = await fetch(`/_emulator${path}`, init);
  const text = await response.text();
  let body;
  try { body = text ? JSON.parse(text) : undefined; } catch { body = undefined; }
  if (!response.ok) throw new Error(body?.message ?? `${method} ${path}: ${response.status}`);
  return body;
}

function say(message, isError = false) {
  const footer = $('status');
  footer.textContent = message;
  footer.classList.toggle('error', isError);
}

const failed = (error) => say(error.message, true);

function pretty(text) {
  if (!text) return '';
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

function cellText(value) {
  if (value === null || value === undefined) return '';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

function table(columns, rows, cell = (row, column) => cellText(row[column])) {
  if (rows.length === 0) return el('p', { class: 'empty' }, 'none');
  return el('table', { class: 'grid' },
    el('thead', {}, el('tr', {}, columns.map((c) => el('th', {}, c)))),
    el('tbody', {}, rows.map((row) => el('tr', {}, columns.map((c) => {
      const value = cell(row, c);
      return el('td', { title: value instanceof Node ? null : value }, value);
    })))));
}

function definitions(pairs) {
  return el('dl', {}, pairs.filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
}

const statusClass = (status) => `s${Math.floor(status / 100)}`;
const ruleOf = (entry) => (entry.scenario ? `${entry.scenario.name} / ${entry.scenario.rule}` : '');
const encode = encodeURIComponent;

// ---- the header: version, vendors, the clock -------------------------------------------------

const header = {
  offset: 0,
  async refresh() {
    const clock = await api('/clock');
    this.offset = clock.offsetSeconds;
    $('clock-now').textContent = clock.now;
    $('clock-offset').textContent = clock.offsetSeconds === 0 ? '(real time)' : `(offset ${clock.offsetSeconds} s)`;
  },
};

// "+1h", "-30s", "90" (seconds), "2d": seconds to add; an RFC 3339 time: where to go.
function parseClockInput(text) {
  const t = text.trim();
  const m = /^([+-]?)(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(t);
  if (m) {
    const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[3]];
    return { by: (m[1] === '-' ? -1 : 1) * Number(m[2]) * unit };
  }
  if (!Number.isNaN(Date.parse(t))) return { to: t };
  return null;
}

async function moveClock() {
  const wanted = parseClockInput($('clock-input').value);
  if (!wanted) return say('the clock takes +1h, -30s, 90 (seconds) or a time such as 2030-01-01T00:00:00Z', true);
  const body = wanted.to ? { now: wanted.to } : { offsetSeconds: header.offset + wanted.by };
  await api('/clock', { method: 'PUT', json: body });
  $('clock-input').value = '';
  await header.refresh();
  say(`clock moved to ${$('clock-now').textContent}`);
}

// ---- the journal -----------------------------------------------------------------------------

const journal = {
  picked: null,
  shown: '',
  query() {
    const q = new URLSearchParams();
    const add = (name, value) => { if (value) q.set(name, value); };
    add('vendor', $('f-vendor').value);
    add('operation', $('f-operation').value.trim());
    const status = $('f-status').value.trim();
    if (/^(0|\d{3}|[1-5]xx)$/i.test(status)) q.set('status', status);  // no 400 while it is typed
    const rule = $('f-rule').selectedOptions[0];
    if (rule && rule.value) {
      q.set('scenario', rule.dataset.scenario);
      q.set('rule', rule.dataset.rule);
    }
    q.set('limit', $('f-limit').value);
    return q.toString();
  },
  async refresh() {
    const query = this.query();
    const [{ requests }, { count }] = await Promise.all([api(`/requests?${query}`), api('/requests/count')]);
    $('journal-count').textContent = `${requests.length} shown, ${count} in the journal`;
    const key = `${query}|${requests.length}|${requests.at(-1)?.id ?? 0}|${requests[0]?.id ?? 0}`;
    if (key === this.shown) return;
    this.shown = key;
    const rows = requests.slice().reverse().map((e) => el('tr', {
      data: { id: e.id }, class: e.id === this.picked ? 'picked' : null, onclick: () => this.pick(e.id),
    },
    el('td', {}, e.id), el('td', { class: 'mono' }, e.time.slice(11, 23)), el('td', {}, e.vendor),
    el('td', {}, e.operation), el('td', {}, e.method), el('td', { class: 'mono', title: e.path }, e.path),
    el('td', { class: statusClass(e.status) }, e.status), el('td', {}, e.errorCode ?? ''),
    el('td', {}, ruleOf(e)), el('td', {}, e.durationMs)));
    $('journal-table').tBodies[0].replaceChildren(...rows);
  },
  async pick(id) {
    this.picked = id;
    for (const row of $('journal-table').tBodies[0].rows) row.classList.toggle('picked', Number(row.dataset.id) === id);
    const entry = await api(`/requests/${id}`);
    $('detail').replaceChildren(...detailOf(entry));
  },
};

function detailOf(e) {
  const target = e.query ? `${e.path}?${e.query}` : e.path;
  const parts = [
    el('h2', {}, `#${e.id} ${e.vendor} ${e.operation}`),
    el('h3', {}, 'Request'),
    el('pre', {}, `${e.method} ${target}`),
    definitions(Object.entries(e.headers)),
  ];
  if (e.bodySize > 0) {
    parts.push(el('pre', {}, pretty(e.body)));
    if (e.bodyTruncated) parts.push(el('p', { class: 'muted' }, `body kept in part: ${e.body.length} of ${e.bodySize} bytes`));
  }
  parts.push(el('h3', {}, 'Answer'), definitions([
    ['status', el('span', { class: statusClass(e.status) }, e.status === 0 ? '0 (no HTTP answer)' : e.status)],
    ['error code', e.errorCode],
    ['scenario rule', ruleOf(e)],
    ['diagnostic', e.diagnostic],
    ['time', e.time],
    ['duration', `${e.durationMs} ms`],
  ]));
  if (e.diagnosis) parts.push(...diagnosisOf(e.diagnosis));
  return parts;
}

// Candidates nearest first: what each is, how far, and what differed.
function candidates(items, head, details) {
  if (items.length === 0) return el('p', { class: 'empty' }, 'none');
  return el('ol', { class: 'candidates' }, items.map((item) => el('li', {}, head(item),
    el('span', { class: 'muted' }, ` distance ${item.distance}`), el('ul', {}, details(item).map((d) => el('li', {}, d))))));
}

function diagnosisOf(d) {
  const parts = [el('h3', {}, 'Diagnosis'), el('div', { class: 'summary' }, d.summary)];
  if (d.nearestOperations) {
    parts.push(el('h3', {}, 'Nearest operations'), candidates(d.nearestOperations,
      (o) => [el('b', {}, `${o.vendor} ${o.operation}`), ' ', el('code', {}, `${o.method} ${o.route}`), o.emulated ? '' : ' (501)'],
      (o) => o.differences));
  }
  if (d.nearMisses) {
    parts.push(el('h3', {}, 'Nearest scenario rules'), candidates(d.nearMisses,
      (m) => [el('b', {}, `${m.scenario} / ${m.rule}`), el('span', { class: 'muted' }, ` (${m.phase})`)],
      (m) => [m.clause === null ? 'every clause holds'
        : `${m.clause}${m.key ? ` ${m.key}` : ''} wants "${m.expected}", the request has ${m.actual === null ? 'none' : `"${m.actual}"`} (${m.pointer})`,
      m.note].filter(Boolean)));
  }
  return parts;
}

// ---- each vendor's state, as tables ----------------------------------------------------------

const state = {
  shown: '',
  async refresh() {
    const doc = await api('/state');
    const key = JSON.stringify(doc);
    if (key === this.shown) return;  // unchanged: keep the page as it is (selection, scroll)
    this.shown = key;
    const parts = [];
    for (const [vendor, section] of Object.entries(doc)) {
      parts.push(el('h2', {}, vendor));
      for (const [name, value] of Object.entries(section ?? {})) {
        parts.push(el('h3', {}, name));
        if (Array.isArray(value) && value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
          const columns = [...new Set(value.flatMap((v) => Object.keys(v)))];
          parts.push(table(columns, value));
        } else {
          parts.push(el('pre', {}, JSON.stringify(value, null, 2)));
        }
      }
    }
    $('state').replaceChildren(...parts);
  },
};

// ---- scenarios: hit counts, delete, reload ---------------------------------------------------

const scenarios = {
  shown: '',
  async refresh() {
    const { scenarios: list } = await api('/scenarios');
    const key = JSON.stringify(list);
    if (key === this.shown) return;  // unchanged: the buttons stay where they are
    this.shown = key;
    fillRuleFilter(list);
    if (list.length === 0) {
      $('scenarios').replaceChildren(el('p', { class: 'empty' },
        'No scenario is loaded: start agentemu with --scenarios FILE_OR_FOLDER, or PUT /_emulator/scenarios/{name}.'));
      return;
    }
    $('scenarios').replaceChildren(...list.map((s) => el('div', { class: 'card', data: { scenario: s.name } },
      el('div', { class: 'actions' },
        el('button', { type: 'button', title: 'read its file again', disabled: s.source === 'api',
          onclick: () => act(`/scenarios/${encode(s.name)}/reload`, 'POST', `scenario ${s.name} reloaded`) }, 'reload'),
        el('button', { type: 'button', class: 'danger', title: 'unload it',
          onclick: () => act(`/scenarios/${encode(s.name)}`, 'DELETE', `scenario ${s.name} deleted`) }, 'delete')),
      el('h2', {}, s.name, ' ', el('span', { class: 'muted' }, `${s.source} · seed ${s.seed}`)),
      table(['name', 'phase', 'matched', 'hits'], s.rules))));
  },
};

function fillRuleFilter(list) {
  const select = $('f-rule');
  const keep = select.value;
  const options = [el('option', { value: '' }, 'any answer')];
  for (const s of list) {
    for (const r of s.rules) {
      options.push(el('option', { value: `${s.name}/${r.name}`, data: { scenario: s.name, rule: r.name } }, `fired: ${s.name} / ${r.name}`));
    }
  }
  select.replaceChildren(...options);
  select.value = options.some((o) => o.value === keep) ? keep : '';
}

async function act(path, method, done) {
  try {
    await api(path, { method });
    say(done);
    await panels[current].refresh();
  } catch (error) {
    failed(error);
  }
}

// ---- every vendor's operations (GET /_emulator/operations) -----------------------------------

const operations = {
  list: null,
  async refresh() {
    this.list ??= (await api('/operations')).operations;
    const vendor = $('o-vendor').value;
    const filter = $('o-filter').value.trim().toLowerCase();
    const rows = this.list.filter((o) => (!vendor || o.vendor === vendor) &&
      (!filter || `${o.operation} ${o.route}`.toLowerCase().includes(filter)));
    const body = rows.map((o) => el('tr', {}, el('td', {}, o.vendor), el('td', {}, o.operation), el('td', {}, o.method),
      el('td', { class: 'mono' }, o.route), el('td', {}, o.emulated ? 'yes' : 'no (501)'),
      el('td', { class: 'mono', title: o.parameters.map((p) => p.name).join(', ') },
        o.parameters.map((p) => (p.required ? `${p.name}*` : p.name)).join(', '))));
    $('operations-table').tBodies[0].replaceChildren(...body);
  },
  static: true,
};

// The callbacks panel (GET /_emulator/callbacks) joins here as panels.callbacks = { refresh() }.
const panels = { journal, state, scenarios, operations };
let current = 'journal';

function show(name) {
  current = name;
  for (const button of $('tabs').querySelectorAll('button')) button.classList.toggle('active', button.dataset.tab === name);
  for (const panel of document.querySelectorAll('main > .panel')) panel.classList.toggle('active', panel.id === name);
  panels[name].refresh().catch(failed);
}

// ---- start -----------------------------------------------------------------------------------

let busy = false;
async function tick() {
  if (busy || !$('live').checked) return;
  busy = true;
  try {
    await header.refresh();
    if (!panels[current].static) await panels[current].refresh();
    say(`updated ${new Date().toLocaleTimeString()}`);
  } catch (error) {
    failed(error);
  } finally {
    busy = false;
  }
}

async function start() {
  const health = await api('/health');
  $('version').textContent = health.version;
  $('vendors').textContent = health.vendors.join(' · ');
  for (const id of ['f-vendor', 'o-vendor']) {
    for (const name of health.vendors) $(id).append(el('option', { value: name }, name));
  }
  $('f-vendor').append(el('option', { value: 'none' }, 'none (unclaimed)'));
  operations.list = (await api('/operations')).operations;
  const names = [...new Set(operations.list.map((o) => o.operation))].sort();
  $('operation-names').replaceChildren(...names.map((n) => el('option', { value: n })));

  for (const button of $('tabs').querySelectorAll('button')) button.addEventListener('click', () => show(button.dataset.tab));
  $('filters').addEventListener('input', () => journal.refresh().catch(failed));
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  $('o-vendor').addEventListener('input', () => operations.refresh());
  $('o-filter').addEventListener('input', () => operations.refresh());
  $('journal-clear').addEventListener('click', () => act('/requests', 'DELETE', 'journal cleared'));
  $('clock-move').addEventListener('click', () => moveClock().catch(failed));
  $('clock-input').addEventListener('keydown', (event) => { if (event.key === 'Enter') moveClock().catch(failed); });
  $('clock-zero').addEventListener('click', () => api('/clock', { method: 'PUT', json: { offsetSeconds: 0 } })
    .then(() => header.refresh()).then(() => say('clock back to real time')).catch(failed));
  $('live').addEventListener('change', tick);

  await scenarios.refresh();  // fills the journal's rule filter
  await header.refresh();
  await journal.refresh();
  setInterval(tick, POLL_MS);
  document.body.dataset.ready = 'true';
}

start().catch(failed);
