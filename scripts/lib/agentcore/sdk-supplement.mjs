// Writes emulator/vendors/agentcore/model/sdk-supplement.json: the operations that the pinned AWS
// SDK clients (tests/package-lock.json) can call but the botocore models do not have yet, in
// botocore's own format, read from the SDKs' compiled schemas.
//
// Those schemas carry each operation's route, status, members, their HTTP bindings and which are
// required, but no constraints (lengths, patterns, ranges, enums): the supplement has none, and
// says so. Errors come from the command's documented @throws list. Run it after bumping the SDKs:
//
//   node scripts/lib/agentcore/sdk-supplement.mjs [--check]   (then scripts/gen-agentcore-tables)
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const modelDir = path.join(root, 'emulator/vendors/agentcore/model');

const PLANES = [
  { plane: 'data', model: 'bedrock-agentcore.service-2.json', sdk: '@aws-sdk/client-bedrock-agentcore' },
  { plane: 'control', model: 'bedrock-agentcore-control.service-2.json', sdk: '@aws-sdk/client-bedrock-agentcore-control' },
];

// Simple schema codes of @smithy/core/schema.
const SIMPLE = {
  0: 'String', 1: 'Double', 2: 'Boolean', 4: 'Timestamp', 5: 'DateTimestamp', 6: 'Timestamp', 7: 'Timestamp',
  15: 'Document', 17: 'Long', 19: 'Double', 21: 'Blob', 42: 'Blob',
};
const SYNTHETIC = {
  String: { type: 'string' }, Double: { type: 'double' }, Boolean: { type: 'boolean' },
  Timestamp: { type: 'timestamp' }, DateTimestamp: { type: 'timestamp', timestampFormat: 'iso8601' },
  Document: { type: 'structure', members: {}, document: true }, Long: { type: 'long' }, Blob: { type: 'blob' },
};
// The bits of a numeric trait set (translateTraits in @smithy/core/schema).
const TRAIT_BITS = ['httpLabel', 'idempotent', 'idempotencyToken', 'sensitive', 'httpPayload', 'httpResponseCode',
  'httpQueryParams'];

function traitsOf(indicator) {
  if (indicator && typeof indicator === 'object') return indicator;
  const out = {};
  TRAIT_BITS.forEach((name, i) => { if (((indicator | 0) >> i) & 1) out[name] = 1; });
  return out;
}

const deref = (ref) => (typeof ref === 'function' ? ref() : ref);
const isMemberWrapper = (ref) => Array.isArray(ref) && ref.length === 2;

class Extractor {
  constructor(prefix) {
    this.prefix = prefix;  // names of synthetic shapes: "Sdk" + what they are
    this.shapes = {};
  }

  // The botocore shape name for a schema reference, adding its shape (and those it needs).
  shape(ref) {
    ref = deref(ref);
    while (isMemberWrapper(ref)) ref = deref(ref[0]);  // a list's or map's member with traits
    if (typeof ref === 'number') {
      if (ref & 64) return this.synthetic(`${this.prefix}List${this.shape(ref & 63)}`, { type: 'list', member: { shape: this.shape(ref & 63) } });
      if (ref & 128) {
        return this.synthetic(`${this.prefix}Map${this.shape(ref & 63)}`,
          { type: 'map', key: { shape: this.shape(0) }, value: { shape: this.shape(ref & 63) } });
      }
      const name = SIMPLE[ref];
      if (!name) throw new Error(`unknown simple schema ${ref}`);
      return this.synthetic(`${this.prefix}${name}`, SYNTHETIC[name]);
    }
    const [kind, , name] = ref;
    if (this.shapes[name]) return name;
    switch (kind) {
      case 0: return this.shape(ref[4]);  // a simple type with traits of its own
      case 1:
        this.shapes[name] = { type: 'list' };
        this.shapes[name].member = { shape: this.shape(ref[4]) };
        return name;
      case 2:
        this.shapes[name] = { type: 'map' };
        this.shapes[name].key = { shape: this.shape(ref[4]) };
        this.shapes[name].value = { shape: this.shape(ref[5]) };
        return name;
      case 3:
      case 4: return this.structure(ref, kind === 4);
      default: throw new Error(`unknown schema kind ${kind} for ${name}`);
    }
  }

  synthetic(name, shape) {
    if (!this.shapes[name]) this.shapes[name] = shape;
    return name;
  }

