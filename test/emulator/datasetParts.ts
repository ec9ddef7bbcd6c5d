/**
 * The building blocks of the emulator's deterministic tenant (dataset.ts composes them): the VM, user-assigned
 * identities, noise principals, custom roles, and the planned role assignments with their ids, scopes and
 * conditions.
 */
import { SeededRandom } from './random';
import {
  BUILT_IN_ROLE_IDS,
  roleDefinition,
  roleDefinitionIdAt,
  type BuiltInRoleKey,
  type CustomRoleTemplate,
  type RoleDefinition,
} from './roles';
import type {
  DatasetScopes,
  PrincipalType,
  RoleAssignment,
  UserAssignedAccess,
  UserAssignedIdentity,
  VirtualMachine,
} from './model';

type CustomRoleKey = CustomRoleTemplate['key'];
export type RoleKey = BuiltInRoleKey | CustomRoleKey;
type ScopeKind = keyof DatasetScopes;

/** A planned assignment before ids are minted. */
interface PlannedAssignment {
  scope: string;
  role: RoleKey;
  viaGroup: boolean;
  conditional: boolean;
}

/** Where assignments are minted into: ids come from the same generator, in a fixed order. */
export interface Builder {
  rng: SeededRandom;
  roleGuids: Record<RoleKey, string>;
  adminId: string;
  out: RoleAssignment[];
}

export const WORDS = [
  'contoso',
  'fabrikam',
  'tailspin',
  'northwind',
  'adatum',
  'litware',
  'wingtip',
  'proseware',
] as const;
const VM_SIZES = ['Standard_D2s_v5', 'Standard_B2ms', 'Standard_D4as_v5', 'Standard_E2s_v5'] as const;
const IMAGES = {
  Linux: {
    publisher: 'canonical',
    offer: '0001-com-ubuntu-server-jammy',
    sku: '22_04-lts-gen2',
    version: '22.04.202404080',
  },
  Windows: {
    publisher: 'MicrosoftWindowsServer',
    offer: 'WindowsServer',
    sku: '2022-datacenter-azure-edition',
    version: '20348.2402.240405',
  },
} as const;
const ASSIGNMENT_NOTES = [
  'Managed by Terraform',
  'Granted for the nightly export job',
  'Requested in change CHG0042',
] as const;
const BLOB_ROLES: readonly RoleKey[] = ['storageBlobDataReader', 'storageBlobDataContributor', 'blobAuditor'];
const EPOCH = new Date('2022-01-01T00:00:00Z');

/** Roles that make sense at each kind of scope (all of them are assignable there). */
const ROLE_POOLS: Record<ScopeKind, readonly RoleKey[]> = {
  managementGroup: ['reader', 'monitoringReader', 'platformObserver'],
  subscription: [
    'contributor',
    'monitoringReader',
    'storageBlobDataReader',
    'keyVaultSecretsUser',
    'virtualMachineContributor',
    'vmOperator',
    'blobAuditor',
    'userAccessAdministrator',
  ],
  resourceGroup: [
    'owner',
    'contributor',
    'virtualMachineContributor',
    'storageBlobDataContributor',
    'keyVaultSecretsUser',
    'reader',
    'monitoringReader',
    'vmOperator',
  ],
  vm: ['virtualMachineContributor', 'reader', 'monitoringReader', 'vmOperator'],
  storageAccount: [
    'storageBlobDataReader',
    'storageBlobDataContributor',
    'storageAccountContributor',
    'reader',
    'blobAuditor',
  ],
  keyVault: ['keyVaultSecretsUser', 'keyVaultReader', 'keyVaultSecretsOfficer', 'reader'],
};

/** The first assignments, fixed so every dataset shows each scope, a group grant and an ABAC condition. */
const PRELUDE: ReadonlyArray<{ kind: ScopeKind; role: RoleKey; viaGroup: boolean; conditional: boolean }> = [
  { kind: 'subscription', role: 'reader', viaGroup: false, conditional: false },
  { kind: 'storageAccount', role: 'storageBlobDataReader', viaGroup: false, conditional: true },
  { kind: 'keyVault', role: 'keyVaultSecretsUser', viaGroup: true, conditional: false },
  { kind: 'managementGroup', role: 'monitoringReader', viaGroup: false, conditional: false },
  { kind: 'vm', role: 'virtualMachineContributor', viaGroup: false, conditional: false },
  { kind: 'resourceGroup', role: 'contributor', viaGroup: true, conditional: false },
  { kind: 'subscription', role: 'vmOperator', viaGroup: false, conditional: false },
  { kind: 'managementGroup', role: 'platformObserver', viaGroup: true, conditional: false },
];
const ROUND_ROBIN_ORDER: readonly ScopeKind[] = [
  'subscription',
  'managementGroup',
  'resourceGroup',
  'vm',
  'storageAccount',
  'keyVault',
];

