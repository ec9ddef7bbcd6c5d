/**
 * The snapshot as data: who the identity is (always there: without a token there is no snapshot) and each
 * optional part as a {@link Part}, so "value and error both set" or "neither" cannot be written down.
 * Consumers switch over `status` exhaustively.
 */
import { type VmIdentityError, toVmIdentityError } from '../core/errors';
import { type IdentitySelector, type IdentityType, type IssuedToken, identityTypeOf } from '../identity';
import type { VmIdentityBlock } from './arm';
import { type Cloud, portalLink } from './clouds';
import type { AzureEndpoints } from './endpoints';
import type { InstanceMetadata } from './instanceMetadata';
import type { RolesView } from './roleScan';

export type Part<T> =
  { status: 'ok'; value: T } | { status: 'failed'; error: VmIdentityError } | { status: 'skipped'; reason: string };

export const ok = <T>(value: T): Part<T> => ({ status: 'ok', value });
export const skipped = <T>(reason: string): Part<T> => ({ status: 'skipped', reason });

/** A settled promise as a part: fulfilled → ok (or skipped when there is nothing), rejected → failed. */
export function partOf<T>(
  result: PromiseSettledResult<T | undefined>,
  whenEmpty: string,
  explain = toVmIdentityError,
): Part<T> {
  if (result.status === 'rejected') return { status: 'failed', error: explain(result.reason) };
  return result.value === undefined ? skipped(whenEmpty) : ok(result.value);
}

/** The value of a part, when it has one. */
export function valueOf<T>(part: Part<T>): T | undefined {
  return part.status === 'ok' ? part.value : undefined;
}

export interface Include {
  roles?: boolean;
  /** Only this subscription's role assignments (its id or display name). */
  subscription?: string;
  displayName?: boolean;
  vmIdentityBlock?: boolean;
}

export interface VmInfo {
  name: string;
  resourceGroup: string;
  subscriptionId: string;
  location: string;
  resourceId: string;
  vmSize: string;
  osType: string;
  computerName: string;
  cloud: Cloud['name'];
}

export interface IdentityInfo {
  principalId: string;
  clientId?: string;
  tenantId: string;
  identityType: IdentityType;
  identityResourceId?: string;
  source: string;
  /** `issuedAt`: the token's `iat` (epoch ms), when it has one. */
  token: { resource: string; expiresOn: number; refreshAfter: number; issuedAt?: number };
}

export interface PortalLinks {
  vm?: string;
  identityPage?: string;
  accessControl?: string;
  identity?: string;
}

export interface Snapshot {
  identity: IdentityInfo;
  selector: IdentitySelector;
  cloud: Cloud;
  endpoints: AzureEndpoints;
  links: PortalLinks;
  vm: Part<VmInfo>;
  displayName: Part<string>;
  roles: Part<RolesView>;
  vmIdentityBlock: Part<VmIdentityBlock>;
  /**
   * A Refresh asked for a new token and got the one it had (same `iat`): IMDS caches tokens for up to 24 h
   * (entra-docs managed-identities-faq.md "Are managed identities tokens cached?").
   */
  sameTokenAfterRefresh?: boolean;
  /** Network figures for the log and the benchmark. */
  stats: { rolePages: number; roleDefinitionLookups: number; subscriptions: number; ms: number };
}

export function toVmInfo(m: InstanceMetadata, cloud: Cloud): VmInfo {
  return {
    name: m.name,
    resourceGroup: m.resourceGroupName,
    subscriptionId: m.subscriptionId,
    location: m.location,
    resourceId: m.resourceId,
    vmSize: m.vmSize,
    osType: m.osType,
    computerName: m.computerName,
    cloud: cloud.name,
  };
}

export function linksFor(cloud: Cloud, identity: IdentityInfo, vm: VmInfo | undefined): PortalLinks {
  const vmId = vm?.resourceId;
  return {
    vm: vmId ? portalLink(cloud, identity.tenantId, vmId) : undefined,
    identityPage: vmId ? portalLink(cloud, identity.tenantId, vmId, 'identity') : undefined,
    accessControl: vmId ? portalLink(cloud, identity.tenantId, vmId, 'users') : undefined,
    identity: identity.identityResourceId
      ? portalLink(cloud, identity.tenantId, identity.identityResourceId)
      : undefined,
  };
}

export function subscriptionOf(resourceId: string | undefined): string | undefined {
  return resourceId ? /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1] : undefined;
}

/** Who the token says the identity is. */
export function identityOf(token: IssuedToken, selector: IdentitySelector): IdentityInfo {
  const claims = token.claims;
  const identityResourceId = claims.identityResourceId;
  const t = token.accessToken;
  const identityType = typeOf(token, selector);
  return {
    principalId: claims.principalId,
    // A user's token carries the app they signed in through (Cloud Shell: the portal's), not an ID of theirs.
    clientId: identityType === 'User' ? undefined : claims.clientId,
    tenantId: claims.tenantId,
    identityType,
    identityResourceId,
    source: token.source,
    token: { resource: t.resource, expiresOn: t.expiresOn, refreshAfter: t.refreshAfter, issuedAt: claims.issuedAt },
  };
}

/** What the token says it is; Cloud Shell without xms_mirid is its user; workload identity is an app. */
function typeOf(token: IssuedToken, selector: IdentitySelector): IdentityType {
  const claims = token.claims;
  if (claims.identityType === 'User' || (token.source === 'cloudShell' && !claims.identityResourceId)) return 'User';
  if (token.source === 'workloadIdentity') return 'WorkloadIdentity';
  if (claims.identityType) return claims.identityType;
  if (claims.identityResourceId) return identityTypeOf(claims.identityResourceId);
  return selector.kind === 'system' ? 'SystemAssigned' : 'UserAssigned';
}
