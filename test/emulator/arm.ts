/**
 * Azure Resource Manager: role assignments, role definitions, the VM and subscriptions, with bearer
 * validation and RBAC checks. Shapes from azure-rest-api-specs (authorization 2022-04-01, compute
 * 2024-07-01, resources subscriptions 2022-12-01) and the ARM error envelope.
 */
import { armAudiences, cloudFor } from './clouds';
import type { RoleAssignment, Subscription } from './model';
import { json } from './http';
import { armError, authorizationFailed, forcedAccess, mayPerform, paged } from './armCommon';
import { handleAuthz } from './authz';
import {
  findRoleDefinition,
  hasAnyAssignment,
  listRoleAssignments,
  normaliseScope,
  scopeContains,
  type AssignmentQuery,
} from './rbac';
import { roleDefinitionIdAt, type RoleDefinition } from './roles';
import { matchArm, type ArmTarget } from './routes';
import { checkBearer, type AccessTokenClaims } from './tokens';
import type { EmulatorResponse, RequestInfo, ServiceContext } from './types';

const API_VERSION = /^\d{4}-\d{2}-\d{2}(-preview)?$/;

function unauthorized(ctx: ServiceContext, code: string, message: string, challenge: string): EmulatorResponse {
  const authority = `${cloudFor(ctx.config.azEnvironment).loginAuthority}/${ctx.dataset.tenantId}`;
  return armError(401, code, message, {
    'www-authenticate': `Bearer authorization_uri="${authority}", error="invalid_token", error_description="${challenge}"`,
  });
}

/** Observed ARM 401 codes: AuthenticationFailed, InvalidAuthenticationToken, ExpiredAuthenticationToken, InvalidAuthenticationTokenAudience. */
function authenticate(req: RequestInfo, ctx: ServiceContext): AccessTokenClaims | EmulatorResponse {
  const nowSec = Math.floor(req.nowMs / 1000);
  const audiences = armAudiences(cloudFor(ctx.config.azEnvironment));
  const check = checkBearer(req.headers.authorization, ctx.tokens, audiences, nowSec);
  if (check.ok) return check.claims;
  switch (check.reason) {
    case 'missing':
      return unauthorized(
        ctx,
        'AuthenticationFailed',
        "Authentication failed. The 'Authorization' header is missing.",
        "The authentication failed because of missing 'Authorization' header.",
      );
    case 'invalid':
      return unauthorized(
        ctx,
        'InvalidAuthenticationToken',
        'The access token is invalid.',
        'The access token is invalid.',
      );
    case 'expired': {
      const message = `The access token expiry UTC time '${isoSeconds(check.claims?.exp ?? 0)}' is earlier than current UTC time '${isoSeconds(nowSec)}'.`;
      return unauthorized(
        ctx,
        'ExpiredAuthenticationToken',
        message,
        'The access token expiry UTC time is earlier than current UTC time.',
      );
    }
    case 'audience': {
      const message = `The access token has been obtained for wrong audience or resource '${check.claims?.aud ?? ''}'. It should exactly match with one of the allowed audiences '${audiences.join("','")}'.`;
      return unauthorized(
        ctx,
        'InvalidAuthenticationTokenAudience',
        message,
        'The access token has been obtained from wrong audience or resource.',
      );
    }
  }
}

function isoSeconds(epochSec: number): string {
  return new Date(epochSec * 1000).toISOString().replace('.000Z', 'Z');
}

// azure-rest-api-specs authorization 2022-04-01 examples/RoleAssignments_ListForScope.json (+ RoleAssignmentProperties)
function roleAssignmentWire(a: RoleAssignment): unknown {
  return {
    properties: {
      roleDefinitionId: a.roleDefinitionId,
      principalId: a.principalId,
      principalType: a.principalType,
      scope: a.scope,
      condition: a.condition,
      conditionVersion: a.conditionVersion,
      createdOn: a.createdOn,
      updatedOn: a.updatedOn,
      createdBy: a.createdBy,
      updatedBy: a.updatedBy,
      delegatedManagedIdentityResourceId: null,
      description: a.description,
    },
    id: a.id,
    type: 'Microsoft.Authorization/roleAssignments',
    name: a.name,
  };
}

