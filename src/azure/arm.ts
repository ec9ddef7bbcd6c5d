/**
 * Azure Resource Manager reads: role assignments of a principal, role definitions, the VM's identity
 * block (docs/AZURE-FACTS.md "ARM"; azure-docs role-based-access-control/role-assignments-list-rest.md).
 */
import type { Reading } from '../core/errorTable';
import { VmIdentityError, malformedResponse } from '../core/errors';
import { isRecord } from '../core/json';
import type { AzureHttp } from './http';

export const AUTHORIZATION_API_VERSION = '2022-04-01';
const COMPUTE_API_VERSION = '2024-07-01';
/** Subscriptions - List (azure-rest-api-specs resources/subscriptions 2022-12-01). */
export const SUBSCRIPTIONS_API_VERSION = '2022-12-01';
/** A loop guard: no principal has this many pages of role assignments. */
const MAX_PAGES = 5000;

export interface RoleAssignment {
  id: string;
  name: string;
  scope: string;
  roleDefinitionId: string;
  principalId: string;
  principalType: string;
  condition?: string;
  conditionVersion?: string;
  description?: string;
  createdOn?: string;
}

export interface RoleDefinition {
  id: string;
  name: string;
  roleName: string;
  roleType: string;
  description: string;
}

/** A subscription as `GET /subscriptions` lists it for the caller. */
export interface SubscriptionInfo {
  subscriptionId: string;
  displayName: string;
}

/** A deny assignment (azure-rest-api-specs authorization 2022-04-01 DenyAssignmentProperties). */
export interface DenyAssignment {
  id: string;
  name: string;
  scope: string;
  description: string;
  actions: string[];
  notActions: string[];
  dataActions: string[];
  notDataActions: string[];
  principals: Array<{ id: string; type: string; displayName?: string }>;
  excludePrincipals: Array<{ id: string; type: string; displayName?: string }>;
  doNotApplyToChildScopes: boolean;
}

export interface VmIdentityBlock {
  type: string;
  principalId?: string;
  tenantId?: string;
  userAssignedIdentities: Array<{ resourceId: string; principalId?: string; clientId?: string }>;
}

export type AssignmentFilter = 'assignedTo' | 'principalId';

/** One ARM read: the token, the caller's signal, and what the read is for (a 403 names it). */
export interface ArmCall {
  token: string;
  signal?: AbortSignal;
  reading?: Reading;
}

export interface ListOptions<T> {
  /** Called with each page's raw items as it arrives. */
  onPage?: (items: unknown[]) => void;
  /** Parses each item; items it returns undefined for are dropped. */
  parse?: (item: unknown) => T | undefined;
}

export class ArmClient {
  constructor(
    private readonly http: AzureHttp,
    private readonly armBase: string,
  ) {}

  /**
   * Every item of a paged ARM list, following `nextLink` only within the same ARM origin. With `parse`, each
   * page is parsed as it arrives (items it returns undefined for are dropped), so the raw JSON of earlier
   * pages can be collected while later ones load.
   */
  async listAll<T = unknown>(first: URL, call: ArmCall, options: ListOptions<T> = {}): Promise<T[]> {
    const parse = options.parse ?? ((item: unknown) => item as T | undefined);
    const items: T[] = [];
    const seen = new Set<string>();
    let next: URL | undefined = first;
    while (next) {
      if (seen.has(next.href) || seen.size >= MAX_PAGES)
        throw malformedResponse(`GET ${first.host}${first.pathname}`, 'its nextLink pages loop');
      seen.add(next.href);
      const { json } = await this.http.getJson(next, call.token, { signal: call.signal, reading: call.reading });
      if (!isRecord(json) || !Array.isArray(json.value))
        throw malformedResponse(`GET ${next.host}${next.pathname}`, 'it has no value array');
      for (const raw of json.value) {
        const item = parse(raw);
        if (item !== undefined) items.push(item);
      }
      options.onPage?.(json.value);
      next = this.nextLinkOf(json, first);
    }
    return items;
  }

  private nextLinkOf(json: Record<string, unknown>, first: URL): URL | undefined {
    const link = json.nextLink;
    if (link === undefined || link === null || link === '') return undefined;
    let url: URL;
    try {
      url = new URL(String(link));
    } catch {
      throw malformedResponse(`GET ${first.host}${first.pathname}`, 'its nextLink is not a URL');
    }
    if (url.origin !== new URL(this.armBase).origin) {
      throw new VmIdentityError(
        'unsafeEndpoint',
        `Refused to follow a nextLink to ${url.origin}: it is not the Azure Resource Manager endpoint in use.`,
        {
          fix: 'Nothing was sent there. The list is incomplete; report this if it repeats.',
          where: url.origin,
        },
      );
    }
    this.http.assertAllowed(url);
    return url;
  }

  /** `assignedTo('{oid}')` (transitive through groups) or `principalId eq` at any scope: at, above and below it. */
  roleAssignmentsUrl(scope: string, principalId: string, filter: AssignmentFilter): URL {
    return this.authorizationUrl(
      scope,
      'roleAssignments',
      filter === 'assignedTo' ? `assignedTo('${principalId}')` : `principalId eq '${principalId}'`,
    );
  }

  /** Deny assignments that apply to the principal (directly, through groups, or as Everyone) at, above and below `scope`. */
  denyAssignmentsUrl(scope: string, principalId: string): URL {
    return this.authorizationUrl(scope, 'denyAssignments', `assignedTo('${principalId}')`);
  }

