/**
 * VM Identity in real VS Code (code-server 4.100.3) driven in Debian's Chromium, inside a private network
 * namespace with only `lo`. The extension is installed from the packaged .vsix, as a user would, and every
 * endpoint points at the emulator on loopback. Screenshots go to test-results/ (the good ones are copied
 * to docs/screenshots/ by `npm run screenshots`).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { type Emulator, startEmulator } from '../emulator';
import { recordCase } from '../support/cases';
import { SIDEBAR, assertRoleRowsShown, readFilesUnder, tokenPartsIn } from './checks';
import {
  type Browser,
  type CodeServer,
  PROJECT_ROOT,
  assertNetworkIsolated,
  installVsix,
  launchBrowser,
  openActivity,
  openCommandPalette,
  openWorkbench,
  pollUntil,
  runCommand,
  runExtensionTests,
  screenshot,
  startCodeServer,
  treeRows,
  waitForNotification,
  waitForStatusItem,
  waitForTreeRow,
  workbenchUrl,
} from './harness';

const VSIX = path.join(PROJECT_ROOT, 'dist', 'vm-identity.vsix');
const STATUS = 'vm-identity.vm-identity.vmIdentity.status';

function workspaceWithHostileSettings(root: string, uamiClientId: string): string {
  const folder = path.join(root, 'workspace');
  fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  // A workspace trying to redirect the identity: machine-scoped settings must ignore it.
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify({ 'vmIdentity.identity': `client_id=${uamiClientId}` }, null, 2));
  fs.writeFileSync(path.join(folder, 'README.md'), '# A project on the VM\n');
  return folder;
}

async function control(emu: Emulator, what: string, body?: unknown, method = 'POST'): Promise<void> {
  const res = await fetch(`${emu.httpUrl}/_emulator/${what}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  assert.ok(res.ok, `${what}: ${res.status} ${await res.text()}`);
}

/** Runs a command that opens its own quick pick (so the palette does not close): type it, press Enter. */
async function startPickerCommand(page: Page, title: string): Promise<void> {
  const input = await openCommandPalette(page);
  await input.fill(`>${title}`);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible', timeout: 15_000 });
  await page.keyboard.press('Enter');
  await pollUntil(async () => !(await input.inputValue()).startsWith('>'), { timeout: 15_000, message: `${title} did not open its picker` });
}

/** Drags the sidebar's sash so the IDs are readable in screenshots. */
async function widenSidebar(page: Page, width: number): Promise<void> {
  const box = await page.locator(SIDEBAR).boundingBox();
  if (!box || box.width >= width) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width, y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(box.x + width + 300, y); // off the sash, so it is not highlighted
}

