/**
 * Issue 12 in real VS Code (code-server) driven in Chromium, inside a network namespace with only `lo`: a second
 * extension (test/e2e/consumer-ext, packaged and installed beside VM Identity) asks the `vm-identity`
 * authentication provider for a Key Vault session. Not in extension-test mode, so VS Code's consent prompt is a
 * real dialog: the test reads it, clicks Allow, and checks what the consumer got (it writes the session minus the
 * token — claims, account, a hash and length of the token — to the workspace). Then the Accounts menu, sign-out
 * as the consumer's onDidChangeSessions listener sees it, and the token scan over everything VS Code wrote.
 */
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { type Emulator, startEmulator } from '../emulator';
import { recordCase } from '../support/cases';
import { type Browser, launchBrowser } from './support/browser';
import { readFilesUnder, tokenPartsIn } from './support/checks';
import { type CodeServer, installVsix, packageVsix, startCodeServer, workbenchUrl } from './support/codeServer';
import { PROJECT_ROOT, VSIX, assertNetworkIsolated, mkTemp, pollUntil, rmrf } from './support/common';
import { workspaceWithHostileSettings } from './support/workspace';
import { openWorkbench, runCommand, screenshot, waitForStatusItem } from './support/workbench';

const STATUS = 'vm-identity.vm-identity.vmIdentity.status';
const AREA = 'agents (real VS Code)';
const CONSUMER = 'VM Identity consumer (test)';
const VAULT_SCOPES = ['https://vault.azure.net/.default'];

interface ConsumerSession {
  session: boolean;
  error?: string;
  id?: string;
  account?: { id: string; label: string };
  scopes?: string[];
  claims?: { aud?: string; oid?: string; iss?: string; tid?: string };
  tokenSha256?: string;
  tokenLength?: number;
}
interface ConsumerEvent {
  event: string;
  session: boolean;
  accounts: string[];
  at: number;
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const payloadOf = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;

describe('Another extension signs in with the VM identity (real VS Code)', function () {
  this.timeout(180_000);
  let tmp: string;
  let emu: Emulator;
  let server: CodeServer;
  let browser: Browser;
  let page: Page;
  let folder: string;

  const readJson = <T>(name: string): T | undefined => {
    const file = path.join(folder, name);
    return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as T) : undefined;
  };
  const events = (): ConsumerEvent[] => {
    const file = path.join(folder, 'consumer-events.jsonl');
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ConsumerEvent);
  };
  const vaultTokenRequests = () =>
    emu.requests.filter((r) => r.endpoint === 'imds-token' && /vault\.azure\.net/.test(r.query.resource ?? ''));

  before(async function () {
    assertNetworkIsolated();
    tmp = mkTemp('vmid-consumers-');
    emu = await startEmulator({ dataset: { assignments: 12 }, listen: [{ host: '127.0.0.1', port: 0 }] });
    folder = workspaceWithHostileSettings(tmp, emu.dataset.userAssignedIdentities[0].clientId);
    const extensionsDir = path.join(tmp, 'extensions');
    await installVsix(VSIX, extensionsDir);
    const consumerDir = path.join(PROJECT_ROOT, 'test', 'e2e', 'consumer-ext');
    await installVsix(packageVsix(consumerDir, path.join(tmp, 'consumer.vsix')), extensionsDir);
    server = await startCodeServer({
      folder,
      extensionsDir,
      env: {
        AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
        VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
        VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
      },
      settings: { 'vmIdentity.signInAutomatically': false },
    });
    browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
    page = browser.page;
    await openWorkbench(page, workbenchUrl(server, { folder }));
    await waitForStatusItem(page, STATUS, { text: 'signed out', timeout: 60_000 });
  });

  after(async function () {
    await browser?.close();
    await server?.stop();
    await emu?.close();
    if (tmp) rmrf(tmp);
  });

  it('VS Code asks the user for the consumer; after Allow it holds a Key Vault token the emulator issued', async () => {
    await runCommand(page, 'VM Identity consumer: Sign in to Key Vault with the VM identity');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 30_000 });
    const prompt = (await dialog.innerText()).replace(/\s+/g, ' ');
    assert.match(
      prompt,
      new RegExp(`The extension '${CONSUMER.replace(/[()]/g, '\\$&')}' wants to sign in using VM Identity`),
    );
    await screenshot(page, 'consumer-consent.png');
    assert.equal(vaultTokenRequests().length, 0, 'no Key Vault token before the user allowed it');
    assert.equal(readJson<ConsumerSession>('consumer-session.json'), undefined, 'the consumer has nothing yet');
    await dialog
      .locator('.monaco-button', { hasText: /^\s*Allow\s*$/ })
      .first()
      .click();

