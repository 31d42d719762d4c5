#!/usr/bin/env node
// Regenerates ice-2020-11-09.json, the list of every ICE 2020-11-09 action with its top-level
// request parameters, from the public Go SDK (github.com/alibabacloud-go/ice-20201109), whose
// client and request models are generated from ICE's own API metadata.
//
//   node emulator/vendors/ice/model/generate.mjs PATH_TO_SDK [OUTPUT]
//
// PATH_TO_SDK is a checkout of that repository, or a bare git directory of it (read at HEAD).
// OUTPUT defaults to ice-2020-11-09.json beside this script. The script reads:
//   client/client.go: each <Action>WithOptions function gives the action name, its HTTP method
//     and where each parameter goes (query["X"] / body["X"], or the whole request as the query);
//   client/<action>[_]request_model.go: the <Action>Request struct gives each parameter's Go type
//     and whether its comment says "This parameter is required."
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [sdk, output = path.join(here, 'ice-2020-11-09.json')] = process.argv.slice(2);
if (!sdk) {
  console.error('usage: generate.mjs PATH_TO_SDK [OUTPUT]');
  process.exit(2);
}

const bare = !fs.existsSync(path.join(sdk, 'client')) && fs.existsSync(path.join(sdk, 'HEAD'));
const git = (...args) => execFileSync('git', ['-C', sdk, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const read = (file) => (bare ? git('show', `HEAD:${file}`) : fs.readFileSync(path.join(sdk, file), 'utf8'));
const files = bare
  ? git('ls-tree', '-r', '--name-only', 'HEAD', 'client/').split('\n').filter(Boolean)
  : fs.readdirSync(path.join(sdk, 'client')).map((f) => `client/${f}`);
let commit = '';
try { commit = git('rev-parse', 'HEAD').trim(); } catch { /* a plain copy without git */ }
const changelog = read('ChangeLog.txt');
const version = (changelog.match(/Version:\s*(v[0-9.]+)/) ?? [])[1] ?? '';

// ---- Request structs: name -> [{name, goType, tag, required}] ----------------------------------
const structs = new Map();
for (const file of files.filter((f) => f.endsWith('request_model.go'))) {
  const text = read(file);
  for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields = [];
    let comment = [];
    for (const line of m[2].split('\n')) {
      const trimmed = line.trim();
      if (trimmed.startsWith('//')) {
        comment.push(trimmed);
        continue;
      }
      const field = trimmed.match(/^(\w+)\s+(\S+)\s+`json:"([^",]+)[^"]*"[^`]*?(?:type:"(\w+)")?[^`]*`/);
      if (field) {
        fields.push({ name: field[3], goType: field[2], tag: field[4] ?? '', required: comment.some((c) => c.includes('This parameter is required.')) });
      }
      comment = [];
    }
    structs.set(m[1], fields);
  }
}

function typeOf(goType, tag) {
  if (tag === 'Repeated' || goType.startsWith('[]')) return 'array';
  if (tag === 'Struct' || goType.startsWith('map[')) return 'object';
  switch (goType) {
    case '*string': return 'string';
    case '*int32': case '*int64': case '*int': return 'integer';
    case '*float32': case '*float64': return 'number';
    case '*bool': return 'boolean';
    default: return goType.startsWith('*') && /^\*[A-Z]/.test(goType) ? 'object' : 'any';
  }
}

// ---- The client: one function per action ------------------------------------------------------
const client = read('client/client.go');
const actions = [];
for (const m of client.matchAll(/^func \(client \*Client\) (\w+)WithOptions\((?:(?:tmpReq|request) \*(\w+), )?[^\n]*\n([\s\S]*?)^\}/gm)) {
  const body = m[3];
  const name = (body.match(/Action:\s*dara\.String\("(\w+)"\)/) ?? [])[1];
  if (!name) continue;
  const method = (body.match(/Method:\s*dara\.String\("(\w+)"\)/) ?? [])[1] ?? 'POST';
  const wholeQuery = /openapiutil\.Query\(dara\.ToMap\(request\)\)/.test(body);
  const where = new Map();
  for (const p of body.matchAll(/\b(query|body)\["(\w+)"\]\s*=/g)) where.set(p[2], p[1]);
  const fields = structs.get(m[2]) ?? [];
  const params = [];
  for (const f of fields) {
    const location = wholeQuery ? 'query' : where.get(f.name);
    if (!location) continue;  // a field the client does not send (none today)
    params.push({ name: f.name, type: typeOf(f.goType, f.tag), required: f.required, in: location });
  }
  // Parameters the client sends that the struct does not declare (none today) still count.
  for (const [p, location] of where) {
    if (!params.some((x) => x.name === p)) params.push({ name: p, type: 'any', required: false, in: location });
  }
  actions.push({ name, method, params });
}
actions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

// One action a line, so a regeneration's diff shows what ICE added or changed.
const head = {
  source: 'https://github.com/alibabacloud-go/ice-20201109',
  version,
  commit,
  apiVersion: '2020-11-09',
  generator: 'emulator/vendors/ice/model/generate.mjs',
};
let text = '{\n';
for (const [k, v] of Object.entries(head)) text += `  ${JSON.stringify(k)}: ${JSON.stringify(v)},\n`;
text += '  "actions": [\n';
text += actions.map((a) => `    ${JSON.stringify(a)}`).join(',\n');
text += '\n  ]\n}\n';
fs.writeFileSync(output, text);
console.log(`${output}: ${actions.length} actions from ${head.source} ${version} ${commit}`);