describe('VM Identity in real VS Code', function () {
  this.timeout(180_000);
  let tmp: string;
  let emu: Emulator;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let folder: string;

  before(async function () {
    assertNetworkIsolated();
    assert.ok(fs.existsSync(VSIX), 'dist/vm-identity.vsix exists (npm run package)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-e2e-'));
    emu = await startEmulator({ dataset: { assignments: 12, userAssignedIdentities: 3 }, listen: [{ host: '127.0.0.1', port: 0 }] });
    folder = workspaceWithHostileSettings(tmp, emu.dataset.userAssignedIdentities[0].clientId);
    const extensionsDir = path.join(tmp, 'extensions');
    await installVsix(VSIX, extensionsDir);
    server = await startCodeServer({
      folder,
      extensionsDir,
      env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl, VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl, VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl },
      settings: { 'vmIdentity.signInAutomatically': false },
    });
    browser = await launchBrowser({ viewport: { width: 1400, height: 1100 } });
    page = browser.page;
    await openWorkbench(page, workbenchUrl(server, { folder }));
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    await emu?.close();
    if (tmp && !process.env.E2E_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('starts signed out, then signs in from the command palette: status bar, identity, VM and every role', async () => {
    await waitForStatusItem(page, STATUS, { text: 'signed out', timeout: 60_000 });
    const palette = await openCommandPalette(page);
    await palette.fill('>VM Identity');
    await pollUntil(async () => (await page.locator('.quick-input-widget .monaco-list-row').count()) >= 5);
    await screenshot(page, 'palette.png');
    await page.keyboard.press('Escape');

    await runCommand(page, 'VM Identity: Sign in with VM identity');
    const d = emu.dataset;
    await waitForStatusItem(page, STATUS, { text: d.vm.name }); // Graph display name of a system identity = VM name
    await openActivity(page, 'VM Identity');
    await waitForTreeRow(page, d.systemIdentity.principalId, { scope: SIDEBAR });
    await widenSidebar(page, 620);
    const all = (await treeRows(page, SIDEBAR)).join('\n');
    for (const v of [d.systemIdentity.principalId, d.systemIdentity.clientId, d.tenantId, d.vm.name, d.resourceGroupName, d.subscriptionId, d.vm.location]) {
      assert.ok(all.includes(v), `the tree shows ${v}`);
    }
    await screenshot(page, 'signed-in.png');
    // Each scope group unfolded on its own (the list is virtualised), its rows checked against the dataset.
    const checked = await assertRoleRowsShown(page, d, async (group) => {
      if (group === 'Resources') await screenshot(page, 'roles.png');
    });
    assert.ok(checked >= 12);
    const tokenRequests = emu.requests.filter((r) => r.endpoint === 'imds-token');
    assert.ok(tokenRequests.length >= 1 && tokenRequests.length <= 2, 'one token for ARM (and one for Graph)');
  });

  it('the workspace could not redirect the identity (machine-scoped settings)', async () => {
    const tokenRequests = emu.requests.filter((r) => r.endpoint === 'imds-token');
    assert.ok(tokenRequests.length > 0 && tokenRequests.every((r) => !r.query.client_id), `no client_id from the workspace: ${JSON.stringify(tokenRequests.map((r) => r.query))}`);
    recordCase({ area: 'security (real VS Code)', name: 'trusted workspace .vscode/settings.json sets vmIdentity.identity to another identity', expected: 'ignored (machine scope)', observed: `${tokenRequests.length} token requests, none with client_id`, pass: true });
  });

  it('signs out, and signs in again from the welcome view\'s button', async () => {
    await runCommand(page, 'VM Identity: Sign out');
    await waitForStatusItem(page, STATUS, { text: 'signed out' });
    await openActivity(page, 'VM Identity');
    const button = page.locator(`${SIDEBAR} .welcome-view-content a.monaco-button`, { hasText: 'Sign in with VM identity' });
    await button.waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'welcome.png');
    await button.click();
    await waitForStatusItem(page, STATUS, { text: emu.dataset.vm.name });
    await waitForTreeRow(page, emu.dataset.systemIdentity.principalId, { scope: SIDEBAR });
  });

  it('identity turned off → error status and the enable-identity guidance; turned on → Refresh recovers', async () => {
    await control(emu, 'config', { systemAssigned: false, userAssignedAttached: false });
    try {
      emu.resetLog();
      await runCommand(page, 'VM Identity: Refresh');
      await waitForStatusItem(page, STATUS, { text: /VM identity: /i });
      const note = await waitForNotification(page, /System assigned to On/);
      assert.match(note, /no managed identity/i);
      await waitForTreeRow(page, /Sign in failed/, { scope: SIDEBAR });
      await screenshot(page, 'error.png');
      const asked = emu.requests.filter((r) => r.endpoint === 'imds-token').map((r) => r.query.resource);
      assert.deepEqual([...asked].sort(), [...new Set(asked)].sort(), `a 400 is not retried: ${JSON.stringify(asked)}`);
    } finally {
      await control(emu, 'config', { systemAssigned: true, userAssignedAttached: true });
    }
    await page.keyboard.press('Escape');
    await runCommand(page, 'VM Identity: Refresh');
    await waitForStatusItem(page, STATUS, { text: emu.dataset.vm.name });
    await waitForTreeRow(page, emu.dataset.systemIdentity.principalId, { scope: SIDEBAR });
  });

  it('ARM 403 → the "give this identity Reader" node, identity still shown', async () => {
    await control(emu, 'config', { armReadable: { [emu.dataset.systemIdentity.principalId]: false } });
    try {
      await runCommand(page, 'VM Identity: Refresh');
      await waitForTreeRow(page, /Cannot read role assignments — give this identity Reader/, { scope: SIDEBAR });
      await waitForTreeRow(page, /Open access control \(IAM\)/, { scope: SIDEBAR });
      assert.ok((await treeRows(page, SIDEBAR)).some((r) => r.includes(emu.dataset.systemIdentity.principalId)));
      await screenshot(page, 'reader-guidance.png');
    } finally {
      await control(emu, 'config', { armReadable: {} });
    }
  });

  it('selects a user-assigned identity from the VM\'s identities', async () => {
    await runCommand(page, 'VM Identity: Refresh');
    await waitForTreeRow(page, / — /, { scope: SIDEBAR }).catch(() => undefined);
    const u = emu.dataset.userAssignedIdentities[0];
    await startPickerCommand(page, 'VM Identity: Select identity…');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: u.name });
    await row.first().waitFor({ state: 'visible', timeout: 15_000 });
    await row.first().click();
    await waitForStatusItem(page, STATUS, { text: u.name });
    await waitForTreeRow(page, u.principalId, { scope: SIDEBAR });
    await waitForTreeRow(page, /user-assigned/, { scope: SIDEBAR });
    const last = emu.requests.filter((r) => r.endpoint === 'imds-token').at(-1)!;
    assert.equal(last.query.msi_res_id, u.resourceId);
    await startPickerCommand(page, 'VM Identity: Select identity…');
    const system = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'System-assigned' });
    await system.first().waitFor({ state: 'visible' });
    await system.first().click();
    await waitForStatusItem(page, STATUS, { text: emu.dataset.vm.name });
  });

  it('several user-assigned identities and no system one → the notification\'s "Select identity" → enter a client ID → signed in', async () => {
    const u = emu.dataset.userAssignedIdentities[1];
    await control(emu, 'config', { systemAssigned: false });
    try {
      await runCommand(page, 'VM Identity: Refresh');
      await waitForNotification(page, /several user-assigned identities/);
      const button = page.locator('.notifications-toasts .notification-toast a.monaco-button', { hasText: 'Select identity' });
      await button.first().click();
      const quickInput = page.locator('.quick-input-widget .quick-input-box input');
      await pollUntil(async () => (await quickInput.getAttribute('placeholder'))?.includes('enter the client ID') ?? false, { timeout: 15_000, message: 'the picker explains where a client ID is found' });
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Enter a client ID' }).first().click();
      await quickInput.fill('not-a-guid');
      await page.locator('.quick-input-widget .quick-input-message', { hasText: 'not a GUID' }).first().waitFor({ state: 'visible', timeout: 10_000 });
      await quickInput.fill(u.clientId);
      await page.keyboard.press('Enter');
      await waitForStatusItem(page, STATUS, { text: u.name });
      await waitForTreeRow(page, u.principalId, { scope: SIDEBAR });
      assert.equal(emu.requests.filter((r) => r.endpoint === 'imds-token').at(-1)!.query.client_id, u.clientId);
      recordCase({ area: 'identity endpoint (real VS Code)', name: 'several user-assigned identities, no system one', expected: 'notification offers Select identity; a typed client ID is validated and used', observed: `signed in as ${u.name} with client_id ${u.clientId}`, pass: true });
    } finally {
      await control(emu, 'config', { systemAssigned: true });
    }
    await startPickerCommand(page, 'VM Identity: Select identity…');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'System-assigned' }).first().click();
    await waitForStatusItem(page, STATUS, { text: emu.dataset.vm.name });
  });

  it('never shows or stores an issued token (output channel, code-server logs, user data, globalStorage, settings)', async () => {
    await runCommand(page, 'VM Identity: Show log');
    // Monaco renders spaces as U+00A0, hence \s in the pattern.
    await pollUntil(async () => (await page.locator('.monaco-editor .view-lines', { hasText: /GET\s\S+roleAssignments\s200/ }).count()) > 0, { timeout: 15_000, message: 'the VM Identity log is shown' });
    const files = readFilesUnder(server.userDataDir, server.extensionsDir, folder);
    const channel = [...files.keys()].find((f) => f.endsWith(path.join('vm-identity.vm-identity', 'VM Identity.log')));
    assert.ok(channel, 'the output channel\'s log file is among the scanned files');
    assert.match(files.get(channel)!, /GET .*roleAssignments 200/);
    const tokens = emu.issuedTokens;
    assert.ok(tokens.length >= 4, `tokens were issued during the run (${tokens.length})`);
    assert.deepEqual(tokenPartsIn([...server.logs, ...files.values()].join('\n'), tokens), [], 'an issued token (or part of one) was found');
    recordCase({ area: 'security (real VS Code)', name: 'scan of output channel, code-server logs, user data, globalStorage, extensions, workspace for issued tokens', expected: 'no token or token part anywhere', observed: `${tokens.length} tokens × 3 parts searched in ${files.size} files + logs: none found`, pass: true });
  });
});

