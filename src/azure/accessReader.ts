/**
 * The access checker's reads (src/access `AccessReader`) over the ARM client: every list follows all its
 * pages, at most {@link MAX_PARALLEL} requests run at once, and failures are the HTTP layer's typed errors
 * (a body that is not the documented shape is `malformedResponse`). Shapes from azure-rest-api-specs:
 * authorization 2022-04-01 (Permissions_ListForResource, RoleAssignments_ListForScope,
 * DenyAssignments_ListForScope, RoleDefinitions_GetById / _List, ProviderOperationsMetadata_Get),
 * keyvault 2023-07-01 Vaults_Get (`VaultProperties`), resources 2021-04-01 Resources_List and
 * subscriptions 2022-12-01 Subscriptions_List.
 */
import type {
  AccessReader,
  DenyAssignmentInfo,
  KeyVaultAccessPolicy,
  KeyVaultProperties,
  PermissionSet,
  ProviderOperation,
  RoleAssignmentInfo,
  RoleDefinitionInfo,
} from '../access/types';
import { malformedResponse } from '../core/errors';
import { isRecord } from '../core/json';
import { AUTHORIZATION_API_VERSION, type ArmCall, type ArmClient, SUBSCRIPTIONS_API_VERSION } from './arm';
import type { AzureHttp } from './http';

const KEY_VAULT_API_VERSION = '2023-07-01';
const RESOURCES_API_VERSION = '2021-04-01';
/** Requests in flight at once: a check makes ~5 plus one per distinct role; ARM throttles bursts per caller. */
const MAX_PARALLEL = 4;

/** One row of the resource picker. */
export interface ResourceSummary {
  id: string;
  name: string;
  type: string;
  location?: string;
}

export interface SubscriptionSummary {
  subscriptionId: string;
  displayName: string;
}

