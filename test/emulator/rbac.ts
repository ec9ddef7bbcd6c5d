/**
 * Azure RBAC over a dataset: scope containment (Tenant Root Group → management group → subscription →
 * resource group → resource; azure-docs role-based-access-control/scope-overview.md "Scope levels"),
 * transitive group membership, and the role / deny assignments ARM lists at a scope. Evaluating what a
 * principal may do lives in permissions.ts.
 */
import type { AssignmentFilter, Dataset, DenyAssignment, RoleAssignment } from './model';
import type { RoleDefinition } from './roles';
import { EVERYONE } from './tenant';

export interface AssignmentQuery {
  /** Only assignments for this principal (and, with assignedTo, its groups, transitively). */
  principalId?: string;
  filter?: AssignmentFilter;
  /** `atScope()`: only assignments at or above the scope, not below it. */
  atScopeOnly: boolean;
}

interface DatasetIndex {
  scopes: string[];
  /** Normalised management-group id or `/subscriptions/{id}` → the management groups above it, nearest first. */
  mgChains: Map<string, string[]>;
  roles: Map<string, RoleDefinition>;
  lists: Map<string, readonly RoleAssignment[]>;
}

const indexes = new WeakMap<Dataset, DatasetIndex>();
const MAX_CACHED_LISTS = 64;

/** After the dataset's assignments changed (a grant made through the control API): rebuild on next use. */
export function forgetIndex(dataset: Dataset): void {
  indexes.delete(dataset);
}

/** ARM ids compare case-insensitively and ignore a trailing slash; the root scope ('/') is ''. */
export function normaliseScope(scope: string): string {
  return scope.toLowerCase().replace(/\/+$/, '');
}

/** The GUID at the end of a role definition id. */
export function roleDefinitionGuid(roleDefinitionId: string): string {
  return roleDefinitionId.slice(roleDefinitionId.lastIndexOf('/') + 1).toLowerCase();
}

function mgChains(dataset: Dataset): Map<string, string[]> {
  const groups = dataset.managementGroups ?? [dataset.managementGroup];
  const parent = new Map(
    groups.map((g) => [normaliseScope(g.id), g.parentId ? normaliseScope(g.parentId) : undefined]),
  );
  const chainFrom = (id: string | undefined): string[] => {
    const out: string[] = [];
    for (let at = id; at !== undefined && !out.includes(at); at = parent.get(at)) out.push(at);
    return out;
  };
  const chains = new Map<string, string[]>();
  for (const g of groups) chains.set(normaliseScope(g.id), chainFrom(parent.get(normaliseScope(g.id))));
  const subscriptions = dataset.subscriptions ?? [
    { id: dataset.scopes.subscription, managementGroupId: dataset.managementGroup.id },
  ];
  for (const s of subscriptions) chains.set(normaliseScope(s.id), chainFrom(normaliseScope(s.managementGroupId)));
  return chains;
}

function indexOf(dataset: Dataset): DatasetIndex {
  let index = indexes.get(dataset);
  if (!index) {
    index = {
      scopes: dataset.roleAssignments.map((a) => normaliseScope(a.scope)),
      mgChains: mgChains(dataset),
      roles: new Map(dataset.roleDefinitions.map((r) => [r.name.toLowerCase(), r])),
      lists: new Map(),
    };
    indexes.set(dataset, index);
  }
  return index;
}

/** The management groups above a normalised scope (its own chain for a group, its subscription's otherwise). */
function groupsAbove(index: DatasetIndex, inner: string): string[] {
  const sub = /^\/subscriptions\/[^/]+/.exec(inner)?.[0];
  return index.mgChains.get(sub ?? inner) ?? [];
}

function containsNormalised(index: DatasetIndex, outer: string, inner: string): boolean {
  if (outer === '' || outer === inner || inner.startsWith(`${outer}/`)) return true;
  // A subscription's id does not name its management groups; the hierarchy does (scope-overview.md).
  return (
    outer.startsWith('/providers/microsoft.management/managementgroups/') && groupsAbove(index, inner).includes(outer)
  );
}

/** Whether `outer` is `inner` or one of its ancestors. */
export function scopeContains(dataset: Dataset, outer: string, inner: string): boolean {
  return containsNormalised(indexOf(dataset), normaliseScope(outer), normaliseScope(inner));
}

/**
 * The principal itself plus every group it is in, directly or through other groups: `assignedTo()` "is
 * transitive for groups" (azure-docs role-based-access-control/role-assignments-list-rest.md, Filter table).
 */
export function principalAndGroups(dataset: Dataset, principalId: string): Set<string> {
  const ids = new Set([principalId.toLowerCase()]);
  for (let grew = true; grew;) {
    grew = false;
    for (const g of dataset.groups) {
      const gid = g.id.toLowerCase();
      if (!ids.has(gid) && g.memberIds.some((m) => ids.has(m.toLowerCase()))) {
        ids.add(gid);
        grew = true;
      }
    }
  }
  return ids;
}