// azure-rest-api-specs authorization 2022-04-01 examples/GetRoleDefinitionById.json; the id follows the scope asked at.
function roleDefinitionWire(role: RoleDefinition, scope: string): unknown {
  return { properties: role.properties, id: roleDefinitionIdAt(scope, role.name), type: role.type, name: role.name };
}

/** `$filter` of roleAssignments: atScope(), assignedTo('{id}'), principalId eq '{id}', joined by 'and'. */
function parseAssignmentFilter(filter: string | undefined): AssignmentQuery | undefined {
  const query: AssignmentQuery = { atScopeOnly: false };
  if (!filter?.trim()) return query;
  for (const clause of filter.trim().split(/\s+and\s+/i)) {
    let m: RegExpExecArray | null;
    if (/^atScope\(\)$/i.test(clause)) query.atScopeOnly = true;
    else if ((m = /^assignedTo\('([^']+)'\)$/i.exec(clause)))
      Object.assign(query, { principalId: m[1], filter: 'assignedTo' });
    else if ((m = /^principalId\s+eq\s+'([^']+)'$/i.exec(clause)))
      Object.assign(query, { principalId: m[1], filter: 'principalId' });
    else return undefined;
  }
  return query;
}

function listAssignments(req: RequestInfo, ctx: ServiceContext, scope: string, oid: string): EmulatorResponse {
  const query = parseAssignmentFilter(req.query.$filter);
  if (!query) {
    return armError(
      400,
      'UnsupportedQuery',
      `The filter '${req.query.$filter}' is not supported. Supported filters are either 'atScope()' or 'principalId eq '{value}' or assignedTo('{value}')'.`,
    );
  }
  if (!mayPerform(ctx, oid, 'Microsoft.Authorization/roleAssignments/read', scope || '/'))
    return authorizationFailed(oid, 'Microsoft.Authorization/roleAssignments/read', scope || '/');
  return paged(req, ctx, listRoleAssignments(ctx.dataset, scope, query), roleAssignmentWire);
}

function getRoleDefinition(ctx: ServiceContext, scope: string, guid: string): EmulatorResponse {
  const role = findRoleDefinition(ctx.dataset, guid);
  if (!role)
    return armError(
      404,
      'RoleDefinitionDoesNotExist',
      `The specified role definition with ID '${guid}' does not exist.`,
    );
  return json(200, roleDefinitionWire(role, scope));
}

/** `$filter` of roleDefinitions: type eq 'BuiltInRole'|'CustomRole' or roleName eq '…'. */
function roleDefinitionMatcher(filter: string | undefined): ((r: RoleDefinition) => boolean) | undefined {
  if (!filter?.trim()) return () => true;
  const type = /^type\s+eq\s+'(BuiltInRole|CustomRole)'$/i.exec(filter.trim());
  if (type) return (r) => r.properties.type.toLowerCase() === type[1].toLowerCase();
  const name = /^roleName\s+eq\s+'([^']+)'$/i.exec(filter.trim());
  if (name) return (r) => r.properties.roleName.toLowerCase() === name[1].toLowerCase();
  return undefined;
}

function listRoleDefinitions(req: RequestInfo, ctx: ServiceContext, scope: string): EmulatorResponse {
  const matches = roleDefinitionMatcher(req.query.$filter);
  if (!matches) return armError(400, 'UnsupportedQuery', `The filter '${req.query.$filter}' is not supported.`);
  // Custom roles show up where they are assignable: at one of their assignable scopes or below.
  const visible = ctx.dataset.roleDefinitions.filter(
    (r) =>
      r.properties.type === 'BuiltInRole' ||
      r.properties.assignableScopes.some((s) => scopeContains(ctx.dataset, s, scope)),
  );
  return paged(req, ctx, visible.filter(matches), (r) => roleDefinitionWire(r, scope));
}

