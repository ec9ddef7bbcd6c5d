/**
 * VM Identity in real VS Code (code-server 4.100.3) driven in Debian's Chromium, inside a private network
 * namespace with only `lo`: the journeys a user takes, with the extension installed from the packaged .vsix
 * and every endpoint pointed at the emulator on loopback. The fault matrix runs in the extension host
 * (test/integration); what is here needs the browser. The screenshots in test-results/ are the ones
 * docs/screenshots/ and the README show.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { type Emulator, type ExpectedView, startEmulator } from '../emulator';
import { recordCase } from '../support/cases';
import { type Browser, launchBrowser } from './support/browser';
import { assertRoleRowsShown, readFilesUnder, tokenPartsIn } from './support/checks';
import { type CodeServer, installVsix, startCodeServer, workbenchUrl } from './support/codeServer';
import { VSIX, assertNetworkIsolated, mkTemp, pollUntil, rmrf } from './support/common';
import {
  SIDEBAR,
  openActivity,
  treeRows,
  waitForTreeRow,
  welcomeButton,
  welcomeViewText,
  widenSidebar,
} from './support/views';
import { workspaceWithHostileSettings } from './support/workspace';
import {
  notificationButton,
  openCommandPalette,
  openWorkbench,
  pickRow,
  runCommand,
  screenshot,
  startPickerCommand,
  waitForNotification,
  waitForStatusItem,
} from './support/workbench';

const STATUS = 'vm-identity.vm-identity.vmIdentity.status';
const endpointsOf = (emu: Emulator) => ({
  AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
  VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
  VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
});
const tokenQueries = (emu: Emulator) => emu.requests.filter((r) => r.endpoint === 'imds-token').map((r) => r.query);

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
    tmp = mkTemp('vmid-e2e-');
    emu = await startEmulator({
      dataset: { assignments: 12, userAssignedIdentities: 3 },
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
    folder = workspaceWithHostileSettings(tmp, emu.dataset.userAssignedIdentities[0].clientId);
    const extensionsDir = path.join(tmp, 'extensions');
    await installVsix(VSIX, extensionsDir);
    server = await startCodeServer({
      folder,
      extensionsDir,
      env: endpointsOf(emu),
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
    if (tmp) rmrf(tmp);
  });

  const signedInAgain = async () => {
    await waitForStatusItem(page, STATUS, { text: emu.dataset.vm.name });
    await waitForTreeRow(page, emu.dataset.systemIdentity.principalId, { scope: SIDEBAR });
  };

  it('signs in from the palette: status bar, identity, VM and every role; out, and in again from the welcome view', async () => {
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
    for (const v of [
      d.systemIdentity.principalId,
      d.systemIdentity.clientId,
      d.tenantId,
      d.vm.name,
      d.resourceGroupName,
      d.subscriptionId,
      d.vm.location,
    ]) {
      assert.ok(all.includes(v), `the tree shows ${v}`);
    }
    await screenshot(page, 'signed-in.png');
    // Each scope group unfolded on its own (the list is virtualised), its rows checked against the dataset.
    const view = (await (await fetch(`${emu.httpUrl}/_emulator/expected-view`)).json()) as ExpectedView;
    assert.ok(view.subscriptions.length >= 2, 'the identity has roles in two subscriptions');
    const checked = await assertRoleRowsShown(page, d, view, async (group, sub) => {
      if (group === 'Resources' && sub.isVmSubscription) await screenshot(page, 'roles.png');
    });
    assert.equal(checked, view.assignmentIds.length, 'every assignment of every subscription checked');
    const tokens = tokenQueries(emu);
    assert.ok(tokens.length >= 1 && tokens.length <= 2, 'one token for ARM (and one for Graph)');
    assert.ok(
      tokens.every((q) => !q.client_id),
      `no client_id from the workspace: ${JSON.stringify(tokens)}`,
    );
    recordCase({
      area: 'security (real VS Code)',
      name: 'trusted workspace .vscode/settings.json sets vmIdentity.identity to another identity',
      expected: 'ignored (machine scope)',
      observed: `${tokens.length} token requests, none with client_id`,
      pass: true,
    });

    await runCommand(page, 'VM Identity: Sign out');
    await waitForStatusItem(page, STATUS, { text: 'signed out' });
    await openActivity(page, 'VM Identity');
    const button = welcomeButton(page, 'Sign in with VM identity');
    await button.waitFor({ state: 'visible', timeout: 15_000 });
    await screenshot(page, 'welcome.png');
    await button.click();
    await signedInAgain();
  });

  it('a failure shows its message and fix: identity off → guidance, Refresh recovers; ARM 403 → the Reader node', async () => {
    emu.configure({ systemAssigned: false, userAssignedAttached: false });
    try {
      await runCommand(page, 'VM Identity: Refresh');
      await waitForStatusItem(page, STATUS, { text: /VM identity: /i });
      const note = await waitForNotification(page, /System assigned to On/);
      assert.match(note, /no managed identity/i);
      const welcome = await welcomeViewText(page);
      assert.match(welcome, /Sign in failed: the identity endpoint knows no such identity/);
      assert.match(welcome, /System assigned: On/);
      for (const b of ["Open the VM's Identity page", 'Diagnose', 'Try again', 'Show log']) {
        await welcomeButton(page, b).waitFor({ state: 'visible', timeout: 10_000 });
      }
      await screenshot(page, 'error.png');
    } finally {
      emu.configure({ systemAssigned: true, userAssignedAttached: true });
    }
    await page.keyboard.press('Escape');
    await runCommand(page, 'VM Identity: Refresh');
    await signedInAgain();

    emu.configure({ armReadable: { [emu.dataset.systemIdentity.principalId]: false } });
    try {
      await runCommand(page, 'VM Identity: Refresh');
      await waitForTreeRow(page, /Cannot read role assignments — give this identity Reader/, { scope: SIDEBAR });
      await waitForTreeRow(page, /Open access control \(IAM\)/, { scope: SIDEBAR });
      assert.ok((await treeRows(page, SIDEBAR)).some((r) => r.includes(emu.dataset.systemIdentity.principalId)));
      await screenshot(page, 'reader-guidance.png');
    } finally {
      emu.configure({ armReadable: {} });
    }
    await runCommand(page, 'VM Identity: Refresh');
    await signedInAgain();
  });

  it("several identities: picks one of the VM's from the picker; with no system one, the notification leads to a typed client ID", async () => {
    const [first, second] = emu.dataset.userAssignedIdentities;
    await startPickerCommand(page, 'VM Identity: Select identity…');
    await pickRow(page, first.name);
    await waitForStatusItem(page, STATUS, { text: first.name });
    await waitForTreeRow(page, first.principalId, { scope: SIDEBAR });
    await waitForTreeRow(page, /user-assigned/, { scope: SIDEBAR });
    assert.equal(tokenQueries(emu).at(-1)!.msi_res_id, first.resourceId);

    await startPickerCommand(page, 'VM Identity: Select identity…');
    await pickRow(page, 'System-assigned');
    await waitForStatusItem(page, STATUS, { text: emu.dataset.vm.name });

    emu.configure({ systemAssigned: false });
    try {
      await runCommand(page, 'VM Identity: Refresh');
      await waitForNotification(page, /several user-assigned identities/);
      await notificationButton(page, 'Select identity').click();
      const input = page.locator('.quick-input-widget .quick-input-box input');
      const explains = async () => (await input.getAttribute('placeholder'))?.includes('enter the client ID') ?? false;
      await pollUntil(explains, { timeout: 15_000, message: 'the picker explains where a client ID is found' });
      await pickRow(page, 'Enter a client ID');
      await input.fill('not-a-guid');
      await page
        .locator('.quick-input-widget .quick-input-message', { hasText: 'not a GUID' })
        .first()
        .waitFor({ timeout: 10_000 });
      await input.fill(second.clientId);
      await page.keyboard.press('Enter');
      await waitForStatusItem(page, STATUS, { text: second.name });
      await waitForTreeRow(page, second.principalId, { scope: SIDEBAR });
      assert.equal(tokenQueries(emu).at(-1)!.client_id, second.clientId);
      recordCase({
        area: 'identity endpoint (real VS Code)',
        name: 'several user-assigned identities, no system one',
        expected: 'notification offers Select identity; a typed client ID is validated and used',
        observed: `signed in as ${second.name} with client_id ${second.clientId}`,
        pass: true,
      });
    } finally {
      emu.configure({ systemAssigned: true });
    }
    await startPickerCommand(page, 'VM Identity: Select identity…');
    await pickRow(page, 'System-assigned');
    await waitForStatusItem(page, STATUS, { text: emu.dataset.vm.name });
  });

  it('never shows or stores an issued token (output channel, code-server logs, user data, globalStorage, settings)', async () => {
    // An error whose message carries a token (here: a token-shaped string in IMDS's error_description) must reach
    // the output channel redacted: the error boundary logs what it shows, through the redactor.
    const leaked = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiJsZWFrZWQtaW4tYW4tZXJyb3IifQ.c2lnbmF0dXJlLW9mLWEtbGVha2VkLXRva2Vu';
    const marker = 'upstream-echoed-credential';
    emu.fault('imds-token', [
      { status: 403, body: { error: marker, error_description: `It echoed ${leaked} back. Nothing else.` } },
    ]);
    await runCommand(page, 'VM Identity: Refresh');
    await waitForNotification(page, new RegExp(marker));
    await page.keyboard.press('Escape');
    emu.clearFaults();
    await runCommand(page, 'VM Identity: Refresh');
    await signedInAgain();

    await runCommand(page, 'VM Identity: Show log');
    // Monaco renders spaces as U+00A0, hence \s in the pattern.
    const logShown = async () =>
      (await page.locator('.monaco-editor .view-lines', { hasText: /GET\s\S+roleAssignments\s200/ }).count()) > 0;
    await pollUntil(logShown, { timeout: 15_000, message: 'the VM Identity log is shown' });
    const files = readFilesUnder(server.userDataDir, server.extensionsDir, folder);
    const channel = [...files.keys()].find((f) => f.endsWith(path.join('vm-identity.vm-identity', 'VM Identity.log')));
    assert.ok(channel, "the output channel's log file is among the scanned files");
    const log = files.get(channel)!;
    assert.match(log, /GET .*roleAssignments 200/);
    const errorLine = log.split('\n').find((l) => l.includes(marker));
    assert.ok(errorLine, 'the error with a token in its message reached the output channel');
    assert.ok(
      !log.includes(leaked) && !log.includes(leaked.split('.')[1]),
      'the token in the error message was redacted',
    );
    assert.match(errorLine, /<redacted-jwt>/);
    recordCase({
      area: 'security (real VS Code)',
      name: 'an error whose message carries a token (IMDS error_description echoing one)',
      expected: 'the error reaches the output channel with the token redacted',
      observed: `logged: ${errorLine.trim().slice(0, 160)}`,
      pass: true,
    });
    const tokens = emu.issuedTokens;
    assert.ok(tokens.length >= 4, `tokens were issued during the run (${tokens.length})`);
    assert.deepEqual(
      tokenPartsIn([...server.logs, ...files.values()].join('\n'), tokens),
      [],
      'an issued token (or part of one) was found',
    );
    recordCase({
      area: 'security (real VS Code)',
      name: 'scan of output channel, code-server logs, user data, globalStorage, extensions, workspace for issued tokens',
      expected: 'no token or token part anywhere',
      observed: `${tokens.length} tokens × 3 parts searched in ${files.size} files + logs: none found`,
      pass: true,
    });
  });
});

describe('VM Identity in an untrusted workspace', function () {
  this.timeout(180_000);
  it('still signs in (declared "limited"), and the workspace cannot choose the identity', async () => {
    assertNetworkIsolated();
    const emu = await startEmulator({ dataset: { assignments: 12 }, listen: [{ host: '127.0.0.1', port: 0 }] });
    const tmp = mkTemp('vmid-untrusted-');
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
        env: endpointsOf(emu),
        settings: {
          'security.workspace.trust.enabled': true,
          'security.workspace.trust.startupPrompt': 'never',
          'security.workspace.trust.banner': 'always',
        },
      });
      b = await launchBrowser();
      await openWorkbench(b.page, workbenchUrl(server, { folder }));
      const restricted = b.page.locator(
        '.monaco-workbench .workspace-trust-banner, .monaco-workbench [aria-label*="Restricted Mode" i]',
      );
      await restricted.first().waitFor({ state: 'attached', timeout: 30_000 });
      await waitForStatusItem(b.page, STATUS, { text: emu.dataset.vm.name, timeout: 60_000 });
      const asked = tokenQueries(emu);
      assert.ok(
        asked.length > 0 && asked.every((q) => !q.client_id),
        `the system identity, not the workspace's: ${JSON.stringify(asked)}`,
      );
      recordCase({
        area: 'security (real VS Code)',
        name: 'untrusted workspace whose .vscode/settings.json sets vmIdentity.identity',
        expected: 'Restricted Mode; extension works (limited); workspace value ignored',
        observed: `signed in as the system identity; ${asked.length} token requests, none with client_id`,
        pass: true,
      });
    } finally {
      await b?.close();
      await server?.stop();
      await emu.close();
      rmrf(tmp);
    }
  });
});
