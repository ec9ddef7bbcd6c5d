/** The emulator's ARM: paging, filters, 403s, 401 challenges, role definitions, the VM, subscriptions. */
import * as assert from 'node:assert/strict';
import { BUILT_IN_ROLE_IDS, type Emulator, expectedAssignmentsFor, startEmulator } from '../../emulator';
import {
  ARM,
  GRAPH,
  HTTP_ONLY,
  send,
  parse,
  imds,
  token,
  claimsOf,
  bearer,
  type WireAssignment,
  type ArmErrorBody,
  listAll,
  assignmentsUrl,
} from './helpers';

describe('emulator: ARM', function () {
  let emu: Emulator;
  let systemToken: string;
  before(async () => {
    emu = await startEmulator({
      dataset: { assignments: 257, userAssignedIdentities: 3 },
      listen: HTTP_ONLY,
      pageSize: 20,
    });
    systemToken = await token(emu);
  });
  after(() => emu.close());
  beforeEach(() => emu.configure({ armReadable: {}, azEnvironment: 'AzurePublicCloud', pageSize: 20 }));

  it('pages assignedTo() completely, with nextLinks on the same listener', async () => {
    const d = emu.dataset;
    const { items, pages } = await listAll<WireAssignment>(
      assignmentsUrl(emu, `assignedTo('${d.systemIdentity.principalId}')`),
      systemToken,
    );
    const expected = expectedAssignmentsFor(d, d.systemIdentity.principalId, 'assignedTo');
    assert.equal(expected.length, 257);
    assert.deepEqual(
      items.map((a) => a.id),
      expected.map((a) => a.id),
    );
    assert.equal(pages.length, Math.ceil(257 / 20));
    assert.ok(
      pages.every((p) =>
        p.startsWith(
          `${emu.httpUrl}/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleAssignments?`,
        ),
      ),
    );
    assert.ok(
      pages
        .slice(1)
        .every(
          (p) =>
            new URL(p).searchParams.has('$skiptoken') &&
            new URL(p).searchParams.get('$filter') === `assignedTo('${d.systemIdentity.principalId}')`,
        ),
    );
    const first = items[0];
    assert.equal(first.type, 'Microsoft.Authorization/roleAssignments');
    assert.ok('condition' in first.properties && 'conditionVersion' in first.properties);
  });

  it("principalId eq returns direct assignments only; no filter includes others' but never another subscription's", async () => {
    const d = emu.dataset;
    const direct = await listAll<WireAssignment>(
      assignmentsUrl(emu, `principalId eq '${d.systemIdentity.principalId}'`),
      systemToken,
    );
    assert.deepEqual(
      direct.items.map((a) => a.id),
      expectedAssignmentsFor(d, d.systemIdentity.principalId, 'principalId').map((a) => a.id),
    );
    assert.ok(direct.items.every((a) => a.properties.principalId === d.systemIdentity.principalId));
    const all = await listAll<WireAssignment>(assignmentsUrl(emu), systemToken);
    assert.ok(all.items.length > 257);
    assert.ok(
      all.items.every(
        (a) =>
          a.properties.scope.startsWith('/providers/') ||
          a.properties.scope.startsWith(`/subscriptions/${d.subscriptionId}`),
      ),
    );
  });

  it('403 AuthorizationFailed for identities that may not read role assignments, unless overridden', async () => {
    const [, roleless, rgOnly] = emu.dataset.userAssignedIdentities;
    for (const u of [roleless, rgOnly]) {
      const t = await token(emu, ARM, { client_id: u.clientId });
      const reply = await send(assignmentsUrl(emu, `assignedTo('${u.principalId}')`), { headers: bearer(t) });
      assert.equal(reply.status, 403);
      assert.deepEqual(parse(reply), {
        error: {
          code: 'AuthorizationFailed',
          message: `The client '${u.principalId}' with object id '${u.principalId}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '/subscriptions/${emu.dataset.subscriptionId}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        },
      });
    }
    const t = await token(emu, ARM, { client_id: roleless.clientId });
    emu.configure({ armReadable: { [roleless.principalId]: true, [emu.dataset.systemIdentity.principalId]: false } });
    assert.equal(
      (await send(assignmentsUrl(emu, `assignedTo('${roleless.principalId}')`), { headers: bearer(t) })).status,
      200,
    );
    assert.equal((await send(assignmentsUrl(emu), { headers: bearer(systemToken) })).status, 403);
  });

  it('401 with a WWW-Authenticate challenge for a missing, unknown, wrong-audience or expired token', async () => {
    const graphToken = await token(emu, GRAPH);
    const forged = `${systemToken.split('.').slice(0, 2).join('.')}.AAAA`;
    const cases: Array<[Record<string, string>, string]> = [
      [{}, 'AuthenticationFailed'],
      [bearer(forged), 'InvalidAuthenticationToken'],
      [bearer(graphToken), 'InvalidAuthenticationTokenAudience'],
    ];
    for (const [headers, code] of cases) {
      const reply = await send(assignmentsUrl(emu), { headers });
      assert.equal(reply.status, 401, code);
      assert.equal(parse<ArmErrorBody>(reply).error.code, code);
      assert.match(
        String(reply.headers['www-authenticate']),
        /^Bearer authorization_uri="https:\/\/login\.windows\.net\//,
      );
    }
    emu.configure({ tokenLifetimeSec: 1 });
    const shortLived = await token(emu);
    emu.configure({ tokenLifetimeSec: 86399 });
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal(
      parse<ArmErrorBody>(await send(assignmentsUrl(emu), { headers: bearer(shortLived) })).error.code,
      'ExpiredAuthenticationToken',
    );
    assert.equal(
      (await send(assignmentsUrl(emu), { headers: bearer(systemToken) })).status,
      200,
      'aud with trailing slash accepted',
    );
    assert.equal(
      (await send(assignmentsUrl(emu), { headers: bearer(await token(emu, 'https://management.azure.com')) })).status,
      200,
      'and without',
    );
  });

  it('role definitions: by id (subscription or tenant form), 404 when unknown, listed with a type filter', async () => {
    const d = emu.dataset;
    const readerId = `/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS.reader}`;
    for (const id of [readerId, `/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLE_IDS.reader}`]) {
      const reply = await send(`${emu.httpUrl}${id}?api-version=2022-04-01`, { headers: bearer(systemToken) });
      const def = parse<{
        id: string;
        name: string;
        type: string;
        properties: { roleName: string; type: string; permissions: Array<{ actions: string[] }> };
      }>(reply);
      assert.deepEqual(
        {
          id: def.id,
          name: def.name,
          type: def.type,
          roleName: def.properties.roleName,
          roleType: def.properties.type,
          actions: def.properties.permissions[0].actions,
        },
        {
          id,
          name: BUILT_IN_ROLE_IDS.reader,
          type: 'Microsoft.Authorization/roleDefinitions',
          roleName: 'Reader',
          roleType: 'BuiltInRole',
          actions: ['*/read'],
        },
      );
    }
    const missing = await send(
      `${emu.httpUrl}/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/00000000-0000-4000-8000-000000000000?api-version=2022-04-01`,
      { headers: bearer(systemToken) },
    );
    assert.equal(missing.status, 404);
    assert.equal(parse<ArmErrorBody>(missing).error.code, 'RoleDefinitionDoesNotExist');
    const base = `${emu.httpUrl}/subscriptions/${d.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01`;
    const custom = await listAll<{ properties: { type: string } }>(
      `${base}&$filter=${encodeURIComponent("type eq 'CustomRole'")}`,
      systemToken,
    );
    assert.equal(custom.items.length, d.roleDefinitions.filter((r) => r.properties.type === 'CustomRole').length);
    assert.ok(custom.items.every((r) => r.properties.type === 'CustomRole'));
    emu.configure({ pageSize: 5 });
    const all = await listAll<{ name: string }>(base, systemToken);
    assert.equal(all.items.length, d.roleDefinitions.length);
    assert.equal(all.pages.length, Math.ceil(d.roleDefinitions.length / 5));
  });

  it('the VM with its identity block; 403 for an identity that cannot read it', async () => {
    const d = emu.dataset;
    const vmUrl = `${emu.httpUrl}${d.vm.resourceId}?api-version=2024-07-01`;
    const vm = parse<{
      id: string;
      identity: {
        type: string;
        principalId: string;
        tenantId: string;
        userAssignedIdentities: Record<string, { principalId: string; clientId: string }>;
      };
    }>(await send(vmUrl, { headers: bearer(systemToken) }));
    assert.equal(vm.id, d.vm.resourceId);
    assert.equal(vm.identity.type, 'SystemAssigned, UserAssigned');
    assert.equal(vm.identity.principalId, d.systemIdentity.principalId);
    assert.equal(vm.identity.tenantId, d.tenantId);
    assert.deepEqual(
      vm.identity.userAssignedIdentities,
      Object.fromEntries(
        d.userAssignedIdentities.map((u) => [u.resourceId, { principalId: u.principalId, clientId: u.clientId }]),
      ),
    );
    const roleless = await token(emu, ARM, { client_id: d.userAssignedIdentities[1].clientId });
    assert.equal(
      parse<ArmErrorBody>(await send(vmUrl, { headers: bearer(roleless) })).error.code,
      'AuthorizationFailed',
    );
  });

  it('subscriptions: every one the identity holds a role in (VM, shared services), not the sandbox; none for a roleless one', async () => {
    const d = emu.dataset;
    const list = parse<{
      value: Array<{ subscriptionId: string; state: string; tenantId: string; displayName: string; id: string }>;
    }>(await send(`${emu.httpUrl}/subscriptions?api-version=2022-12-01`, { headers: bearer(systemToken) }));
    const expected = d.subscriptions.slice(0, 2).map((s) => ({
      id: s.id,
      subscriptionId: s.subscriptionId,
      state: 'Enabled',
      tenantId: d.tenantId,
      displayName: s.displayName,
    }));
    assert.deepEqual(
      list.value.map((s) => ({
        id: s.id,
        subscriptionId: s.subscriptionId,
        state: s.state,
        tenantId: s.tenantId,
        displayName: s.displayName,
      })),
      expected,
    );
    const one = await send(`${emu.httpUrl}/subscriptions/${d.subscriptions[1].subscriptionId}?api-version=2022-12-01`, {
      headers: bearer(systemToken),
    });
    assert.equal(parse<{ displayName: string }>(one).displayName, d.subscriptions[1].displayName);
    const sandbox = await send(
      `${emu.httpUrl}/subscriptions/${d.subscriptions[2].subscriptionId}?api-version=2022-12-01`,
      { headers: bearer(systemToken) },
    );
    assert.equal(parse<ArmErrorBody>(sandbox).error.code, 'SubscriptionNotFound');
    const roleless = await token(emu, ARM, { client_id: d.userAssignedIdentities[1].clientId });
    assert.deepEqual(
      parse<{ value: unknown[] }>(
        await send(`${emu.httpUrl}/subscriptions?api-version=2022-12-01`, { headers: bearer(roleless) }),
      ).value,
      [],
    );
  });

  it('carries x-ms-request-id and echoes x-ms-correlation-request-id', async () => {
    const reply = await send(assignmentsUrl(emu), {
      headers: { ...bearer(systemToken), 'x-ms-correlation-request-id': 'corr-1' },
    });
    assert.match(String(reply.headers['x-ms-request-id']), /^[0-9a-f-]{36}$/);
    assert.equal(reply.headers['x-ms-correlation-request-id'], 'corr-1');
  });

  it('a sovereign cloud accepts only its own ARM audience and reports it in instance metadata', async () => {
    emu.configure({ azEnvironment: 'AzureUSGovernmentCloud' });
    assert.equal(
      parse<ArmErrorBody>(await send(assignmentsUrl(emu), { headers: bearer(systemToken) })).error.code,
      'InvalidAuthenticationTokenAudience',
    );
    const gov = await token(emu, 'https://management.usgovcloudapi.net/');
    assert.equal(claimsOf(gov).aud, 'https://management.usgovcloudapi.net/');
    assert.equal((await send(assignmentsUrl(emu), { headers: bearer(gov) })).status, 200);
    const compute = parse<{ compute: { azEnvironment: string } }>(
      await imds(emu, '/metadata/instance?api-version=2021-02-01'),
    ).compute;
    assert.equal(compute.azEnvironment, 'AzureUSGovernmentCloud');
  });
});