// azure-rest-api-specs compute 2024-07-01 examples VirtualMachine_Get.json (identity: VirtualMachineIdentity)
function vmIdentityWire(ctx: ServiceContext): unknown {
  const { dataset, config } = ctx;
  const uamis = config.userAssignedAttached ? dataset.userAssignedIdentities : [];
  if (!config.systemAssigned && uamis.length === 0) return undefined;
  const type = [config.systemAssigned ? 'SystemAssigned' : '', uamis.length ? 'UserAssigned' : '']
    .filter(Boolean)
    .join(', ');
  return {
    type,
    ...(config.systemAssigned ? { principalId: dataset.systemIdentity.principalId, tenantId: dataset.tenantId } : {}),
    ...(uamis.length
      ? {
          userAssignedIdentities: Object.fromEntries(
            uamis.map((u) => [u.resourceId, { principalId: u.principalId, clientId: u.clientId }]),
          ),
        }
      : {}),
  };
}

// azure-rest-api-specs compute 2024-07-01 examples VirtualMachine_Get.json
function vmWire(ctx: ServiceContext): unknown {
  const { dataset } = ctx;
  const { vm } = dataset;
  const linux = vm.osType === 'Linux';
  const identity = vmIdentityWire(ctx);
  return {
    name: vm.name,
    id: vm.resourceId,
    type: 'Microsoft.Compute/virtualMachines',
    location: vm.location,
    tags: {},
    zones: [vm.zone],
    ...(identity ? { identity } : {}),
    properties: {
      vmId: vm.vmId,
      hardwareProfile: { vmSize: vm.vmSize },
      storageProfile: {
        imageReference: {
          publisher: vm.image.publisher,
          offer: vm.image.offer,
          sku: vm.image.sku,
          version: 'latest',
          exactVersion: vm.image.version,
        },
        osDisk: {
          osType: vm.osType,
          name: vm.osDiskName,
          createOption: 'FromImage',
          caching: 'ReadWrite',
          managedDisk: {
            storageAccountType: 'Premium_LRS',
            id: `${dataset.scopes.resourceGroup}/providers/Microsoft.Compute/disks/${vm.osDiskName}`,
          },
          deleteOption: 'Delete',
          diskSizeGB: linux ? 30 : 127,
        },
        dataDisks: [],
        diskControllerType: 'SCSI',
      },
      osProfile: {
        computerName: vm.computerName,
        adminUsername: vm.adminUsername,
        ...(linux
          ? {
              linuxConfiguration: {
                disablePasswordAuthentication: true,
                provisionVMAgent: true,
                patchSettings: { patchMode: 'ImageDefault', assessmentMode: 'ImageDefault' },
              },
            }
          : {
              windowsConfiguration: {
                provisionVMAgent: true,
                enableAutomaticUpdates: true,
                patchSettings: { patchMode: 'AutomaticByOS', assessmentMode: 'ImageDefault' },
              },
            }),
        secrets: [],
        allowExtensionOperations: true,
        requireGuestProvisionSignal: true,
      },
      securityProfile: { uefiSettings: { secureBootEnabled: true, vTpmEnabled: true }, securityType: 'TrustedLaunch' },
      networkProfile: {
        networkInterfaces: [
          {
            id: `${dataset.scopes.resourceGroup}/providers/Microsoft.Network/networkInterfaces/${vm.name}-nic`,
            properties: { deleteOption: 'Detach' },
          },
        ],
      },
      diagnosticsProfile: { bootDiagnostics: { enabled: true } },
      provisioningState: 'Succeeded',
      timeCreated: '2024-03-18T09:41:27.1234567+00:00',
    },
  };
}

