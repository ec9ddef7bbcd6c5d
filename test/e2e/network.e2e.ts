/**
 * Shipped defaults under a realistic network, in real VS Code (code-server 4.100.3 + Chromium) and with the
 * CLI. No endpoint is overridden: no AZURE_POD_IDENTITY_AUTHORITY_HOST, no VM_IDENTITY_*. The network in a
 * box (support/networkBox.ts) makes 169.254.169.254:80 and, by name, management.azure.com /
 * graph.microsoft.com / management.usgovcloudapi.net / graph.microsoft.us on 192.0.2.10:443 the emulator's,
 * inside the namespace of scripts/netns-run.sh only. The journeys here need that network or the browser:
 * sign-in with the defaults, IMDS off the network, a sovereign cloud, TLS trust; the CLI and the proxies
 * are in networkProxy.e2e.ts.
 * The fault matrix (410, 429, 5xx, 403, hangs, short tokens, rapid refreshes) runs in the extension host:
 * test/integration/faults.itest.ts.
 *
 *   bash scripts/netns-run.sh npx mocha --config test/e2e/.mocharc.json test/e2e/network.e2e.ts
 *
 * Each case records what it observed in test-results/cases.jsonl (support/cases.ts) for docs/TESTING.md.
 */
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { CodeServer } from './support/codeServer';
import { pollUntil, timed } from './support/common';
import { STATUS, extensionLog } from './support/networkSession';
import {
  AREA_CLOUD,
  AREA_DEFAULTS,
  AREA_FAULTS,
  AZURE_LISTENER,
  IMDS_LISTENER,
  PUBLIC_ARM_AUD,
  cases,
  countLines,
  assertShippedRouting,
  useNetworkSession,
} from './support/networkSuite';

import { SIDEBAR, openActivity, waitForTreeRow, welcomeViewText } from './support/views';
import {
  clearNotifications,
  openedExternalUrl,
  runCommand,
  screenshot,
  waitForNotification,
  waitForStatusItem,
} from './support/workbench';

