/**
 * Launches the integration suites (test/integration, bundled to out/integration/index.js by `npm run
 * build`) inside the real extension host of code-server, against an emulator on loopback. The suites
 * record their cases in test-results/cases.jsonl (VMID_CASES_FILE) for docs/TESTING.md.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startEmulator } from '../emulator';
import { PROJECT_ROOT, RESULTS_DIR, assertNetworkIsolated, mkTemp, rmrf, timed } from './support/common';
import { installVsix, packageVsix } from './support/codeServer';
import { runExtensionTests } from './support/extensionTests';
import { workspaceWithHostileSettings } from './support/workspace';

const RUNNER = path.join(PROJECT_ROOT, 'out', 'integration', 'index.js');

describe('VM Identity integration tests in the extension host', function () {
  this.timeout(600_000);
  it('pass inside the real extension host', async () => {
    assertNetworkIsolated();
    assert.ok(fs.existsSync(RUNNER), `${path.relative(PROJECT_ROOT, RUNNER)} exists (npm run build)`);
    const emu = await startEmulator({ dataset: { assignments: 12 }, listen: [{ host: '127.0.0.1', port: 0 }] });
    const tmp = mkTemp('vmid-itest-');
    const t0 = Date.now();
    try {
      const folder = workspaceWithHostileSettings(tmp, emu.dataset.userAssignedIdentities[0].clientId);
      const results = path.join(tmp, 'results.txt');
      // A second extension (issue 12) asks the vm-identity provider for a session, as any extension would.
      const extensionsDir = path.join(tmp, 'extensions');
      await installVsix(
        packageVsix(path.join(PROJECT_ROOT, 'test', 'e2e', 'consumer-ext'), path.join(tmp, 'consumer.vsix')),
        extensionsDir,
      );
      const run = await runExtensionTests({
        extensionsDir,
        extensionDevelopmentPath: PROJECT_ROOT,
        extensionTestsPath: RUNNER,
        folder,
        env: {
          AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
          VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
          VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
          VMID_EMULATOR_CONTROL: emu.httpUrl,
          VMID_ITEST_RESULTS: results,
          VMID_CASES_FILE: path.join(RESULTS_DIR, 'cases.jsonl'),
        },
        settings: { 'vmIdentity.signInAutomatically': false },
        timeout: 540_000,
      });
      const summary = fs.existsSync(results) ? fs.readFileSync(results, 'utf8') : '(no results file)';
      console.log(summary.replace(/^/gm, '      '));
      timed('integration suites in the extension host', t0);
      assert.equal(run.exitCode, 0, `integration tests failed:\n${summary}\n${run.log.slice(-40).join('\n')}`);
      assert.match(summary, /^ok - /m);
      assert.doesNotMatch(summary, /^not ok/m);
    } finally {
      await emu.close();
      rmrf(tmp);
    }
  });
});