    const got = await pollUntil(() => readJson<ConsumerSession>('consumer-session.json'), {
      timeout: 60_000,
      message: 'the consumer recorded its session',
    });
    assert.equal(got.session, true, got.error);
    const d = emu.dataset;
    assert.equal(got.account?.id, d.systemIdentity.principalId, 'account.id is the principal ID');
    assert.deepEqual(got.scopes, VAULT_SCOPES);
    const issued = emu.issuedTokens.find((t) => sha256(t) === got.tokenSha256);
    assert.ok(issued, 'the token the consumer holds is one the emulator issued');
    assert.equal(issued.length, got.tokenLength);
    const claims = payloadOf(issued);
    assert.match(String(claims.aud), /^https:\/\/vault\.azure\.net\/?$/, 'the Key Vault audience');
    assert.equal(got.claims?.aud, claims.aud);
    assert.equal(got.claims?.oid, d.systemIdentity.principalId);
    assert.equal(vaultTokenRequests().length, 1, 'one Key Vault token request, after consent');
    await waitForStatusItem(page, STATUS, { text: d.vm.name });
    recordCase({
      area: AREA,
      name: 'a second extension: getSession(vault, createIfNone) through the consent dialog',
      expected: `dialog names "${CONSUMER}"; after Allow a Key Vault token from the emulator, account.id = principal`,
      observed: `aud ${claims.aud}, account.id ${got.account?.id}, token matched by hash of ${emu.issuedTokens.length}`,
      pass: true,
    });
  });

  it('the Accounts menu lists the VM identity account', async () => {
    const label = readJson<ConsumerSession>('consumer-session.json')!.account!.label;
    await page.locator('.activitybar .action-label.codicon-accounts-view-bar-icon').first().click();
    const items = page.locator('.context-view .monaco-menu .action-item .action-label');
    const shown = await pollUntil(
      async () => {
        const texts = (await items.allInnerTexts()).map((t) => t.trim());
        return texts.find((t) => t.includes(label) && t.includes('VM Identity')) ? texts : undefined;
      },
      { timeout: 15_000, message: `the Accounts menu shows "${label} (VM Identity)"` },
    );
    await screenshot(page, 'consumer-accounts-menu.png');
    await page.keyboard.press('Escape');
    recordCase({
      area: AREA,
      name: 'Accounts menu',
      expected: 'the VM identity account under its provider',
      observed: shown.find((t) => t.includes(label))!,
      pass: true,
    });
  });

  it("signing out reaches the consumer's onDidChangeSessions; it then has no session and no account", async () => {
    const before = events().length;
    await runCommand(page, 'VM Identity: Sign out');
    await waitForStatusItem(page, STATUS, { text: 'signed out' });
    const after = await pollUntil(
      () => {
        const seen = events().slice(before);
        return seen.some((e) => !e.session) ? seen : undefined;
      },
      { timeout: 30_000, message: 'the consumer saw a change that left it without a session' },
    );
    const last = after.at(-1)!;
    assert.equal(last.session, false, 'getSession(silent) after sign-out: none');
    assert.deepEqual(last.accounts, [], 'getAccounts after sign-out: none');
    recordCase({
      area: AREA,
      name: 'sign out as a consumer sees it',
      expected: 'onDidChangeSessions fires; getSession(silent) none; no account',
      observed: `${after.length} event(s); last: session ${last.session}, accounts ${last.accounts.length}`,
      pass: true,
    });
  });

  it('never stores a token: the consumer wrote a hash; logs, user data and the workspace hold no token', async () => {
    const files = readFilesUnder(server.userDataDir, server.extensionsDir, folder);
    assert.ok(
      [...files.keys()].some((f) => f.endsWith('consumer-session.json')),
      "the consumer's result is among the scanned files",
    );
    const tokens = emu.issuedTokens;
    assert.ok(tokens.length >= 2, `tokens were issued (${tokens.length})`);
    const found = tokenPartsIn([...server.logs, ...files.values()].join('\n'), tokens);
    assert.deepEqual(found, [], 'an issued token (or part of one) was found');
    recordCase({
      area: AREA,
      name: 'token scan after a consumer signed in',
      expected: 'no token or token part in logs, user data, extensions or workspace',
      observed: `${tokens.length} tokens searched in ${files.size} files + logs: none found`,
      pass: true,
    });
  });
});
