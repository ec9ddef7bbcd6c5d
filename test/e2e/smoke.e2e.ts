/**
 * Proof that the real-VS-Code harness works, with the throwaway fixture
 * extension in test/e2e/fixture-ext. Run with `npm run test:e2e-smoke`
 * (inside scripts/netns-run.sh: loopback only).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Browser, launchBrowser } from './support/browser';
import { type CodeServer, installVsix, packageVsix, startCodeServer, workbenchUrl } from './support/codeServer';
import { assertNetworkIsolated, timed } from './support/common';
import { runExtensionTests } from './support/extensionTests';
import { openActivity, treeRows, waitForTreeRow } from './support/views';
import { notifications, openWorkbench, runCommand, screenshot, waitForStatusItem } from './support/workbench';

const FIXTURE = path.join(__dirname, 'fixture-ext');
const STATUS_ID = 'vmid-fixture.fixture.fixture.status';

describe('real VS Code harness (code-server + Chromium)', function () {
  let tmp: string;
  let folder: string;

  before(function () {
    assertNetworkIsolated();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-smoke-'));
    folder = path.join(tmp, 'workspace');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'hello.txt'), 'hello from the e2e workspace\n');
  });

  after(function () {
    if (tmp && !process.env.E2E_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  });

  describe('UI: fixture installed from a .vsix', function () {
    let server: CodeServer | undefined;
    let browser: Browser | undefined;

    before(async function () {
      const t0 = Date.now();
      const vsix = packageVsix(FIXTURE, path.join(tmp, 'fixture.vsix'));
      const extensionsDir = path.join(tmp, 'extensions');
      await installVsix(vsix, extensionsDir);
      assert.ok(
        fs.readdirSync(extensionsDir).some((d) => d.startsWith('vmid-fixture.fixture-')),
        'the .vsix was installed into the extensions dir',
      );
      timed('package + install .vsix', t0);
      const t1 = Date.now();
      server = await startCodeServer({ folder, extensionsDir });
      timed('code-server listening', t1);
      browser = await launchBrowser();
    });

    after(async function () {
      if (this.currentTest?.state === 'failed' && browser) {
        await screenshot(browser.page, 'smoke-failure.png').catch(() => undefined);
      }
      await browser?.close();
      await server?.stop();
    });

    it('shows the status item, runs "Fixture: Hello" from the palette and updates it', async function () {
      const { page } = browser!;
      const t0 = Date.now();
      await openWorkbench(page, server!.url);
      timed('workbench open', t0);
      await waitForStatusItem(page, STATUS_ID, { text: 'fixture loaded' });
      timed('status item visible (extension activated)', t0);

      const t1 = Date.now();
      await runCommand(page, 'Fixture: Hello');
      const text = await waitForStatusItem(page, STATUS_ID, { text: 'fixture ready' });
      assert.match(text, /fixture ready/);
      timed('palette command -> status text', t1);

      // Explorer view: the workspace file is a tree row.
      await openActivity(page, 'Explorer');
      const rows = await waitForTreeRow(page, 'hello.txt', { scope: '.part.sidebar' });
      assert.ok(rows.includes('hello.txt'), `explorer rows: ${JSON.stringify(rows)}`);
      assert.deepEqual(await treeRows(page, '.part.sidebar'), rows);
      assert.ok(Array.isArray(await notifications(page)));

      const shot = await screenshot(page, 'smoke-fixture.png');
      assert.ok(fs.statSync(shot).size > 10_000, 'screenshot written');
      timed('whole UI test', t0);
    });
  });

  describe('UI: fixture loaded with extensionDevelopmentPath (no packaging)', function () {
    let server: CodeServer | undefined;
    let browser: Browser | undefined;

    after(async function () {
      await browser?.close();
      await server?.stop();
    });

    it('activates the development extension and runs its command', async function () {
      const t0 = Date.now();
      server = await startCodeServer({ folder });
      browser = await launchBrowser();
      const { page } = browser;
      await openWorkbench(page, workbenchUrl(server, { folder, payload: [['extensionDevelopmentPath', FIXTURE]] }));
      await waitForStatusItem(page, STATUS_ID, { text: 'fixture loaded' });
      await runCommand(page, 'Fixture: Hello');
      await waitForStatusItem(page, STATUS_ID, { text: 'fixture ready' });
      await screenshot(page, 'smoke-devpath.png');
      timed('whole dev-path UI test', t0);
    });
  });

  describe('integration: mocha inside the real extension host', function () {
    it('passing runner -> exit code 0', async function () {
      const t0 = Date.now();
      const result = await runExtensionTests({
        extensionDevelopmentPath: FIXTURE,
        extensionTestsPath: path.join(FIXTURE, 'test', 'runner.js'),
        folder,
      });
      timed(`integration run (pass, exit code ${result.exitCode})`, t0);
      const out = result.log.join('\n');
      assert.equal(result.exitCode, 0, `exit code 0 expected; log:\n${out}`);
      assert.match(out, /registers the Fixture: Hello command/, 'mocha output reached the automation log');
      assert.match(out, /all tests passed/);
    });

    it('deliberately failing runner -> non-zero exit code', async function () {
      const t0 = Date.now();
      const result = await runExtensionTests({
        extensionDevelopmentPath: FIXTURE,
        extensionTestsPath: path.join(FIXTURE, 'test', 'runner-fail.js'),
        folder,
      });
      timed(`integration run (fail, exit code ${result.exitCode})`, t0);
      const out = result.log.join('\n');
      assert.notEqual(result.exitCode, 0, `non-zero exit code expected; log:\n${out}`);
      assert.match(out, /fails on purpose/);
      assert.match(out, /1 test\(s\) failed/);
    });
  });
});