describe('VM Identity in an untrusted workspace', function () {
  this.timeout(180_000);
  it('still signs in (declared "limited"), and the workspace cannot choose the identity', async () => {
    assertNetworkIsolated();
    const emu = await startEmulator({ dataset: { assignments: 12 }, listen: [{ host: '127.0.0.1', port: 0 }] });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-untrusted-'));
    let server: CodeServer | undefined;
    let b: Browser | undefined;
    try {
      const folder = workspaceWithHostileSettings(tmp, emu.dataset.userAssignedIdentities[0].clientId);
      const extensionsDir = path.join(tmp, 'extensions');
      await installVsix(VSIX, extensionsDir);
      server = await startCodeServer({
        folder,
        extensionsDir,
        workspaceTrust: true,
        env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl, VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl, VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl },
        settings: { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.banner': 'always' },
      });
      b = await launchBrowser();
      await openWorkbench(b.page, workbenchUrl(server, { folder }));
      await b.page.locator('.monaco-workbench .workspace-trust-banner, .monaco-workbench [aria-label*="Restricted Mode" i]').first().waitFor({ state: 'attached', timeout: 30_000 });
      await waitForStatusItem(b.page, STATUS, { text: emu.dataset.vm.name, timeout: 60_000 });
      const asked = emu.requests.filter((r) => r.endpoint === 'imds-token');
      assert.ok(asked.length > 0 && asked.every((r) => !r.query.client_id), `the system identity, not the workspace's: ${JSON.stringify(asked.map((r) => r.query))}`);
      recordCase({ area: 'security (real VS Code)', name: 'untrusted workspace whose .vscode/settings.json sets vmIdentity.identity', expected: 'Restricted Mode; extension works (limited); workspace value ignored', observed: `signed in as the system identity; ${asked.length} token requests, none with client_id`, pass: true });
    } finally {
      await b?.close();
      await server?.stop();
      await emu.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('VM Identity integration tests in the extension host', function () {
  this.timeout(180_000);
  it('pass inside the real extension host', async () => {
    assertNetworkIsolated();
    const emu = await startEmulator({ dataset: { assignments: 12 }, listen: [{ host: '127.0.0.1', port: 0 }] });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-itest-'));
    try {
      const folder = workspaceWithHostileSettings(tmp, emu.dataset.userAssignedIdentities[0].clientId);
      const results = path.join(tmp, 'results.txt');
      const run = await runExtensionTests({
        extensionDevelopmentPath: PROJECT_ROOT,
        extensionTestsPath: path.join(PROJECT_ROOT, 'out', 'integration', 'index.js'),
        folder,
        env: {
          AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
          VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
          VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
          VMID_EMULATOR_CONTROL: emu.httpUrl,
          VMID_ITEST_RESULTS: results,
        },
        settings: { 'vmIdentity.signInAutomatically': false },
        timeout: 150_000,
      });
      const summary = fs.existsSync(results) ? fs.readFileSync(results, 'utf8') : '(no results file)';
      console.log(summary.replace(/^/gm, '      '));
      assert.equal(run.exitCode, 0, `integration tests failed:\n${summary}\n${run.log.slice(-40).join('\n')}`);
      assert.match(summary, /^ok - /m);
      assert.doesNotMatch(summary, /^not ok/m);
    } finally {
      await emu.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