export function nonNegativeInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function makeVm(rng: SeededRandom, word: string, locations: readonly string[], rgId: string): VirtualMachine {
  const name = `vm-${word}-${String(rng.int(100)).padStart(2, '0')}`;
  const osType = rng.next() < 0.75 ? 'Linux' : 'Windows';
  const vmId = rng.guid();
  return {
    name,
    computerName: osType === 'Windows' ? name.slice(0, 15) : name,
    location: rng.pick(locations),
    vmSize: rng.pick(VM_SIZES),
    osType,
    vmId,
    resourceId: `${rgId}/providers/Microsoft.Compute/virtualMachines/${name}`,
    osDiskName: `${name}_OsDisk_1_${vmId.replace(/-/g, '')}`,
    zone: String(1 + rng.int(3)),
    adminUsername: 'azureuser',
    privateIpAddress: `10.${1 + rng.int(250)}.${rng.int(250)}.${4 + rng.int(200)}`,
    macAddress: `000D3A${rng.hex(6).toUpperCase()}`,
    image: { ...IMAGES[osType] },
  };
}

export function makeUami(
  rng: SeededRandom,
  word: string,
  index: number,
  count: number,
  subscriptionId: string,
  rg: string,
): UserAssignedIdentity {
  const name = `id-${word}-${['app', 'spare', 'batch', 'etl', 'web'][index % 5]}${index >= 5 ? `-${index}` : ''}`;
  // The first can read the subscription; the second has no role at all (unless it is the only one).
  const access: UserAssignedAccess =
    index === 0 || count === 1 ? 'subscriptionReader' : index === 1 ? 'none' : 'resourceGroupOnly';
  return {
    name,
    principalId: rng.guid(),
    clientId: rng.guid(),
    resourceId: `/subscriptions/${subscriptionId}/resourcegroups/${rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${name}`,
    access,
  };
}

export function makeNoisePrincipals(
  rng: SeededRandom,
  count: number,
): { users: string[]; servicePrincipals: string[] } {
  return {
    users: Array.from({ length: count }, () => rng.guid()),
    servicePrincipals: Array.from({ length: count }, () => rng.guid()),
  };
}

export function makeCustomRole(
  rng: SeededRandom,
  t: CustomRoleTemplate,
  scopes: DatasetScopes,
  adminId: string,
): RoleDefinition {
  const createdOn = rng.isoDate(EPOCH, 400);
  return roleDefinition(scopes.subscription, rng.guid(), {
    roleName: t.roleName,
    type: 'CustomRole',
    description: t.description,
    assignableScopes: [t.assignableAt === 'managementGroup' ? scopes.managementGroup : scopes.subscription],
    permissions: structuredClone(t.permissions),
    createdOn,
    updatedOn: createdOn,
    createdBy: adminId,
    updatedBy: adminId,
  });
}

/** Exactly `count` distinct (scope, role) picks: the prelude, then round-robin over scopes, then extra resources. */
export function planSystemAssignments(rng: SeededRandom, scopes: DatasetScopes, count: number): PlannedAssignment[] {
  const picks: PlannedAssignment[] = PRELUDE.slice(0, count).map((p) => ({
    scope: scopes[p.kind],
    role: p.role,
    viaGroup: p.viaGroup,
    conditional: p.conditional,
  }));
  const inPrelude = new Set(picks.map((p) => `${p.scope}|${p.role}`));
  const candidates = candidatePairs(rng, scopes, (scope, role) => inPrelude.has(`${scope}|${role}`));
  while (picks.length < count) {
    const next = candidates.next().value;
    const i = picks.length;
    picks.push({ ...next, viaGroup: i % 3 === 2, conditional: BLOB_ROLES.includes(next.role) && i % 2 === 0 });
  }
  return picks;
}

/**
 * Endless distinct (scope, role) pairs: the named scopes interleaved (minus `skip`, the prelude's), then
 * storage accounts and key vaults made up on demand, which cannot collide with anything before them.
 */
function* candidatePairs(
  rng: SeededRandom,
  scopes: DatasetScopes,
  skip: (scope: string, role: RoleKey) => boolean,
): Generator<{ scope: string; role: RoleKey }, never> {
  const buckets = ROUND_ROBIN_ORDER.map((kind) =>
    rng.shuffle([...ROLE_POOLS[kind]]).map((role) => ({ scope: scopes[kind], role })),
  );
  const longest = Math.max(...buckets.map((b) => b.length));
  for (let i = 0; i < longest; i++) {
    for (const bucket of buckets) if (i < bucket.length && !skip(bucket[i].scope, bucket[i].role)) yield bucket[i];
  }
  const rgId = scopes.resourceGroup;
  for (let k = 0; ; k++) {
    const kind: ScopeKind = k % 2 === 0 ? 'storageAccount' : 'keyVault';
    const scope =
      kind === 'storageAccount'
        ? `${rgId}/providers/Microsoft.Storage/storageAccounts/stdata${k}`
        : `${rgId}/providers/Microsoft.KeyVault/vaults/kv-data-${k}`;
    for (const role of rng.shuffle([...ROLE_POOLS[kind]])) yield { scope, role };
  }
}

