/**
 * Using the identity (issue 11) in real VS Code (code-server) driven in Chromium, inside a network namespace with
 * only `lo`, the extension installed from the packaged .vsix and every endpoint on the emulator: a token for Key
 * Vault in the token inspector (a webview: nested iframes, found through playwright's frames), Diagnose with the
 * identity off and its Markdown copy, the identity terminal's environment, and a scan for tokens on disk. The
 * inspector and Diagnose screenshots are the README's.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { type Emulator, startEmulator } from '../emulator';
import { recordCase } from '../support/cases';
import { type Browser, launchBrowser } from './support/browser';
import { readFilesUnder, tokenPartsIn } from './support/checks';
import { type CodeServer, installVsix, startCodeServer, workbenchUrl } from './support/codeServer';
import { VSIX, assertNetworkIsolated, mkTemp, pollUntil, rmrf } from './support/common';
import { SIDEBAR, openActivity, waitForTreeRow } from './support/views';
import {
  openWorkbench,
  pickRow,
  runCommand,
  screenshot,
  startPickerCommand,
  waitForStatusItem,
} from './support/workbench';

/** What the page's clipboard offers (the test is type-checked without the DOM library). */
interface BrowserGlobals {
  navigator: { clipboard: { readText(): Promise<string>; writeText(text: string): Promise<void> } };
}

const STATUS = 'vm-identity.vm-identity.vmIdentity.status';
const AREA = 'use the identity (real VS Code)';

/** The webview frame whose document has an element matching `selector` with `text` (webviews nest two iframes). */
async function webviewFrame(page: Page, selector: string, text: string | RegExp, timeout = 30_000): Promise<Frame> {
  return pollUntil(
    async () => {
      for (const frame of page.frames()) {
        const el = frame.locator(selector, { hasText: text });
        if ((await el.count().catch(() => 0)) > 0) return frame;
      }
      return undefined;
    },
    { timeout, message: `no webview shows ${selector} "${text}"` },
  );
}

