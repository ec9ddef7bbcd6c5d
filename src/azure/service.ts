/**
 * Who the VM identity is and what it may do, in the fewest network stages:
 *   1. token for ARM ‖ instance metadata (‖ token for Graph)
 *   2. role assignments (first page) ‖ role definitions of the subscription ‖ VM identity block ‖ Graph
 *   +1 per extra page of assignments; +1 only for role definitions not in the subscription's list.
 * The cloud (hence the token audience) comes from the metadata, so stage 1 guesses it (the last one seen,
 * else the public cloud) and asks again only when the guess was wrong.
 */
import {
  type Clock,
  type IdentitySelector,
  type IdentityType,
  type IssuedToken,
  type Logger,
  type ManagedIdentityClient,
  type Transport,
  ASSIGN_ACCESS_DOCS,
  ARM_RETRY_POLICY,
  SYSTEM_ASSIGNED,
  VmIdentityError,
  cancelled,
  directTransport,
  identityTypeOf,
  imdsHost,
  isVmIdentityError,
  redacting,
  silentLogger,
  systemClock,
} from '../identity';
import { ArmClient, type VmIdentityBlock, parseRoleAssignment } from './arm';
import { type Cloud, PUBLIC_CLOUD, cloudFor, portalLink } from './clouds';
import { type AzureEndpoints, resolveEndpoints } from './endpoints';
import { getServicePrincipal } from './graph';
import { type AgentFor, AzureHttp } from './http';
import { type InstanceMetadata, getInstanceMetadata } from './instanceMetadata';
import { type RoleAssignmentDetail, RoleDefinitionResolver, prepareSorting } from './roles';

export interface IdentityServiceOptions {
  identityClient: ManagedIdentityClient;
  env?: NodeJS.ProcessEnv;
  /** Transport to IMDS for instance metadata (direct, never proxied). */
  transport?: Transport;
  /** Proxy agents for ARM/Graph; leave undefined inside VS Code, which patches `https` itself. */
  agentFor?: AgentFor;
  logger?: Logger;
  clock?: Clock;
  armTimeoutMs?: number;
}

export interface Include {
  roles?: boolean;
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
  token: { resource: string; expiresOn: number; refreshAfter: number };
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
  vm?: VmInfo;
  vmError?: VmIdentityError;
  displayName?: string;
  displayNameError?: VmIdentityError;
  roles?: RoleAssignmentDetail[];
  rolesError?: VmIdentityError;
  vmIdentityBlock?: VmIdentityBlock;
  vmIdentityBlockError?: VmIdentityError;
  links: PortalLinks;
  /** Network figures for the log and the benchmark. */
  stats: { rolePages: number; roleDefinitionLookups: number; ms: number };
}

export class IdentityService {
  private readonly env: NodeJS.ProcessEnv;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly transport: Transport;
  private readonly resolver: RoleDefinitionResolver;
  private lastCloud?: Cloud;
  private listedScopes = new Set<string>();

  constructor(private readonly options: IdentityServiceOptions) {
    this.env = options.env ?? process.env;
    this.logger = redacting(options.logger ?? silentLogger);
    this.clock = options.clock ?? systemClock;
    this.transport = options.transport ?? directTransport;
    this.resolver = new RoleDefinitionResolver(this.logger);
  }

  get identityClient(): ManagedIdentityClient {
    return this.options.identityClient;
  }

  /** Forget tokens and everything learnt (sign out). */
  reset(): void {
    this.options.identityClient.clear();
    this.lastCloud = undefined;
  }

  instanceMetadata(signal?: AbortSignal): Promise<InstanceMetadata> {
    // Same time limits as the token (vmIdentity.timeoutSeconds): sign-in waits for both, so a hanging IMDS
    // must not hold the time-out message back for the metadata's own ~47 s of attempts.
    const timeouts = this.options.identityClient.currentTimeouts;
    return getInstanceMetadata({ host: imdsHost(this.env), transport: this.transport, clock: this.clock, logger: this.logger, timeouts }, signal);
  }

