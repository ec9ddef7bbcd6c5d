/**
 * Shipped defaults under a realistic network (issue 4, parts 1–4), in real VS Code (code-server 4.100.3 +
 * Chromium) and with the CLI. No endpoint is overridden: no AZURE_POD_IDENTITY_AUTHORITY_HOST, no
 * VM_IDENTITY_*. The network in a box (networkBox.ts) makes 169.254.169.254:80 and, by name,
 * management.azure.com / graph.microsoft.com / management.usgovcloudapi.net / graph.microsoft.us on
 * 192.0.2.10:443 the emulator's, inside the namespace of scripts/netns-run.sh only.
 *
 *   bash scripts/netns-run.sh npx mocha --config test/e2e/.mocharc.json test/e2e/network.e2e.ts
 *
 * Each case records what it observed in test-results/network-cases.json (networkCases.ts).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { expectedAssignmentsFor } from '../emulator';
import type { LoggedRequest } from '../emulator';
import { type RecordingProxy, startRecordingProxy } from '../support/recordingProxy';
import { recordCase } from '../support/cases';
import { SIDEBAR, assertRoleRowsShown, readFilesUnder, tokenPartsIn } from './checks';
import { CLI, type CliRun, spawnCli } from '../support/spawnCli';
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
  screenshot,
  startCodeServer,
  statusItem,
  treeRows,
  waitForNotification,
  waitForStatusItem,
  waitForTreeRow,
  workbenchUrl,
} from './harness';
import { CaseLog } from './networkCases';
import { AZURE_ADDRESS, IMDS_ADDRESS, type NetworkBox, OVERRIDE_ENV, assertPrivateMountNamespace, startNetworkBox } from './networkBox';

/** VMID_E2E_VSIX: another build to run the suite against (e.g. a mutant, to see that a case catches it). */
const VSIX = process.env.VMID_E2E_VSIX ? path.resolve(process.env.VMID_E2E_VSIX) : path.join(PROJECT_ROOT, 'dist', 'vm-identity.vsix');
const STATUS = 'vm-identity.vm-identity.vmIdentity.status';
const IMDS_LISTENER = `http://${IMDS_ADDRESS}:80`;
const AZURE_LISTENER = `https://${AZURE_ADDRESS}:443`;
const PUBLIC_ARM_AUD = 'https://management.azure.com/';
const PUBLIC_GRAPH_AUD = 'https://graph.microsoft.com/';

const AREA_DEFAULTS = 'Shipped defaults, realistic network (real VS Code + CLI)';
const AREA_PROXY = 'Proxies (real VS Code + CLI)';
const AREA_CLOUD = 'Sovereign cloud (real VS Code + CLI)';
const AREA_FAULTS = 'Faults in real VS Code, realistic network';

const cases = new CaseLog();

// ------------------------------------------------------------------ helpers

/** Runs dist/cli.js as a user would, with the shipped defaults' environment (async: the emulator lives in this process). */
function cli(box: NetworkBox, args: string[], extraEnv: Record<string, string> = {}): Promise<CliRun> {
  return spawnCli(args, box.productEnv({ NODE_EXTRA_CA_CERTS: box.caCertPath, ...extraEnv }));
}

function since(requests: readonly LoggedRequest[], seq: number): LoggedRequest[] {
  return requests.filter((r) => r.seq > seq);
}

function lastSeq(box: NetworkBox): number {
  return box.emu.requests.at(-1)?.seq ?? 0;
}

const startMs = (r: LoggedRequest) => Date.parse(r.time);
const endMs = (r: LoggedRequest) => Date.parse(r.time) + r.ms;

