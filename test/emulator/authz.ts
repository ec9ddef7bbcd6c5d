/**
 * ARM endpoints for "what may I do here": deny assignments, the caller's effective permissions, provider
 * operations, and the dataset's resource groups and resources (resources.ts).
 */
import { armError, authorizationFailed, mayPerform, paged } from './armCommon';
import { json } from './http';
import type { DenyAssignment } from './model';
import { providerOperations } from './operations';
import { effectiveEntries } from './permissions';
import { listDenyAssignments, normaliseScope, type DenyQuery } from './rbac';
import { getResource, listResources } from './resources';
import type { ArmTarget } from './routes';
import type { EmulatorResponse, RequestInfo, ServiceContext } from './types';

type AuthzTarget = Extract<
  ArmTarget,
  {
    endpoint: 'arm-deny-assignments' | 'arm-permissions' | 'arm-provider-operations' | 'arm-resource' | 'arm-resources';
  }
>;

// azure-rest-api-specs authorization 2022-04-01 examples/GetDenyAssignmentById.json (DenyAssignmentProperties).
function denyWire(d: DenyAssignment): unknown {
  return {
    properties: {
      denyAssignmentName: d.denyAssignmentName,
      description: d.description,
      permissions: d.permissions.map((p) => ({ ...p, condition: null, conditionVersion: null })),
      scope: d.scope,
      doNotApplyToChildScopes: d.doNotApplyToChildScopes,
      principals: d.principals.map((p) => ({ id: p.id, displayName: p.displayName, type: p.type, email: null })),
      excludePrincipals: d.excludePrincipals.map((p) => ({
        id: p.id,
        displayName: p.displayName,
        type: p.type,
        email: null,
      })),
      isSystemProtected: d.isSystemProtected,
      condition: null,
      conditionVersion: null,
      createdOn: d.createdOn,
      updatedOn: d.updatedOn,
      createdBy: null,
      updatedBy: null,
    },
    id: d.id,
    type: 'Microsoft.Authorization/denyAssignments',
    name: d.name,
  };
}

/** DenyAssignments_ListForScope `$filter`: atScope(), assignedTo('{id}'), principalId eq '{id}', denyAssignmentName eq '{name}'. */
function parseDenyFilter(filter: string | undefined): DenyQuery | undefined {
  const query: DenyQuery = { atScopeOnly: false };
  if (!filter?.trim()) return query;
  for (const clause of filter.trim().split(/\s+and\s+/i)) {
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(clause)) query.atScopeOnly = true;
    else if ((m = /^assignedTo\('([^']+)'\)$/i.exec(clause)))
      Object.assign(query, { principalId: m[1], filter: 'assignedTo' });
    else if ((m = /^principalId\s+eq\s+'([^']+)'$/i.exec(clause)))
      Object.assign(query, { principalId: m[1], filter: 'principalId' });
    else if ((m = /^denyAssignmentName\s+eq\s+'([^']+)'$/i.exec(clause))) query.name = m[1];
    else return undefined;
  }
  return query;
}

/** Listing needs Microsoft.Authorization/denyAssignments/read at the scope (REST reference "Permissions" section). */
function denyAssignments(
  req: RequestInfo,
  ctx: ServiceContext,
  target: Extract<AuthzTarget, { endpoint: 'arm-deny-assignments' }>,
  oid: string,
): EmulatorResponse {
  const scope = target.scope || '/';
  const action = 'Microsoft.Authorization/denyAssignments/read';
  if (target.name !== undefined) {
    if (!mayPerform(ctx, oid, action, scope)) return authorizationFailed(oid, action, scope);
    const found = ctx.dataset.denyAssignments.find(
      (d) =>
        d.name.toLowerCase() === target.name?.toLowerCase() && normaliseScope(d.scope) === normaliseScope(target.scope),
    );
    return found
      ? json(200, denyWire(found))
      : armError(404, 'DenyAssignmentNotFound', `The deny assignment '${target.name}' could not be found.`);
  }
  const query = parseDenyFilter(req.query.$filter);
  if (!query) return armError(400, 'UnsupportedQuery', `The filter '${req.query.$filter}' is not supported.`);
  if (!mayPerform(ctx, oid, action, scope)) return authorizationFailed(oid, action, scope);
  return paged(req, ctx, listDenyAssignments(ctx.dataset, target.scope, query), denyWire);
}

/**
 * Permissions_ListForResource / _ListForResourceGroup ("Gets all permissions the caller has"): one entry
 * per permission block of each role assignment that applies at the scope (at it or above, direct or via
 * groups); needs no permission of its own, as it only describes the caller. The 2022-05-01-preview
 * Permission adds condition/conditionVersion; sent here so a client can flag conditional grants.
 */
function permissions(req: RequestInfo, ctx: ServiceContext, scope: string, oid: string): EmulatorResponse {
  const entries = effectiveEntries(ctx.dataset, oid, scope);
  return paged(req, ctx, entries, (e) => ({
    ...structuredClone(e.permission),
    condition: e.assignment.condition,
    conditionVersion: e.assignment.conditionVersion,
  }));
}

/** ProviderOperationsMetadata_Get; `$expand` defaults to resourceTypes (spec: "default: resourceTypes"). */
function operations(req: RequestInfo, namespace: string | undefined): EmulatorResponse {
  if (namespace === undefined)
    return armError(400, 'UnsupportedQuery', 'The emulator serves provider operations per namespace only.');
  const body = providerOperations(namespace, (req.query.$expand ?? 'resourceTypes').toLowerCase() === 'resourcetypes');
  return body
    ? json(200, body)
    : armError(404, 'InvalidResourceNamespace', `The resource namespace '${namespace}' is invalid.`);
}

export function handleAuthz(target: AuthzTarget, req: RequestInfo, ctx: ServiceContext, oid: string): EmulatorResponse {
  switch (target.endpoint) {
    case 'arm-deny-assignments':
      return denyAssignments(req, ctx, target, oid);
    case 'arm-permissions':
      return permissions(req, ctx, target.scope, oid);
    case 'arm-provider-operations':
      return operations(req, target.namespace);
    case 'arm-resource':
      return getResource(ctx, target.id, oid);
    case 'arm-resources':
      return listResources(req, ctx, target.subscriptionId, oid);
  }
}