/** The groups a principal is in, transitively (not the principal itself). */
export function groupIdsOf(dataset: Dataset, principalId: string): string[] {
  const ids = principalAndGroups(dataset, principalId);
  return dataset.groups.filter((g) => ids.has(g.id.toLowerCase())).map((g) => g.id);
}

/**
 * Role assignments ARM lists at `scope`: those at or above it, and (unless atScope()) below it
 * (role-assignments-list-rest.md: "at, above or below the scope"), optionally narrowed to a principal.
 * Cached per dataset; callers must not mutate the result.
 */
export function listRoleAssignments(
  dataset: Dataset,
  scope: string,
  query: AssignmentQuery,
): readonly RoleAssignment[] {
  const index = indexOf(dataset);
  const target = normaliseScope(scope);
  const key = `${target}|${query.principalId?.toLowerCase() ?? ''}|${query.filter ?? ''}|${query.atScopeOnly}`;
  const cached = index.lists.get(key);
  if (cached) return cached;
  const principals =
    query.principalId === undefined
      ? undefined
      : query.filter === 'assignedTo'
        ? principalAndGroups(dataset, query.principalId)
        : new Set([query.principalId.toLowerCase()]);
  const result = dataset.roleAssignments.filter((a, i) => {
    if (principals && !principals.has(a.principalId.toLowerCase())) return false;
    const at = index.scopes[i];
    return containsNormalised(index, at, target) || (!query.atScopeOnly && containsNormalised(index, target, at));
  });
  if (index.lists.size >= MAX_CACHED_LISTS) index.lists.clear();
  index.lists.set(key, result);
  return result;
}

export function findRoleDefinition(dataset: Dataset, guid: string): RoleDefinition | undefined {
  return indexOf(dataset).roles.get(guid.toLowerCase());
}

/**
 * Whether a deny assignment names the principal: listed in `principals` (itself, one of its groups, or
 * Everyone) and not in `excludePrincipals` (azure-docs role-based-access-control/deny-assignments.md,
 * "Deny assignment properties": Principals / ExcludePrincipals).
 */
function denyNames(dataset: Dataset, deny: DenyAssignment, principalId: string): boolean {
  const ids = principalAndGroups(dataset, principalId);
  const named = deny.principals.some((p) => p.id === EVERYONE.id || ids.has(p.id.toLowerCase()));
  return named && !deny.excludePrincipals.some((p) => ids.has(p.id.toLowerCase()));
}

export interface DenyQuery {
  principalId?: string;
  /** assignedTo (transitive, Everyone included) or principalId eq (named directly). */
  filter?: AssignmentFilter;
  atScopeOnly: boolean;
  name?: string;
}

/**
 * Deny assignments ARM lists at `scope` (azure-rest-api-specs authorization 2022-04-01
 * DenyAssignments_ListForScope `$filter`: atScope() "at or above", principalId "at, above and below",
 * denyAssignmentName; assignedTo transitive per azure-docs deny-assignments-list-rest.md).
 */
export function listDenyAssignments(dataset: Dataset, scope: string, query: DenyQuery): DenyAssignment[] {
  const index = indexOf(dataset);
  const target = normaliseScope(scope);
  return (dataset.denyAssignments ?? []).filter((d) => {
    const at = normaliseScope(d.scope);
    if (!(containsNormalised(index, at, target) || (!query.atScopeOnly && containsNormalised(index, target, at))))
      return false;
    if (query.name !== undefined && d.denyAssignmentName.toLowerCase() !== query.name.toLowerCase()) return false;
    if (query.principalId === undefined) return true;
    if (query.filter === 'principalId')
      return d.principals.some((p) => p.id.toLowerCase() === query.principalId?.toLowerCase());
    return denyNames(dataset, d, query.principalId);
  });
}

/**
 * Deny assignments that apply to the principal at `scope`: at the scope or above it, except those above
 * it with doNotApplyToChildScopes (deny-assignments.md "DoNotApplyToChildScopes").
 */
export function applicableDenies(dataset: Dataset, principalId: string, scope: string): DenyAssignment[] {
  const target = normaliseScope(scope);
  return listDenyAssignments(dataset, scope, { principalId, filter: 'assignedTo', atScopeOnly: true }).filter(
    (d) => !d.doNotApplyToChildScopes || normaliseScope(d.scope) === target,
  );
}

/** Whether the principal has any role assignment at, above or below the scope (how ARM decides which subscriptions to list). */
export function hasAnyAssignment(dataset: Dataset, principalId: string, scope: string): boolean {
  return listRoleAssignments(dataset, scope, { principalId, filter: 'assignedTo', atScopeOnly: false }).length > 0;
}
