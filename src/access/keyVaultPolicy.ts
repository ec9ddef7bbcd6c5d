/**
 * Key Vault's two permission models. With `enableRbacAuthorization` false (or absent) the vault ignores
 * Azure RBAC for keys, secrets and certificates and consults its access policies instead ("Azure Key Vault
 * access policy" and "Migrate from vault access policy to an Azure role-based access control permission
 * model", learn.microsoft.com/azure/key-vault/general/rbac-migration — "enabling Azure RBAC permission model
 * will invalidate all existing access policies").
 *
 * The table below maps each data action (resource provider operations, Microsoft.KeyVault section, and
 * the Key Vault built-in roles' dataActions) to the access-policy permission that allows the same REST
 * call. Microsoft publishes the template-to-role mapping, not this per-permission one: it is derived from
 * the operation names and listed as a risk.
 */
import type { KeyVaultAccessPolicy, KeyVaultProperties } from './types';

export type VaultObjectKind = 'secrets' | 'keys' | 'certificates';

export interface PolicyPermission {
  kind: VaultObjectKind;
  permission: string;
}

const PREFIX = 'microsoft.keyvault/vaults/';

const TABLE: Record<string, PolicyPermission> = {
  'secrets/getSecret/action': { kind: 'secrets', permission: 'get' },
  'secrets/readMetadata/action': { kind: 'secrets', permission: 'list' },
  'secrets/setSecret/action': { kind: 'secrets', permission: 'set' },
  'secrets/delete': { kind: 'secrets', permission: 'delete' },
  'secrets/backup/action': { kind: 'secrets', permission: 'backup' },
  'secrets/restore/action': { kind: 'secrets', permission: 'restore' },
  'secrets/recover/action': { kind: 'secrets', permission: 'recover' },
  'secrets/purge/action': { kind: 'secrets', permission: 'purge' },
  'keys/read': { kind: 'keys', permission: 'get' },
  'keys/create/action': { kind: 'keys', permission: 'create' },
  'keys/import/action': { kind: 'keys', permission: 'import' },
  'keys/update/action': { kind: 'keys', permission: 'update' },
  'keys/delete': { kind: 'keys', permission: 'delete' },
  'keys/backup/action': { kind: 'keys', permission: 'backup' },
  'keys/restore/action': { kind: 'keys', permission: 'restore' },
  'keys/recover/action': { kind: 'keys', permission: 'recover' },
  'keys/purge/action': { kind: 'keys', permission: 'purge' },
  'keys/encrypt/action': { kind: 'keys', permission: 'encrypt' },
  'keys/decrypt/action': { kind: 'keys', permission: 'decrypt' },
  'keys/wrap/action': { kind: 'keys', permission: 'wrapKey' },
  'keys/unwrap/action': { kind: 'keys', permission: 'unwrapKey' },
  'keys/sign/action': { kind: 'keys', permission: 'sign' },
  'keys/verify/action': { kind: 'keys', permission: 'verify' },
  'keys/rotate/action': { kind: 'keys', permission: 'rotate' },
  'keys/release/action': { kind: 'keys', permission: 'release' },
  'certificates/read': { kind: 'certificates', permission: 'get' },
  'certificates/create/action': { kind: 'certificates', permission: 'create' },
  'certificates/import/action': { kind: 'certificates', permission: 'import' },
  'certificates/update/action': { kind: 'certificates', permission: 'update' },
  'certificates/delete': { kind: 'certificates', permission: 'delete' },
  'certificates/backup/action': { kind: 'certificates', permission: 'backup' },
  'certificates/restore/action': { kind: 'certificates', permission: 'restore' },
  'certificates/recover/action': { kind: 'certificates', permission: 'recover' },
  'certificates/purge/action': { kind: 'certificates', permission: 'purge' },
};

const BY_LOWER = new Map(Object.entries(TABLE).map(([k, v]) => [k.toLowerCase(), v]));

/** The access-policy permission for a Key Vault data action; undefined when the action has none. */
export function policyPermissionFor(dataAction: string): PolicyPermission | undefined {
  const a = dataAction.trim().toLowerCase();
  return a.startsWith(PREFIX) ? BY_LOWER.get(a.slice(PREFIX.length)) : undefined;
}

/** The reverse, for error texts that name a policy permission ("does not have secrets get permission"). */
export function dataActionForPolicy(kind: string, permission: string): string | undefined {
  const k = kind.toLowerCase();
  const p = permission.toLowerCase();
  const hit = Object.entries(TABLE).find(([, v]) => v.kind === k && v.permission.toLowerCase() === p);
  return hit ? `Microsoft.KeyVault/vaults/${hit[0]}` : undefined;
}

export function usesRbac(vault: KeyVaultProperties): boolean {
  return vault.enableRbacAuthorization === true;
}

export interface PolicyDecision {
  required: PolicyPermission;
  /** The identity's own entries (a compound entry with an applicationId needs that app too: not ours). */
  entries: KeyVaultAccessPolicy[];
  granted: boolean;
}

/** Whether the identity's access-policy entries hold the permission (case-insensitive; `all` is not a policy value). */
export function decideByPolicy(
  vault: KeyVaultProperties,
  principalId: string,
  tenantId: string | undefined,
  dataAction: string,
): PolicyDecision | undefined {
  const required = policyPermissionFor(dataAction);
  if (!required) return undefined;
  const oid = principalId.toLowerCase();
  const entries = vault.accessPolicies.filter(
    (e) =>
      e.objectId.toLowerCase() === oid &&
      !e.applicationId &&
      (!tenantId || e.tenantId.toLowerCase() === tenantId.toLowerCase()),
  );
  const want = required.permission.toLowerCase();
  const granted = entries.some((e) => (e.permissions[required.kind] ?? []).some((p) => p.toLowerCase() === want));
  return { required, entries, granted };
}
