/**
 * Shipped defaults under a realistic network, in real VS Code (code-server 4.100.3 + Chromium) and with the
 * CLI. No endpoint is overridden: no AZURE_POD_IDENTITY_AUTHORITY_HOST, no VM_IDENTITY_*. The network in a
 * box (support/networkBox.ts) makes 169.254.169.254:80 and, by name, management.azure.com /
 * graph.microsoft.com / management.usgovcloudapi.net / graph.microsoft.us on 192.0.2.10:443 the emulator's,
 * inside the namespace of scripts/netns-run.sh only. The journeys here need that network or the browser:
 * sign-in with the defaults, IMDS off the network, a sovereign cloud, TLS trust, and proxies (a table).
 * The fault matrix (410, 429, 5xx, 403, hangs, short tokens, rapid refreshes) runs in the extension host:
 * test/integration/faults.itest.ts.
 *
 *   bash scripts/netns-run.sh npx mocha --config test/e2e/.mocharc.json test/e2e/network.e2e.ts
 *
 * Each case records what it observed in test-results/cases.jsonl (support/cases.ts) for docs/TESTING.md.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { expectedView } from '../emulator';
import { runCase } from '../support/cases';
import { CLI } from '../support/spawnCli';
import { assertRoleRowsShown } from './support/checks';
import type { CodeServer } from './support/codeServer';
import { PROJECT_ROOT, VSIX as BUILT_VSIX, assertNetworkIsolated, pollUntil, timed } from './support/common';
import { AZURE_ADDRESS, IMDS_ADDRESS, assertPrivateMountNamespace } from './support/networkBox';
import { NetworkSession, STATUS, extensionLog } from './support/networkSession';
import { SIDEBAR, openActivity, waitForTreeRow, welcomeViewText } from './support/views';
import {
  clearNotifications,
  openedExternalUrl,
  runCommand,
  screenshot,
  waitForNotification,
  waitForStatusItem,
} from './support/workbench';

/** VMID_E2E_VSIX: another build to run the suite against (e.g. a mutant, to see that a case catches it). */
const VSIX = process.env.VMID_E2E_VSIX ? path.resolve(process.env.VMID_E2E_VSIX) : BUILT_VSIX;
const IMDS_LISTENER = `http://${IMDS_ADDRESS}:80`;
const AZURE_LISTENER = `https://${AZURE_ADDRESS}:443`;
const PUBLIC_ARM_AUD = 'https://management.azure.com/';
const PUBLIC_GRAPH_AUD = 'https://graph.microsoft.com/';

const AREA_DEFAULTS = 'Shipped defaults, realistic network (real VS Code + CLI)';
const AREA_PROXY = 'Proxies (real VS Code + CLI)';
const AREA_CLOUD = 'Sovereign cloud (real VS Code + CLI)';
const AREA_FAULTS = 'Faults in real VS Code, realistic network';

const cases = {
  run: (area: string, name: string, expected: string, body: () => Promise<string>) =>
    runCase({ area, name, expected }, body),
};
const countLines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