describe('Shipped defaults under a realistic network (no endpoint overrides)', function () {
  this.timeout(240_000);
  const suite = useNetworkSession();

  describe('VS Code: test CA only in NODE_EXTRA_CA_CERTS', function () {
    let server: CodeServer | undefined;
    after(async () => {
      await suite.net.scanForTokensAndStop(server);
      suite.net.box.trustCaInSystemStore(true);
    });

    it('documents what a private CA needs in VS Code (the OS store, not NODE_EXTRA_CA_CERTS)', async () => {
      await cases.run(
        AREA_DEFAULTS,
        'VS Code, ARM CA trusted only through NODE_EXTRA_CA_CERTS (http.systemCertificates on, the default)',
        'identity signs in (IMDS is plain http); roles show an error node naming the untrusted certificate and the trust store, no retries, no hang',
        async () => {
          suite.net.box.trustCaInSystemStore(false);
          const mark = suite.net.mark();
          const opened = await suite.net.openVsCode();
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
            rows.some((r) => r.includes(suite.net.box.emu.dataset.systemIdentity.principalId)),
            'the identity is still shown',
          );
          assert.ok(
            suite.net.since(mark).some((r) => r.endpoint === 'imds-token' && r.status === 200),
            'IMDS answered',
          );
          assert.equal(
            suite.net.since(mark).filter((r) => r.service === 'arm' || r.service === 'graph').length,
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
      suite.net.box.trustCaInSystemStore(true);
      suite.net.box.emu.resetLog();
      const t0 = Date.now();
      ({ server, page } = await suite.net.openVsCode());
      timed('code-server + workbench', t0);
    });
    after(async () => {
      if (page) await screenshot(page, 'network-last.png').catch(() => undefined);
      await suite.net.scanForTokensAndStop(server);
    });
    afterEach(async function () {
      suite.net.box.emu.clearFaults();
      suite.net.box.setImdsReachable(true);
      suite.net.box.emu.configure({ armReadable: {}, azEnvironment: 'AzurePublicCloud' });
      if (this.currentTest?.state === 'failed') {
        // Leave a signed-in session for the next case.
        await page.keyboard.press('Escape').catch(() => undefined);
        await suite.net.refreshAndWait(page).catch(() => undefined);
      }
    });

    it('signs in automatically at startup and shows the expected identity and roles', async () => {
      await cases.run(
        AREA_DEFAULTS,
        'VS Code with no overrides: automatic sign-in at startup',
        'status shows the identity; tree shows the identity, the VM and exactly the expected roles; IMDS at 169.254.169.254, ARM/Graph by name over TLS',
        async () => {
          const d = suite.net.box.emu.dataset;
          await waitForStatusItem(page, STATUS, { text: d.vm.name, timeout: 60_000 });
          await suite.net.assertIdentityShown(page);
          const n = await suite.assertRolesShown(page);
          await screenshot(page, 'network-signed-in.png');
          const reqs = suite.net.box.emu.requests;
          const { imds, arm, graph } = assertShippedRouting(reqs, { minImds: 2, graph: 'some' });
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
          suite.net.box.setImdsReachable(false);
          const mark = suite.net.mark();
          const t0 = Date.now();
          await runCommand(page, 'VM Identity: Refresh');
          const status = await waitForStatusItem(page, STATUS, { text: /no identity endpoint/, timeout: 20_000 });
          const note = await waitForNotification(page, /does not answer/);
          const took = Date.now() - t0;
          await openActivity(page, 'VM Identity');
          const welcomeText = await welcomeViewText(page);
          assert.match(welcomeText, /No managed identity endpoint answers here/);
          await screenshot(page, 'network-imds-down.png');
          assert.equal(suite.net.since(mark).filter((r) => r.service === 'imds').length, 0, 'nothing reached IMDS');
          suite.net.box.setImdsReachable(true);
          await clearNotifications(page);
          const reqs = await suite.net.refreshAndWait(page);
          await suite.net.assertIdentityShown(page);
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
          const d = suite.net.box.emu.dataset;
          suite.net.box.emu.configure({ azEnvironment: 'AzureUSGovernmentCloud' });
          const reqs = await suite.net.refreshAndWait(page);
          await waitForTreeRow(page, /Cloud\s*Azure US Government/, { scope: SIDEBAR });
          await suite.assertRolesShown(page);
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
          const portal = await openedExternalUrl(suite.net.browser.context, page, () =>
            runCommand(page, 'VM Identity: Open in Azure portal'),
          );
          assert.equal(
            decodeURIComponent(portal),
            `https://portal.azure.us/#@${d.tenantId}/resource${d.vm.resourceId}`,
          );
          suite.net.box.emu.configure({ armReadable: { [d.systemIdentity.principalId]: false } });
          await suite.net.refreshAndWait(page);
          const iam = page
            .locator(`${SIDEBAR} .monaco-list-row[role="treeitem"]`, {
              hasText: 'Open access control (IAM) in the Azure portal',
            })
            .first();
          await iam.waitFor({ state: 'visible', timeout: 15_000 });
          const iamUrl = await openedExternalUrl(suite.net.browser.context, page, () => iam.click());
          // Nothing readable: the grant that fixes it is at the subscription, so its IAM page (issue 9), in the US Gov portal.
          assert.equal(
            decodeURIComponent(iamUrl),
            `https://portal.azure.us/#@${d.tenantId}/resource/subscriptions/${d.subscriptionId}/users`,
          );
          suite.net.box.emu.configure({ armReadable: {} });
          const mark = suite.net.mark();
          const who = await suite.net.cli(['whoami', '--json']);
          assert.equal(who.code, 0, who.stderr);
          const j = JSON.parse(who.stdout);
          assert.equal(j.vm.cloud, 'AzureUSGovernmentCloud');
          assert.equal(j.token.resource, 'https://management.usgovcloudapi.net/');
          assert.ok(
            suite.net.since(mark).some((r) => r.headers.host === 'graph.microsoft.us' && r.status === 200),
            'CLI: Graph US Gov',
          );
          return `${arm.length} ARM requests Host management.usgovcloudapi.net aud https://management.usgovcloudapi.net/, ${graph.length} Graph Host graph.microsoft.us aud https://graph.microsoft.us/; tree "Cloud: Azure US Government"; Open in Azure portal → ${portal}; IAM link → ${iamUrl}; CLI cloud ${j.vm.cloud}`;
        },
      );
    });
  });
});