  async snapshot(selector: IdentitySelector = SYSTEM_ASSIGNED, include: Include = {}, signal?: AbortSignal, forceRefresh = false): Promise<Snapshot> {
    const started = this.clock.now();
    const client = this.options.identityClient;
    const usesImds = client.sourceKind === 'imds' || client.sourceKind === 'legacyVmExtension';
    const guess = this.lastCloud ?? PUBLIC_CLOUD;

    // Stage 1: token ‖ metadata (‖ Graph token).
    const metadataP = usesImds ? this.instanceMetadata(signal) : Promise.reject(new Error('no instance metadata on this host'));
    const tokenP = client.getToken(guess.armResource, { identity: selector, signal, forceRefresh });
    const graphTokenP = include.displayName ? client.getToken(guess.graphResource, { identity: selector, signal, forceRefresh }) : undefined;
    graphTokenP?.catch(() => undefined);
    const [metadataR, tokenR] = await Promise.allSettled([metadataP, tokenP]);
    if (signal?.aborted) throw cancelled();
    const metadata = metadataR.status === 'fulfilled' ? metadataR.value : undefined;
    const cloud = metadata ? cloudFor(metadata.azEnvironment) : guess;
    const vm = metadata ? toVmInfo(metadata, cloud) : undefined;
    let armToken: IssuedToken;
    let graphToken = graphTokenP;
    if (cloud === guess) {
      if (tokenR.status === 'rejected') throw this.explainTokenFailure(tokenR.reason, vm, cloud);
      armToken = tokenR.value;
    } else {
      // The guess was wrong (a sovereign cloud, the first time): whatever the token for the guessed audience
      // did, ask for one for this cloud's ARM.
      this.logger.info(`this VM is in ${cloud.name}; asking for a token for ${cloud.armResource}`);
      armToken = await client.getToken(cloud.armResource, { identity: selector, signal, forceRefresh }).catch((e) => {
        throw this.explainTokenFailure(e, vm, cloud);
      });
      graphToken = include.displayName ? client.getToken(cloud.graphResource, { identity: selector, signal, forceRefresh }) : undefined;
    }
    this.lastCloud = cloud;

    const claims = armToken.claims;
    const identityResourceId = claims.identityResourceId;
    const identity: IdentityInfo = {
      principalId: claims.principalId,
      clientId: claims.clientId,
      tenantId: claims.tenantId,
      identityType: claims.identityType ?? (identityResourceId ? identityTypeOf(identityResourceId) : selector.kind === 'system' ? 'SystemAssigned' : 'UserAssigned'),
      identityResourceId,
      source: armToken.source,
      token: { resource: armToken.accessToken.resource, expiresOn: armToken.accessToken.expiresOn, refreshAfter: armToken.accessToken.refreshAfter },
    };
    const endpoints = resolveEndpoints(cloud, this.env);
    const links = linksFor(cloud, identity, vm);
    const snapshot: Snapshot = {
      identity,
      selector,
      cloud,
      endpoints,
      vm,
      vmError: metadataR.status === 'rejected' && usesImds ? asError(metadataR.reason) : undefined,
      links,
      stats: { rolePages: 0, roleDefinitionLookups: 0, ms: 0 },
    };
    if (!include.roles && !include.displayName && !include.vmIdentityBlock) {
      snapshot.stats.ms = this.clock.now() - started;
      return snapshot;
    }

    // Stage 2: assignments ‖ role definitions ‖ VM identity block ‖ Graph.
    const http = new AzureHttp({
      allowedOrigins: [endpoints.arm, endpoints.graph],
      agentFor: this.options.agentFor,
      logger: this.logger,
      clock: this.clock,
      policy: ARM_RETRY_POLICY,
      timeoutMs: this.options.armTimeoutMs,
    });
    const arm = new ArmClient(http, endpoints.arm);
    const token = armToken.accessToken.token;
    const subscriptionId = vm?.subscriptionId || subscriptionOf(identityResourceId);
    const work: Array<Promise<void>> = [];

    if (include.roles) {
      work.push(
        this.loadRoles(arm, subscriptionId, identity.principalId, token, snapshot, signal).catch((e) => {
          snapshot.rolesError = this.explainArmFailure(e, 'roles', links, identity);
        }),
      );
    }
    if (include.vmIdentityBlock && vm?.resourceId) {
      work.push(
        arm.getVmIdentity(vm.resourceId, token, signal).then(
          (block) => void (snapshot.vmIdentityBlock = block),
          (e) => void (snapshot.vmIdentityBlockError = this.explainArmFailure(e, 'vm', links, identity)),
        ),
      );
    }
    if (graphToken) {
      const gt = graphToken;
      work.push(
        gt
          .then((t) => getServicePrincipal(http, endpoints.graph, identity.principalId, t.accessToken.token, signal))
          .then(
            (sp) => void (snapshot.displayName = sp?.displayName),
            (e) => {
              snapshot.displayNameError = asError(e);
              this.logger.info(`display name not available: ${asError(e).message}`);
            },
          ),
      );
    }
    await Promise.all(work);
    if (signal?.aborted) throw cancelled();
    snapshot.stats.ms = this.clock.now() - started;
    return snapshot;
  }

