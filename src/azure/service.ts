/**
 * Who the VM identity is and what it may do, in the fewest network stages:
 *   1. token for ARM ‖ instance metadata (‖ token for Graph)
 *   2. role assignments at the known subscription ‖ GET /subscriptions ‖ deny assignments ‖ VM identity block ‖ Graph
 *   then role assignments in the other subscriptions, +1 per extra page, +1 for role names not stored yet
 *   (read by id; built-in names are remembered across restarts), +1 or +2 under least privilege (roleScan.ts).
 * The cloud (hence the token audience) comes from the metadata, so stage 1 guesses it (the last one seen,
 * else the public cloud) and asks again only when the guess was wrong. Each optional part of the result is
 * a {@link Part}, settled independently.
 */
import { type Clock, systemClock } from '../core/clock';
import { type VmIdentityError, cancelled, toVmIdentityError } from '../core/errors';
import { directHttp } from '../core/directHttp';
import type { HttpClient } from '../core/http';
import { type Logger, redacting, silentLogger } from '../core/log';
import { type AgentFor, createProxiedHttp } from '../core/proxiedHttp';
import { type IdentitySelector, type IssuedToken, type ManagedIdentityClient, SYSTEM_ASSIGNED, identityTypeOf, imdsHost } from '../identity';
import { ArmClient, type ArmCall } from './arm';
import { type Cloud, PUBLIC_CLOUD, cloudFor, portalLink } from './clouds';
import { resolveEndpoints } from './endpoints';
import { getServicePrincipal } from './graph';
import { AzureHttp } from './http';
import { type InstanceMetadata, getInstanceMetadata } from './instanceMetadata';
import type { RoleNameStore } from './roleNameStore';
import { RoleDefinitionResolver } from './roles';
import { scanRoles } from './roleScan';
import { type IdentityInfo, type Include, type Snapshot, linksFor, ok, partOf, skipped, subscriptionOf, toVmInfo } from './snapshot';

export interface IdentityServiceOptions {
  identityClient: ManagedIdentityClient;
  env?: NodeJS.ProcessEnv;
  /** HTTP to IMDS for instance metadata (direct, never proxied). */
  http?: HttpClient;
  /** Proxy agents for ARM/Graph; leave undefined inside VS Code, which patches `https` itself. */
  agentFor?: AgentFor;
  logger?: Logger;
  clock?: Clock;
  armTimeoutMs?: number;
  /** Where built-in role names are kept across restarts (globalState, a cache file); memory only by default. */
  roleNames?: RoleNameStore;
}

/** What can change while running (a setting). */
export interface ServiceSettings {
  timeoutMs?: number;
}

interface AzureApis {
  http: AzureHttp;
  arm: ArmClient;
}

const NOT_ASKED = 'not asked for';

export class IdentityService {
  private readonly env: NodeJS.ProcessEnv;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly imdsHttp: HttpClient;
  private readonly azureHttp: HttpClient;
  private readonly client: ManagedIdentityClient;
  private readonly resolver: RoleDefinitionResolver;
  /** One ARM/Graph stack per cloud (endpoint pair), built on first use. */
  private readonly apis = new Map<string, AzureApis>();
  private lastCloud?: Cloud;

  constructor(private readonly options: IdentityServiceOptions) {
    this.env = options.env ?? process.env;
    this.logger = redacting(options.logger ?? silentLogger);
    this.clock = options.clock ?? systemClock;
    this.imdsHttp = options.http ?? directHttp;
    this.azureHttp = createProxiedHttp(options.agentFor);
    this.client = options.identityClient;
    this.resolver = new RoleDefinitionResolver(this.logger, options.roleNames);
  }

  configure(settings: ServiceSettings): void {
    if (settings.timeoutMs !== undefined) this.client.setTimeouts({ deadlineMs: settings.timeoutMs });
  }

  /** An access token for `resource` (the explicit "copy token" action only). */
  async accessToken(resource: string, selector: IdentitySelector): Promise<string> {
    return (await this.client.getToken(resource, { identity: selector })).accessToken.token;
  }

