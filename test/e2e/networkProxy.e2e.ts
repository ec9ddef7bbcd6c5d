/**
 * The realistic network (see network.e2e.ts) for the CLI with its shipped defaults and with HTTPS_PROXY, and for
 * VS Code behind a proxy in each of its proxy modes: the identity endpoint never goes through a proxy; ARM and
 * Graph do, and succeed.
 *
 *   bash scripts/netns-run.sh npx mocha --config test/e2e/.mocharc.json test/e2e/networkProxy.e2e.ts
 */
import * as assert from 'node:assert/strict';
import type { CodeServer } from './support/codeServer';
import { IMDS_ADDRESS } from './support/networkBox';
import { STATUS } from './support/networkSession';
import {
  AREA_DEFAULTS,
  AREA_PROXY,
  AZURE_LISTENER,
  IMDS_LISTENER,
  PUBLIC_ARM_AUD,
  cases,
  assertShippedRouting,
  useNetworkSession,
} from './support/networkSuite';

import { waitForStatusItem } from './support/workbench';

describe('CLI and proxies under a realistic network (no endpoint overrides)', function () {
  this.timeout(240_000);
  const suite = useNetworkSession();

  describe('CLI', function () {
    it('signs in with no overrides and shows the same identity and roles as with overrides', async () => {
      await cases.run(
        AREA_DEFAULTS,
        'CLI with no overrides (169.254.169.254, management.azure.com over TLS)',
        'same identity and roles as with every endpoint overridden, and as the emulator expects',
        async () => {
          const mark = suite.net.mark();
          const [who, roles] = await Promise.all([
            suite.net.cli(['whoami', '--json']),
            suite.net.cli(['roles', '--json']),
          ]);
          assert.equal(who.code, 0, who.stderr);
          assert.equal(roles.code, 0, roles.stderr);
          const reqs = suite.net.since(mark);
          const overrides = {
            AZURE_POD_IDENTITY_AUTHORITY_HOST: suite.net.box.loopbackUrl,
            VM_IDENTITY_ARM_ENDPOINT: suite.net.box.loopbackUrl,
            VM_IDENTITY_GRAPH_ENDPOINT: suite.net.box.loopbackUrl,
          };
          const [whoO, rolesO] = await Promise.all([
            suite.net.cli(['whoami', '--json'], overrides),
            suite.net.cli(['roles', '--json'], overrides),
          ]);
          assert.equal(whoO.code, 0, whoO.stderr);
          const strip = (s: string) => {
            const j = JSON.parse(s);
            delete j.token.expiresOn;
            return j;
          };
          assert.deepEqual(strip(who.stdout), strip(whoO.stdout), 'whoami: defaults = overrides');
          assert.deepEqual(JSON.parse(roles.stdout), JSON.parse(rolesO.stdout), 'roles: defaults = overrides');
          const d = suite.net.box.emu.dataset;
          const j = JSON.parse(who.stdout);
          assert.equal(j.principalId, d.systemIdentity.principalId);
          assert.equal(j.displayName, d.vm.name);
          assert.equal(j.vm.cloud, 'AzurePublicCloud');
          const want = suite
            .expected()
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
          assertShippedRouting(reqs, { minImds: 3, imdsMetadataHeader: true, graph: 'one' });
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
          const before = suite.net.envProxy.records.length;
          const env = { HTTPS_PROXY: suite.net.envProxy.url, HTTP_PROXY: suite.net.envProxy.url };
          const [who, roles] = await Promise.all([
            suite.net.cli(['whoami', '--json'], env),
            suite.net.cli(['roles', '--json'], env),
          ]);
          assert.equal(who.code, 0, who.stderr);
          assert.equal(roles.code, 0, roles.stderr);
          assert.equal(
            JSON.parse(roles.stdout).filter((r: { deny?: boolean }) => !r.deny).length,
            suite.expected().length,
          );
          const records = suite.net.envProxy.records.slice(before);
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
      after(async () => suite.net.scanForTokensAndStop(server));

      it('IMDS never reaches the proxy; ARM and Graph go through it and succeed', async () => {
        await cases.run(
          AREA_PROXY,
          `VS Code, ${variant.inSettings ? 'http.proxy in settings + HTTPS_PROXY/HTTP_PROXY in the environment, ' : ''}${variant.name}`,
          `no identity-endpoint request at any proxy; ARM/Graph CONNECT through the ${variant.inSettings ? 'http.proxy' : 'HTTPS_PROXY'} one and succeed`,
          async () => {
            const s0 = suite.net.settingsProxy.records.length;
            const e0 = suite.net.envProxy.records.length;
            const mark = suite.net.mark();
            const opened = await suite.net.openVsCode({
              env: { HTTPS_PROXY: suite.net.envProxy.url, HTTP_PROXY: suite.net.envProxy.url },
              settings: variant.inSettings
                ? { 'http.proxy': suite.net.settingsProxy.url, 'http.proxySupport': variant.proxySupport }
                : {},
            });
            server = opened.server;
            const { page } = opened;
            await waitForStatusItem(page, STATUS, { text: suite.net.box.emu.dataset.vm.name, timeout: 60_000 });
            await suite.net.assertIdentityShown(page);
            const n = await suite.assertRolesShown(page);
            const all = [...suite.net.settingsProxy.records.slice(s0), ...suite.net.envProxy.records.slice(e0)];
            assert.deepEqual(
              all.filter((r) => r.target.includes(IMDS_ADDRESS) || /localhost:50342|127\.0\.0\.1:50342/.test(r.target)),
              [],
              'no identity-endpoint request at a proxy',
            );
            const used = variant.inSettings
              ? suite.net.settingsProxy.records.slice(s0)
              : suite.net.envProxy.records.slice(e0);
            const other = variant.inSettings
              ? suite.net.envProxy.records.slice(e0)
              : suite.net.settingsProxy.records.slice(s0);
            const viaUsed = [...new Set(used.map((r) => `${r.method} ${r.target}`))].sort();
            assert.ok(viaUsed.includes('CONNECT management.azure.com:443'), `ARM through the proxy: ${viaUsed}`);
            assert.ok(viaUsed.includes('CONNECT graph.microsoft.com:443'), `Graph through the proxy: ${viaUsed}`);
            const reqs = suite.net.since(mark);
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
