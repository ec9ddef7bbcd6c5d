/**
 * The dataset's resources as ARM serves them: GET by id (each gated by its read action) and
 * Resources_List `GET /subscriptions/{id}/resources` (azure-rest-api-specs resources 2021-04-01
 * resources.json "Resources_List", GenericResourceExpanded items, paged with nextLink). ARM lists only
 * what the caller may read: "Azure RBAC ... the user can see the resources that they have access to"
 * (azure-docs role-based-access-control/overview.md "How Azure RBAC determines if a user has access to a
 * resource"; and learn.microsoft.com/rest/api/resources/resources/list, whose results differ per caller),
 * so each resource is listed when the caller holds `{type}/read` at it, as ARM's GET of it would answer.
 * Key Vault bodies follow azure-rest-api-specs keyvault 2023-07-01 keyvault.json `Vault`/`VaultProperties`
 * (`enableRbacAuthorization`, `accessPolicies[]` of `AccessPolicyEntry`, `vaultUri`); storage accounts
 * storage 2023-05-01 `StorageAccountProperties.primaryEndpoints`.
 */
import { armError, authorizationFailed, mayPerform, paged } from './armCommon';
import { json } from './http';
import type { Dataset } from './model';
import { normaliseScope } from './rbac';
import type { EmulatorResponse, RequestInfo, ServiceContext } from './types';

export interface KnownResource {
  id: string;
  type: string;
  /** The action ARM checks for a GET of it. */
  action: string;
}

const VAULT_TYPE = 'Microsoft.KeyVault/vaults';
const STORAGE_TYPE = 'Microsoft.Storage/storageAccounts';

/** The dataset's resource groups and resources, by normalised id. */
export function knownResources(dataset: Dataset): Map<string, KnownResource> {
  const { scopes, shared } = dataset;
  const rg = (id: string) => ({
    id,
    type: 'Microsoft.Resources/resourceGroups',
    action: 'Microsoft.Resources/subscriptions/resourceGroups/read',
  });
  const res = (id: string, type: string) => ({ id, type, action: `${type}/read` });
  const all = [
    rg(scopes.resourceGroup),
    rg(shared.resourceGroup),
    res(scopes.vm, 'Microsoft.Compute/virtualMachines'),
    res(scopes.storageAccount, STORAGE_TYPE),
    res(shared.storageAccount, STORAGE_TYPE),
    res(scopes.keyVault, VAULT_TYPE),
    res(shared.keyVault, VAULT_TYPE),
  ];
  return new Map(all.map((r) => [normaliseScope(r.id), r]));
}

const nameOf = (id: string) => id.slice(id.lastIndexOf('/') + 1);

/** Data-plane host suffixes per cloud (azure-docs azure-government/compare-azure-government-global-azure.md). */
function suffixes(azEnvironment: string): { vault: string; blob: string } {
  if (/usgov/i.test(azEnvironment)) return { vault: 'vault.usgovcloudapi.net', blob: 'blob.core.usgovcloudapi.net' };
  if (/china/i.test(azEnvironment)) return { vault: 'vault.azure.cn', blob: 'blob.core.chinacloudapi.cn' };
  return { vault: 'vault.azure.net', blob: 'blob.core.windows.net' };
}

/**
 * Which vault uses what: the VM's resource group's vault is on Azure RBAC; the shared-services vault is
 * still on access policies (the default before API 2026-02-01: "enableRbacAuthorization ... default false"),
 * with an entry giving the system identity secrets get/list and one for an administrator.
 */
export function vaultProperties(dataset: Dataset, vaultId: string): Record<string, unknown> {
  const rbac = normaliseScope(vaultId) !== normaliseScope(dataset.shared.keyVault);
  const admin = dataset.groups[1]?.memberIds[0];
  const entry = (objectId: string, secrets: string[], keys: string[] = []) => ({
    tenantId: dataset.tenantId,
    objectId,
    permissions: { keys, secrets, certificates: [] },
  });
  return {
    tenantId: dataset.tenantId,
    sku: { family: 'A', name: 'standard' },
    accessPolicies: rbac
      ? []
      : [
          entry(dataset.systemIdentity.principalId, ['Get', 'List']),
          ...(admin ? [entry(admin, ['all'], ['all'])] : []),
        ],
    vaultUri: `https://${nameOf(vaultId)}.${suffixes(dataset.azEnvironment).vault}/`,
    enabledForDeployment: false,
    enableSoftDelete: true,
    softDeleteRetentionInDays: 90,
    enableRbacAuthorization: rbac,
    publicNetworkAccess: 'Enabled',
    provisioningState: 'Succeeded',
  };
}