  /** Forgets one resource's token (an extension signed out of it); the rest stays. */
  forgetToken(resource: string, selector: IdentitySelector): void {
    this.client.forget(resource, selector);
  }

  /** Forgets everything about the identity: tokens, its cloud, its custom roles (sign out); built-in role names stay. */
  reset(): void {
    this.client.clear();
    this.resolver.forget();
    this.lastCloud = undefined;
  }

  instanceMetadata(signal?: AbortSignal): Promise<InstanceMetadata> {
    // Same time limits as the token (vmIdentity.timeoutSeconds): sign-in waits for both, so a hanging IMDS
    // must not hold the time-out message back for the metadata's own ~47 s of attempts.
    const timeouts = this.client.currentTimeouts;
    return getInstanceMetadata({ host: imdsHost(this.env), http: this.imdsHttp, clock: this.clock, logger: this.logger, timeouts }, signal);
  }

  async snapshot(selector: IdentitySelector = SYSTEM_ASSIGNED, include: Include = {}, signal?: AbortSignal, forceRefresh = false): Promise<Snapshot> {
    const started = this.clock.now();
    const client = this.client;
    const usesImds = client.sourceKind === 'imds' || client.sourceKind === 'legacyVmExtension';
    const guess = this.lastCloud ?? PUBLIC_CLOUD;
    const tokenFor = (resource: string) => client.getToken(resource, { identity: selector, signal, forceRefresh });

    // Stage 1: token ‖ metadata (‖ Graph token).
    const metadataP = usesImds ? this.instanceMetadata(signal) : undefined;
    const armTokenP = tokenFor(guess.armResource);
    let graphToken = include.displayName ? tokenFor(guess.graphResource) : undefined;
    graphToken?.catch(() => undefined);
    const [metadataR, tokenR] = await Promise.allSettled([metadataP, armTokenP]);
    if (signal?.aborted) throw cancelled();
    const metadata = metadataR.status === 'fulfilled' ? metadataR.value : undefined;
    const cloud = metadata ? cloudFor(metadata.azEnvironment) : guess;
    const vm = usesImds ? partOf(metadataR, 'no instance metadata', toVmIdentityError) : skipped<InstanceMetadata>('This identity host has no instance metadata.');
    const vmInfo = metadata ? toVmInfo(metadata, cloud) : undefined;
    let armToken: IssuedToken;
    if (cloud === guess) {
      if (tokenR.status === 'rejected') throw this.explainTokenFailure(tokenR.reason, vmInfo?.resourceId, cloud);
      armToken = tokenR.value;
    } else {
      // The guess was wrong (a sovereign cloud, the first time): whatever the token for the guessed audience
      // did, ask for one for this cloud's ARM.
      this.logger.info(`this VM is in ${cloud.name}; asking for a token for ${cloud.armResource}`);
      armToken = await tokenFor(cloud.armResource).catch((e) => {
        throw this.explainTokenFailure(e, vmInfo?.resourceId, cloud);
      });
      graphToken = include.displayName ? tokenFor(cloud.graphResource) : undefined;
    }
    this.lastCloud = cloud;

    const identity = identityOf(armToken, selector);
    const endpoints = resolveEndpoints(cloud, this.env);
    const links = linksFor(cloud, identity, vmInfo);
    const stats = { rolePages: 0, roleDefinitionLookups: 0, subscriptions: 0, ms: 0 };
    const base = { identity, selector, cloud, endpoints, links, vm: vm.status === 'ok' && vmInfo ? ok(vmInfo) : (vm as Snapshot['vm']), stats };

    // Stage 2: assignments ‖ role definitions ‖ VM identity block ‖ Graph.
    const apis = include.roles || include.displayName || include.vmIdentityBlock ? this.apisFor(endpoints.arm, endpoints.graph) : undefined;
    const call: ArmCall = { token: armToken.accessToken.token, signal };
    const principal = { principalId: identity.principalId, accessControlLink: links.accessControl };
    const knownSubscriptionId = vmInfo?.subscriptionId || subscriptionOf(identity.identityResourceId);
    const vmScopes = vmInfo?.resourceId && vmInfo.resourceGroup ? vmInfo : undefined;
    const loadRoles = async () => {
      this.resolver.beginSnapshot();
      try {
        const input = { arm: apis!.arm, resolver: this.resolver, principalId: identity.principalId, call, cloud, tenantId: identity.tenantId, stats };
        return await scanRoles({ ...input, knownSubscriptionId, vm: vmScopes, only: include.subscription });
      } finally {
        await this.resolver.persist();
      }
    };
    const [roles, block, name] = await Promise.allSettled([
      include.roles && apis ? loadRoles() : undefined,
      include.vmIdentityBlock && apis && vmInfo?.resourceId ? apis.arm.getVmIdentity(vmInfo.resourceId, { ...call, reading: { what: 'vm', ...principal } }) : undefined,
      graphToken && apis
        ? graphToken.then((t) => getServicePrincipal(apis.http, endpoints.graph, identity.principalId, t.accessToken.token, signal)).then((sp) => sp?.displayName)
        : undefined,
    ]);
    if (signal?.aborted) throw cancelled();
    if (name.status === 'rejected') this.logger.info(`display name not available: ${toVmIdentityError(name.reason).message}`);
    stats.ms = this.clock.now() - started;
    return {
      ...base,
      roles: include.roles ? partOf(roles, 'no subscription') : skipped(NOT_ASKED),
      vmIdentityBlock: include.vmIdentityBlock ? partOf(block, vmInfo?.resourceId ? 'the VM has no identity block' : 'the VM is not known') : skipped(NOT_ASKED),
      displayName: include.displayName ? partOf(name, 'Microsoft Graph has no display name for this identity') : skipped(NOT_ASKED),
    };
  }

