// agentemu's JavaScript (and TypeScript) driver: one Node.js process that lives as long as a
// code-interpreter session, so variables and requires persist from call to call. agentemu
// writes one JSON request per line to fd 3: {"id", "code", "marker"}. The code runs as a script
// in this process's global context (top-level let/const persist as in the REPL; top-level await
// runs it as an async function body instead); its output goes to this process's stdout and
// stderr, each closed by the marker; then one JSON line answers on fd 4: {"id", "exitCode"}.
// With --typescript the code is first stripped of its types, when this Node.js can.
'use strict';
(() => {
  const fs = require('node:fs');
  const path = require('node:path');
  const readline = require('node:readline');
  const util = require('node:util');
  const vm = require('node:vm');
  const Module = require('node:module');

  const driver = __filename;
  const typescript = process.argv.includes('--typescript');

  function typeStripper() {
    if (typeof Module.stripTypeScriptTypes === 'function') {
      return (code) => Module.stripTypeScriptTypes(code, { mode: 'transform' });
    }
    try {
      const ts = Module.createRequire(path.join(process.cwd(), 'index.js'))('typescript');
      return (code) => ts.transpileModule(code, { compilerOptions: { target: 'ES2022', module: 'CommonJS' } }).outputText;
    } catch {
      return null;
    }
  }
  const strip = typescript ? typeStripper() : null;

  // What `node -e` gives a script: require from the working directory, module and exports.
  const scriptModule = new Module(path.join(process.cwd(), '[eval]'));
  scriptModule.filename = scriptModule.id;
  scriptModule.paths = Module._nodeModulePaths(process.cwd());
  globalThis.require = Module.createRequire(path.join(process.cwd(), '[eval]'));
  globalThis.module = scriptModule;
  globalThis.exports = scriptModule.exports;
  globalThis.__filename = scriptModule.filename;
  globalThis.__dirname = process.cwd();

  // Whatever fails later (a timer, a promise nobody awaited) is reported, and the context lives on.
  process.on('uncaughtException', (error) => report(error));
  process.on('unhandledRejection', (error) => report(error));

  function report(error) {
    let text;
    if (error instanceof Error && typeof error.stack === 'string') {
      text = error.stack.split('\n').filter((line) => !line.includes(driver) && !line.includes('node:vm') &&
        !line.includes('node:internal')).join('\n');
    } else {
      text = 'Uncaught ' + util.inspect(error);
    }
    process.stderr.write(text + '\n');
  }

  async function run(code) {
    let source = code;
    if (typescript) source = strip(code);
    let result;
    try {
      result = vm.runInThisContext(source, { filename: '[eval]', displayErrors: false });
    } catch (error) {
      if (!(error instanceof SyntaxError) || !/await is only valid/.test(error.message)) throw error;
      result = vm.runInThisContext('(async () => {' + source + '\n})()', { filename: '[eval]', displayErrors: false });
    }
    if (result !== null && typeof result === 'object' && typeof result.then === 'function') await result;
  }

  const answers = fs.openSync('/dev/fd/4', 'w');
  const answer = (value) => fs.writeSync(answers, JSON.stringify(value) + '\n');
  answer({ ready: true, version: process.versions.node, typescript: typescript && strip !== null });

  const requests = readline.createInterface({ input: fs.createReadStream(null, { fd: 3 }), crlfDelay: Infinity });
  const queue = [];
  let busy = false;
  requests.on('line', (line) => {
    queue.push(JSON.parse(line));
    if (!busy) next();
  });
  // agentemu closed the channel: finish what was asked, then go.
  let closing = false;
  requests.on('close', () => {
    closing = true;
    if (!busy) process.exit(0);
  });

  async function next() {
    const request = queue.shift();
    if (request === undefined) {
      busy = false;
      if (closing) process.exit(0);
      return;
    }
    busy = true;
    let exitCode = 0;
    try {
      await run(request.code);
    } catch (error) {
      report(error);
      exitCode = 1;
    }
    fs.writeSync(1, request.marker);
    fs.writeSync(2, request.marker);
    answer({ id: request.id, exitCode });
    setImmediate(next);
  }
})();
