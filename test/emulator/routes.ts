/** Which service and endpoint a path belongs to. Every listener serves every service. */
import type { Route, RouteKey } from './types';

export type ArmTarget =
  | { endpoint: 'arm-subscriptions'; subscriptionId?: string }
  | { endpoint: 'arm-role-assignments'; scope: string }
  | { endpoint: 'arm-role-definition'; scope: string; guid: string }
  | { endpoint: 'arm-role-definitions'; scope: string }
  | { endpoint: 'arm-vm'; subscriptionId: string; resourceGroup: string; name: string }
  | { endpoint: 'arm-deny-assignments'; scope: string; name?: string }
  | { endpoint: 'arm-permissions'; scope: string }
  | { endpoint: 'arm-provider-operations'; namespace?: string }
  | { endpoint: 'arm-resource'; id: string }
  | { endpoint: 'arm-resources'; subscriptionId: string }
  | { endpoint: 'arm-other' };

const AUTHZ = '/providers/Microsoft\\.Authorization';

/** ARM paths are case-insensitive; scopes are returned as written, '' for the tenant root. */
export function matchArm(path: string): ArmTarget {
  let m: RegExpExecArray | null;
  if ((m = /^\/subscriptions\/?$/i.exec(path))) return { endpoint: 'arm-subscriptions' };
  if ((m = /^\/subscriptions\/([^/]+)\/?$/i.exec(path))) return { endpoint: 'arm-subscriptions', subscriptionId: m[1] };
  if ((m = /^\/subscriptions\/([^/]+)\/resources\/?$/i.exec(path)))
    return { endpoint: 'arm-resources', subscriptionId: m[1] };
  if ((m = new RegExp(`^(.*?)${AUTHZ}/roleAssignments/?$`, 'i').exec(path)))
    return { endpoint: 'arm-role-assignments', scope: m[1] };
  if ((m = new RegExp(`^(.*?)${AUTHZ}/roleDefinitions/([^/]+)/?$`, 'i').exec(path)))
    return { endpoint: 'arm-role-definition', scope: m[1], guid: m[2] };
  if ((m = new RegExp(`^(.*?)${AUTHZ}/roleDefinitions/?$`, 'i').exec(path)))
    return { endpoint: 'arm-role-definitions', scope: m[1] };
  if (
    (m =
      /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)\/?$/i.exec(
        path,
      ))
  ) {
    return { endpoint: 'arm-vm', subscriptionId: m[1], resourceGroup: m[2], name: m[3] };
  }
  if ((m = new RegExp(`^(.*?)${AUTHZ}/denyAssignments(?:/([^/]+))?/?$`, 'i').exec(path)))
    return { endpoint: 'arm-deny-assignments', scope: m[1], ...(m[2] ? { name: m[2] } : {}) };
  if ((m = new RegExp(`^(.*?)${AUTHZ}/permissions/?$`, 'i').exec(path)))
    return { endpoint: 'arm-permissions', scope: m[1] };
  if ((m = new RegExp(`^${AUTHZ}/providerOperations(?:/([^/]+))?/?$`, 'i').exec(path)))
    return { endpoint: 'arm-provider-operations', ...(m[1] ? { namespace: m[1] } : {}) };
  // Any other resource group or resource the dataset holds (storage accounts, key vaults).
  if ((m = /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+(?:\/providers\/[^/]+\/[^/]+\/[^/]+)?)\/?$/i.exec(path)))
    return { endpoint: 'arm-resource', id: m[1] };
  return { endpoint: 'arm-other' };
}

export type GraphTarget = { endpoint: 'graph-sp'; by: 'id' | 'appId'; value: string } | { endpoint: 'graph-other' };

export function matchGraph(path: string): GraphTarget {
  let m: RegExpExecArray | null;
  if ((m = /^\/v1\.0\/servicePrincipals\/([^/()]+)\/?$/i.exec(path)))
    return { endpoint: 'graph-sp', by: 'id', value: m[1] };
  if ((m = /^\/v1\.0\/servicePrincipals\(appId='([^']+)'\)\/?$/i.exec(path)))
    return { endpoint: 'graph-sp', by: 'appId', value: m[1] };
  return { endpoint: 'graph-other' };
}

function imdsEndpoint(path: string): RouteKey {
  if (/^\/metadata\/identity\/oauth2\/token\/?$/i.test(path)) return 'imds-token';
  if (/^\/metadata\/identity\/info\/?$/i.test(path)) return 'imds-info';
  if (/^\/metadata\/instance(\/|$)/i.test(path)) return 'imds-instance';
  return 'imds-other';
}

/** `/metadata/…` IMDS, `/oauth2/token` legacy VM extension, `/v1.0/…` Graph, `/_emulator/…` control, else ARM. */
export function classifyRoute(path: string): Route {
  if (/^\/_emulator(\/|$)/.test(path)) return { service: 'control', endpoint: 'control' };
  if (/^\/metadata(\/|$)/i.test(path)) return { service: 'imds', endpoint: imdsEndpoint(path) };
  if (/^\/oauth2\/token\/?$/i.test(path)) return { service: 'legacy', endpoint: 'legacy-token' };
  if (/^\/v1\.0(\/|$)/i.test(path)) return { service: 'graph', endpoint: matchGraph(path).endpoint };
  return { service: 'arm', endpoint: matchArm(path).endpoint };
}