  /** A new token for the same identity, nothing else re-read (the silent refresh: one IMDS request). */
  async renewToken(snapshot: Snapshot, signal?: AbortSignal): Promise<Snapshot> {
    const issued = await this.client.getToken(snapshot.cloud.armResource, { identity: snapshot.selector, signal });
    const t = issued.accessToken;
    return { ...snapshot, identity: { ...snapshot.identity, token: { resource: t.resource, expiresOn: t.expiresOn, refreshAfter: t.refreshAfter } } };
  }

  private apisFor(armBase: string, graphBase: string): AzureApis {
    const key = `${armBase} ${graphBase}`;
    let apis = this.apis.get(key);
    if (!apis) {
      const http = new AzureHttp({
        allowedOrigins: [armBase, graphBase],
        http: this.azureHttp,
        logger: this.logger,
        clock: this.clock,
        timeoutMs: this.options.armTimeoutMs,
      });
      apis = { http, arm: new ArmClient(http, armBase) };
      this.apis.set(key, apis);
    }
    return apis;
  }

  private explainTokenFailure(e: unknown, vmResourceId: string | undefined, cloud: Cloud): VmIdentityError {
    const error = toVmIdentityError(e);
    if (vmResourceId && error.remedy === 'enableIdentity') return error.withLink(portalLink(cloud, undefined, vmResourceId, 'identity'));
    return error;
  }
}

function identityOf(token: IssuedToken, selector: IdentitySelector): IdentityInfo {
  const claims = token.claims;
  const identityResourceId = claims.identityResourceId;
  const fallbackType = selector.kind === 'system' ? 'SystemAssigned' : 'UserAssigned';
  return {
    principalId: claims.principalId,
    clientId: claims.clientId,
    tenantId: claims.tenantId,
    identityType: claims.identityType ?? (identityResourceId ? identityTypeOf(identityResourceId) : fallbackType),
    identityResourceId,
    source: token.source,
    token: { resource: token.accessToken.resource, expiresOn: token.accessToken.expiresOn, refreshAfter: token.accessToken.refreshAfter },
  };
}
