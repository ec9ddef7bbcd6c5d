import * as assert from 'node:assert/strict';
import { checkAccess, exitCodeFor, renderVerdictText, type CheckRequest } from '../../../src/access';
import * as f from './fixtures';

const base = (scope: string, action: string, extra: Partial<CheckRequest> = {}): CheckRequest => ({
  scope,
  action,
  principalId: f.OID,
  tenantId: f.TENANT,
  portalUrl: 'https://portal.azure.com',
  ...extra,
});
const deny = (scope: string, actions: string[], extra = {}) => ({
  id: `${scope}/providers/Microsoft.Authorization/denyAssignments/d1`,
  denyAssignmentName: 'Deny blob reads',
  scope,
  permissions: [{ actions: [], notActions: [], dataActions: actions, notDataActions: [] }],
  principals: [{ id: '00000000-0000-0000-0000-000000000000', type: 'SystemDefined' }],
  excludePrincipals: [],
  doNotApplyToChildScopes: false,
  isSystemProtected: true,
  ...extra,
});

describe('checkAccess verdicts', () => {
  it('Reader on a storage account grants no blob data: not granted, suggests Storage Blob Data Reader on the account', async () => {
    const reader = f.scriptedReader({ assignments: [f.assignment(f.READER, f.STORAGE)] });
    const v = await checkAccess(reader, base(f.STORAGE, f.BLOB_READ, { plane: 'data' }));
    assert.equal(v.decision, 'notGranted');
    assert.equal(v.suggestion?.roleName, 'Storage Blob Data Reader');
    assert.equal(
      v.suggestion?.azCommand,
      `az role assignment create --assignee-object-id ${f.OID} --assignee-principal-type ServicePrincipal --role "Storage Blob Data Reader" --scope ${f.STORAGE}`,
    );
    assert.equal(v.suggestion?.portalUrl, `https://portal.azure.com/#@${f.TENANT}/resource${f.STORAGE}/users`);
    assert.equal(exitCodeFor(v), 5);
    assert.ok(reader.calls.includes('builtins'), 'built-ins fetched only because a suggestion was needed');
  });

  it('Storage Blob Data Reader on the account: allowed, direct', async () => {
    const v = await checkAccess(
      f.scriptedReader({ assignments: [f.assignment(f.BLOB_DATA_READER, f.STORAGE)] }),
      base(f.STORAGE, f.BLOB_READ, { plane: 'data' }),
    );
    assert.equal(v.decision, 'allowed');
    assert.deepEqual(
      v.grantedBy.map((g) => [g.roleName, g.via, g.inherited]),
      [['Storage Blob Data Reader', 'direct', false]],
    );
    assert.equal(exitCodeFor(v), 0);
  });

  it('allowed via a group, inherited from the resource group; built-ins not fetched', async () => {
    const reader = f.scriptedReader({
      assignments: [f.assignment(f.BLOB_DATA_CONTRIBUTOR, f.RG, { principalId: f.GROUP, principalType: 'Group' })],
    });
    const v = await checkAccess(reader, base(f.STORAGE, f.BLOB_READ, { plane: 'data' }));
    assert.equal(v.decision, 'allowed');
    assert.deepEqual(
      v.grantedBy.map((g) => [g.via, g.inherited, g.scope]),
      [['group', true, f.RG]],
    );
    assert.ok(!reader.calls.includes('builtins'));
  });

  it('Owner at the subscription is allowed control actions but not blob data', async () => {
    const world = { assignments: [f.assignment(f.OWNER, f.SUB)] };
    assert.equal(
      (
        await checkAccess(
          f.scriptedReader(world),
          base(f.STORAGE, 'Microsoft.Storage/storageAccounts/listKeys/action', { plane: 'control' }),
        )
      ).decision,
      'allowed',
    );
    assert.equal(
      (await checkAccess(f.scriptedReader(world), base(f.STORAGE, f.BLOB_READ, { plane: 'data' }))).decision,
      'notGranted',
    );
  });

  it('a deny assignment wins over a grant; excludePrincipals and doNotApplyToChildScopes exempt', async () => {
    const assignments = [f.assignment(f.BLOB_DATA_OWNER, f.STORAGE)];
    const denied = await checkAccess(
      f.scriptedReader({ assignments, denies: [deny(f.RG, ['Microsoft.Storage/*/read'])] }),
      base(f.STORAGE, f.BLOB_READ, { plane: 'data' }),
    );
    assert.equal(denied.decision, 'denied');
    assert.equal(denied.deniedBy[0].name, 'Deny blob reads');
    const excluded = await checkAccess(
      f.scriptedReader({
        assignments,
        denies: [deny(f.RG, ['*'], { excludePrincipals: [{ id: f.OID, type: 'ServicePrincipal' }] })],
      }),
      base(f.STORAGE, f.BLOB_READ, { plane: 'data' }),
    );
    assert.equal(excluded.decision, 'allowed');
    const notChildren = await checkAccess(
      f.scriptedReader({ assignments, denies: [deny(f.RG, ['*'], { doNotApplyToChildScopes: true })] }),
      base(f.STORAGE, f.BLOB_READ, { plane: 'data' }),
    );
    assert.equal(notChildren.decision, 'allowed');
  });

  it('a grant only through an assignment with a condition is conditional', async () => {
    const condition =
      "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'})) OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals 'logs'))";
    const v = await checkAccess(
      f.scriptedReader({
        assignments: [f.assignment(f.BLOB_DATA_READER, f.STORAGE, { condition, conditionVersion: '2.0' })],
      }),
      base(f.STORAGE, f.BLOB_READ, { plane: 'data' }),
    );
    assert.equal(v.decision, 'conditional');
    assert.equal(exitCodeFor(v), 5);
    assert.match(renderVerdictText(v), /Conditional — evaluated at request time[\s\S]*condition: /);
  });

  it('Key Vault on access policies: the policy entry decides, RBAC roles do not; fix is set-policy', async () => {
    const vault = {
      enableRbacAuthorization: false,
      accessPolicies: [{ tenantId: f.TENANT, objectId: f.OID, permissions: { secrets: ['List'] } }],
    };
    const v = await checkAccess(
      f.scriptedReader({ vault, assignments: [f.assignment(f.KV_SECRETS_USER, f.VAULT)] }),
      base(`${f.VAULT}/secrets/db-password`, f.GET_SECRET, { plane: 'data' }),
    );
    assert.equal(v.decision, 'notGranted');
    assert.deepEqual(v.keyVault?.policy, { kind: 'secrets', permission: 'get', granted: false, entries: 1 });
    assert.equal(
      v.suggestion?.azCommand,
      `az keyvault set-policy --name kv-app --object-id ${f.OID} --secret-permissions get`,
    );
    const ok = await checkAccess(
      f.scriptedReader({
        vault: {
          ...vault,
          accessPolicies: [{ ...vault.accessPolicies[0], permissions: { secrets: ['Get', 'List'] } }],
        },
      }),
      base(f.VAULT, f.GET_SECRET, { plane: 'data' }),
    );
    assert.equal(ok.decision, 'allowed');
    assert.equal(ok.source, 'accessPolicy');
  });

  it('Key Vault on RBAC: not granted suggests Key Vault Secrets User, not Administrator', async () => {
    const v = await checkAccess(
      f.scriptedReader({ vault: { enableRbacAuthorization: true, accessPolicies: [] } }),
      base(f.VAULT, f.GET_SECRET, { plane: 'data' }),
    );
    assert.equal(v.keyVault?.model, 'rbac');
    assert.equal(v.suggestion?.roleName, 'Key Vault Secrets User');
  });

  it('a grant newer than the token says the token predates it, with the Microsoft doc link', async () => {
    const a = f.assignment(f.BLOB_DATA_READER, f.STORAGE, {
      principalId: f.GROUP,
      createdOn: '2026-03-01T12:05:00Z',
      updatedOn: '2026-03-01T12:05:00Z',
    });
    const iat = Date.parse('2026-03-01T12:00:00Z') / 1000;
    const v = await checkAccess(
      f.scriptedReader({ assignments: [a] }),
      base(f.STORAGE, f.BLOB_READ, { plane: 'data', tokenIssuedAt: iat }),
    );
    assert.equal(v.propagation?.via, 'group');
    assert.match(v.propagation!.message, /before Storage Blob Data Reader was granted through a group[\s\S]*24 hours/);
    assert.ok(
      v.propagation!.links.some((l) => l.endsWith('#limitation-of-using-managed-identities-for-authorization')),
    );
    const older = await checkAccess(
      f.scriptedReader({ assignments: [a] }),
      base(f.STORAGE, f.BLOB_READ, { plane: 'data', tokenIssuedAt: iat + 3600 }),
    );
    assert.equal(older.propagation, undefined);
  });

  it('plane comes from the provider operations list; unreadable reads are reported, not guessed', async () => {
    const reader = f.scriptedReader({
      effective: new Error('503'),
      denies: new Error('403 AuthorizationFailed'),
      assignments: [f.assignment(f.BLOB_DATA_READER, f.STORAGE)],
      operations: [{ name: f.BLOB_READ, isDataAction: true }],
    });
    const v = await checkAccess(reader, base(f.STORAGE, f.BLOB_READ));
    assert.equal(v.plane, 'data');
    assert.equal(v.source, 'roleAssignments');
    assert.deepEqual(v.unread.map((u) => u.what).sort(), ['deny assignments', 'effective permissions']);
  });

  it('rejects bad input with a typed error naming the field', async () => {
    await assert.rejects(checkAccess(f.scriptedReader({}), base('subscriptions/x', f.BLOB_READ)), {
      name: 'AccessCheckInputError',
      field: 'scope',
    });
    await assert.rejects(checkAccess(f.scriptedReader({}), base(f.STORAGE, 'Microsoft.Storage/*/read')), {
      field: 'action',
    });
  });
});
