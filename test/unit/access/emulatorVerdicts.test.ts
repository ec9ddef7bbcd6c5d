/**
 * The access checker end to end over real HTTP: the ARM reader against the emulator, each verdict compared
 * with the emulator's own evaluation (`/_emulator/expected-access`, computed from its dataset alone).
 */
import * as assert from 'node:assert/strict';
import { type Emulator, BUILT_IN_ROLE_IDS, startEmulator } from '../../emulator';
import { type AccessContext, IdentityService, type Snapshot, checkAccessForTool, verdictFor } from '../../../src/azure';
import type { Plane, Verdict } from '../../../src/access';
import { ManagedIdentityClient, selectorFrom, SYSTEM_ASSIGNED, type IdentitySelector } from '../../../src/identity';
import { recordCase } from '../../support/cases';

interface Expected {
  verdict: Verdict['decision'];
  grantedBy: string[];
  deniedBy: string[];
  keyVaultModel?: string;
}

const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
const BLOB_WRITE = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write';

describe('access checker against the emulator (real HTTP)', function () {
  this.timeout(20_000);
  let emu: Emulator;
  let service: IdentityService;
  const env = () => ({
    AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl,
    VM_IDENTITY_ARM_ENDPOINT: emu.httpUrl,
    VM_IDENTITY_GRAPH_ENDPOINT: emu.httpUrl,
    VM_IDENTITY_DATA_PLANE_ENDPOINT: emu.httpUrl,
  });

  before(async () => {
    emu = await startEmulator({ listen: [{ host: '127.0.0.1', port: 0 }], pageSize: 50 });
    service = new IdentityService({ identityClient: new ManagedIdentityClient({ env: env() }), env: env() });
  });
  after(() => emu.close());

  async function contextFor(
    selector: IdentitySelector = SYSTEM_ASSIGNED,
  ): Promise<{ snapshot: Snapshot; context: AccessContext }> {
    const snapshot = await service.snapshot(selector, {});
    return { snapshot, context: await service.accessContext(snapshot) };
  }

  async function expected(principalId: string, scope: string, action: string, plane: Plane): Promise<Expected> {
    const q = new URLSearchParams({ principalId, scope, action, plane });
    const reply = await fetch(`${emu.httpUrl}/_emulator/expected-access?${q}`);
    assert.equal(reply.status, 200);
    return (await reply.json()) as Expected;
  }

  /** Checks and compares with the emulator: same decision, same granting and denying assignments. */
  async function check(
    name: string,
    scope: string,
    action: string,
    plane: Plane,
    selector?: IdentitySelector,
  ): Promise<Verdict> {
    const { context } = await contextFor(selector);
    const v = await verdictFor(context, { resourceId: scope, action, plane });
    const e = await expected(context.principalId, scope, action, plane);
    assert.deepEqual(v.unread, [], 'every read succeeded');
    assert.equal(v.decision, e.verdict, `${name}: ${JSON.stringify(v.grantedBy)}`);
    assert.deepEqual(
      v.grantedBy.map((g) => g.assignmentId.toLowerCase()).sort(),
      e.grantedBy.map((id) => id.toLowerCase()).sort(),
    );
    assert.deepEqual(
      v.deniedBy.map((d) => d.denyAssignmentId.toLowerCase()).sort(),
      e.deniedBy.map((id) => id.toLowerCase()).sort(),
    );
    recordCase({
      area: 'access',
      name,
      expected: e.verdict,
      observed: `${v.decision}; granted by ${v.grantedBy.length}, denied by ${v.deniedBy.length}`,
      pass: true,
    });
    return v;
  }

  it('allowed directly: Reader on the shared storage account (one of the grants is direct at the account)', async () => {
    const scope = emu.dataset.shared.storageAccount;
    const v = await check('allowed directly', scope, 'Microsoft.Storage/storageAccounts/read', 'control');
    assert.equal(v.decision, 'allowed');
    assert.ok(
      v.grantedBy.some((g) => g.via === 'direct' && !g.inherited && g.roleName === 'Reader'),
      JSON.stringify(v.grantedBy),
    );
  });

  it('allowed via a group inside a group: Storage Blob Data Reader on the shared account', async () => {
    const v = await check('allowed via group', emu.dataset.shared.storageAccount, BLOB_READ, 'data');
    assert.equal(v.decision, 'allowed');
    assert.ok(v.grantedBy.some((g) => g.via === 'group' && g.roleName === 'Storage Blob Data Reader'));
  });

  it('allowed, inherited: reading the shared resource group, granted only at the management group above', async () => {
    const v = await check(
      'allowed inherited',
      emu.dataset.shared.resourceGroup,
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'control',
    );
    assert.equal(v.decision, 'allowed');
    assert.ok(v.grantedBy.length > 0 && v.grantedBy.every((g) => g.inherited), JSON.stringify(v.grantedBy));
  });

  it('denied by a deny assignment: blob writes on the shared account (managed application)', async () => {
    const v = await check('denied by deny assignment', emu.dataset.shared.storageAccount, BLOB_WRITE, 'data');
    assert.equal(v.decision, 'denied');
    assert.match(v.deniedBy[0].name, /managed application/);
  });

  it('not granted: the least-privileged identity reading blobs gets Storage Blob Data Reader on the account', async () => {
    const persona = (await (await fetch(`${emu.httpUrl}/_emulator/personas`)).json()) as Record<
      string,
      { clientId: string; principalId: string }
    >;
    const selector = selectorFrom('clientId', persona.leastPrivilege.clientId);
    const scope = emu.dataset.scopes.storageAccount;
    const v = await check('not granted + suggestion', scope, BLOB_READ, 'data', selector);
    assert.equal(v.decision, 'notGranted');
    assert.equal(v.suggestion?.roleName, 'Storage Blob Data Reader');
    assert.equal(v.suggestion?.scope, scope);
    assert.equal(
      v.suggestion?.azCommand,
      `az role assignment create --assignee-object-id ${persona.leastPrivilege.principalId} --assignee-principal-type ServicePrincipal --role "Storage Blob Data Reader" --scope ${scope}`,
    );
  });

  it('conditional: blob read on the VM subscription account, granted only under an ABAC condition', async () => {
    const v = await check('conditional', emu.dataset.scopes.storageAccount, BLOB_READ, 'data');
    assert.equal(v.decision, 'conditional');
    assert.ok(v.grantedBy.every((g) => g.condition));
  });

  it('Key Vault on access policies: the entry decides (get allowed, set not granted with set-policy)', async () => {
    const vault = emu.dataset.shared.keyVault;
    const get = await check(
      'key vault access policy: get',
      vault,
      'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      'data',
    );
    assert.equal(get.decision, 'allowed');
    assert.equal(get.keyVault?.model, 'accessPolicy');
    const set = await check(
      'key vault access policy: set',
      vault,
      'Microsoft.KeyVault/vaults/secrets/setSecret/action',
      'data',
    );
    assert.equal(set.decision, 'notGranted');
    assert.match(
      set.suggestion?.azCommand ?? '',
      /^az keyvault set-policy --name kv-shared-\w+ --object-id [0-9a-f-]{36} --secret-permissions set$/,
    );
  });

  it('a grant made after the token was issued: allowed, with the propagation note', async () => {
    const { context } = await contextFor();
    const scope = emu.dataset.scopes.keyVault;
    const action = 'Microsoft.KeyVault/vaults/secrets/setSecret/action';
    const before = await verdictFor(context, { resourceId: scope, action, plane: 'data' });
    assert.notEqual(before.decision, 'allowed');
    const grant = await fetch(`${emu.httpUrl}/_emulator/role-assignments`, {
      method: 'POST',
      body: JSON.stringify({
        principalId: context.principalId,
        roleDefinitionGuid: BUILT_IN_ROLE_IDS.keyVaultSecretsOfficer,
        scope,
      }),
    });
    assert.equal(grant.status, 201);
    const v = await check('token older than the grant', scope, action, 'data');
    assert.equal(v.decision, 'allowed');
    assert.ok(v.propagation, 'the note says the token predates the grant');
    assert.match(v.propagation!.message, /before Key Vault Secrets Officer was assigned/);
  });

  it('the tool text is concise and carries no token', async () => {
    const { context } = await contextFor();
    const text = await checkAccessForTool(context, {
      resourceId: emu.dataset.shared.storageAccount,
      action: BLOB_WRITE,
      plane: 'data',
    });
    assert.match(text, /^Denied: /);
    assert.ok(!/eyJ[\w-]+\.[\w-]+/.test(text), 'no JWT in the text');
    assert.ok(text.split('\n').length < 20);
  });
});