  structure(ref, union) {
    const [, , name, , memberNames, memberSchemas, requiredCount = 0] = ref;
    const shape = { type: 'structure', members: {} };
    if (union) shape.union = true;
    this.shapes[name] = shape;
    const required = memberNames.slice(0, requiredCount);
    if (required.length > 0) shape.required = required;
    memberNames.forEach((member, i) => {
      let schema = memberSchemas[i];
      let traits = {};
      while (isMemberWrapper(schema)) {
        traits = { ...traitsOf(schema[1]), ...traits };
        schema = schema[0];
      }
      const m = { shape: this.shape(schema) };
      if (traits.httpLabel) Object.assign(m, { location: 'uri', locationName: member });
      if (traits.httpQuery) Object.assign(m, { location: 'querystring', locationName: traits.httpQuery });
      if (traits.httpHeader) Object.assign(m, { location: 'header', locationName: traits.httpHeader });
      if (traits.httpPrefixHeaders !== undefined) Object.assign(m, { location: 'headers', locationName: traits.httpPrefixHeaders });
      if (traits.httpQueryParams) m.location = 'querystring';
      if (traits.httpResponseCode) m.location = 'statusCode';
      if (traits.jsonName) m.locationName = traits.jsonName;
      if (traits.idempotencyToken) m.idempotencyToken = true;
      if (traits.httpPayload) shape.payload = member;
      shape.members[member] = m;
    });
    return name;
  }
}

// The errors a command documents: "@throws {@link ConflictException}" in its declaration file.
function documentedErrors(sdkDir, operation, serviceException) {
  const file = path.join(sdkDir, 'dist-types/commands', `${operation}Command.d.ts`);
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/@throws \{@link (\w+)\}/g)].map((m) => m[1]).filter((e) => e !== serviceException);
}

async function supplementFor({ plane, model, sdk }) {
  const botocore = JSON.parse(fs.readFileSync(path.join(modelDir, model), 'utf8'));
  const sdkDir = path.join(root, 'tests/node_modules', sdk);
  const version = JSON.parse(fs.readFileSync(path.join(sdkDir, 'package.json'), 'utf8')).version;
  // The CommonJS build exports every schema ("CreateConsentPortal$"); the ES build cannot load in
  // Node without a bundler.
  const schemas = createRequire(path.join(root, 'tests/package.json'))(sdk);
  const serviceException = Object.keys(schemas).find((k) => k.endsWith('ServiceException$'))?.slice(0, -1);
  const extractor = new Extractor('Sdk');
  const operations = {};
  for (const value of Object.values(schemas)) {
    if (!Array.isArray(value) || value[0] !== 9) continue;
    const name = value[2];
    if (botocore.operations[name]) continue;
    const [method, requestUri, responseCode] = value[3].http;
    operations[name] = {
      name,
      http: { method, requestUri, responseCode },
      input: { shape: extractor.shape(value[4]) },
      output: { shape: extractor.shape(value[5]) },
      errors: documentedErrors(sdkDir, name, serviceException).map((shape) => ({ shape })),
    };
  }
  return { plane, sdk, sdkVersion: version, operations, shapes: extractor.shapes };
}

const planes = [];
for (const p of PLANES) planes.push(await supplementFor(p));
const out = {
  description:
    'Operations the pinned AWS SDK clients can call that the botocore models (this folder) do not have yet, read ' +
    'from the SDKs\' compiled schemas by scripts/lib/agentcore/sdk-supplement.mjs. Routes, statuses, members, HTTP ' +
    'bindings, required members and documented errors are the SDK\'s; constraints (lengths, patterns, ranges, enums) ' +
    'are unknown, so none are checked. Shapes named like a botocore shape take the botocore shape.',
  planes,
};
const file = path.join(modelDir, 'sdk-supplement.json');
const text = JSON.stringify(out, null, 1) + '\n';
if (process.argv.includes('--check')) {
  // The supplement must be what the pinned SDKs give: a bumped SDK means running this again.
  if (fs.readFileSync(file, 'utf8') !== text) {
    console.error(`${path.relative(root, file)} is stale for the pinned SDKs: run node scripts/lib/agentcore/sdk-supplement.mjs`);
    process.exit(1);
  }
} else {
  fs.writeFileSync(file, text);
  for (const p of planes) console.log(`${p.sdk}@${p.sdkVersion}: ${Object.keys(p.operations).join(', ') || 'nothing'} not in the model`);
}
