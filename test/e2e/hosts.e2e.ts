/**
 * Identity hosts besides the Azure VM (issue 10) in real VS Code (code-server 4.100.3) driven in Chromium, inside a
 * network namespace with only `lo`: code-server is started with the environment the host sets (docs/HOSTS.md), the
 * host itself is the emulator's (test/emulator/hosts) on loopback, ARM and Graph are the emulator's. One code-server
 * per host, since a host is told by the environment the extension host inherits.
 *   - Cloud Shell: the signed-in user, shown as such, no Graph service-principal lookup, roles from /subscriptions.
 *   - AKS workload identity: the federated token file exchanged at the Entra endpoint, never IMDS.
 *   - Not Azure: an AWS-like metadata server at the IMDS address → "not an Azure VM", no retry.
 * The Cloud Shell screenshot is the README's (docs/screenshots/cloud-shell-user.png).
 */
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { BUILT_IN_ROLE_IDS, type Emulator, type ExpectedView, expectedView, startEmulator } from '../emulator';
import { runCase } from '../support/cases';
import { type Browser, launchBrowser } from './support/browser';
import { type CodeServer, installVsix, startCodeServer, workbenchUrl } from './support/codeServer';
import { VSIX, assertNetworkIsolated, mkTemp, pollUntil, rmrf } from './support/common';
import { SIDEBAR, openActivity, treeRows, waitForTreeRow, widenSidebar } from './support/views';
import { openWorkbench, screenshot, statusItem, waitForStatusItem } from './support/workbench';

const STATUS = 'vm-identity.vm-identity.vmIdentity.status';
const AREA = 'identity hosts (real VS Code)';

interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
}

/** Unfolds every collapsed row of the sidebar tree (few rows here: no virtualisation to work around). */
async function expandAll(page: Page): Promise<void> {
  const collapsed = page.locator(`${SIDEBAR} .monaco-list-row[role="treeitem"][aria-expanded="false"]`);
  await pollUntil(
    async () => {
      const n = await collapsed.count();
      if (n === 0) return true;
      await collapsed.first().locator('.monaco-tl-twistie').click();
      return false;
    },
    { timeout: 20_000, interval: 200, message: 'every tree row unfolded' },
  );
}

/** The hover of the status bar item (its Markdown tooltip), whitespace collapsed. */
async function statusHover(page: Page): Promise<string> {
  await statusItem(page, STATUS).hover();
  const hover = page
    .locator('.monaco-hover, .workbench-hover')
    .filter({ hasText: /Signed in as/ })
    .first();
  await hover.waitFor({ state: 'visible', timeout: 15_000 });
  const text = (await hover.innerText()).replace(/\s+/g, ' ');
  await page.mouse.move(700, 300);
  return text;
}

/**
 * The roles the tree shows against the emulator's expected view for the principal: the section's count, one group
 * per subscription `GET /subscriptions` lists for it, and a "Role — scope" row per assignment.
 */
async function assertRolesMatch(emu: Emulator, page: Page, view: ExpectedView): Promise<string> {
  assert.ok(view.assignmentIds.length > 0, 'the expected view has assignments to compare');
  const roleName = new Map(emu.dataset.roleDefinitions.map((r) => [r.name.toLowerCase(), r.properties.roleName]));
  await waitForTreeRow(page, new RegExp(`^Role assignments\\s*${view.assignmentIds.length}$`), { scope: SIDEBAR });
  await expandAll(page);
  const rows = await treeRows(page, SIDEBAR);
  for (const sub of view.subscriptions) {
    assert.ok(
      rows.some((r) => r.startsWith(sub.displayName)),
      `a group for subscription ${sub.displayName}: ${JSON.stringify(rows)}`,
    );
  }
  const all = view.subscriptions.flatMap((s) => s.assignments);
  for (const id of view.assignmentIds) {
    const a = all.find((x) => x.id === id)!;
    const label = `${roleName.get(a.roleDefinitionId.split('/').pop()!.toLowerCase())} — ${a.scope.split('/').pop()}`;
    assert.ok(
      rows.some((r) => r.startsWith(label)),
      `row "${label}" shown: ${JSON.stringify(rows)}`,
    );
  }
  // Deny assignments that apply to the principal (e.g. to everyone), listed where its roles were read.
  const denies = view.subscriptions.flatMap((s) => s.denyAssignments);
  for (const d of denies) {
    const label = `${d.denyAssignmentName} — ${d.scope.split('/').pop()}`;
    assert.ok(
      rows.some((r) => r.startsWith(label)),
      `deny row "${label}" shown: ${JSON.stringify(rows)}`,
    );
  }
  const counts = `${view.assignmentIds.length} assignments, ${denies.length} deny assignment(s)`;
  return `${counts} in ${view.subscriptions.length} subscription(s), as expected-view`;
}