describe('Shipped defaults under a realistic network (no endpoint overrides)', function () {
  this.timeout(240_000);
  let net: NetworkSession;
  const hostsBefore = fs.readFileSync('/etc/hosts', 'utf8');

  before(async function () {
    assertNetworkIsolated();
    assertPrivateMountNamespace();
    for (const f of [VSIX, CLI])
      assert.ok(fs.existsSync(f), `${path.relative(PROJECT_ROOT, f)} exists (npm run package)`);
    const t0 = Date.now();
    net = await NetworkSession.start(VSIX);
    timed('box, proxies, .vsix, Chromium', t0);
  });

  after(async function () {
    await net?.close();
    // The box's hosts mount is gone again (it only ever existed in this mount namespace).
    assert.equal(fs.readFileSync('/etc/hosts', 'utf8'), hostsBefore, '/etc/hosts is back to what it was');
  });

  // Every subscription's assignments, once each (issue 9); the emulator computes them on its own.
  const view = () => expectedView(net.box.emu.dataset, net.box.emu.dataset.systemIdentity.principalId);
  const expected = () => view().assignmentIds.map((id) => ({ id }));
  const assertRolesShown = (page: Page) => assertRoleRowsShown(page, net.box.emu.dataset, view());

  describe('CLI', function () {
    it('signs in with no overrides and shows the same identity and roles as with overrides', async () => {
      await cases.run(
        AREA_DEFAULTS,
        'CLI with no overrides (169.254.169.254, management.azure.com over TLS)',
        'same identity and roles as with every endpoint overridden, and as the emulator expects',
        async () => {
          const mark = net.mark();
          const [who, roles] = await Promise.all([net.cli(['whoami', '--json']), net.cli(['roles', '--json'])]);
          assert.equal(who.code, 0, who.stderr);
          assert.equal(roles.code, 0, roles.stderr);
          const reqs = net.since(mark);
          const overrides = {
            AZURE_POD_IDENTITY_AUTHORITY_HOST: net.box.loopbackUrl,
            VM_IDENTITY_ARM_ENDPOINT: net.box.loopbackUrl,
            VM_IDENTITY_GRAPH_ENDPOINT: net.box.loopbackUrl,
          };
          const [whoO, rolesO] = await Promise.all([
            net.cli(['whoami', '--json'], overrides),
            net.cli(['roles', '--json'], overrides),
          ]);
          assert.equal(whoO.code, 0, whoO.stderr);
          const strip = (s: string) => {
            const j = JSON.parse(s);
            delete j.token.expiresOn;
            return j;
          };
          assert.deepEqual(strip(who.stdout), strip(whoO.stdout), 'whoami: defaults = overrides');
          assert.deepEqual(JSON.parse(roles.stdout), JSON.parse(rolesO.stdout), 'roles: defaults = overrides');
          const d = net.box.emu.dataset;
          const j = JSON.parse(who.stdout);
          assert.equal(j.principalId, d.systemIdentity.principalId);
          assert.equal(j.displayName, d.vm.name);
          assert.equal(j.vm.cloud, 'AzurePublicCloud');
          const want = expected()
            .map((a) => a.id)
            .sort();
          assert.deepEqual(
            JSON.parse(roles.stdout)
              .filter((r: { deny?: boolean }) => !r.deny)
              .map((r: { id: string }) => r.id)
              .sort(),
            want,
            "roles = the emulator's expected assignments",
          );
          // Where the default run went: IMDS on its real address, ARM/Graph by name over TLS, right audiences.
          const imds = reqs.filter((r) => r.service === 'imds');
          const arm = reqs.filter((r) => r.service === 'arm');
          const graph = reqs.filter((r) => r.service === 'graph');
          assert.ok(
            imds.length >= 3 &&
              imds.every(
                (r) => r.listener === IMDS_LISTENER && r.headers.host === IMDS_ADDRESS && r.headers.metadata === 'true',
              ),
            'IMDS at 169.254.169.254:80',
          );
          assert.ok(
            arm.length >= 2 &&
              arm.every(
                (r) =>
                  r.listener === AZURE_LISTENER &&
                  r.headers.host === 'management.azure.com' &&
                  r.bearer?.aud === PUBLIC_ARM_AUD,
              ),
            `ARM at management.azure.com: ${JSON.stringify(arm.map((r) => [r.listener, r.headers.host, r.bearer?.aud]))}`,
          );
          assert.ok(
            graph.length === 1 &&
              graph[0].listener === AZURE_LISTENER &&
              graph[0].headers.host === 'graph.microsoft.com' &&
              graph[0].bearer?.aud === PUBLIC_GRAPH_AUD,
            'Graph at graph.microsoft.com',
          );
          return `exit 0; ${want.length} roles; same output as with overrides; IMDS ${IMDS_LISTENER}, ARM Host management.azure.com aud ${PUBLIC_ARM_AUD} and Graph Host graph.microsoft.com on ${AZURE_LISTENER}`;
        },
      );
    });

    it('with HTTPS_PROXY/HTTP_PROXY: IMDS never through the proxy, ARM/Graph through it', async () => {
      await cases.run(
        AREA_PROXY,
        'CLI with HTTPS_PROXY and HTTP_PROXY',
        'the proxy sees no identity-endpoint request; ARM/Graph go through it (CONNECT :443) and succeed',
        async () => {
          const before = net.envProxy.records.length;
          const env = { HTTPS_PROXY: net.envProxy.url, HTTP_PROXY: net.envProxy.url };
          const [who, roles] = await Promise.all([
            net.cli(['whoami', '--json'], env),
            net.cli(['roles', '--json'], env),
          ]);
          assert.equal(who.code, 0, who.stderr);
          assert.equal(roles.code, 0, roles.stderr);
          assert.equal(JSON.parse(roles.stdout).filter((r: { deny?: boolean }) => !r.deny).length, expected().length);
          const records = net.envProxy.records.slice(before);
          assert.deepEqual(
            records.filter((r) => r.target.includes(IMDS_ADDRESS) || r.target.includes('localhost:50342')),
            [],
            'no identity request at the proxy',
          );
          const targets = [...new Set(records.map((r) => `${r.method} ${r.target}`))].sort();
          assert.deepEqual(targets, ['CONNECT graph.microsoft.com:443', 'CONNECT management.azure.com:443']);
          return `proxy saw ${records.length} requests: ${targets.join(', ')}; none for ${IMDS_ADDRESS}; roles listed`;
        },
      );
    });
  });

  describe('VS Code: test CA only in NODE_EXTRA_CA_CERTS', function () {
    let server: CodeServer | undefined;
    after(async () => {
      await net.scanForTokensAndStop(server);
      net.box.trustCaInSystemStore(true);
    });

    it('documents what a private CA needs in VS Code (the OS store, not NODE_EXTRA_CA_CERTS)', async () => {
      await cases.run(
        AREA_DEFAULTS,
        'VS Code, ARM CA trusted only through NODE_EXTRA_CA_CERTS (http.systemCertificates on, the default)',
        'identity signs in (IMDS is plain http); roles show an error node naming the untrusted certificate and the trust store, no retries, no hang',
        async () => {
          net.box.trustCaInSystemStore(false);
          const mark = net.mark();
          const opened = await net.openVsCode();
          server = opened.server;
          const { page } = opened;
          await openActivity(page, 'VM Identity');
          const rows = await waitForTreeRow(
            page,
            /Cannot read role assignments: management\.azure\.com presented a TLS certificate this machine does not trust/i,
            { scope: SIDEBAR, timeout: 60_000 },
          );
          const errorRow = rows.find((r) => /Cannot read role assignments/.test(r))!;
          const log = await pollUntil(
            () => {
              const text = extensionLog(server!);
              return /roleAssignments failed: \w+ \(.*UNABLE_TO_VERIFY_LEAF_SIGNATURE/.test(text) ? text : undefined;
            },
            { timeout: 10_000, message: 'the log names the TLS failure' },
          );
          assert.equal(
            countLines(log, /management\.azure\.com.*retrying/),
            0,
            'an untrusted certificate is not retried',
          );
          assert.ok(
            rows.some((r) => r.includes(net.box.emu.dataset.systemIdentity.principalId)),
            'the identity is still shown',
          );
          assert.ok(
            net.since(mark).some((r) => r.endpoint === 'imds-token' && r.status === 200),
            'IMDS answered',
          );
          assert.equal(
            net.since(mark).filter((r) => r.service === 'arm' || r.service === 'graph').length,
            0,
            'no ARM/Graph request got through the TLS handshake',
          );
          return `"${errorRow}", not retried — with http.systemCertificates on, VS Code adds the OS certificates to each TLS context with addCACert, which in Node 20 swaps the default store (where NODE_EXTRA_CA_CERTS is) for Node's bundled roots + those; the CLI honours NODE_EXTRA_CA_CERTS. The rest of this suite adds the CA to the OS bundle (in the namespace only).`;
        },
      );
    });
  });

  describe('VS Code with shipped defaults, no proxy', function () {
    let server: CodeServer;
    let page: Page;

    before(async function () {
      net.box.trustCaInSystemStore(true);
      net.box.emu.resetLog();
      const t0 = Date.now();
      ({ server, page } = await net.openVsCode());
      timed('code-server + workbench', t0);
    });
    after(async () => {
      if (page) await screenshot(page, 'network-last.png').catch(() => undefined);
      await net.scanForTokensAndStop(server);
    });
    afterEach(async function () {
      net.box.emu.clearFaults();
      net.box.setImdsReachable(true);
      net.box.emu.configure({ armReadable: {}, azEnvironment: 'AzurePublicCloud' });
      if (this.currentTest?.state === 'failed') {
        // Leave a signed-in session for the next case.
        await page.keyboard.press('Escape').catch(() => undefined);
        await net.refreshAndWait(page).catch(() => undefined);
      }
    });

    it('signs in automatically at startup and shows the expected identity and roles', async () => {
      await cases.run(
        AREA_DEFAULTS,
        'VS Code with no overrides: automatic sign-in at startup',
        'status shows the identity; tree shows the identity, the VM and exactly the expected roles; IMDS at 169.254.169.254, ARM/Graph by name over TLS',
        async () => {
          const d = net.box.emu.dataset;
          await waitForStatusItem(page, STATUS, { text: d.vm.name, timeout: 60_000 });
          await net.assertIdentityShown(page);
          const n = await assertRolesShown(page);
          await screenshot(page, 'network-signed-in.png');
          const reqs = net.box.emu.requests;
          const imds = reqs.filter((r) => r.service === 'imds');
          const arm = reqs.filter((r) => r.service === 'arm');
          const graph = reqs.filter((r) => r.service === 'graph');
          assert.ok(
            imds.length >= 2 && imds.every((r) => r.listener === IMDS_LISTENER && r.headers.host === IMDS_ADDRESS),
            'IMDS at 169.254.169.254:80',
          );
          assert.ok(
            arm.length >= 2 &&
              arm.every(
                (r) =>
                  r.listener === AZURE_LISTENER &&
                  r.headers.host === 'management.azure.com' &&
                  r.bearer?.aud === PUBLIC_ARM_AUD,
              ),
            'ARM: management.azure.com with an ARM token',
          );
          assert.ok(
            graph.length >= 1 &&
              graph.every(
                (r) =>
                  r.listener === AZURE_LISTENER &&
                  r.headers.host === 'graph.microsoft.com' &&
                  r.bearer?.aud === PUBLIC_GRAPH_AUD,
              ),
            'Graph: graph.microsoft.com with a Graph token',
          );
          assert.equal(reqs.filter((r) => r.status === 0 || r.status >= 400).length, 0, 'every request answered 2xx');
          return `status "${d.vm.name}"; identity, VM and ${n}/${n} expected roles in the tree; ${imds.length} IMDS requests to ${IMDS_LISTENER}, ${arm.length} ARM (Host management.azure.com, aud ${PUBLIC_ARM_AUD}) and ${graph.length} Graph requests to ${AZURE_LISTENER}`;
        },
      );
    });

    it('IMDS unreachable: clear guidance; reachable again → Refresh recovers without reloading', async () => {
      await cases.run(
        AREA_FAULTS,
        'IMDS down (169.254.169.254 taken off the network: ENETUNREACH, as off Azure), then back',
        'status "no identity endpoint", a notification and the welcome view explain; Refresh recovers in the same window',
        async () => {
          await clearNotifications(page);
          net.box.setImdsReachable(false);
          const mark = net.mark();
          const t0 = Date.now();
          await runCommand(page, 'VM Identity: Refresh');
          const status = await waitForStatusItem(page, STATUS, { text: /no identity endpoint/, timeout: 20_000 });
          const note = await waitForNotification(page, /does not answer/);
          const took = Date.now() - t0;
          await openActivity(page, 'VM Identity');
          const welcomeText = await welcomeViewText(page);
          assert.match(welcomeText, /No managed identity endpoint answers here/);
          await screenshot(page, 'network-imds-down.png');
          assert.equal(net.since(mark).filter((r) => r.service === 'imds').length, 0, 'nothing reached IMDS');
          net.box.setImdsReachable(true);
          await clearNotifications(page);
          const reqs = await net.refreshAndWait(page);
          await net.assertIdentityShown(page);
          assert.ok(reqs.some((r) => r.endpoint === 'imds-token' && r.status === 200));
          return `after ${(took / 1000).toFixed(1)} s: status "${status}", notification "${note.slice(0, 140)}…", welcome view "No managed identity endpoint answers here"; address back → Refresh signed in, same window`;
        },
      );
    });

    it('US Government cloud: management.usgovcloudapi.net with a token for it, portal.azure.us links', async () => {
      await cases.run(
        AREA_CLOUD,
        'IMDS reports azEnvironment AzureUSGovernmentCloud',
        'ARM at management.usgovcloudapi.net and Graph at graph.microsoft.us with tokens for those audiences; portal links to portal.azure.us',
        async () => {
          const d = net.box.emu.dataset;
          net.box.emu.configure({ azEnvironment: 'AzureUSGovernmentCloud' });
          const reqs = await net.refreshAndWait(page);
          await waitForTreeRow(page, /Cloud\s*Azure US Government/, { scope: SIDEBAR });
          await assertRolesShown(page);
          const arm = reqs.filter((r) => r.service === 'arm');
          const graph = reqs.filter((r) => r.service === 'graph');
          assert.ok(
            arm.length >= 1 &&
              arm.every(
                (r) =>
                  r.listener === AZURE_LISTENER &&
                  r.headers.host === 'management.usgovcloudapi.net' &&
                  r.bearer?.aud === 'https://management.usgovcloudapi.net/',
              ),
            `ARM: ${JSON.stringify(arm.map((r) => [r.headers.host, r.bearer?.aud, r.status]))}`,
          );
          assert.ok(
            graph.length >= 1 &&
              graph.every(
                (r) => r.headers.host === 'graph.microsoft.us' && r.bearer?.aud === 'https://graph.microsoft.us/',
              ),
            `Graph: ${JSON.stringify(graph.map((r) => [r.headers.host, r.bearer?.aud]))}`,
          );
          assert.ok(
            reqs.every((r) => r.status === 200),
            `all 200: ${reqs.filter((r) => r.status !== 200).map((r) => `${r.endpoint} ${r.status}`)}`,
          );
          await screenshot(page, 'network-usgov.png');
          const portal = await openedExternalUrl(net.browser.context, page, () =>
            runCommand(page, 'VM Identity: Open in Azure portal'),
          );
          assert.equal(
            decodeURIComponent(portal),
            `https://portal.azure.us/#@${d.tenantId}/resource${d.vm.resourceId}`,
          );
          net.box.emu.configure({ armReadable: { [d.systemIdentity.principalId]: false } });
          await net.refreshAndWait(page);
          const iam = page
            .locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`, {
              hasText: 'Open access control (IAM) in the Azure portal',
            })
            .first();
          await iam.waitFor({ state: 'visible', timeout: 15_000 });
          const iamUrl = await openedExternalUrl(net.browser.context, page, () => iam.click());
          // Nothing readable: the grant that fixes it is at the subscription, so its IAM page (issue 9), in the US Gov portal.
          assert.equal(
            decodeURIComponent(iamUrl),
            `https://portal.azure.us/#@${d.tenantId}/resource/subscriptions/${d.subscriptionId}/users`,
          );
          net.box.emu.configure({ armReadable: {} });
          const mark = net.mark();
          const who = await net.cli(['whoami', '--json']);
          assert.equal(who.code, 0, who.stderr);
          const j = JSON.parse(who.stdout);
          assert.equal(j.vm.cloud, 'AzureUSGovernmentCloud');
          assert.equal(j.token.resource, 'https://management.usgovcloudapi.net/');
          assert.ok(
            net.since(mark).some((r) => r.headers.host === 'graph.microsoft.us' && r.status === 200),
            'CLI: Graph US Gov',
          );
          return `${arm.length} ARM requests Host management.usgovcloudapi.net aud https://management.usgovcloudapi.net/, ${graph.length} Graph Host graph.microsoft.us aud https://graph.microsoft.us/; tree "Cloud: Azure US Government"; Open in Azure portal → ${portal}; IAM link → ${iamUrl}; CLI cloud ${j.vm.cloud}`;
        },
      );
    });
  });

  const proxyVariants = [
    { name: 'http.proxySupport "override" (VS Code\'s default)', proxySupport: 'override', inSettings: true },
    { name: 'http.proxySupport "on"', proxySupport: 'on', inSettings: true },
    {
      name: 'HTTPS_PROXY/HTTP_PROXY only (no http.proxy), default http.proxySupport',
      proxySupport: undefined,
      inSettings: false,
    },
  ] as const;
  for (const variant of proxyVariants) {
    describe(`VS Code behind a proxy: ${variant.name}`, function () {
      let server: CodeServer | undefined;
      after(async () => net.scanForTokensAndStop(server));

      it('IMDS never reaches the proxy; ARM and Graph go through it and succeed', async () => {
        await cases.run(
          AREA_PROXY,
          `VS Code, ${variant.inSettings ? 'http.proxy in settings + HTTPS_PROXY/HTTP_PROXY in the environment, ' : ''}${variant.name}`,
          `no identity-endpoint request at any proxy; ARM/Graph CONNECT through the ${variant.inSettings ? 'http.proxy' : 'HTTPS_PROXY'} one and succeed`,
          async () => {
            const s0 = net.settingsProxy.records.length;
            const e0 = net.envProxy.records.length;
            const mark = net.mark();
            const opened = await net.openVsCode({
              env: { HTTPS_PROXY: net.envProxy.url, HTTP_PROXY: net.envProxy.url },
              settings: variant.inSettings
                ? { 'http.proxy': net.settingsProxy.url, 'http.proxySupport': variant.proxySupport }
                : {},
            });
            server = opened.server;
            const { page } = opened;
            await waitForStatusItem(page, STATUS, { text: net.box.emu.dataset.vm.name, timeout: 60_000 });
            await net.assertIdentityShown(page);
            const n = await assertRolesShown(page);
            const all = [...net.settingsProxy.records.slice(s0), ...net.envProxy.records.slice(e0)];
            assert.deepEqual(
              all.filter((r) => r.target.includes(IMDS_ADDRESS) || /localhost:50342|127\.0\.0\.1:50342/.test(r.target)),
              [],
              'no identity-endpoint request at a proxy',
            );
            const used = variant.inSettings ? net.settingsProxy.records.slice(s0) : net.envProxy.records.slice(e0);
            const other = variant.inSettings ? net.envProxy.records.slice(e0) : net.settingsProxy.records.slice(s0);
            const viaUsed = [...new Set(used.map((r) => `${r.method} ${r.target}`))].sort();
            assert.ok(viaUsed.includes('CONNECT management.azure.com:443'), `ARM through the proxy: ${viaUsed}`);
            assert.ok(viaUsed.includes('CONNECT graph.microsoft.com:443'), `Graph through the proxy: ${viaUsed}`);
            const reqs = net.since(mark);
            assert.ok(
              reqs.filter((r) => r.service === 'imds').every((r) => r.listener === IMDS_LISTENER),
              'IMDS reached directly',
            );
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