describe('Use the identity in real VS Code', function () {
  this.timeout(180_000);
  let tmp: string;
  let emu: Emulator;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let folder: string;
  /** The identity terminal's private directory, scanned for tokens too. */
  const terminalDirs: string[] = [];

  before(async function () {
    assertNetworkIsolated();
    tmp = mkTemp('vmid-use-');
    emu = await startEmulator({
      dataset: { assignments: 6, userAssignedIdentities: 2 },
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
    folder = path.join(tmp, 'workspace');
    fs.mkdirSync(folder, { recursive: true });
    const extensionsDir = path.join(tmp, 'extensions');
    await installVsix(VSIX, extensionsDir);
    server = await startCodeServer({
      folder,
      extensionsDir,
      env: {
        AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
        VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
        VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
      },
      settings: { 'vmIdentity.signInAutomatically': true },
    });
    browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
    page = browser.page;
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await openWorkbench(page, workbenchUrl(server, { folder }));
    await waitForStatusItem(page, STATUS, { text: emu.dataset.vm.name, timeout: 60_000 });
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    await emu?.close();
    if (tmp) rmrf(tmp);
  });

  it('Get access token for… Key Vault: the inspector shows aud and oid; no token or signature in its DOM', async () => {
    await startPickerCommand(page, 'VM Identity: Get access token for…');
    await pickRow(page, 'Azure Key Vault');
    const frame = await webviewFrame(page, 'h1', 'Access token for');
    const text = await frame.locator('body').innerText();
    assert.match(text, /https:\/\/vault\.azure\.net/);
    assert.ok(text.includes(emu.dataset.systemIdentity.principalId), 'the oid of the identity');
    // Every frame of the page: the inspector's document and the workbench around it.
    const html = (await Promise.all(page.frames().map((f) => f.content().catch(() => '')))).join('\n');
    const vaultTokens = emu.issuedTokens.filter(
      (t) => JSON.parse(Buffer.from(t.split('.')[1], 'base64url').toString()).aud === 'https://vault.azure.net',
    );
    assert.ok(vaultTokens.length >= 1, 'a Key Vault token was issued');
    assert.deepEqual(tokenPartsIn(html, emu.issuedTokens), [], 'no token, payload or signature in the DOM');
    await screenshot(page, 'token-inspector.png');
    recordCase({
      area: AREA,
      name: 'Get access token for… Azure Key Vault',
      expected: "inspector: aud = https://vault.azure.net, the identity's oid; no token part in any frame",
      observed: `aud and oid shown; ${emu.issuedTokens.length} tokens × parts searched in ${page.frames().length} frames: none`,
      pass: true,
    });
    await runCommand(page, 'View: Close All Editors');
  });

  it('Diagnose with the identity off: identity check fails with the "System assigned" fix; Copy report as Markdown', async () => {
    emu.configure({ systemAssigned: false, userAssignedAttached: false });
    try {
      await runCommand(page, 'VM Identity: Diagnose');
      const frame = await webviewFrame(page, 'h1', 'Diagnose', 60_000);
      await pollUntil(async () => /System assigned/.test(await frame.locator('body').innerText()), {
        timeout: 30_000,
        message: 'the fix is shown',
      });
      const text = await frame.locator('body').innerText();
      assert.match(text, /Managed identity enabled and selected/);
      await screenshot(page, 'diagnose.png');
      await page.evaluate(() => (globalThis as unknown as BrowserGlobals).navigator.clipboard.writeText(''));
      await frame.locator('#btn-copy-markdown').click();
      const markdown = await pollUntil(
        async () => {
          const clip = await page.evaluate(() =>
            (globalThis as unknown as BrowserGlobals).navigator.clipboard.readText(),
          );
          return clip.startsWith('## VM Identity — Diagnose') ? clip : undefined;
        },
        { timeout: 15_000, message: 'the report reaches the clipboard' },
      );
      const row = markdown.split('\n').find((l) => l.includes('Managed identity enabled and selected'));
      assert.ok(row, markdown);
      assert.match(row, /❌ fail/);
      assert.match(row, /System assigned: On/);
      assert.deepEqual(tokenPartsIn(markdown, emu.issuedTokens), []);
      recordCase({
        area: AREA,
        name: 'Diagnose with the identity off, Copy report as Markdown',
        expected: 'identity.enabled fails with the System assigned fix; Markdown on the clipboard',
        observed: row.slice(0, 160),
        pass: true,
      });
    } finally {
      emu.configure({ systemAssigned: true, userAssignedAttached: true });
    }
    await runCommand(page, 'View: Close All Editors');
  });

  it('the identity terminal (user-assigned): AZURE_CONFIG_DIR private, AZURE_CLIENT_ID of the identity', async () => {
    const ua = emu.dataset.userAssignedIdentities[0];
    await startPickerCommand(page, 'VM Identity: Select identity…');
    await pickRow(page, ua.name);
    await waitForStatusItem(page, STATUS, { text: ua.name });
    await openActivity(page, 'VM Identity');
    await waitForTreeRow(page, ua.principalId, { scope: SIDEBAR });

    const out = path.join(tmp, 'terminal-env.txt');
    // "With Profile" is offered once the terminal service knows it can start processes: open the panel first.
    await runCommand(page, 'Terminal: Create New Terminal');
    await page.locator('.terminal-wrapper.active').waitFor({ state: 'visible', timeout: 30_000 });
    // Its palette row shows without the "Terminal:" category here: pick it by its own words.
    await startPickerCommand(page, 'Create New Terminal (With Profile)');
    await pickRow(page, 'VM Identity');
    // Its tab is named after the identity ("VM Identity: <name>"): select it, then type into it.
    const tab = page.locator('.terminal-tabs-entry', { hasText: 'VM Identi' }).first();
    await tab.waitFor({ state: 'visible', timeout: 20_000 });
    await tab.click();
    await page.locator('.terminal-wrapper.active .xterm-screen').click();
    await page.keyboard.type(`env | grep -E '^AZURE_(CONFIG_DIR|CLIENT_ID|TOKEN_CREDENTIALS)=' > ${out}\n`);
    const env = await pollUntil(
      () =>
        fs.existsSync(out) && /AZURE_CONFIG_DIR/.test(fs.readFileSync(out, 'utf8'))
          ? fs.readFileSync(out, 'utf8')
          : undefined,
      { timeout: 20_000, message: 'the terminal ran env' },
    );
    const vars = Object.fromEntries(
      env
        .trim()
        .split('\n')
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    assert.equal(vars.AZURE_CLIENT_ID, ua.clientId);
    assert.equal(vars.AZURE_TOKEN_CREDENTIALS, 'ManagedIdentityCredential');
    const dir = vars.AZURE_CONFIG_DIR;
    // az creates it at its first run (az is not on this machine's PATH); its parent is the window's private dir.
    assert.ok(dir && fs.existsSync(path.dirname(dir)), `AZURE_CONFIG_DIR's parent exists: ${dir}`);
    assert.match(path.basename(path.dirname(dir)), /^vm-identity-terminal-/);
    assert.ok(!dir.startsWith(path.join(os.homedir(), '.azure')), "not the user's own ~/.azure");
    // The private directory's parent is ours alone (0700): no other user can read az's profile there.
    terminalDirs.push(path.dirname(dir));
    const mode = fs.statSync(path.dirname(dir)).mode & 0o777;
    assert.equal(mode & 0o077, 0, `private: mode ${mode.toString(8)}`);
    recordCase({
      area: AREA,
      name: 'terminal profile "VM Identity" as a user-assigned identity',
      expected:
        'AZURE_CONFIG_DIR private, AZURE_CLIENT_ID = the identity, AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential',
      observed: `AZURE_CLIENT_ID ${vars.AZURE_CLIENT_ID}; config dir parent mode ${mode.toString(8)}`,
      pass: true,
    });
  });

  it('no issued token anywhere on disk or in the logs', async () => {
    const files = readFilesUnder(server.userDataDir, server.extensionsDir, folder, tmp, ...terminalDirs);
    const tokens = emu.issuedTokens;
    assert.ok(tokens.length >= 3, `tokens were issued (${tokens.length})`);
    assert.deepEqual(
      tokenPartsIn([...server.logs, ...files.values()].join('\n'), tokens),
      [],
      'an issued token (or part of one) was found',
    );
    recordCase({
      area: AREA,
      name: 'scan after inspector, Diagnose and terminal',
      expected: 'no token or token part on disk or in logs',
      observed: `${tokens.length} tokens searched in ${files.size} files + logs: none found`,
      pass: true,
    });
  });
});