describe('Identity hosts in real VS Code (issue 10)', function () {
  this.timeout(240_000);
  let tmp: string;
  let emu: Emulator;
  let extensionsDir: string;
  let folder: string;

  before(async function () {
    assertNetworkIsolated();
    tmp = mkTemp('vmid-hosts-');
    emu = await startEmulator({
      dataset: { assignments: 8, userAssignedIdentities: 2 },
      listen: [{ host: '127.0.0.1', port: 0 }],
    });
    folder = path.join(tmp, 'workspace');
    fs.mkdirSync(folder, { recursive: true });
    extensionsDir = path.join(tmp, 'extensions');
    await installVsix(VSIX, extensionsDir);
  });

  after(async function () {
    await emu?.close();
    if (tmp) rmrf(tmp);
  });

  /** code-server with the host's environment (ARM, Graph and the IMDS address on the emulator), signed in on start. */
  async function withWorkbench(env: Record<string, string>, body: (w: Workbench) => Promise<void>): Promise<void> {
    const server = await startCodeServer({
      folder,
      extensionsDir,
      // Variables a host sets that this run did not choose must not leak in from the shell.
      unsetEnv: /^(AZURE_|MSI_|IDENTITY_|IMDS_|VM_IDENTITY_)/,
      env: {
        AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
        VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
        VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
        ...env,
      },
    });
    let browser: Browser | undefined;
    try {
      browser = await launchBrowser({ viewport: { width: 1400, height: 1000 } });
      await openWorkbench(browser.page, workbenchUrl(server, { folder }));
      await body({ server, browser, page: browser.page });
    } finally {
      await browser?.close();
      await server.stop();
    }
  }

  /** A role assignment made through the emulator's control API, as an admin makes one in the portal. */
  async function grant(principalId: string, roleDefinitionGuid: string, scope: string): Promise<void> {
    const res = await fetch(`${emu.httpUrl}/_emulator/role-assignments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ principalId, roleDefinitionGuid, scope, principalType: 'User' }),
    });
    assert.equal(res.status, 201, await res.text());
  }

  async function stopHost(name: string): Promise<void> {
    const res = await fetch(`${emu.httpUrl}/_emulator/hosts/${name}`, { method: 'DELETE' });
    assert.equal(res.status, 204);
  }

  it('Cloud Shell: the signed-in user, said to be no managed identity; no Graph lookup; roles from /subscriptions', async () => {
    const spec = {
      area: AREA,
      name: 'Cloud Shell (MSI_ENDPOINT, user token): status bar, tree, Graph, roles',
      expected:
        '"Cloud Shell user — not a managed identity" in tree and hover; no Graph request; roles = expected-view of the user',
    };
    await runCase(spec, async () => {
      const user = {
        userObjectId: randomUUID(),
        upn: 'ada.lovelace@contoso.onmicrosoft.com',
        displayName: 'Ada Lovelace',
      };
      const shell = await emu.startHost({ kind: 'cloud-shell', options: user });
      // A Cloud Shell user holds roles of their own (assigned to the user, not to any identity): Reader on the
      // VM's subscription, Contributor on its resource group, Reader on a second subscription. ARM's
      // GET /subscriptions then lists both (test/emulator/arm.ts visibleSubscriptions).
      const d = emu.dataset;
      const other = d.subscriptions.find((s) => s.id !== d.scopes.subscription);
      await grant(user.userObjectId, BUILT_IN_ROLE_IDS.reader, d.scopes.subscription);
      await grant(user.userObjectId, BUILT_IN_ROLE_IDS.contributor, d.scopes.resourceGroup);
      if (other) await grant(user.userObjectId, BUILT_IN_ROLE_IDS.reader, other.id);
      const view = expectedView(d, user.userObjectId);
      emu.resetLog();
      let observed = '';
      await withWorkbench(shell.env, async ({ page }) => {
        await waitForStatusItem(page, STATUS, { text: user.displayName, timeout: 60_000 });
        await openActivity(page, 'VM Identity');
        await widenSidebar(page, 620);
        const rows = await waitForTreeRow(page, /^Type\s*Cloud Shell user — not a managed identity$/, {
          scope: SIDEBAR,
        });
        assert.ok(
          rows.some((r) => r.includes(user.userObjectId)),
          "the user's object ID is the principal ID shown",
        );
        const hover = await statusHover(page);
        assert.match(hover, /Signed in as the Cloud Shell user — not a managed identity/);
        observed = await assertRolesMatch(emu, page, view);
        await screenshot(page, 'cloud-shell-user.png');
      });
      const graph = emu.requests.filter((r) => r.service === 'graph');
      assert.deepEqual(
        graph.map((r) => `${r.method} ${r.path}`),
        [],
        'no Graph request for a user',
      );
      const subs = emu.requests.filter(
        (r) => r.endpoint === 'arm-subscriptions' && r.bearer?.oid === user.userObjectId,
      );
      assert.ok(subs.length >= 1, "GET /subscriptions asked with the user's token");
      assert.equal(emu.requests.filter((r) => r.service === 'imds').length, 0, 'IMDS not asked');
      const tokens = shell.requests.filter((r) => r.method === 'POST' && r.status === 200);
      assert.ok(tokens.length >= 1, "tokens from Cloud Shell's endpoint (POST)");
      await stopHost(shell.name);
      return `${observed}; 0 Graph requests, ${subs.length}× GET /subscriptions, ${tokens.length} Cloud Shell token(s)`;
    });
  });

  it('AKS workload identity: federated token file exchanged at Entra, shown as the workload identity, roles listed', async () => {
    const spec = {
      area: AREA,
      name: 'AKS workload identity (AZURE_FEDERATED_TOKEN_FILE + client/tenant + AZURE_AUTHORITY_HOST)',
      expected: 'client-assertion exchange at {authority}/{tenant}/oauth2/v2.0/token; no IMDS; type and roles shown',
    };
    await runCase(spec, async () => {
      const wi = await emu.startHost({ kind: 'workload-identity' });
      const uami = emu.dataset.userAssignedIdentities.find((u) => u.clientId === wi.env.AZURE_CLIENT_ID)!;
      assert.ok(uami, "the workload identity is one of the dataset's identities");
      // The file kubelet projects into the pod: a service-account token from the cluster's issuer.
      const tokenFile = path.join(tmp, 'azure-identity-token');
      fs.writeFileSync(tokenFile, String(wi.action('serviceAccountToken', {})), { mode: 0o600 });
      const view = expectedView(emu.dataset, uami.principalId);
      emu.resetLog();
      let observed = '';
      await withWorkbench({ ...wi.env, AZURE_FEDERATED_TOKEN_FILE: tokenFile }, async ({ page }) => {
        await waitForStatusItem(page, STATUS, { text: uami.name, timeout: 60_000 });
        await openActivity(page, 'VM Identity');
        await widenSidebar(page, 620);
        const rows = await waitForTreeRow(page, /^Type\s*workload identity \(federated, Entra app\)$/, {
          scope: SIDEBAR,
        });
        assert.ok(
          rows.some((r) => r.includes(uami.principalId)),
          "the app's principal ID is shown",
        );
        const hover = await statusHover(page);
        assert.match(hover, /Signed in as the workload identity/);
        observed = await assertRolesMatch(emu, page, view);
        await screenshot(page, 'workload-identity.png');
      });
      const exchanges = wi.requests.filter(
        (r) => r.method === 'POST' && r.path === `/${wi.env.AZURE_TENANT_ID}/oauth2/v2.0/token`,
      );
      assert.ok(exchanges.length >= 1 && exchanges.every((r) => r.status === 200), JSON.stringify(exchanges));
      assert.equal(emu.requests.filter((r) => r.service === 'imds').length, 0, "IMDS (the node's identity) not asked");
      await stopHost(wi.name);
      return `${observed}; ${exchanges.length} token exchange(s) at the Entra endpoint (200), 0 IMDS requests`;
    });
  });

  it('Not Azure: an AWS-like metadata server at the IMDS address → "not an Azure VM", no retries', async () => {
    const spec = {
      area: AREA,
      name: 'an AWS metadata server (HTML 404, Server: EC2ws) at the IMDS address',
      expected: '"not an Azure VM (AWS/GCP/other)" in status bar and tree; each metadata path asked once',
    };
    await runCase(spec, async () => {
      const aws = await emu.startHost({ kind: 'not-azure', name: 'aws', options: { flavor: 'aws' } });
      let observed = '';
      await withWorkbench({ AZURE_POD_IDENTITY_AUTHORITY_HOST: aws.url }, async ({ page }) => {
        const status = await waitForStatusItem(page, STATUS, { text: /not an Azure VM/, timeout: 60_000 });
        await openActivity(page, 'VM Identity');
        const rows = await waitForTreeRow(page, /answers the metadata address but is not an Azure VM/, {
          scope: SIDEBAR,
        });
        assert.ok(!rows.some((r) => /proxy/i.test(r)), `no proxy blamed: ${JSON.stringify(rows)}`);
        observed = `status "${status}"; ${rows.find((r) => /not an Azure VM/.test(r))}`;
      });
      // Sign-in asks, in parallel, the instance metadata and a token for ARM and one for Graph (the display name):
      // each must be asked exactly once — an HTML answer without `Server: IMDS/…` is final, not retried.
      const asked = aws.requests.map((r) => `${r.method} ${r.path}${r.query.resource ? ` (${r.query.resource})` : ''}`);
      const perRequest = new Map<string, number>();
      for (const a of asked) perRequest.set(a, (perRequest.get(a) ?? 0) + 1);
      assert.deepEqual(
        [...perRequest].filter(([, n]) => n !== 1),
        [],
        `a request was retried: ${JSON.stringify(asked)}`,
      );
      const tokenAsks = asked.filter((a) => a.startsWith('GET /metadata/identity/oauth2/token'));
      assert.ok(
        tokenAsks.length >= 1 && tokenAsks.length <= 2,
        `one token request per resource: ${JSON.stringify(asked)}`,
      );
      return `${observed}; requests: ${asked.join(', ')}`;
    });
  });
});