  /** A new token for the same identity, nothing else re-read (the silent refresh: one IMDS request). */
  async renewToken(snapshot: Snapshot, signal?: AbortSignal): Promise<Snapshot> {
    const issued = await this.options.identityClient.getToken(snapshot.cloud.armResource, { identity: snapshot.selector, signal });
    const t = issued.accessToken;
    return { ...snapshot, identity: { ...snapshot.identity, token: { resource: t.resource, expiresOn: t.expiresOn, refreshAfter: t.refreshAfter } } };
  }

  private async loadRoles(arm: ArmClient, subscriptionId: string | undefined, principalId: string, token: string, snapshot: Snapshot, signal?: AbortSignal): Promise<void> {
    if (!subscriptionId) {
      throw new VmIdentityError('serviceError', 'The subscription of this VM is not known, so its role assignments cannot be listed.', {
        fix: 'Run this on an Azure VM, where instance metadata names the subscription.',
      });
    }
    const scope = `/subscriptions/${subscriptionId}`;
    // Role definitions of the subscription, in parallel with the assignments (once per resolver).
    const definitionsP = this.listedScopes.has(scope)
      ? Promise.resolve()
      : arm.listRoleDefinitions(scope, token, signal).then(
          (defs) => {
            this.resolver.remember(defs);
            this.listedScopes.add(scope);
          },
          (e) => this.logger.warn(`role definitions of ${scope} could not be listed: ${asError(e).message}`),
        );
    let pages = 0;
    const onPage = () => {
      if (pages++ === 0) setImmediate(prepareSorting); // after the request for the next page has gone out
    };
    const assignmentsP = arm.listAll(arm.roleAssignmentsUrl(subscriptionId, principalId, 'assignedTo'), token, signal, onPage, parseRoleAssignment);
    const [assignments] = await Promise.all([assignmentsP, definitionsP]);
    snapshot.stats.rolePages = pages;
    snapshot.stats.roleDefinitionLookups = await this.resolver.fillMissing(
      arm,
      assignments.map((a) => a.roleDefinitionId),
      token,
      signal,
    );
    snapshot.roles = this.resolver.describe(assignments, principalId);
  }

  private explainTokenFailure(e: unknown, vm: VmInfo | undefined, cloud: Cloud): VmIdentityError {
    const error = asError(e);
    if (vm?.resourceId && error.remedy === 'enableIdentity') return error.withLink(portalLink(cloud, undefined, vm.resourceId, 'identity'));
    return error;
  }

  private explainArmFailure(e: unknown, what: 'roles' | 'vm', links: PortalLinks, identity: IdentityInfo): VmIdentityError {
    const error = asError(e);
    if (error.kind === 'authorizationFailed') {
      return new VmIdentityError(
        'authorizationFailed',
        what === 'roles'
          ? `The identity ${identity.principalId} may not read role assignments here (${error.azureCode ?? 'HTTP 403'}).`
          : `The identity ${identity.principalId} may not read this VM (${error.azureCode ?? 'HTTP 403'}).`,
        {
          fix: "Give this identity Reader at the VM scope or higher: VM → Access control (IAM) → Add role assignment → Reader → Managed identity.",
          link: links.accessControl ?? ASSIGN_ACCESS_DOCS,
          remedy: 'grantReader',
          status: error.status,
          azureCode: error.azureCode,
          where: error.where,
        },
      );
    }
    return error;
  }
}

function toVmInfo(m: InstanceMetadata, cloud: Cloud): VmInfo {
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

function linksFor(cloud: Cloud, identity: IdentityInfo, vm: VmInfo | undefined): PortalLinks {
  const vmId = vm?.resourceId;
  return {
    vm: vmId ? portalLink(cloud, identity.tenantId, vmId) : undefined,
    identityPage: vmId ? portalLink(cloud, identity.tenantId, vmId, 'identity') : undefined,
    accessControl: vmId ? portalLink(cloud, identity.tenantId, vmId, 'users') : undefined,
    identity: identity.identityResourceId ? portalLink(cloud, identity.tenantId, identity.identityResourceId) : undefined,
  };
}

export function subscriptionOf(resourceId: string | undefined): string | undefined {
  return resourceId ? /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1] : undefined;
}

function asError(e: unknown): VmIdentityError {
  if (isVmIdentityError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new VmIdentityError('serviceError', message.endsWith('.') ? message : `${message}.`, { fix: 'Try again; see the log for details.', cause: e });
}
