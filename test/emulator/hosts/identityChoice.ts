/** Selecting a managed identity by the id parameters the App Service / Azure ML endpoints accept. */
import type { ServiceContext } from '../types';
import { lowerResourceGroups, type AppSubject } from './hostTokens';

export interface HostIdentities {
  system?: AppSubject;
  user: Array<AppSubject & { resourceId: string }>;
}

/**
 * The host's identities: the dataset's system identity (when enabled) with `hostResourceId` as its xms_mirid,
 * and the dataset's user-assigned identities (when attached), each naming the host in xms_az_rid.
 */
export function hostIdentities(ctx: ServiceContext, hostResourceId: string): HostIdentities {
  const { dataset, config } = ctx;
  const system = config.systemAssigned
    ? { ...dataset.systemIdentity, mirid: lowerResourceGroups(hostResourceId) }
    : undefined;
  const user = (config.userAssignedAttached ? dataset.userAssignedIdentities : []).map((u) => ({
    principalId: u.principalId,
    clientId: u.clientId,
    mirid: u.resourceId,
    hostResourceId,
    resourceId: u.resourceId,
  }));
  return { system, user };
}

export function same(a: string | undefined, b: string | undefined): boolean {
  return a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
}
