// Shared helper: run mocha test files inside the VS Code extension host.
// Uses the project's own mocha (resolved by absolute path from the project's
// node_modules), because the extension host has no node_modules of its own.
'use strict';
const path = require('path');

const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

function loadMocha() {
  const resolved = require.resolve('mocha', { paths: [PROJECT_ROOT] });
  const mod = require(resolved);
  const Mocha = mod.Mocha || mod.default || mod;
  if (typeof Mocha !== 'function') throw new Error(`could not load Mocha from ${resolved}`);
  return Mocha;
}

/**
 * @param {string[]} files absolute paths of mocha test files
 * @returns {Promise<void>} resolves when all pass, rejects on any failure —
 *   the extension host turns that into the exit code (0 / non-zero) that
 *   reaches window.codeAutomationExit in the browser.
 */
function runMocha(files) {
  const Mocha = loadMocha();
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30000 });
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      mocha.run((failures) => {
        if (failures > 0) {
          console.error(`[fixture-runner] ${failures} test(s) failed`);
          reject(new Error(`${failures} test(s) failed`));
        } else {
          console.log('[fixture-runner] all tests passed');
          resolve();
        }
      });
    } catch (err) {
      console.error('[fixture-runner] mocha crashed', err);
      reject(err);
    }
  });
}

module.exports = { runMocha, PROJECT_ROOT };