export function addSystemAssignments(
  b: Builder,
  picks: PlannedAssignment[],
  principalId: string,
  groupId: string,
): void {
  picks.forEach((p, i) => {
    addAssignment(b, {
      scope: p.scope,
      role: p.role,
      principalId: p.viaGroup ? groupId : principalId,
      principalType: p.viaGroup ? 'Group' : 'ServicePrincipal',
      condition: p.conditional ? blobCondition(b.rng, p.role) : null,
      description: i % 4 === 1 ? ASSIGNMENT_NOTES[i % ASSIGNMENT_NOTES.length] : null,
    });
  });
}

export function addUamiAssignments(b: Builder, uamis: UserAssignedIdentity[], scopes: DatasetScopes): void {
  for (const uami of uamis) {
    const grants: Array<[string, RoleKey]> =
      uami.access === 'subscriptionReader'
        ? [
            [scopes.subscription, 'reader'],
            [scopes.storageAccount, 'storageBlobDataContributor'],
            [scopes.keyVault, 'keyVaultSecretsUser'],
          ]
        : uami.access === 'resourceGroupOnly'
          ? [[scopes.resourceGroup, 'reader']]
          : [];
    for (const [scope, role] of grants)
      addAssignment(b, {
        scope,
        role,
        principalId: uami.principalId,
        principalType: 'ServicePrincipal',
        condition: null,
        description: null,
      });
  }
}

/** Assignments for other principals (including one outside our subscription) that must never show up as ours. */
export function addNoiseAssignments(
  b: Builder,
  noise: { users: string[]; servicePrincipals: string[] },
  otherGroupId: string,
  scopes: DatasetScopes,
  count: number,
): void {
  const foreignSub = `/subscriptions/${b.rng.guid()}`;
  const noiseScopes = [
    scopes.managementGroup,
    scopes.subscription,
    scopes.resourceGroup,
    scopes.vm,
    scopes.storageAccount,
    scopes.keyVault,
    foreignSub,
    `${foreignSub}/resourceGroups/rg-shared`,
  ];
  const principals: Array<[string, PrincipalType]> = [
    ...noise.users.map((id): [string, PrincipalType] => [id, 'User']),
    ...noise.servicePrincipals.map((id): [string, PrincipalType] => [id, 'ServicePrincipal']),
    [otherGroupId, 'Group'],
  ];
  const builtIns = Object.keys(BUILT_IN_ROLE_IDS) as BuiltInRoleKey[];
  const taken = new Set<string>();
  for (let i = 0; taken.size < count && i < count * 4; i++) {
    const [principalId, principalType] = principals[i % principals.length];
    const scope = b.rng.pick(noiseScopes);
    const role = b.rng.pick(builtIns);
    const key = `${principalId}|${scope}|${role}`;
    if (taken.has(key)) continue;
    taken.add(key);
    addAssignment(b, { scope, role, principalId, principalType, condition: null, description: null });
  }
}

export function addAssignment(
  b: Builder,
  a: {
    scope: string;
    role: RoleKey;
    principalId: string;
    principalType: PrincipalType;
    condition: string | null;
    description: string | null;
  },
): void {
  const name = b.rng.guid();
  const createdOn = b.rng.isoDate(EPOCH, 900);
  b.out.push({
    id: `${a.scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    scope: a.scope,
    roleDefinitionId: assignmentRoleDefinitionId(a.scope, b.roleGuids[a.role]),
    principalId: a.principalId,
    principalType: a.principalType,
    condition: a.condition,
    conditionVersion: a.condition ? '2.0' : null,
    description: a.description,
    createdOn,
    updatedOn: createdOn,
    createdBy: b.adminId,
    updatedBy: b.adminId,
  });
}

/** ARM writes a subscription-qualified definition id under a subscription, a tenant-level one above it. */
function assignmentRoleDefinitionId(scope: string, guid: string): string {
  return roleDefinitionIdAt(/^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? '', guid);
}

/** ABAC condition in the documented format (azure-docs role-based-access-control/conditions-format.md, storage examples). */
function blobCondition(rng: SeededRandom, role: RoleKey): string {
  const container = rng.pick(['logs', 'backups', 'exports']);
  if (role === 'storageBlobDataContributor') {
    return (
      "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write'}) AND !(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action'})) " +
      `OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '${container}'))`
    );
  }
  return (
    "((!(ActionMatches{'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'} AND NOT SubOperationMatches{'Blob.List'})) " +
    `OR (@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringEquals '${container}'))`
  );
}
