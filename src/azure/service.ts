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
import { cancelled, toVmIdentityError } from '../core/errors';
import { directHttp } from '../core/directHttp';
import type { HttpClient } from '../core/http';
import { type Logger, redacting, silentLogger } from '../core/log';
import { createProxiedHttp } from '../core/proxiedHttp';
import { type IdentitySelector, type IssuedToken, type ManagedIdentityClient, SYSTEM_ASSIGNED } from '../identity';
import type { ProbeDeps } from './accessCheck';
import { ArmAccessReader } from './accessReader';
import { ArmClient, type ArmCall } from './arm';
import { type Cloud, PUBLIC_CLOUD } from './clouds';
import { chooseCloud, explainTokenFailure, isNotAzure } from './cloudChoice';
import { resolveEndpoints } from './endpoints';
import { getServicePrincipal } from './graph';
import { AzureHttp } from './http';
import { type InstanceMetadata, getInstanceMetadata } from './instanceMetadata';
import { RoleDefinitionResolver } from './roles';
import type { AccessContext, IdentityServiceOptions, ServiceSettings } from './serviceOptions';
import { scanRoles } from './roleScan';
import {
  type Include,
  type Snapshot,
  identityOf,
  linksFor,
  ok,
  partOf,
  skipped,
  subscriptionOf,
  toVmInfo,
} from './snapshot';

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
  private configuredCloud?: Cloud;

  constructor(private readonly options: IdentityServiceOptions) {
    this.env = options.env ?? process.env;
    this.logger = redacting(options.logger ?? silentLogger);
    this.clock = options.clock ?? systemClock;
    this.imdsHttp = options.http ?? directHttp;
    this.azureHttp = createProxiedHttp(options.agentFor);
    this.client = options.identityClient;
    this.resolver = new RoleDefinitionResolver(this.logger, options.roleNames);
    this.configuredCloud = options.cloud;
  }

  configure(settings: ServiceSettings): void {
    if (settings.timeoutMs !== undefined) this.client.setTimeouts({ deadlineMs: settings.timeoutMs });
    if (settings.cloud !== undefined) {
      this.configuredCloud = settings.cloud ?? undefined;
      this.lastCloud = undefined;
    }
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

  /** The identity host's instance metadata (IMDS, Arc's himds), or undefined when the host has none. */
  instanceMetadata(signal?: AbortSignal): Promise<InstanceMetadata> | undefined {
    const at = this.client.metadataEndpoint;
    if (!at) return undefined;
    // Same time limits as the token (vmIdentity.timeoutSeconds): sign-in waits for both, so a hanging IMDS
    // must not hold the time-out message back for the metadata's own ~47 s of attempts.
    const timeouts = this.client.currentTimeouts;
    const deps = {
      host: at.host,
      apiVersion: at.apiVersion,
      proxyConfigured: this.options.proxyConfigured,
      http: this.imdsHttp,
      clock: this.clock,
      logger: this.logger,
      timeouts,
    };
    return getInstanceMetadata(deps, signal);
  }

  async snapshot(
    selector: IdentitySelector = SYSTEM_ASSIGNED,
    include: Include = {},
    signal?: AbortSignal,
    forceRefresh = false,
  ): Promise<Snapshot> {
    const started = this.clock.now();
    const client = this.client;
    const guess = this.configuredCloud ?? this.lastCloud ?? PUBLIC_CLOUD;
    const tokenFor = (resource: string) => client.getToken(resource, { identity: selector, signal, forceRefresh });
    // Cloud Shell's token is the signed-in user's: no service principal to look up in Graph.
    const lookUpName = include.displayName && client.sourceKind !== 'cloudShell';

    // Stage 1: token ‖ metadata (‖ Graph token).
    const metadataP = this.instanceMetadata(signal);
    const armTokenP = tokenFor(guess.armResource);
    let graphToken = lookUpName ? tokenFor(guess.graphResource) : undefined;
    graphToken?.catch(() => undefined);
    const [metadataR, tokenR] = await Promise.allSettled([metadataP, armTokenP]);
    if (signal?.aborted) throw cancelled();
    const metadata = metadataR.status === 'fulfilled' ? metadataR.value : undefined;
    if (metadataR.status === 'rejected' && tokenR.status === 'rejected' && isNotAzure(metadataR.reason))
      throw metadataR.reason;
    const cloud = chooseCloud(metadata, guess, this.configuredCloud, this.logger);
    const vm = metadataP
      ? partOf(metadataR, 'no instance metadata', toVmIdentityError)
      : skipped<InstanceMetadata>('This identity host has no instance metadata.');
    const vmInfo = metadata ? toVmInfo(metadata, cloud) : undefined;
    let armToken: IssuedToken;
    if (cloud === guess) {
      if (tokenR.status === 'rejected') throw explainTokenFailure(tokenR.reason, vmInfo?.resourceId, cloud);
      armToken = tokenR.value;
    } else {
      // The guess was wrong (a sovereign cloud, the first time): whatever the token for the guessed audience
      // did, ask for one for this cloud's ARM.
      this.logger.info(`this VM is in ${cloud.name}; asking for a token for ${cloud.armResource}`);
      armToken = await tokenFor(cloud.armResource).catch((e) => {
        throw explainTokenFailure(e, vmInfo?.resourceId, cloud);
      });
      graphToken = lookUpName ? tokenFor(cloud.graphResource) : undefined;
    }
    this.lastCloud = cloud;

    const identity = identityOf(armToken, selector);
    const endpoints = resolveEndpoints(cloud, this.env);
    const links = linksFor(cloud, identity, vmInfo);
    const stats = { rolePages: 0, roleDefinitionLookups: 0, subscriptions: 0, ms: 0 };
    const base = {
      identity,
      selector,
      cloud,
      endpoints,
      links,
      vm: vm.status === 'ok' && vmInfo ? ok(vmInfo) : (vm as Snapshot['vm']),
      stats,
    };

    // Stage 2: assignments ‖ role definitions ‖ VM identity block ‖ Graph.
    const apis =
      include.roles || include.displayName || include.vmIdentityBlock
        ? this.apisFor(endpoints.arm, endpoints.graph)
        : undefined;
    const call: ArmCall = { token: armToken.accessToken.token, signal };
    const principal = { principalId: identity.principalId, accessControlLink: links.accessControl };
    const knownSubscriptionId = vmInfo?.subscriptionId || subscriptionOf(identity.identityResourceId);
    const vmScopes = vmInfo?.resourceId && vmInfo.resourceGroup ? vmInfo : undefined;
    const loadRoles = async () => {
      this.resolver.beginSnapshot();
      try {
        const input = {
          arm: apis!.arm,
          resolver: this.resolver,
          principalId: identity.principalId,
          call,
          cloud,
          tenantId: identity.tenantId,
          stats,
        };
        return await scanRoles({ ...input, knownSubscriptionId, vm: vmScopes, only: include.subscription });
      } finally {
        await this.resolver.persist();
      }
    };
    const isUser = identity.identityType === 'User';
    // An Arc machine (Microsoft.HybridCompute) has only its system identity: no VM identity block to read.
    const vmId =
      vmInfo?.resourceId && !/\/providers\/Microsoft\.HybridCompute\//i.test(vmInfo.resourceId)
        ? vmInfo.resourceId
        : undefined;
    const [roles, block, name] = await Promise.allSettled([
      include.roles && apis ? loadRoles() : undefined,
      include.vmIdentityBlock && apis && vmId
        ? apis.arm.getVmIdentity(vmId, { ...call, reading: { what: 'vm', ...principal } })
        : undefined,
      isUser
        ? armToken.claims.userName
        : graphToken && apis
          ? graphToken
              .then((t) =>
                getServicePrincipal(apis.http, endpoints.graph, identity.principalId, t.accessToken.token, signal),
              )
              .then((sp) => sp?.displayName)
          : undefined,
    ]);
    if (signal?.aborted) throw cancelled();
    if (name.status === 'rejected')
      this.logger.info(`display name not available: ${toVmIdentityError(name.reason).message}`);
    stats.ms = this.clock.now() - started;
    return {
      ...base,
      roles: include.roles ? partOf(roles, 'no subscription') : skipped(NOT_ASKED),
      vmIdentityBlock: include.vmIdentityBlock
        ? partOf(block, vmId ? 'the VM has no identity block' : 'not an Azure VM')
        : skipped(NOT_ASKED),
      displayName: include.displayName
        ? partOf(name, 'Microsoft Graph has no display name for this identity')
        : skipped(NOT_ASKED),
    };
  }

  /**
   * What the access checker needs for the signed-in identity: an ARM reader holding a token for the
   * snapshot's cloud (from the token cache, so normally no request), and that token's issue time.
   */
  async accessContext(snapshot: Snapshot, signal?: AbortSignal): Promise<AccessContext> {
    const issued = await this.client.getToken(snapshot.cloud.armResource, { identity: snapshot.selector, signal });
    const apis = this.apisFor(snapshot.endpoints.arm, snapshot.endpoints.graph);
    return {
      reader: new ArmAccessReader(apis.arm, apis.http, snapshot.endpoints.arm, issued.accessToken.token),
      principalId: snapshot.identity.principalId,
      tenantId: snapshot.identity.tenantId,
      // The access engine counts in seconds, as the claim does; claims keep epoch ms.
      tokenIssuedAt: issued.claims.issuedAt === undefined ? undefined : issued.claims.issuedAt / 1000,
      portalUrl: snapshot.cloud.portal,
    };
  }

  /** What a data-plane probe needs; its token (for the service's audience) is never displayed or logged. */
  probeDeps(): ProbeDeps {
    return {
      http: this.azureHttp,
      clock: this.clock,
      logger: this.logger,
      tokenFor: async (resource, selector, signal) =>
        (await this.client.getToken(resource, { identity: selector, signal })).accessToken.token,
      dataPlaneOverride: this.env.VM_IDENTITY_DATA_PLANE_ENDPOINT,
    };
  }

  /** A new token for the same identity, nothing else re-read (the silent refresh: one IMDS request). */
  async renewToken(snapshot: Snapshot, signal?: AbortSignal): Promise<Snapshot> {
    const issued = await this.client.getToken(snapshot.cloud.armResource, { identity: snapshot.selector, signal });
    const t = issued.accessToken;
    const token = {
      resource: t.resource,
      expiresOn: t.expiresOn,
      refreshAfter: t.refreshAfter,
      issuedAt: issued.claims.issuedAt,
    };
    return { ...snapshot, identity: { ...snapshot.identity, token } };
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
}