  private authorizationUrl(scope: string, list: 'roleAssignments' | 'denyAssignments', filter: string): URL {
    const path = scope.replace(/\/+$/, '').split('/').map(encodeURIComponent).join('/');
    const url = new URL(`${path}/providers/Microsoft.Authorization/${list}`, this.armBase);
    url.searchParams.set('api-version', AUTHORIZATION_API_VERSION);
    url.searchParams.set('$filter', filter);
    return url;
  }

  /** The subscriptions the identity can see (`GET /subscriptions`), every page. */
  async listSubscriptions(call: ArmCall): Promise<SubscriptionInfo[]> {
    const url = new URL('/subscriptions', this.armBase);
    url.searchParams.set('api-version', SUBSCRIPTIONS_API_VERSION);
    return this.listAll(url, call, { parse: parseSubscription });
  }

  async getRoleDefinition(roleDefinitionId: string, call: ArmCall): Promise<RoleDefinition | undefined> {
    const url = new URL(roleDefinitionId, this.armBase);
    url.searchParams.set('api-version', AUTHORIZATION_API_VERSION);
    const { json } = await this.http.getJson(url, call.token, { signal: call.signal, reading: call.reading });
    return parseRoleDefinition(json);
  }

  async getVmIdentity(vmResourceId: string, call: ArmCall): Promise<VmIdentityBlock | undefined> {
    const url = new URL(vmResourceId, this.armBase);
    url.searchParams.set('api-version', COMPUTE_API_VERSION);
    const { json } = await this.http.getJson(url, call.token, { signal: call.signal, reading: call.reading });
    if (!isRecord(json) || !isRecord(json.identity)) return undefined;
    const identity = json.identity;
    const uamis = isRecord(identity.userAssignedIdentities) ? identity.userAssignedIdentities : {};
    return {
      type: str(identity.type) ?? '',
      principalId: str(identity.principalId),
      tenantId: str(identity.tenantId),
      userAssignedIdentities: Object.entries(uamis).map(([resourceId, v]) => ({
        resourceId,
        principalId: isRecord(v) ? str(v.principalId) : undefined,
        clientId: isRecord(v) ? str(v.clientId) : undefined,
      })),
    };
  }
}

export function parseRoleAssignment(item: unknown): RoleAssignment | undefined {
  if (!isRecord(item) || !isRecord(item.properties)) return undefined;
  const p = item.properties;
  const id = str(item.id);
  const scope = str(p.scope);
  const roleDefinitionId = str(p.roleDefinitionId);
  const principalId = str(p.principalId);
  if (!id || !scope || !roleDefinitionId || !principalId) return undefined;
  return {
    id,
    name: str(item.name) ?? id.split('/').pop() ?? id,
    scope,
    roleDefinitionId,
    principalId,
    principalType: str(p.principalType) ?? 'Unknown',
    condition: str(p.condition),
    conditionVersion: str(p.conditionVersion),
    description: str(p.description),
    createdOn: str(p.createdOn),
  };
}

export function parseRoleDefinition(item: unknown): RoleDefinition | undefined {
  if (!isRecord(item) || !isRecord(item.properties)) return undefined;
  const id = str(item.id);
  const roleName = str(item.properties.roleName);
  if (!id || !roleName) return undefined;
  return {
    id,
    name: str(item.name) ?? roleDefinitionGuid(id),
    roleName,
    roleType: str(item.properties.type) ?? 'Unknown',
    description: str(item.properties.description) ?? '',
  };
}

function parseSubscription(item: unknown): SubscriptionInfo | undefined {
  if (!isRecord(item)) return undefined;
  const subscriptionId = str(item.subscriptionId);
  if (!subscriptionId || !/^[0-9a-f-]{36}$/i.test(subscriptionId)) return undefined;
  return { subscriptionId, displayName: str(item.displayName) ?? subscriptionId };
}

export function parseDenyAssignment(item: unknown): DenyAssignment | undefined {
  if (!isRecord(item) || !isRecord(item.properties)) return undefined;
  const p = item.properties;
  const id = str(item.id);
  const scope = str(p.scope);
  if (!id || !scope) return undefined;
  const blocks = Array.isArray(p.permissions) ? p.permissions.filter(isRecord) : [];
  const strings = (key: string) =>
    blocks.flatMap((b) =>
      Array.isArray(b[key]) ? (b[key] as unknown[]).filter((x): x is string => typeof x === 'string') : [],
    );
  const principals = (v: unknown) =>
    (Array.isArray(v) ? v.filter(isRecord) : []).flatMap((x) => {
      const pid = str(x.id);
      return pid ? [{ id: pid, type: str(x.type) ?? 'Unknown', displayName: str(x.displayName) }] : [];
    });
  return {
    id,
    name: str(p.denyAssignmentName) ?? str(item.name) ?? id,
    scope,
    description: str(p.description) ?? '',
    actions: strings('actions'),
    notActions: strings('notActions'),
    dataActions: strings('dataActions'),
    notDataActions: strings('notDataActions'),
    principals: principals(p.principals),
    excludePrincipals: principals(p.excludePrincipals),
    doNotApplyToChildScopes: p.doNotApplyToChildScopes === true,
  };
}

/** The GUID at the end of a role definition id; the same role has different ids at different scopes. */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return roleDefinitionId.slice(roleDefinitionId.lastIndexOf('/') + 1).toLowerCase();
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