/** Most identity requests (token + info, what IMDS limits to 5) in flight at once. */
function maxConcurrency(requests: readonly LoggedRequest[]): number {
  const events: Array<[number, number]> = [];
  for (const r of requests) {
    if (r.endpoint !== 'imds-token' && r.endpoint !== 'imds-info') continue;
    events.push([startMs(r), 1], [endMs(r), -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let max = 0;
  for (const [, d] of events) max = Math.max(max, (now += d));
  return max;
}

function tokenRequests(requests: readonly LoggedRequest[], resource?: string): LoggedRequest[] {
  return requests.filter((r) => r.endpoint === 'imds-token' && (resource === undefined || r.query.resource === resource));
}

function statusList(rs: readonly LoggedRequest[]): string {
  return rs.map((r) => r.status).join(',');
}

/** The extension's output channel as VS Code writes it to disk ("VM Identity.log" of the first extension host). */
function extensionLog(server: CodeServer): string {
  const logs = path.join(server.userDataDir, 'logs');
  if (!fs.existsSync(logs)) return '';
  for (const session of fs.readdirSync(logs).sort().reverse()) {
    const file = path.join(logs, session, 'exthost1', 'vm-identity.vm-identity', 'VM Identity.log');
    if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8');
  }
  return '';
}

const countLines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

async function statusText(page: Page): Promise<string> {
  return (await statusItem(page, STATUS).innerText().catch(() => '')).trim();
}

/** Samples the status item until `done` holds; returns every distinct text seen, in order. */
async function watchStatus(page: Page, done: () => boolean | Promise<boolean>, timeout: number): Promise<string[]> {
  const seen: string[] = [];
  await pollUntil(
    async () => {
      const t = await statusText(page);
      if (t && seen.at(-1) !== t) seen.push(t);
      return done();
    },
    { timeout, interval: 100, message: `status watch ended without the condition (seen ${JSON.stringify(seen)})` },
  );
  return seen;
}

// ---------------------------------------------------------------- the suite

describe('Shipped defaults under a realistic network (no endpoint overrides)', function () {
  this.timeout(240_000);
  let box: NetworkBox;
  let tmp: string;
  let extensionsDir: string;
  let browser: Browser;
  let settingsProxy: RecordingProxy;
  let envProxy: RecordingProxy;
  const hostsBefore = fs.readFileSync('/etc/hosts', 'utf8');

  before(async function () {
    assertNetworkIsolated();
    assertPrivateMountNamespace();
    for (const f of [VSIX, CLI]) assert.ok(fs.existsSync(f), `${path.relative(PROJECT_ROOT, f)} exists (npm run package)`);
    const t0 = Date.now();
    box = await startNetworkBox({ dataset: { assignments: 12, userAssignedIdentities: 2 } });
    settingsProxy = await startRecordingProxy();
    envProxy = await startRecordingProxy();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmid-net-'));
    extensionsDir = path.join(tmp, 'extensions');
    await installVsix(VSIX, extensionsDir);
    browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
    console.log(`      [timing] box, proxies, .vsix, Chromium: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  after(async function () {
    if (scanned.servers > 0) {
      recordCase({
        area: 'security (real VS Code)',
        name: 'realistic-network suite: every code-server\'s logs and user data (incl. globalStorage, settings, output channel logs) scanned for issued tokens',
        expected: 'no token or token part anywhere',
        observed: `${box.emu.issuedTokens.length} tokens × 3 parts searched in ${scanned.servers} code-servers (${scanned.files} files + logs): ${scanned.leaks.length ? `found ${scanned.leaks.join(', ')}` : 'none found'}`,
        pass: scanned.leaks.length === 0,
      });
    }
    await browser?.close();
    await settingsProxy?.close();
    await envProxy?.close();
    await box?.close();
    if (tmp && !process.env.E2E_KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
    cases.write();
    // The box's hosts mount is gone again (it only ever existed in this mount namespace).
    assert.equal(fs.readFileSync('/etc/hosts', 'utf8'), hostsBefore, '/etc/hosts is back to what it was');
  });

  const expected = () => {
    const d = box.emu.dataset;
    return expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
  };

  /** Token parts searched so far; every code-server of this suite is scanned before it stops. */
  const scanned = { servers: 0, files: 0, leaks: [] as string[] };

  /** Fails if an issued token (or its payload or signature alone) is in the server's logs or user data. */
  async function scanForTokensAndStop(server: CodeServer | undefined): Promise<void> {
    if (!server) return;
    const files = readFilesUnder(server.userDataDir); // read before stop(), which removes the user data
    await server.stop();
    const leaks = tokenPartsIn([...server.logs, ...files.values()].join('\n'), box.emu.issuedTokens);
    scanned.servers++;
    scanned.files += files.size;
    scanned.leaks.push(...leaks);
    assert.ok([...files.keys()].some((f) => f.endsWith('VM Identity.log')), 'the output channel\'s log is among the scanned files');
    assert.deepEqual(leaks, [], 'an issued token (or part of one) was found');
  }


  /** Starts code-server with the shipped defaults (no overrides), opens the workbench in the shared browser. */
  async function openVsCode(opts: { env?: Record<string, string>; settings?: Record<string, unknown> } = {}): Promise<{ server: CodeServer; page: Page; folder: string }> {
    const folder = path.join(tmp, `ws-${Date.now()}`);
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'README.md'), '# a project on the VM\n');
    const server = await startCodeServer({
      folder,
      extensionsDir,
      unsetEnv: OVERRIDE_ENV,
      env: { NODE_EXTRA_CA_CERTS: box.caCertPath, ...(opts.env ?? {}) },
      settings: opts.settings,
    });
    const page = browser.page;
    await openWorkbench(page, workbenchUrl(server, { folder }));
    return { server, page, folder };
  }

  /** Role rows of the tree, group by group (the list is virtualised), compared with the emulator's expected list. */
  async function assertRolesShown(page: Page): Promise<number> {
    return assertRoleRowsShown(page, box.emu.dataset);
  }


  async function assertIdentityShown(page: Page): Promise<void> {
    const d = box.emu.dataset;
    await openActivity(page, 'VM Identity');
    await waitForTreeRow(page, d.systemIdentity.principalId, { scope: SIDEBAR });
    const all = (await treeRows(page, SIDEBAR)).join('\n');
    for (const v of [d.systemIdentity.principalId, d.systemIdentity.clientId, d.tenantId, d.vm.name, d.resourceGroupName, d.subscriptionId, d.vm.location]) {
      assert.ok(all.includes(v), `the tree shows ${v}`);
    }
  }

  /** Runs Refresh and waits until the emulator answered the role list and the status shows the identity again. */
  async function refreshAndWait(page: Page, timeout = 60_000): Promise<LoggedRequest[]> {
    const mark = lastSeq(box);
    await runCommand(page, 'VM Identity: Refresh');
    await pollUntil(() => since(box.emu.requests, mark).some((r) => r.endpoint === 'arm-role-assignments' && r.status > 0), { timeout, message: 'Refresh listed no role assignments' });
    await waitForStatusItem(page, STATUS, { text: box.emu.dataset.vm.name, timeout: 15_000 });
    await waitForTreeRow(page, box.emu.dataset.systemIdentity.principalId, { scope: SIDEBAR, timeout: 15_000 });
    return since(box.emu.requests, mark);
  }

  /**
   * Sets a machine-scoped setting as a user of a remote window does: Settings editor → Remote tab (VS Code
   * writes <user-data>/Machine/settings.json and applies it at once; a file written behind its back is not
   * picked up here, the file watcher does not see it in the namespace).
   */
  async function setRemoteSetting(server: CodeServer, page: Page, key: string, title: string, value: string, isDefault = false): Promise<void> {
    await page.keyboard.press('Escape');
    await runCommand(page, 'Preferences: Open User Settings');
    const search = page.locator('.settings-editor .settings-header textarea').first();
    await search.waitFor({ state: 'visible', timeout: 15_000 });
    await search.fill(key);
    await page.locator('.settings-editor .settings-tabs-widget .action-label', { hasText: 'Remote' }).click();
    await page.locator('.settings-editor .setting-item-title', { hasText: title }).waitFor({ state: 'visible', timeout: 15_000 });
    const input = page.locator('.settings-editor .setting-item-contents input:visible').first();
    await input.fill(value);
    await input.press('Tab');
    const file = path.join(server.userDataDir, 'Machine', 'settings.json');
    // VS Code drops a value equal to the default from the file.
    const saved = (text: string) => (isDefault ? !text.includes(`"${key}"`) : new RegExp(`"${key.replace(/\./g, '\\.')}":\\s*${value}\\b`).test(text));
    await pollUntil(() => fs.existsSync(file) && saved(fs.readFileSync(file, 'utf8')), { timeout: 10_000, message: `${key} = ${value} not saved` });
    const tab = page.locator('.tabs-container .tab', { hasText: 'Settings' }).first();
    await tab.hover();
    await tab.locator('.tab-actions .action-label').first().click();
    await tab.waitFor({ state: 'detached', timeout: 10_000 });
  }

  async function clearNotifications(page: Page): Promise<void> {
    await page.keyboard.press('Escape');
    await runCommand(page, 'Notifications: Clear All Notifications');
  }

  /** Clicks `trigger`, answers VS Code's "open the external website?" dialog with Open, returns the URL the new tab got. */
  async function openedExternalUrl(page: Page, trigger: () => Promise<void>): Promise<string> {
    const context = browser.context;
    // Nothing may leave the box: the portal is answered by a stub in the browser itself.
    await context.route(/^https:\/\/portal\.azure\./, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>portal stub</title>' }));
    try {
      const popupP = context.waitForEvent('page', { timeout: 20_000 });
      await trigger();
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ state: 'visible', timeout: 10_000 });
      assert.match(await dialog.innerText(), /open the external website/i);
      await dialog.getByRole('button', { name: 'Open', exact: true }).click();
      const popup = await popupP;
      await popup.waitForLoadState('domcontentloaded');
      const url = popup.url();
      await popup.close();
      return url;
    } finally {
      await context.unroute(/^https:\/\/portal\.azure\./);
    }
  }

  // ------------------------------------------------------------- CLI

  describe('CLI', function () {
    it('signs in with no overrides and shows the same identity and roles as with overrides', async () => {
      await cases.run(AREA_DEFAULTS, 'CLI with no overrides (169.254.169.254, management.azure.com over TLS)', 'same identity and roles as with every endpoint overridden, and as the emulator expects', async () => {
        const mark = lastSeq(box);
        const [who, roles] = await Promise.all([cli(box, ['whoami', '--json']), cli(box, ['roles', '--json'])]);
        assert.equal(who.code, 0, who.stderr);
        assert.equal(roles.code, 0, roles.stderr);
        const reqs = since(box.emu.requests, mark);
        const overrides = { AZURE_POD_IDENTITY_AUTHORITY_HOST: box.loopbackUrl, VM_IDENTITY_ARM_ENDPOINT: box.loopbackUrl, VM_IDENTITY_GRAPH_ENDPOINT: box.loopbackUrl };
        const [whoO, rolesO] = await Promise.all([cli(box, ['whoami', '--json'], overrides), cli(box, ['roles', '--json'], overrides)]);
        assert.equal(whoO.code, 0, whoO.stderr);
        const strip = (s: string) => {
          const j = JSON.parse(s);
          delete j.token.expiresOn;
          return j;
        };
        assert.deepEqual(strip(who.stdout), strip(whoO.stdout), 'whoami: defaults = overrides');
        assert.deepEqual(JSON.parse(roles.stdout), JSON.parse(rolesO.stdout), 'roles: defaults = overrides');
        const d = box.emu.dataset;
        const j = JSON.parse(who.stdout);
        assert.equal(j.principalId, d.systemIdentity.principalId);
        assert.equal(j.displayName, d.vm.name);
        assert.equal(j.vm.cloud, 'AzurePublicCloud');
        const want = expected().map((a) => a.id).sort();
        assert.deepEqual(JSON.parse(roles.stdout).map((r: { id: string }) => r.id).sort(), want, 'roles = the emulator\'s expected assignments');
        // Where the default run went: IMDS on its real address, ARM/Graph by name over TLS, right audiences.
        const imds = reqs.filter((r) => r.service === 'imds');
        const arm = reqs.filter((r) => r.service === 'arm');
        const graph = reqs.filter((r) => r.service === 'graph');
        assert.ok(imds.length >= 3 && imds.every((r) => r.listener === IMDS_LISTENER && r.headers.host === IMDS_ADDRESS && r.headers.metadata === 'true'), 'IMDS at 169.254.169.254:80');
        assert.ok(arm.length >= 2 && arm.every((r) => r.listener === AZURE_LISTENER && r.headers.host === 'management.azure.com' && r.bearer?.aud === PUBLIC_ARM_AUD), `ARM at management.azure.com: ${JSON.stringify(arm.map((r) => [r.listener, r.headers.host, r.bearer?.aud]))}`);
        assert.ok(graph.length === 1 && graph[0].listener === AZURE_LISTENER && graph[0].headers.host === 'graph.microsoft.com' && graph[0].bearer?.aud === PUBLIC_GRAPH_AUD, 'Graph at graph.microsoft.com');
        return `exit 0; ${want.length} roles; same output as with overrides; IMDS ${IMDS_LISTENER}, ARM Host management.azure.com aud ${PUBLIC_ARM_AUD} and Graph Host graph.microsoft.com on ${AZURE_LISTENER}`;
      });
    });

    it('with HTTPS_PROXY/HTTP_PROXY: IMDS never through the proxy, ARM/Graph through it', async () => {
      await cases.run(AREA_PROXY, 'CLI with HTTPS_PROXY and HTTP_PROXY', 'the proxy sees no identity-endpoint request; ARM/Graph go through it (CONNECT :443) and succeed', async () => {
        const before = envProxy.records.length;
        const env = { HTTPS_PROXY: envProxy.url, HTTP_PROXY: envProxy.url };
        const [who, roles] = await Promise.all([cli(box, ['whoami', '--json'], env), cli(box, ['roles', '--json'], env)]);
        assert.equal(who.code, 0, who.stderr);
        assert.equal(roles.code, 0, roles.stderr);
        assert.equal(JSON.parse(roles.stdout).length, expected().length);
        const records = envProxy.records.slice(before);
        assert.deepEqual(records.filter((r) => r.target.includes(IMDS_ADDRESS) || r.target.includes('localhost:50342')), [], 'no identity request at the proxy');
        const targets = [...new Set(records.map((r) => `${r.method} ${r.target}`))].sort();
        assert.deepEqual(targets, ['CONNECT graph.microsoft.com:443', 'CONNECT management.azure.com:443']);
        return `proxy saw ${records.length} requests: ${targets.join(', ')}; none for ${IMDS_ADDRESS}; roles listed`;
      });
    });
  });

  // ------------------------------------------------ VS Code: TLS trust

  describe('VS Code: test CA only in NODE_EXTRA_CA_CERTS', function () {
    let server: CodeServer | undefined;
    after(async () => {
      await scanForTokensAndStop(server);
      box.trustCaInSystemStore(true);
    });

    it('documents what a private CA needs in VS Code (the OS store, not NODE_EXTRA_CA_CERTS)', async () => {
      await cases.run(
        AREA_DEFAULTS,
        'VS Code, ARM CA trusted only through NODE_EXTRA_CA_CERTS (http.systemCertificates on, the default)',
        'identity signs in (IMDS is plain http); roles show an error node naming the untrusted certificate and the trust store, no retries, no hang',
        async () => {
          box.trustCaInSystemStore(false);
          const mark = lastSeq(box);
          const opened = await openVsCode();
          server = opened.server;
          const { page } = opened;
          await openActivity(page, 'VM Identity');
          const rows = await waitForTreeRow(page, /Cannot read role assignments: management\.azure\.com presented a TLS certificate this machine does not trust/i, { scope: SIDEBAR, timeout: 60_000 });
          const errorRow = rows.find((r) => /Cannot read role assignments/.test(r))!;
          const log = await pollUntil(() => {
            const text = extensionLog(server!);
            return /roleAssignments failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE/.test(text) ? text : undefined;
          }, { timeout: 10_000, message: 'the log names the TLS failure' });
          assert.equal(countLines(log, /management\.azure\.com.*retrying/), 0, 'an untrusted certificate is not retried');
          assert.ok(rows.some((r) => r.includes(box.emu.dataset.systemIdentity.principalId)), 'the identity is still shown');
          assert.ok(since(box.emu.requests, mark).some((r) => r.endpoint === 'imds-token' && r.status === 200), 'IMDS answered');
          assert.equal(since(box.emu.requests, mark).filter((r) => r.service === 'arm' || r.service === 'graph').length, 0, 'no ARM/Graph request got through the TLS handshake');
          return `"${errorRow}", not retried — with http.systemCertificates on, VS Code adds the OS certificates to each TLS context with addCACert, which in Node 20 swaps the default store (where NODE_EXTRA_CA_CERTS is) for Node's bundled roots + those; the CLI honours NODE_EXTRA_CA_CERTS. The rest of this suite adds the CA to the OS bundle (in the namespace only).`;
        },
      );
    });
  });

  // ------------------------------------------- VS Code: shipped defaults

  describe('VS Code with shipped defaults, no proxy', function () {
    let server: CodeServer;
    let page: Page;

    before(async function () {
      box.trustCaInSystemStore(true);
      box.emu.resetLog();
      const t0 = Date.now();
      ({ server, page } = await openVsCode());
      console.log(`      [timing] code-server + workbench: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    });
    after(async () => {
      if (page) await screenshot(page, 'network-last.png').catch(() => undefined);
      await scanForTokensAndStop(server);
    });
    afterEach(async function () {
      box.emu.clearFaults();
      box.setImdsReachable(true);
      box.emu.configure({ systemAssigned: true, userAssignedAttached: true, armReadable: {}, tokenLifetimeSec: 86399, latencyMs: { imds: 0, arm: 0, graph: 0 }, azEnvironment: 'AzurePublicCloud' });
      if (this.currentTest?.state === 'failed') {
        // Leave a signed-in session for the next case.
        await page.keyboard.press('Escape').catch(() => undefined);
        await refreshAndWait(page).catch(() => undefined);
      }
    });

    it('signs in automatically at startup and shows the expected identity and roles', async () => {
      await cases.run(AREA_DEFAULTS, 'VS Code with no overrides: automatic sign-in at startup', 'status shows the identity; tree shows the identity, the VM and exactly the expected roles; IMDS at 169.254.169.254, ARM/Graph by name over TLS', async () => {
        const d = box.emu.dataset;
        await waitForStatusItem(page, STATUS, { text: d.vm.name, timeout: 60_000 });
        await assertIdentityShown(page);
        const n = await assertRolesShown(page);
        await screenshot(page, 'network-signed-in.png');
        const reqs = box.emu.requests;
        const imds = reqs.filter((r) => r.service === 'imds');
        const arm = reqs.filter((r) => r.service === 'arm');
        const graph = reqs.filter((r) => r.service === 'graph');
        assert.ok(imds.length >= 2 && imds.every((r) => r.listener === IMDS_LISTENER && r.headers.host === IMDS_ADDRESS), 'IMDS at 169.254.169.254:80');
        assert.ok(arm.length >= 2 && arm.every((r) => r.listener === AZURE_LISTENER && r.headers.host === 'management.azure.com' && r.bearer?.aud === PUBLIC_ARM_AUD), 'ARM: management.azure.com with an ARM token');
        assert.ok(graph.length >= 1 && graph.every((r) => r.listener === AZURE_LISTENER && r.headers.host === 'graph.microsoft.com' && r.bearer?.aud === PUBLIC_GRAPH_AUD), 'Graph: graph.microsoft.com with a Graph token');
        assert.equal(reqs.filter((r) => r.status === 0 || r.status >= 400).length, 0, 'every request answered 2xx');
        return `status "${d.vm.name}"; identity, VM and ${n}/${n} expected roles in the tree; ${imds.length} IMDS requests to ${IMDS_LISTENER}, ${arm.length} ARM (Host management.azure.com, aud ${PUBLIC_ARM_AUD}) and ${graph.length} Graph requests to ${AZURE_LISTENER}`;
      });
    });

    it('IMDS 410 for 20 s, then 200: signs in, showing progress meanwhile', async () => {
      await cases.run(AREA_FAULTS, 'IMDS answers 410 for 20 s, then 200', 'sign-in completes; "signing in" shown meanwhile; 410 retried about every 10 s', async () => {
        box.emu.fault('imds-token', [{ status: 410, forMs: 20_000 }]);
        const mark = lastSeq(box);
        const t0 = Date.now();
        await runCommand(page, 'VM Identity: Refresh');
        const seen = await watchStatus(page, async () => (await statusText(page)).includes(box.emu.dataset.vm.name) && since(box.emu.requests, mark).some((r) => r.endpoint === 'arm-role-assignments' && r.status === 200), 60_000);
        const took = Date.now() - t0;
        const signingIn = seen.filter((t) => /signing in/i.test(t));
        assert.ok(signingIn.length > 0, `status showed "signing in": ${JSON.stringify(seen)}`);
        assert.ok(!seen.some((t) => /VM identity: (?!signing in)/i.test(t)), `no error status on the way: ${JSON.stringify(seen)}`);
        const reqs = since(box.emu.requests, mark);
        const arm = tokenRequests(reqs, PUBLIC_ARM_AUD);
        assert.ok(took >= 20_000, `took ${took} ms`);
        assert.equal(arm.at(-1)?.status, 200);
        assert.ok(arm.slice(0, -1).every((r) => r.status === 410) && arm.length >= 3, `ARM token: ${statusList(arm)}`);
        const gaps = arm.slice(1).map((r, i) => startMs(r) - endMs(arm[i]));
        assert.ok(gaps.every((g) => g >= 9_900), `10 s between 410 retries: ${gaps}`);
        await waitForTreeRow(page, box.emu.dataset.systemIdentity.principalId, { scope: SIDEBAR });
        return `status went ${seen.map((t) => `"${t}"`).join(' → ')}; ARM token requests ${statusList(arm)} ${gaps.map((g) => `${(g / 1000).toFixed(1)} s`).join('/')} apart; signed in after ${(took / 1000).toFixed(1)} s`;
      });
    });

    it('IMDS 429 with Retry-After: waits as told', async () => {
      await cases.run(AREA_FAULTS, 'IMDS answers 429 with Retry-After: 3', 'the retry waits at least Retry-After; sign-in completes', async () => {
        box.emu.fault('imds-token', [{ status: 429, retryAfter: 3 }]);
        const reqs = await refreshAndWait(page);
        const throttled = tokenRequests(reqs).find((r) => r.status === 429);
        assert.ok(throttled, 'one request was throttled');
        const next = tokenRequests(reqs).find((r) => r.seq > throttled.seq && r.query.resource === throttled.query.resource);
        assert.ok(next && next.status === 200, 'then retried with success');
        const gap = startMs(next) - endMs(throttled);
        assert.ok(gap >= 3000 - 5, `gap ${gap} ms ≥ Retry-After 3 s`);
        return `429 for ${throttled.query.resource}, next request ${gap} ms later → 200; signed in`;
      });
    });

    it('IMDS 500 three times, then 200: retried with backoff, signs in', async () => {
      await cases.run(AREA_FAULTS, 'IMDS answers 500 ×3, then 200', 'retried (1 s, 2 s, 4 s backoff), sign-in completes', async () => {
        box.emu.fault('imds-token', [{ status: 500, count: 3 }]);
        const reqs = await refreshAndWait(page);
        const tokens = tokenRequests(reqs);
        assert.equal(tokens.filter((r) => r.status === 500).length, 3, `three 500s: ${statusList(tokens)}`);
        const perResource: string[] = [];
        for (const resource of new Set(tokens.map((r) => r.query.resource))) {
          const mine = tokenRequests(tokens, resource);
          assert.equal(mine.at(-1)?.status, 200, `${resource} ends with 200`);
          assert.ok(mine.length <= 4, 'at most 3 retries');
          const gaps = mine.slice(1).map((r, i) => startMs(r) - endMs(mine[i]));
          gaps.forEach((g, i) => assert.ok(g >= 1000 * 2 ** i - 5, `backoff ${i}: ${g} ms`));
          perResource.push(`${resource}: ${statusList(mine)} (gaps ${gaps.map((g) => `${g} ms`).join(', ') || '–'})`);
        }
        return `${perResource.join('; ')}; signed in`;
      });
    });

    it('ARM 403: Reader guidance with the IAM link, identity still shown', async () => {
      await cases.run(AREA_FAULTS, 'ARM answers 403 AuthorizationFailed on role assignments', 'Reader guidance node whose link opens the VM\'s Access control (IAM) blade in the portal', async () => {
        const d = box.emu.dataset;
        box.emu.configure({ armReadable: { [d.systemIdentity.principalId]: false } });
        const reqs = await refreshAndWait(page);
        assert.ok(reqs.some((r) => r.endpoint === 'arm-role-assignments' && r.status === 403));
        await waitForTreeRow(page, /Cannot read role assignments — give this identity Reader/, { scope: SIDEBAR });
        const link = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`, { hasText: 'Open access control (IAM) in the Azure portal' }).first();
        await link.waitFor({ state: 'visible' });
        await screenshot(page, 'network-reader-guidance.png');
        const url = await openedExternalUrl(page, () => link.click());
        const want = `https://portal.azure.com/#@${d.tenantId}/resource${d.vm.resourceId}/users`;
        assert.equal(decodeURIComponent(url), want);
        return `node "Cannot read role assignments — give this identity Reader"; its link opened ${url}`;
      });
    });

    it('ARM 5xx: retried, then an error node', async () => {
      await cases.run(AREA_FAULTS, 'ARM answers 503 on role assignments, every time', 'retried 3 times with backoff, then an error node with "Try again"; identity still shown', async () => {
        box.emu.fault('arm-role-assignments', [{ status: 503, count: 4 }]);
        const reqs = await refreshAndWait(page);
        await waitForTreeRow(page, /Cannot read role assignments: .*503/, { scope: SIDEBAR, timeout: 20_000 });
        const rows = await waitForTreeRow(page, 'Try again', { scope: SIDEBAR });
        // refreshAndWait returned at the first answer; wait for all four.
        const arm = await pollUntil(() => {
          const list = since(box.emu.requests, reqs[0].seq - 1).filter((r) => r.endpoint === 'arm-role-assignments');
          return list.length >= 4 && list.every((r) => r.status > 0) ? list : undefined;
        });
        assert.deepEqual(arm.map((r) => r.status), [503, 503, 503, 503]);
        const gaps = arm.slice(1).map((r, i) => startMs(r) - endMs(arm[i]));
        const errorRow = rows.find((r) => /Cannot read role assignments/.test(r));
        return `role assignments ${statusList(arm)} (gaps ${gaps.map((g) => `${g} ms`).join(', ')}); node "${errorRow}" + "Try again"`;
      });
    });

    it('short token lifetime: silent refresh, one IMDS request each, status stays signed in', async () => {
      await cases.run(AREA_FAULTS, 'Tokens that live 12 s', 'silent refresh about every 6 s (half the lifetime); one IMDS token request per refresh; status stays signed in', async () => {
        box.emu.configure({ tokenLifetimeSec: 12 });
        await refreshAndWait(page);
        const mark = lastSeq(box);
        const refreshLines = () => countLines(extensionLog(server), /refreshing the token before it expires/);
        const linesBefore = refreshLines();
        const t0 = Date.now();
        const seen = await watchStatus(page, () => tokenRequests(since(box.emu.requests, mark)).filter((r) => r.status === 200).length >= 2, 30_000);
        const took = Date.now() - t0;
        const reqs = since(box.emu.requests, mark);
        const tokens = tokenRequests(reqs);
        assert.ok(seen.length > 0 && seen.every((t) => t.includes(box.emu.dataset.vm.name)), `status stayed signed in: ${JSON.stringify(seen)}`);
        assert.equal(tokens.length, 2, `exactly one token request per refresh: ${tokens.map((r) => r.query.resource)}`);
        assert.ok(tokens.every((r) => r.query.resource === PUBLIC_ARM_AUD));
        assert.deepEqual([...new Set(reqs.map((r) => r.endpoint))], ['imds-token'], 'nothing but the token is fetched again');
        const logged = await pollUntil(() => (refreshLines() - linesBefore >= 2 ? refreshLines() - linesBefore : undefined), { timeout: 5_000, message: 'the log shows the silent refreshes' });
        assert.equal(logged, tokens.length, 'one IMDS request per logged refresh');
        const gap = startMs(tokens[1]) - startMs(tokens[0]);
        assert.ok(gap >= 5_000 && gap <= 8_000, `refreshed every ~6 s: ${gap} ms`);
        return `2 silent refreshes (log: "refreshing the token before it expires" ×${logged}) in ${(took / 1000).toFixed(1)} s, ${gap} ms apart, each exactly 1 IMDS token request (${PUBLIC_ARM_AUD}), nothing else; status stayed "${seen.join('", "')}"`;
      });
    });

    it('100 rapid Refresh clicks: IMDS never sees more than its allowed concurrency', async () => {
      await cases.run(AREA_FAULTS, '100 rapid clicks on Refresh (IMDS latency 300 ms)', 'no 429; at most 5 identity requests at once; clicks join the sign-in in flight', async () => {
        box.emu.configure({ latencyMs: { imds: 300 } });
        await openActivity(page, 'VM Identity');
        const button = page.locator(`${SIDEBAR} .action-label[aria-label="Refresh"]`).first();
        await button.waitFor({ state: 'visible' });
        const mark = lastSeq(box);
        const t0 = Date.now();
        for (let i = 0; i < 100; i++) await button.click({ timeout: 5_000 });
        const clicksMs = Date.now() - t0;
        // Settled: no request pending and the status shows the identity.
        await pollUntil(async () => {
          const r = since(box.emu.requests, mark);
          return r.length > 0 && r.every((x) => x.status > 0) && (await statusText(page)).includes(box.emu.dataset.vm.name);
        }, { timeout: 30_000 });
        // …and stays so (a click may still have queued one more refresh).
        await pollUntil(() => {
          const r = since(box.emu.requests, mark);
          return r.every((x) => x.status > 0) && Date.now() - Math.max(...r.map(endMs)) > 1500;
        }, { timeout: 30_000 });
        const reqs = since(box.emu.requests, mark);
        const tokens = tokenRequests(reqs);
        const max = maxConcurrency(reqs);
        assert.equal(reqs.filter((r) => r.status === 429).length, 0, 'no 429');
        assert.ok(max <= 5, `max concurrency ${max}`);
        assert.ok(tokens.length < 100, `${tokens.length} token requests for 100 clicks`);
        const signIns = reqs.filter((r) => r.endpoint === 'arm-role-assignments').length;
        assert.ok(tokens.length <= 2 * signIns + 2, `≤ 2 token requests per sign-in (${tokens.length} for ${signIns})`);
        return `100 clicks in ${(clicksMs / 1000).toFixed(1)} s → ${signIns} refreshes, ${tokens.length} IMDS token requests, at most ${max} identity requests at once, no 429`;
      });
    });

    it('IMDS unreachable: clear guidance; reachable again → Refresh recovers without reloading', async () => {
      await cases.run(
        AREA_FAULTS,
        'IMDS down (169.254.169.254 taken off the network: ENETUNREACH, as off Azure), then back',
        'status "no identity endpoint", a notification and the welcome view explain; Refresh recovers in the same window',
        async () => {
          await clearNotifications(page);
          box.setImdsReachable(false);
          const mark = lastSeq(box);
          const t0 = Date.now();
          await runCommand(page, 'VM Identity: Refresh');
          const status = await waitForStatusItem(page, STATUS, { text: /no identity endpoint/, timeout: 20_000 });
          const note = await waitForNotification(page, /does not answer/);
          const took = Date.now() - t0;
          await openActivity(page, 'VM Identity');
          const welcome = page.locator(`${SIDEBAR} .welcome-view-content`);
          await welcome.waitFor({ state: 'visible', timeout: 10_000 });
          const welcomeText = (await welcome.innerText()).replace(/\s+/g, ' ');
          assert.match(welcomeText, /No managed identity endpoint answers here/);
          await screenshot(page, 'network-imds-down.png');
          assert.equal(since(box.emu.requests, mark).filter((r) => r.service === 'imds').length, 0, 'nothing reached IMDS');
          box.setImdsReachable(true);
          await clearNotifications(page);
          const reqs = await refreshAndWait(page);
          await assertIdentityShown(page);
          assert.ok(reqs.some((r) => r.endpoint === 'imds-token' && r.status === 200));
          return `after ${(took / 1000).toFixed(1)} s: status "${status}", notification "${note.slice(0, 140)}…", welcome view "No managed identity endpoint answers here"; address back → Refresh signed in, same window`;
        },
      );
    });

    it('identity turned off: enable-identity guidance; turned on → Refresh recovers', async () => {
      await cases.run(AREA_FAULTS, 'Identity off (IMDS answers 400 "Identity not found"), then on', 'guidance to turn System assigned on; Refresh recovers without reloading', async () => {
        await clearNotifications(page);
        box.emu.configure({ systemAssigned: false, userAssignedAttached: false });
        const mark = lastSeq(box);
        await runCommand(page, 'VM Identity: Refresh');
        const note = await waitForNotification(page, /System assigned to On/);
        await waitForTreeRow(page, /Sign in failed/, { scope: SIDEBAR });
        const tokens = tokenRequests(since(box.emu.requests, mark));
        assert.ok(tokens.length >= 1 && tokens.every((r) => r.status === 400), `400: ${statusList(tokens)}`);
        assert.equal(new Set(tokens.map((r) => r.query.resource)).size, tokens.length, 'a 400 is not retried');
        box.emu.configure({ systemAssigned: true, userAssignedAttached: true });
        await clearNotifications(page);
        await refreshAndWait(page);
        return `IMDS ${statusList(tokens)} (not retried); notification "${note.slice(0, 140)}…"; turned on → Refresh signed in`;
      });
    });

    it('hanging IMDS: time-out message within vmIdentity.timeoutSeconds (5), the UI stays responsive', async () => {
      await cases.run(AREA_FAULTS, 'IMDS accepts connections but never answers (token and instance metadata), vmIdentity.timeoutSeconds = 5', 'a time-out message within the 5 s bound (+ UI latency); the palette still opens meanwhile', async () => {
        await setRemoteSetting(server, page, 'vmIdentity.timeoutSeconds', 'Timeout Seconds', '5');
        await clearNotifications(page);
        box.emu.fault('imds-token', [{ kind: 'hang', forMs: 120_000 }]);
        box.emu.fault('imds-instance', [{ kind: 'hang', forMs: 120_000 }]);
        const t0 = Date.now();
        await runCommand(page, 'VM Identity: Refresh');
        await waitForStatusItem(page, STATUS, { text: /signing in/, timeout: 5_000 });
        // The UI is not frozen: the palette opens and closes while the sign-in waits.
        const p0 = Date.now();
        await openCommandPalette(page, 3_000);
        const paletteMs = Date.now() - p0;
        await page.keyboard.press('Escape');
        const note = await waitForNotification(page, /did not answer within/, 30_000);
        const took = Date.now() - t0;
        const status = await statusText(page);
        assert.ok(took <= 5_000 + 2_500, `time-out shown after ${took} ms (bound 5 s)`);
        assert.match(status, /VM identity: did not answer within 5 s/, 'the status bar says what happened');
        box.emu.clearFaults();
        await setRemoteSetting(server, page, 'vmIdentity.timeoutSeconds', 'Timeout Seconds', '100', true);
        await clearNotifications(page);
        await refreshAndWait(page);
        return `notification "${note}" ${(took / 1000).toFixed(1)} s after Refresh; status "${status}"; palette opened in ${paletteMs} ms meanwhile`;
      });
    });

    it('US Government cloud: management.usgovcloudapi.net with a token for it, portal.azure.us links', async () => {
      await cases.run(AREA_CLOUD, 'IMDS reports azEnvironment AzureUSGovernmentCloud', 'ARM at management.usgovcloudapi.net and Graph at graph.microsoft.us with tokens for those audiences; portal links to portal.azure.us', async () => {
        const d = box.emu.dataset;
        box.emu.configure({ azEnvironment: 'AzureUSGovernmentCloud' });
        const reqs = await refreshAndWait(page);
        await waitForTreeRow(page, /Cloud\s*Azure US Government/, { scope: SIDEBAR });
        await assertRolesShown(page);
        const arm = reqs.filter((r) => r.service === 'arm');
        const graph = reqs.filter((r) => r.service === 'graph');
        assert.ok(arm.length >= 1 && arm.every((r) => r.listener === AZURE_LISTENER && r.headers.host === 'management.usgovcloudapi.net' && r.bearer?.aud === 'https://management.usgovcloudapi.net/'), `ARM: ${JSON.stringify(arm.map((r) => [r.headers.host, r.bearer?.aud, r.status]))}`);
        assert.ok(graph.length >= 1 && graph.every((r) => r.headers.host === 'graph.microsoft.us' && r.bearer?.aud === 'https://graph.microsoft.us/'), `Graph: ${JSON.stringify(graph.map((r) => [r.headers.host, r.bearer?.aud]))}`);
        assert.ok(reqs.every((r) => r.status === 200), `all 200: ${reqs.filter((r) => r.status !== 200).map((r) => `${r.endpoint} ${r.status}`)}`);
        await screenshot(page, 'network-usgov.png');
        const portal = await openedExternalUrl(page, () => runCommand(page, 'VM Identity: Open in Azure portal'));
        assert.equal(decodeURIComponent(portal), `https://portal.azure.us/#@${d.tenantId}/resource${d.vm.resourceId}`);
        box.emu.configure({ armReadable: { [d.systemIdentity.principalId]: false } });
        await refreshAndWait(page);
        const iam = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`, { hasText: 'Open access control (IAM) in the Azure portal' }).first();
        await iam.waitFor({ state: 'visible', timeout: 15_000 });
        const iamUrl = await openedExternalUrl(page, () => iam.click());
        assert.equal(decodeURIComponent(iamUrl), `https://portal.azure.us/#@${d.tenantId}/resource${d.vm.resourceId}/users`);
        box.emu.configure({ armReadable: {} });
        const mark = lastSeq(box);
        const who = await cli(box, ['whoami', '--json']);
        assert.equal(who.code, 0, who.stderr);
        const j = JSON.parse(who.stdout);
        assert.equal(j.vm.cloud, 'AzureUSGovernmentCloud');
        assert.equal(j.token.resource, 'https://management.usgovcloudapi.net/');
        assert.ok(since(box.emu.requests, mark).some((r) => r.headers.host === 'graph.microsoft.us' && r.status === 200), 'CLI: Graph US Gov');
        return `${arm.length} ARM requests Host management.usgovcloudapi.net aud https://management.usgovcloudapi.net/, ${graph.length} Graph Host graph.microsoft.us aud https://graph.microsoft.us/; tree "Cloud: Azure US Government"; Open in Azure portal → ${portal}; IAM link → ${iamUrl}; CLI cloud ${j.vm.cloud}`;
      });
    });
  });

  // ---------------------------------------------------- VS Code: proxies

  const proxyVariants = [
    { name: 'http.proxySupport "override" (VS Code\'s default)', proxySupport: 'override', inSettings: true },
    { name: 'http.proxySupport "on"', proxySupport: 'on', inSettings: true },
    { name: 'HTTPS_PROXY/HTTP_PROXY only (no http.proxy), default http.proxySupport', proxySupport: undefined, inSettings: false },
  ] as const;
  for (const variant of proxyVariants) {
    describe(`VS Code behind a proxy: ${variant.name}`, function () {
      let server: CodeServer | undefined;
      after(async () => scanForTokensAndStop(server));

      it('IMDS never reaches the proxy; ARM and Graph go through it and succeed', async () => {
        await cases.run(
          AREA_PROXY,
          `VS Code, ${variant.inSettings ? 'http.proxy in settings + HTTPS_PROXY/HTTP_PROXY in the environment, ' : ''}${variant.name}`,
          `no identity-endpoint request at any proxy; ARM/Graph CONNECT through the ${variant.inSettings ? 'http.proxy' : 'HTTPS_PROXY'} one and succeed`,
          async () => {
            const s0 = settingsProxy.records.length;
            const e0 = envProxy.records.length;
            const mark = lastSeq(box);
            const opened = await openVsCode({
              env: { HTTPS_PROXY: envProxy.url, HTTP_PROXY: envProxy.url },
              settings: variant.inSettings ? { 'http.proxy': settingsProxy.url, 'http.proxySupport': variant.proxySupport } : {},
            });
            server = opened.server;
            const { page } = opened;
            await waitForStatusItem(page, STATUS, { text: box.emu.dataset.vm.name, timeout: 60_000 });
            await assertIdentityShown(page);
            const n = await assertRolesShown(page);
            const all = [...settingsProxy.records.slice(s0), ...envProxy.records.slice(e0)];
            assert.deepEqual(all.filter((r) => r.target.includes(IMDS_ADDRESS) || /localhost:50342|127\.0\.0\.1:50342/.test(r.target)), [], 'no identity-endpoint request at a proxy');
            const used = variant.inSettings ? settingsProxy.records.slice(s0) : envProxy.records.slice(e0);
            const other = variant.inSettings ? envProxy.records.slice(e0) : settingsProxy.records.slice(s0);
            const viaUsed = [...new Set(used.map((r) => `${r.method} ${r.target}`))].sort();
            assert.ok(viaUsed.includes('CONNECT management.azure.com:443'), `ARM through the proxy: ${viaUsed}`);
            assert.ok(viaUsed.includes('CONNECT graph.microsoft.com:443'), `Graph through the proxy: ${viaUsed}`);
            const reqs = since(box.emu.requests, mark);
            assert.ok(reqs.filter((r) => r.service === 'imds').every((r) => r.listener === IMDS_LISTENER), 'IMDS reached directly');
            assert.ok(reqs.some((r) => r.endpoint === 'arm-role-assignments' && r.status === 200));
            const viaOther = [...new Set(other.map((r) => `${r.method} ${r.target}`))];
            return variant.inSettings
              ? `http.proxy saw ${viaUsed.join(', ')}; the HTTPS_PROXY one saw ${viaOther.length ? viaOther.join(', ') : 'nothing'} (http.proxy wins); neither saw ${IMDS_ADDRESS}; IMDS answered directly; ${n} roles shown`
              : `HTTPS_PROXY proxy saw ${viaUsed.join(', ')}, never ${IMDS_ADDRESS}; IMDS answered directly; ${n} roles shown`;
          },
        );
      });
    });
  }
});
