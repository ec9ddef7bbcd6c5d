/**
 * Mocha runner loaded by the extension host as `extensionTestsPath` (the VS Code test contract: export
 * `run()`, reject to fail). Bundled to out/integration/index.js; mocha comes from the repo's node_modules.
 */
import * as fs from 'node:fs';

export async function run(): Promise<void> {
  // mocha 12's entry is an ES module; Node 20.20 (the extension host's) can require() it.
  type MochaModule = { default?: typeof import('mocha'); Mocha?: typeof import('mocha') } & typeof import('mocha');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded inside the extension host, after VS Code's module patches
  const loaded = require('mocha') as MochaModule;
  const Mocha = loaded.Mocha ?? loaded.default ?? loaded;
  // VMID_ITEST_GREP runs only the matching tests (one suite while working on it).
  const grep = process.env.VMID_ITEST_GREP;
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', ...(grep ? { grep } : {}) });
  mocha.suite.emit('pre-require', globalThis, 'extension.itest', mocha);
  // The suites register on `pre-require` globals, so they load after it, in this order.
  /* eslint-disable @typescript-eslint/no-require-imports */
  // First: its first sign-in must find no role name remembered.
  require('./roles.itest');
  require('./extension.itest');
  require('./faults.itest');
  require('./consumers.itest');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const results = process.env.VMID_ITEST_RESULTS;
  await new Promise<void>((resolve, reject) => {
    const runner = mocha.run((failures) =>
      failures ? reject(new Error(`${failures} integration test(s) failed`)) : resolve(),
    );
    if (results) {
      const lines: string[] = [];
      runner.on('pass', (t) => lines.push(`ok - ${t.fullTitle()} (${t.duration ?? 0} ms)`));
      runner.on('fail', (t, err: Error) => lines.push(`not ok - ${t.fullTitle()}: ${err.message}`));
      runner.on('end', () => fs.writeFileSync(results, `${lines.join('\n')}\n`));
    }
  });
}