function getVm(req: RequestInfo, ctx: ServiceContext, oid: string): EmulatorResponse {
  const requested = req.path.replace(/\/+$/, '');
  if (!mayPerform(ctx, oid, 'Microsoft.Compute/virtualMachines/read', requested))
    return authorizationFailed(oid, 'Microsoft.Compute/virtualMachines/read', requested);
  if (normaliseScope(requested) !== normaliseScope(ctx.dataset.vm.resourceId)) {
    const [, , , , rg, , , , name] = requested.split('/');
    return armError(
      404,
      'ResourceNotFound',
      `The Resource 'Microsoft.Compute/virtualMachines/${name}' under resource group '${rg}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
    );
  }
  return json(200, vmWire(ctx));
}

// azure-rest-api-specs resources subscriptions 2022-12-01 examples/GetSubscriptions.json
function subscriptionWire(ctx: ServiceContext, sub: Subscription): unknown {
  return {
    id: sub.id,
    authorizationSource: 'RoleBased',
    managedByTenants: [],
    subscriptionId: sub.subscriptionId,
    tenantId: ctx.dataset.tenantId,
    displayName: sub.displayName,
    state: 'Enabled',
    subscriptionPolicies: {
      locationPlacementId: 'Public_2014-09-01',
      quotaId: 'PayAsYouGo_2014-09-01',
      spendingLimit: 'Off',
    },
  };
}

/**
 * `GET /subscriptions` "Gets all subscriptions for a tenant" (the spec's summary) — in practice the ones
 * the caller holds some role in, at, above (management groups) or below the subscription: `az login
 * --identity` shows an identity with Reader on one storage account that account's subscription. No
 * document states the rule exactly (see the report's risks). A forced armReadable keeps its old meaning:
 * true shows the VM's subscription whatever the roles, false hides every subscription.
 */
function visibleSubscriptions(ctx: ServiceContext, oid: string): Subscription[] {
  const forced = forcedAccess(ctx, oid);
  if (forced === false) return [];
  return ctx.dataset.subscriptions.filter(
    (s) => (forced && s.id === ctx.dataset.scopes.subscription) || hasAnyAssignment(ctx.dataset, oid, s.id),
  );
}

function subscriptions(ctx: ServiceContext, oid: string, subscriptionId: string | undefined): EmulatorResponse {
  const visible = visibleSubscriptions(ctx, oid);
  if (subscriptionId === undefined)
    return json(200, {
      value: visible.map((s) => subscriptionWire(ctx, s)),
      count: { type: 'Total', value: visible.length },
    });
  const sub = visible.find((s) => s.subscriptionId.toLowerCase() === subscriptionId.toLowerCase());
  if (!sub) return armError(404, 'SubscriptionNotFound', `The subscription '${subscriptionId}' could not be found.`);
  return json(200, subscriptionWire(ctx, sub));
}

function dispatch(
  target: Exclude<ArmTarget, { endpoint: 'arm-other' }>,
  req: RequestInfo,
  ctx: ServiceContext,
  oid: string,
): EmulatorResponse {
  switch (target.endpoint) {
    case 'arm-role-assignments':
      return listAssignments(req, ctx, target.scope, oid);
    case 'arm-role-definition':
      return getRoleDefinition(ctx, target.scope, target.guid);
    case 'arm-role-definitions':
      return listRoleDefinitions(req, ctx, target.scope);
    case 'arm-vm':
      return getVm(req, ctx, oid);
    case 'arm-subscriptions':
      return subscriptions(ctx, oid, target.subscriptionId);
    default:
      return handleAuthz(target, req, ctx, oid);
  }
}

/** Every ARM path: authenticate, then method and api-version, then the endpoint. */
export function handleArm(req: RequestInfo, ctx: ServiceContext): EmulatorResponse {
  const claims = authenticate(req, ctx);
  if ('status' in claims) return claims;
  const target = matchArm(req.path);
  if (target.endpoint === 'arm-other') return armError(404, 'NotFound', `The emulator does not serve '${req.path}'.`);
  if (req.method !== 'GET')
    return armError(
      405,
      'HttpMethodNotAllowed',
      `The requested resource does not support http method '${req.method}'.`,
    );
  const apiVersion = req.query['api-version'];
  if (!apiVersion)
    return armError(
      400,
      'MissingApiVersionParameter',
      'The api-version query parameter (?api-version=) is required for all requests.',
    );
  if (!API_VERSION.test(apiVersion))
    return armError(400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid.`);
  return dispatch(target, req, ctx, claims.oid);
}