/** A tiny semaphore: at most `max` tasks run; the rest wait in order. */
export function limitParallel(max: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

export class ArmAccessReader implements AccessReader {
  private readonly run = limitParallel(MAX_PARALLEL);
  private builtIns?: Promise<RoleDefinitionInfo[]>;

  constructor(
    private readonly arm: ArmClient,
    private readonly http: AzureHttp,
    private readonly armBase: string,
    private readonly token: string,
  ) {}

  private url(path: string, query: Record<string, string>): URL {
    const url = new URL(path.replace(/\/+$/, ''), this.armBase);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    return url;
  }

  private call(signal?: AbortSignal): ArmCall {
    return { token: this.token, signal };
  }

  private list<T>(url: URL, parse: (item: unknown) => T | undefined, signal?: AbortSignal): Promise<T[]> {
    return this.run(() => this.arm.listAll(url, this.call(signal), { parse }));
  }

  private async get(url: URL, signal?: AbortSignal): Promise<unknown> {
    return (await this.run(() => this.http.getJson(url, this.token, { signal }))).json;
  }

  permissionsAt(scope: string, signal?: AbortSignal): Promise<PermissionSet[]> {
    const url = this.url(`${scope}/providers/Microsoft.Authorization/permissions`, {
      'api-version': AUTHORIZATION_API_VERSION,
    });
    return this.list(url, parsePermissionSet, signal);
  }

  roleAssignmentsAt(scope: string, principalId: string, signal?: AbortSignal): Promise<RoleAssignmentInfo[]> {
    const url = this.url(`${scope}/providers/Microsoft.Authorization/roleAssignments`, {
      'api-version': AUTHORIZATION_API_VERSION,
      $filter: `assignedTo('${principalId}')`,
    });
    return this.list(url, parseAssignmentInfo, signal);
  }

  denyAssignmentsAt(scope: string, principalId: string, signal?: AbortSignal): Promise<DenyAssignmentInfo[]> {
    const url = this.url(`${scope}/providers/Microsoft.Authorization/denyAssignments`, {
      'api-version': AUTHORIZATION_API_VERSION,
      $filter: `assignedTo('${principalId}')`,
    });
    return this.list(url, parseDenyAssignment, signal);
  }

  async roleDefinition(roleDefinitionId: string, signal?: AbortSignal): Promise<RoleDefinitionInfo | undefined> {
    const json = await this.get(this.url(roleDefinitionId, { 'api-version': AUTHORIZATION_API_VERSION }), signal);
    return parseRoleDefinitionInfo(json);
  }

  async providerOperations(namespace: string, signal?: AbortSignal): Promise<ProviderOperation[]> {
    const path = `/providers/Microsoft.Authorization/providerOperations/${encodeURIComponent(namespace)}`;
    const json = await this.get(
      this.url(path, { 'api-version': AUTHORIZATION_API_VERSION, $expand: 'resourceTypes' }),
      signal,
    );
    if (!isRecord(json)) throw malformedResponse(`GET ${path}`, 'it is not an object');
    return flattenOperations(json);
  }

  async keyVaultProperties(vaultId: string, signal?: AbortSignal): Promise<KeyVaultProperties> {
    const json = await this.get(this.url(vaultId, { 'api-version': KEY_VAULT_API_VERSION }), signal);
    const props = parseVaultProperties(json);
    if (!props)
      throw malformedResponse(`GET ${vaultId.split('/').slice(0, 3).join('/')}/…/vaults`, 'it has no properties block');
    return props;
  }

  builtInRoleDefinitions(scope: string, signal?: AbortSignal): Promise<RoleDefinitionInfo[]> {
    // Built-in roles are the same at every scope: one read per reader, and a failed one is not kept.
    this.builtIns ??= this.list(
      this.url(`${scope}/providers/Microsoft.Authorization/roleDefinitions`, {
        'api-version': AUTHORIZATION_API_VERSION,
        $filter: "type eq 'BuiltInRole'",
      }),
      parseRoleDefinitionInfo,
      signal,
    ).catch((e: unknown) => {
      this.builtIns = undefined;
      throw e;
    });
    return this.builtIns;
  }

  /** Resources_List: what the caller may read in the subscription (ARM leaves out what it may not). */
  listResources(subscriptionId: string, signal?: AbortSignal): Promise<ResourceSummary[]> {
    const url = this.url(`/subscriptions/${encodeURIComponent(subscriptionId)}/resources`, {
      'api-version': RESOURCES_API_VERSION,
    });
    return this.list(url, parseResource, signal);
  }

  listSubscriptions(signal?: AbortSignal): Promise<SubscriptionSummary[]> {
    return this.list(
      this.url('/subscriptions', { 'api-version': SUBSCRIPTIONS_API_VERSION }),
      parseSubscription,
      signal,
    );
  }

  /** GET of any resource (for a storage account's or Cosmos DB account's endpoints before a probe). */
  getResource(resourceId: string, apiVersion: string, signal?: AbortSignal): Promise<unknown> {
    return this.get(this.url(resourceId, { 'api-version': apiVersion }), signal);
  }
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function parsePermissionSet(item: unknown): PermissionSet | undefined {
  if (!isRecord(item)) return undefined;
  return {
    actions: strings(item.actions),
    notActions: strings(item.notActions),
    dataActions: strings(item.dataActions),
    notDataActions: strings(item.notDataActions),
  };
}

function parseAssignmentInfo(item: unknown): RoleAssignmentInfo | undefined {
  if (!isRecord(item) || !isRecord(item.properties)) return undefined;
  const p = item.properties;
  const id = str(item.id);
  const scope = str(p.scope);
  const roleDefinitionId = str(p.roleDefinitionId);
  const principalId = str(p.principalId);
  if (!id || !scope || !roleDefinitionId || !principalId) return undefined;
  return {
    id,
    scope,
    roleDefinitionId,
    principalId,
    principalType: str(p.principalType),
    condition: str(p.condition) ?? null,
    conditionVersion: str(p.conditionVersion) ?? null,
    createdOn: str(p.createdOn),
    updatedOn: str(p.updatedOn),
  };
}

function principals(v: unknown): DenyAssignmentInfo['principals'] {
  return (Array.isArray(v) ? v : [])
    .filter(isRecord)
    .flatMap((p) => (str(p.id) ? [{ id: str(p.id)!, type: str(p.type) }] : []));
}

function parseDenyAssignment(item: unknown): DenyAssignmentInfo | undefined {
  if (!isRecord(item) || !isRecord(item.properties)) return undefined;
  const p = item.properties;
  const id = str(item.id);
  const scope = str(p.scope);
  if (!id || !scope) return undefined;
  return {
    id,
    denyAssignmentName: str(p.denyAssignmentName) ?? str(item.name) ?? id,
    scope,
    permissions: (Array.isArray(p.permissions) ? p.permissions : [])
      .map(parsePermissionSet)
      .filter((x): x is PermissionSet => !!x),
    principals: principals(p.principals),
    excludePrincipals: principals(p.excludePrincipals),
    doNotApplyToChildScopes: p.doNotApplyToChildScopes === true,
    isSystemProtected: p.isSystemProtected === true,
  };
}

function parseRoleDefinitionInfo(item: unknown): RoleDefinitionInfo | undefined {
  if (!isRecord(item) || !isRecord(item.properties)) return undefined;
  const p = item.properties;
  const id = str(item.id);
  const roleName = str(p.roleName);
  if (!id || !roleName) return undefined;
  const permissions = (Array.isArray(p.permissions) ? p.permissions : [])
    .map(parsePermissionSet)
    .filter((x): x is PermissionSet => !!x);
  return { id, roleName, roleType: str(p.type) ?? 'Unknown', description: str(p.description), permissions };
}

/** ProviderOperationsMetadata: `operations[]` at the provider and under each of `resourceTypes[]`. */
function flattenOperations(json: Record<string, unknown>): ProviderOperation[] {
  const out: ProviderOperation[] = [];
  const take = (ops: unknown) => {
    for (const op of Array.isArray(ops) ? ops : []) {
      if (isRecord(op) && str(op.name))
        out.push({ name: str(op.name)!, displayName: str(op.displayName), isDataAction: op.isDataAction === true });
    }
  };
  take(json.operations);
  for (const t of Array.isArray(json.resourceTypes) ? json.resourceTypes : []) if (isRecord(t)) take(t.operations);
  return out;
}

function parsePolicy(entry: unknown): KeyVaultAccessPolicy | undefined {
  if (!isRecord(entry) || !str(entry.objectId) || !isRecord(entry.permissions)) return undefined;
  const perms = entry.permissions;
  return {
    tenantId: str(entry.tenantId) ?? '',
    objectId: str(entry.objectId)!,
    applicationId: str(entry.applicationId),
    permissions: {
      keys: strings(perms.keys),
      secrets: strings(perms.secrets),
      certificates: strings(perms.certificates),
      storage: strings(perms.storage),
    },
  };
}

function parseVaultProperties(json: unknown): KeyVaultProperties | undefined {
  if (!isRecord(json) || !isRecord(json.properties)) return undefined;
  const p = json.properties;
  return {
    vaultUri: str(p.vaultUri),
    enableRbacAuthorization: p.enableRbacAuthorization === true,
    accessPolicies: (Array.isArray(p.accessPolicies) ? p.accessPolicies : [])
      .map(parsePolicy)
      .filter((x): x is KeyVaultAccessPolicy => !!x),
  };
}

function parseResource(item: unknown): ResourceSummary | undefined {
  if (!isRecord(item) || !str(item.id) || !str(item.type)) return undefined;
  return {
    id: str(item.id)!,
    name: str(item.name) ?? str(item.id)!.split('/').pop()!,
    type: str(item.type)!,
    location: str(item.location),
  };
}

function parseSubscription(item: unknown): SubscriptionSummary | undefined {
  if (!isRecord(item) || !str(item.subscriptionId)) return undefined;
  return { subscriptionId: str(item.subscriptionId)!, displayName: str(item.displayName) ?? str(item.subscriptionId)! };
}
