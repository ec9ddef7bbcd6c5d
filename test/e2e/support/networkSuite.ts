/**
 * What the realistic-network suites share (network.e2e.ts: VS Code with the shipped defaults; networkProxy.e2e.ts:
 * the CLI and the proxies): the areas their cases are recorded under, the box's listeners, and one network
 * session per suite (the box, its proxies and Chromium), started in `before` and closed in `after`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { expectedView } from '../../emulator';
import { runCase } from '../../support/cases';
import type { LoggedRequest } from '../../emulator';
import { CLI } from '../../support/spawnCli';
import { assertRoleRowsShown } from './checks';
import { PROJECT_ROOT, VSIX as BUILT_VSIX, assertNetworkIsolated, timed } from './common';
import { AZURE_ADDRESS, IMDS_ADDRESS, assertPrivateMountNamespace } from './networkBox';
import { NetworkSession } from './networkSession';

/** VMID_E2E_VSIX: another build to run the suite against (e.g. a mutant, to see that a case catches it). */
const VSIX = process.env.VMID_E2E_VSIX ? path.resolve(process.env.VMID_E2E_VSIX) : BUILT_VSIX;
export const IMDS_LISTENER = `http://${IMDS_ADDRESS}:80`;
export const AZURE_LISTENER = `https://${AZURE_ADDRESS}:443`;
export const PUBLIC_ARM_AUD = 'https://management.azure.com/';
const PUBLIC_GRAPH_AUD = 'https://graph.microsoft.com/';

export const AREA_DEFAULTS = 'Shipped defaults, realistic network (real VS Code + CLI)';
export const AREA_PROXY = 'Proxies (real VS Code + CLI)';
export const AREA_CLOUD = 'Sovereign cloud (real VS Code + CLI)';
export const AREA_FAULTS = 'Faults in real VS Code, realistic network';

export const cases = {
  run: (area: string, name: string, expected: string, body: () => Promise<string>) =>
    runCase({ area, name, expected }, body),
};
export const countLines = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;

export interface NetworkSuite {
  readonly net: NetworkSession;
  /** Every subscription's assignments, once each (issue 9); the emulator computes them on its own. */
  view(): ReturnType<typeof expectedView>;
  expected(): Array<{ id: string }>;
  assertRolesShown(page: Page): Promise<number>;
}

/** Registers the suite's `before`/`after` in the calling `describe` and gives its session to the cases. */
export function useNetworkSession(): NetworkSuite {
  let net: NetworkSession | undefined;
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
  const suite: NetworkSuite = {
    get net() {
      if (!net) throw new Error('the network session has not started');
      return net;
    },
    view: () => expectedView(suite.net.box.emu.dataset, suite.net.box.emu.dataset.systemIdentity.principalId),
    expected: () => suite.view().assignmentIds.map((id) => ({ id })),
    assertRolesShown: (page) => assertRoleRowsShown(page, suite.net.box.emu.dataset, suite.view()),
  };
  return suite;
}

/**
 * Where a run with the shipped defaults went: IMDS on its real address, ARM and Graph by name over TLS on the box's
 * Azure address, each with a token for its own audience. Returns the requests per service for the case's summary.
 */
export function assertShippedRouting(
  reqs: readonly LoggedRequest[],
  expect: { minImds: number; imdsMetadataHeader?: boolean; graph: 'one' | 'some' },
): { imds: LoggedRequest[]; arm: LoggedRequest[]; graph: LoggedRequest[] } {
  const imds = reqs.filter((r) => r.service === 'imds');
  const arm = reqs.filter((r) => r.service === 'arm');
  const graph = reqs.filter((r) => r.service === 'graph');
  const atImds = (r: LoggedRequest) =>
    r.listener === IMDS_LISTENER &&
    r.headers.host === IMDS_ADDRESS &&
    (!expect.imdsMetadataHeader || r.headers.metadata === 'true');
  assert.ok(imds.length >= expect.minImds && imds.every(atImds), 'IMDS at 169.254.169.254:80');
  const atAzure = (r: LoggedRequest, host: string, aud: string) =>
    r.listener === AZURE_LISTENER && r.headers.host === host && r.bearer?.aud === aud;
  assert.ok(
    arm.length >= 2 && arm.every((r) => atAzure(r, 'management.azure.com', PUBLIC_ARM_AUD)),
    `ARM at management.azure.com with an ARM token: ${JSON.stringify(arm.map((r) => [r.listener, r.headers.host, r.bearer?.aud]))}`,
  );
  assert.ok(
    (expect.graph === 'one' ? graph.length === 1 : graph.length >= 1) &&
      graph.every((r) => atAzure(r, 'graph.microsoft.com', PUBLIC_GRAPH_AUD)),
    'Graph at graph.microsoft.com with a Graph token',
  );
  return { imds, arm, graph };
}