function propertiesOf(dataset: Dataset, r: KnownResource): Record<string, unknown> {
  if (r.type === VAULT_TYPE) return vaultProperties(dataset, r.id);
  if (r.type === STORAGE_TYPE) {
    const host = `${nameOf(r.id)}.${suffixes(dataset.azEnvironment).blob}`;
    return {
      provisioningState: 'Succeeded',
      primaryEndpoints: { blob: `https://${host}/` },
      allowSharedKeyAccess: false,
    };
  }
  return { provisioningState: 'Succeeded' };
}

function resourceWire(dataset: Dataset, r: KnownResource, expanded: boolean): unknown {
  const base = { id: r.id, name: nameOf(r.id), type: r.type, location: dataset.vm.location, tags: {} };
  return expanded ? base : { ...base, properties: propertiesOf(dataset, r) };
}

/** The read action ARM checks for a resource id: `{namespace}/{type}/read`, resource groups their own. */
function readActionFor(id: string): string {
  const m = /\/providers\/([^/]+)\/([^/]+)\/[^/]+$/i.exec(id);
  return m ? `${m[1]}/${m[2]}/read` : 'Microsoft.Resources/subscriptions/resourceGroups/read';
}

/** GET of a resource: 403 without its read action at the id (checked before existence, as for the VM), else 404 or its body. */
export function getResource(ctx: ServiceContext, id: string, oid: string): EmulatorResponse {
  const action = readActionFor(id);
  if (!mayPerform(ctx, oid, action, id)) return authorizationFailed(oid, action, id);
  const found = knownResources(ctx.dataset).get(normaliseScope(id));
  if (!found) {
    const isGroup = !/\/providers\//i.test(id);
    return isGroup
      ? armError(404, 'ResourceGroupNotFound', `Resource group '${nameOf(id)}' could not be found.`)
      : armError(404, 'ResourceNotFound', `The Resource '${id.split('/providers/')[1]}' was not found.`);
  }
  return json(200, resourceWire(ctx.dataset, found, false));
}

/** Resources_List: resources (not groups) of the subscription the caller may read; 404 for an unknown subscription. */
export function listResources(
  req: RequestInfo,
  ctx: ServiceContext,
  subscriptionId: string,
  oid: string,
): EmulatorResponse {
  const sub = ctx.dataset.subscriptions.find((s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
  if (!sub) return armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  const prefix = `${normaliseScope(sub.id)}/`;
  const visible = [...knownResources(ctx.dataset).values()].filter(
    (r) =>
      r.type !== 'Microsoft.Resources/resourceGroups' &&
      normaliseScope(r.id).startsWith(prefix) &&
      mayPerform(ctx, oid, r.action, r.id),
  );
  return paged(req, ctx, visible, (r) => resourceWire(ctx.dataset, r, true));
}

/**
 * Key Vault data actions and the access-policy permission each needs (learn.microsoft.com/rest/api/keyvault:
 * Get Secret "requires the secrets/get permission", Get Secrets "secrets/list", Set Secret "secrets/set",
 * Delete Secret "secrets/delete"; keys likewise), for the vaults still on access policies.
 */
const POLICY_FOR: Record<string, ['secrets' | 'keys', string]> = {
  'microsoft.keyvault/vaults/secrets/getsecret/action': ['secrets', 'get'],
  'microsoft.keyvault/vaults/secrets/readmetadata/action': ['secrets', 'list'],
  'microsoft.keyvault/vaults/secrets/setsecret/action': ['secrets', 'set'],
  'microsoft.keyvault/vaults/secrets/delete': ['secrets', 'delete'],
  'microsoft.keyvault/vaults/keys/read': ['keys', 'get'],
  'microsoft.keyvault/vaults/keys/sign/action': ['keys', 'sign'],
};

/** In a vault on access policies, its policies decide a data action (RBAC roles do not); undefined elsewhere. */
export function accessPolicyVerdict(
  dataset: Dataset,
  scope: string,
  action: string,
  principalId: string,
): { verdict: 'allowed' | 'notGranted'; model: 'accessPolicy' } | undefined {
  const vault = /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/microsoft\.keyvault\/vaults\/[^/]+)/i.exec(
    scope,
  )?.[1];
  if (!vault || !knownResources(dataset).has(normaliseScope(vault))) return undefined;
  const props = vaultProperties(dataset, vault);
  if (props.enableRbacAuthorization) return undefined;
  const need = POLICY_FOR[action.toLowerCase()];
  const entries = props.accessPolicies as Array<{ objectId: string; permissions: Record<string, string[]> }>;
  const granted =
    !!need &&
    entries.some(
      (e) =>
        e.objectId.toLowerCase() === principalId.toLowerCase() &&
        (e.permissions[need[0]] ?? []).some((p) => ['all', need[1]].includes(p.toLowerCase())),
    );
  return { verdict: granted ? 'allowed' : 'notGranted', model: 'accessPolicy' };
}
