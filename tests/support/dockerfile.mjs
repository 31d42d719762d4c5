// Reads a Dockerfile into stages of instructions, and a .dockerignore into a matcher, so a test can
// replay an image without a container runtime. Only what the repository's Dockerfile uses is
// understood; anything else throws, so a new instruction cannot be skipped unnoticed.

const KNOWN = new Set(['FROM', 'RUN', 'COPY', 'ENV', 'USER', 'WORKDIR', 'EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD']);

/** Joins continued lines and drops comments: [{op, text, line}]. */
function logicalLines(text) {
  const out = [];
  let pending = null;
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (pending === null && /^\s*(#.*)?$/.test(line)) return;
    if (pending !== null && /^\s*#/.test(line)) return;  // a comment inside a continued instruction
    const continued = /\\\s*$/.test(line);
    const body = continued ? line.replace(/\\\s*$/, '') : line;
    pending = pending === null ? { text: body.trim(), line: index + 1 } : { ...pending, text: `${pending.text} ${body.trim()}` };
    if (!continued) {
      out.push(pending);
      pending = null;
    }
  });
  if (pending !== null) throw new Error(`Dockerfile line ${pending.line}: the file ends inside a continued instruction`);
  return out;
}

/** Leading --name=value flags of an instruction, and the rest. */
function takeFlags(text) {
  const flags = {};
  let rest = text;
  for (;;) {
    const match = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest);
    if (!match) return { flags, rest };
    flags[match[1]] = match[2] ?? true;
    rest = rest.slice(match[0].length);
  }
}

/** KEY=VALUE pairs (values may be double-quoted), as ENV writes them. */
function parseEnv(text, line) {
  const env = {};
  const pair = /\s*([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/y;
  let at = 0;
  while (at < text.length) {
    pair.lastIndex = at;
    const match = pair.exec(text);
    if (!match) throw new Error(`Dockerfile line ${line}: ENV must be KEY=VALUE pairs: ${text}`);
    env[match[1]] = match[2].startsWith('"') ? JSON.parse(match[2]) : match[2];
    at = pair.lastIndex;
    while (text[at] === ' ') at += 1;
  }
  return env;
}

function parseInstruction({ text, line }) {
  const match = /^([A-Za-z]+)\s+(.*)$/.exec(text);
  if (!match) throw new Error(`Dockerfile line ${line}: cannot read "${text}"`);
  const op = match[1].toUpperCase();
  if (!KNOWN.has(op)) throw new Error(`Dockerfile line ${line}: ${op} is not replayed by the image test; teach tests/support/dockerfile.mjs`);
  const { flags, rest } = takeFlags(match[2]);
  const instruction = { op, flags, text: rest, line };
  if (op === 'ENV') instruction.env = parseEnv(rest, line);
  if (op === 'COPY') {
    const parts = rest.split(/\s+/);
    if (parts.length < 2 || rest.startsWith('[')) throw new Error(`Dockerfile line ${line}: COPY SRC... DEST expected`);
    instruction.sources = parts.slice(0, -1);
    instruction.dest = parts.at(-1);
  }
  if (op === 'HEALTHCHECK') {
    const cmd = /^CMD\s+(.*)$/.exec(rest);
    if (!cmd) throw new Error(`Dockerfile line ${line}: HEALTHCHECK CMD expected`);
    instruction.exec = parseExecForm(cmd[1], line);
  }
  if (op === 'ENTRYPOINT' || op === 'CMD') instruction.exec = parseExecForm(rest, line);
  if (op === 'FROM') {
    const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
    if (!from) throw new Error(`Dockerfile line ${line}: FROM IMAGE [AS NAME] expected`);
    instruction.image = from[1];
    instruction.name = from[2];
  }
  return instruction;
}

function parseExecForm(text, line) {
  let value;
  try { value = JSON.parse(text); } catch { value = null; }
  if (!Array.isArray(value) || value.some((part) => typeof part !== 'string')) {
    throw new Error(`Dockerfile line ${line}: only the JSON (exec) form is replayed: ${text}`);
  }
  return value;
}

/** @returns {{image: string, name?: string, steps: object[]}[]} the stages in order */
export function parseDockerfile(text) {
  const stages = [];
  for (const instruction of logicalLines(text).map(parseInstruction)) {
    if (instruction.op === 'FROM') {
      stages.push({ image: instruction.image, name: instruction.name, line: instruction.line, steps: [] });
    } else if (stages.length === 0) {
      throw new Error(`Dockerfile line ${instruction.line}: ${instruction.op} before FROM`);
    } else {
      stages.at(-1).steps.push(instruction);
    }
  }
  return stages;
}

/**
 * A .dockerignore as a predicate on paths relative to the context ("emulator/core/x.cpp"):
 * true when the path, or a folder above it, is excluded. Patterns use *, ? and **; a leading !
 * takes a path back in.
 */
export function dockerignoreMatcher(text) {
  const rules = text.split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#')).map((line) => {
    const negate = line.startsWith('!');
    const pattern = (negate ? line.slice(1) : line).replace(/^\/+|\/+$/g, '');
    if (/[[\]{}\\]/.test(pattern)) throw new Error(`.dockerignore: "${line}" uses syntax the matcher does not know`);
    const source = pattern.split('/').map((part) => (part === '**' ? '.*' : part
      .replace(/[.+^$()|]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))).join('/');
    return { negate, regex: new RegExp(`^${source.replace(/\.\*\//g, '(?:.*/)?')}$`) };
  });
  return (path) => {
    const parts = path.split('/');
    let excluded = false;
    for (let i = 1; i <= parts.length; i += 1) {
      const prefix = parts.slice(0, i).join('/');
      for (const rule of rules) if (rule.regex.test(prefix)) excluded = !rule.negate;
      if (excluded) return true;
    }
    return excluded;
  };
}
