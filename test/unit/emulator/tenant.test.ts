/**
 * The emulated tenant over real HTTP: read access derived from the caller's own roles (403 with ARM's
 * text otherwise), lists at a resource group, deny assignments, the ~550-role catalog (size, time, GET by
 * id), provider operations, resource GETs, and the control endpoints' expected views per identity.
 */
import * as assert from 'node:assert/strict';
import { BUILT_IN_ROLE_IDS, type Emulator, type ExpectedView, expectedView, startEmulator } from '../../emulator';
import { ARM, type ArmErrorBody, HTTP_ONLY, type WireAssignment, bearer, listAll, parse, send, token } from './helpers';

const AUTHZ = '/providers/Microsoft.Authorization';
const q = (filter?: string) => `api-version=2022-04-01${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`;

describe('emulator: a real tenant over HTTP', function () {
  let emu: Emulator;
  let systemToken: string;
  let lpToken: string;
  let lpId: string;

  before(async () => {
    emu = await startEmulator({ listen: HTTP_ONLY, armMsPerKb: 0 });
    systemToken = await token(emu, ARM);
    const lp = emu.state().personas.leastPrivilege;
    assert.ok(lp, 'the default dataset has a least-privilege identity');
    lpId = lp.principalId;
    lpToken = await token(emu, ARM, { client_id: lp.clientId });
  });
  after(() => emu.close());

  it("least privilege: 403 AuthorizationFailed with ARM's text at the subscription; its resource group and VM list", async () => {
    const d = emu.dataset;
    const filter = `assignedTo('${lpId}')`;
    const atSub = await send(`${emu.httpUrl}${d.scopes.subscription}${AUTHZ}/roleAssignments?${q(filter)}`, {
      headers: bearer(lpToken),
    });
    assert.equal(atSub.status, 403);
    assert.deepEqual(parse<ArmErrorBody>(atSub).error, {
      code: 'AuthorizationFailed',
      message: `The client '${lpId}' with object id '${lpId}' does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/read' over scope '${d.scopes.subscription}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
    });
    for (const scope of [d.scopes.resourceGroup, d.scopes.vm]) {
      const { items } = await listAll<WireAssignment>(
        `${emu.httpUrl}${scope}${AUTHZ}/roleAssignments?${q(filter)}`,
        lpToken,
      );
      assert.deepEqual(
        items.map((a) => [a.properties.scope, a.properties.roleDefinitionId.split('/').pop()]),
        [[d.scopes.resourceGroup, BUILT_IN_ROLE_IDS.reader]],
      );
    }
    const vm = await send(`${emu.httpUrl}${d.vm.resourceId}?api-version=2024-07-01`, { headers: bearer(lpToken) });
    assert.equal(vm.status, 200, 'Reader at the resource group reads the VM');
    const subs = parse<{ value: Array<{ subscriptionId: string }> }>(
      await send(`${emu.httpUrl}/subscriptions?api-version=2022-12-01`, { headers: bearer(lpToken) }),
    );
    assert.deepEqual(
      subs.value.map((s) => s.subscriptionId),
      [d.subscriptionId],
      'a role below the subscription still lists it',
    );
  });

  it('the system identity lists in the shared-services subscription (read inherited from the management group), nested group included', async () => {
    const d = emu.dataset;
    const { items } = await listAll<WireAssignment>(
      `${emu.httpUrl}${d.shared.subscription}${AUTHZ}/roleAssignments?${q(`assignedTo('${d.systemIdentity.principalId}')`)}`,
      systemToken,
    );
    const principals = new Set(items.map((a) => a.properties.principalId));
    assert.ok(principals.has(d.groups[2].id), 'the group inside a group');
    assert.ok(
      items.some(
        (a) =>
          a.properties.scope === d.shared.storageAccount && a.properties.principalId === d.systemIdentity.principalId,
      ),
      'Reader on the shared storage account',
    );
    assert.ok(
      items.some((a) => a.properties.scope === d.managementGroup.id),
      'management-group assignments show from here too',
    );
    const atScope = await listAll<WireAssignment>(
      `${emu.httpUrl}${d.shared.subscription}${AUTHZ}/roleAssignments?${q(`atScope() and assignedTo('${d.systemIdentity.principalId}')`)}`,
      systemToken,
    );
    assert.ok(
      atScope.items.every((a) => a.properties.scope === d.managementGroup.id),
      'atScope(): nothing below the subscription',
    );
  });

  it('deny assignments: assignedTo lists the ones naming the identity (Everyone, its group); 403 without read; by name', async () => {
    const d = emu.dataset;
    type WireDeny = {
      id: string;
      name: string;
      properties: {
        denyAssignmentName: string;
        permissions: unknown[];
        principals: Array<{ id: string; type: string }>;
        excludePrincipals: unknown[];
        doNotApplyToChildScopes: boolean;
        isSystemProtected: boolean;
        scope: string;
      };
    };
    const atVmSub = await listAll<WireDeny>(
      `${emu.httpUrl}${d.scopes.subscription}${AUTHZ}/denyAssignments?${q(`assignedTo('${d.systemIdentity.principalId}')`)}`,
      systemToken,
    );
    assert.deepEqual(
      atVmSub.items.map((x) => x.id),
      [d.denyAssignments[0].id],
    );
    const first = atVmSub.items[0].properties;
    assert.deepEqual(
      [
        first.principals[0].type,
        first.doNotApplyToChildScopes,
        first.isSystemProtected,
        first.excludePrincipals.length,
      ],
      ['SystemDefined', false, true, 1],
    );
    const atShared = await listAll<WireDeny>(
      `${emu.httpUrl}${d.shared.subscription}${AUTHZ}/denyAssignments?${q(`assignedTo('${d.systemIdentity.principalId}')`)}`,
      systemToken,
    );
    assert.deepEqual(
      atShared.items.map((x) => x.id),
      [d.denyAssignments[1].id],
      'named through its group; never the sandbox one',
    );
    const refused = await send(`${emu.httpUrl}${d.scopes.subscription}${AUTHZ}/denyAssignments?${q()}`, {
      headers: bearer(lpToken),
    });
    assert.match(parse<ArmErrorBody>(refused).error.message, /Microsoft\.Authorization\/denyAssignments\/read/);
    const byName = await send(
      `${emu.httpUrl}${d.scopes.resourceGroup}${AUTHZ}/denyAssignments/${d.denyAssignments[0].name}?${q()}`,
      { headers: bearer(systemToken) },
    );
    assert.equal(parse<WireDeny>(byName).properties.denyAssignmentName, d.denyAssignments[0].denyAssignmentName);
  });

  it('the role catalog: ~550 built-ins, 1–2 MB listed, real ids for the roles in use, cheap GET by id in both forms', async () => {
    const d = emu.dataset;
    const { items, pages } = await listAll<{ name: string; properties: { type: string; roleName: string } }>(
      `${emu.httpUrl}${d.scopes.subscription}${AUTHZ}/roleDefinitions?${q()}`,
      systemToken,
    );
    const builtIns = items.filter((r) => r.properties.type === 'BuiltInRole');
    assert.equal(builtIns.length, 550);
    const bytes = JSON.stringify(items).length;
    assert.ok(bytes > 1_000_000 && bytes < 2_000_000, `${bytes} bytes over ${pages.length} pages`);
    const byName = new Map(items.map((r) => [r.properties.roleName, r.name]));
    assert.equal(byName.get('Reader'), BUILT_IN_ROLE_IDS.reader);
    assert.equal(byName.get('Storage Blob Data Reader'), '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1');
    assert.equal(byName.get('Key Vault Secrets User'), BUILT_IN_ROLE_IDS.keyVaultSecretsUser);
    assert.ok(
      items.some((r) => r.properties.type === 'CustomRole'),
      'custom roles listed where assignable',
    );
    for (const path of [
      `${AUTHZ}/roleDefinitions/${BUILT_IN_ROLE_IDS.contributor}`,
      `${d.scopes.subscription}${AUTHZ}/roleDefinitions/${BUILT_IN_ROLE_IDS.contributor}`,
    ]) {
      const one = await send(`${emu.httpUrl}${path}?${q()}`, { headers: bearer(systemToken) });
      assert.equal(parse<{ properties: { roleName: string } }>(one).properties.roleName, 'Contributor');
      assert.ok(one.text.length < 2000, 'one role, not the catalog');
    }
  });

  it('ARM time grows with response size (armMsPerKb): the catalog page costs more than a small read', async () => {
    emu.configure({ armMsPerKb: 2 });
    try {
      const d = emu.dataset;
      const timed = async (url: string) => {
        const started = Date.now();
        await send(url, { headers: bearer(systemToken) });
        return Date.now() - started;
      };
      const big = await timed(`${emu.httpUrl}${d.scopes.subscription}${AUTHZ}/roleDefinitions?${q()}`);
      const small = await timed(`${emu.httpUrl}${AUTHZ}/roleDefinitions/${BUILT_IN_ROLE_IDS.reader}?${q()}`);
      // A 100-role page is ~230 KB: at 2 ms/KB at least ~400 ms; one role ~1 KB.
      assert.ok(big >= 300 && big > small * 3, `page ${big} ms, single ${small} ms`);
    } finally {
      emu.configure({ armMsPerKb: 0 });
    }
  });

  it('provider operations for Storage, Key Vault and Compute: resource types with isDataAction; 404 for unknown', async () => {
    type Op = { name: string; isDataAction: boolean };
    type Meta = {
      id: string;
      name: string;
      type: string;
      displayName: string;
      resourceTypes: Array<{ name: string; operations: Op[] }>;
      operations: Op[];
    };
    for (const [ns, dataOp] of [
      ['Microsoft.Storage', 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'],
      ['Microsoft.KeyVault', 'Microsoft.KeyVault/vaults/secrets/getSecret/action'],
      ['Microsoft.Compute', 'Microsoft.Compute/virtualMachines/login/action'],
    ]) {
      const meta = parse<Meta>(
        await send(`${emu.httpUrl}${AUTHZ}/providerOperations/${ns}?${q()}&$expand=resourceTypes`, {
          headers: bearer(systemToken),
        }),
      );
      assert.deepEqual(
        [meta.name, meta.type, meta.id],
        [ns, 'Microsoft.Authorization/providerOperations', `${AUTHZ}/providerOperations/${ns}`],
      );
      const all = [...meta.operations, ...meta.resourceTypes.flatMap((t) => t.operations)];
      assert.equal(all.find((o) => o.name === dataOp)?.isDataAction, true, dataOp);
      assert.ok(all.some((o) => !o.isDataAction && o.name.endsWith('/read')));
    }
    const unknown = await send(`${emu.httpUrl}${AUTHZ}/providerOperations/Microsoft.Nope?${q()}`, {
      headers: bearer(systemToken),
    });
    assert.equal(unknown.status, 404);
  });

  it('resource reads need their own read action: the shared storage account yes, the shared key vault no', async () => {
    const d = emu.dataset;
    const get = (id: string) => send(`${emu.httpUrl}${id}?api-version=2023-01-01`, { headers: bearer(systemToken) });
    assert.equal(
      (await get(d.shared.storageAccount)).status,
      200,
      'Reader on the account (and */read from the management group)',
    );
    const lpRead = await send(`${emu.httpUrl}${d.shared.storageAccount}?api-version=2023-01-01`, {
      headers: bearer(lpToken),
    });
    assert.match(parse<ArmErrorBody>(lpRead).error.message, /'Microsoft\.Storage\/storageAccounts\/read' over scope/);
  });

  it('expected-view: full for the system identity (two subscriptions), partial from the resource group for least privilege, nothing for the roleless', async () => {
    const d = emu.dataset;
    const view = async (principalId: string) =>
      parse<ExpectedView>(await send(`${emu.httpUrl}/_emulator/expected-view?principalId=${principalId}`));
    const full = await view(d.systemIdentity.principalId);
    assert.deepEqual(
      full.subscriptions.map((s) => [s.subscriptionId, s.complete]),
      [
        [d.subscriptionId, true],
        [d.subscriptions[1].subscriptionId, true],
      ],
    );
    assert.equal(full.remedy, null);
    assert.deepEqual(full, JSON.parse(JSON.stringify(expectedView(d, d.systemIdentity.principalId))));
    const lp = await view(lpId);
    assert.deepEqual(
      lp.subscriptions.map((s) => [s.readFrom, s.complete, s.refused]),
      [[d.scopes.resourceGroup, false, [d.scopes.subscription]]],
    );
    assert.deepEqual(lp.remedy, {
      scope: d.scopes.subscription,
      role: 'Reader',
      roleDefinitionId: BUILT_IN_ROLE_IDS.reader,
      orAction: 'Microsoft.Authorization/roleAssignments/read',
    });
    const none = await view(emu.state().personas.noAccess?.principalId ?? '');
    assert.deepEqual([none.subscriptions.length, none.nothingReadable], [0, true]);
    const verdict = parse<{ verdict: string }>(
      await send(
        `${emu.httpUrl}/_emulator/expected-access?scope=${encodeURIComponent(d.scopes.vm)}&action=Microsoft.Compute/virtualMachines/delete`,
      ),
    );
    assert.equal(verdict.verdict, 'denied');
  });
});
