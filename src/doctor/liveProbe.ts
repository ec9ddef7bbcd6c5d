/**
 * `DiagnoseProbe` over the real core: the identity endpoint and the legacy VM extension over the direct
 * transport, the identity through `ManagedIdentityClient` (a fresh token, claims only), ARM and Graph through
 * the proxied transport and the same `AzureHttp` token rules as sign-in. Nothing here keeps or returns a token.
 * No vscode: the extension passes its http settings as values (src/ui/commands/diagnose.ts).
 */
import * as fs from 'node:fs';
import {
  ArmClient,
  type AzureEndpoints,
  AzureHttp,
  type Cloud,
  PUBLIC_CLOUD,
  knownCloud,
  getServicePrincipal,
  resolveEndpoints,
} from '../azure';
import { type Clock, systemClock } from '../core/clock';
import { directHttp } from '../core/directHttp';
import { isVmIdentityError, toVmIdentityError } from '../core/errors';
import type { HttpClient } from '../core/http';
import { inspectJwt } from '../core/jwtInspect';
import { type Logger, silentLogger } from '../core/log';
import { type AgentFor, createProxiedHttp } from '../core/proxiedHttp';
import type { DiagnoseProbe, EndpointProbe, GraphRead, IdentityFacts, ScopeRead, TokenOutcome } from '../diagnose';
import { type IdentitySelector, type IssuedToken, type ManagedIdentityClient, imdsHost } from '../identity';
import { ARC_DEFAULT_ENDPOINT, arcAgentFile } from '../identity/sources/arc';
import { LEGACY_DEFAULT_ENDPOINT } from '../identity/sources/legacy';
import { probeArm, probeOnce } from './endpoints';

export interface LiveProbeOptions {
  env: NodeJS.ProcessEnv;
  client: ManagedIdentityClient;
  selector: IdentitySelector;
  /** Instance metadata (the cloud, the VM's resource ID), when the host is IMDS. */
  /** The host's instance metadata (IMDS, Arc's himds), or undefined when the host has none. */
  instanceMetadata: () => Promise<{ azEnvironment: string; resourceId?: string; subscriptionId?: string }> | undefined;
  /** Proxy agents for ARM/Graph (the CLI); undefined inside VS Code, whose `https` is patched. */
  agentFor?: AgentFor;
  /** The proxy a request to this URL would use, for the evidence (scheme://host:port only is shown). */
  proxyFor?: (url: URL) => string | undefined;
  /** vmIdentity.showDisplayName: off → the Graph check is skipped. */
  graph: boolean;
  logger?: Logger;
  clock?: Clock;
  legacyEndpoint?: string;
  fileExists?: (file: string) => boolean;
  /** Direct transport (tests may wrap it); default the raw-socket client. */
  direct?: HttpClient;
}

/** What the ARM token run found; computed once per probe and shared by the checks that need it. */
interface Facts {
  cloud: Cloud;
  endpoints?: AzureEndpoints;
  vmResourceId?: string;
  subscriptionId?: string;
  token?: IssuedToken;
  tokenError?: unknown;
  receivedAt: number;
}

const MAX_SCOPES = 5;
const SUBSCRIPTIONS_API = '2022-12-01';

export function createLiveProbe(options: LiveProbeOptions): DiagnoseProbe {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const direct = options.direct ?? directHttp;
  const proxied = createProxiedHttp(options.agentFor);
  let facts: Promise<Facts> | undefined;
  let azure: { http: AzureHttp; arm: ArmClient } | undefined;

  const getFacts = (): Promise<Facts> =>
    (facts ??= (async () => {
      const metadata = await options.instanceMetadata()?.catch(() => undefined);
      const cloud = (metadata && knownCloud(metadata.azEnvironment)) || PUBLIC_CLOUD;
      let endpoints: AzureEndpoints | undefined;
      try {
        endpoints = resolveEndpoints(cloud, options.env);
      } catch (e) {
        logger.warn(`diagnose: ${toVmIdentityError(e).message}`);
      }
      const base = { cloud, endpoints, vmResourceId: metadata?.resourceId, subscriptionId: metadata?.subscriptionId };
      try {
        const token = await options.client.getToken(cloud.armResource, {
          identity: options.selector,
          forceRefresh: true,
        });
        return { ...base, token, receivedAt: clock.now() };
      } catch (tokenError) {
        return { ...base, tokenError, receivedAt: clock.now() };
      }
    })());

  const apis = (endpoints: AzureEndpoints) =>
    (azure ??= (() => {
      const http = new AzureHttp({
        allowedOrigins: [endpoints.arm, endpoints.graph],
        http: proxied,
        logger,
        clock,
        timeoutMs: 15_000,
      });
      return { http, arm: new ArmClient(http, endpoints.arm) };
    })());

  return {
    identityEndpoint: () => probeIdentityEndpoint(options, direct),
    legacyExtension: () => probeOnce(direct, new URL('/', options.legacyEndpoint ?? LEGACY_DEFAULT_ENDPOINT), {}),
    arcAgentInstalled: async () => {
      const file = arcAgentFile(process.platform, options.env);
      return !!file && (options.fileExists ?? fs.existsSync)(file);
    },

    identity: async (): Promise<IdentityFacts> => {
      const f = await getFacts();
      const selected = options.selector;
      if (!f.token) return { selected, token: failedOutcome(f.tokenError) };
      const claims = inspectJwt(f.token.accessToken.token, clock.now()).claims;
      const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
      const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const server = f.token.accessToken.serverClock;
      const token: TokenOutcome = {
        ok: true,
        claims: {
          iat: num(claims.iat),
          oid: str(claims.oid),
          appid: str(claims.appid),
          xms_mirid: str(claims.xms_mirid),
        },
        expiresOn: server?.expiresOnMs !== undefined ? Math.round(server.expiresOnMs / 1000) : undefined,
        expiresIn: server?.expiresInSec,
        serverDate: f.token.serverDate,
        receivedAt: f.receivedAt,
      };
      let attached: IdentityFacts['attached'];
      if (f.endpoints && f.vmResourceId) {
        const block = await apis(f.endpoints)
          .arm.getVmIdentity(f.vmResourceId, { token: f.token.accessToken.token })
          .catch(() => undefined);
        if (block) {
          attached = {
            systemAssigned: /systemassigned/i.test(block.type),
            userAssigned: block.userAssignedIdentities.map((u) => ({
              resourceId: u.resourceId,
              clientId: u.clientId ?? '',
              principalId: u.principalId ?? '',
            })),
          };
        }
      }
      return { selected, token, attached };
    },

    arm: async () => {
      const f = await getFacts();
      if (!f.endpoints) throw new Error('no ARM endpoint');
      return probeArm({ http: proxied, armBase: f.endpoints.arm, proxyFor: options.proxyFor });
    },

    roleScopes: async (): Promise<ScopeRead[]> => {
      const f = await getFacts();
      if (!f.token || !f.endpoints) throw new Error('no ARM token');
      const { http, arm } = apis(f.endpoints);
      const token = f.token.accessToken.token;
      const principalId = f.token.claims.principalId;
      const url = new URL(`/subscriptions?api-version=${SUBSCRIPTIONS_API}`, f.endpoints.arm);
      const listed = await http
        .getJson(url, token)
        .then(({ json }) => subscriptionIds(json))
        .catch(() => [] as string[]);
      const ids = [...new Set([f.subscriptionId, ...listed].filter((s): s is string => !!s))].slice(0, MAX_SCOPES);
      return Promise.all(
        ids.map(async (id): Promise<ScopeRead> => {
          const scope = `/subscriptions/${id}`;
          try {
            await http.getJson(arm.roleAssignmentsUrl(id, principalId, 'assignedTo'), token);
            return { scope, readable: true };
          } catch (e) {
            const error = toVmIdentityError(e);
            return { scope, readable: false, status: error.status, code: error.azureCode };
          }
        }),
      );
    },

    graph: async (): Promise<GraphRead> => {
      if (!options.graph) return { outcome: 'disabled' };
      const f = await getFacts();
      if (!f.token || !f.endpoints) throw new Error('no identity token');
      try {
        const issued = await options.client.getToken(f.cloud.graphResource, { identity: options.selector });
        const sp = await getServicePrincipal(
          apis(f.endpoints).http,
          f.endpoints.graph,
          f.token.claims.principalId,
          issued.accessToken.token,
        );
        return { outcome: 'ok', displayName: sp?.displayName };
      } catch (e) {
        const error = toVmIdentityError(e);
        const forbidden = error.status === 403 || error.kind === 'authorizationFailed';
        return { outcome: forbidden ? 'forbidden' : 'error', status: error.status };
      }
    },
  };
}

/** The endpoint of the host in use: IMDS answers `/metadata/instance` with its `Server: IMDS/…` header. */
function probeIdentityEndpoint(options: LiveProbeOptions, direct: HttpClient): Promise<EndpointProbe> {
  const env = options.env;
  switch (options.client.sourceKind) {
    case 'imds':
    case 'legacyVmExtension':
      return probeOnce(direct, new URL('/metadata/instance?api-version=2021-02-01', imdsHost(env)), {
        Metadata: 'true',
      });
    case 'appService':
      return probeOnce(direct, new URL(env.IDENTITY_ENDPOINT!.trim()), {});
    case 'cloudShell':
    case 'machineLearning':
      return probeOnce(direct, new URL(env.MSI_ENDPOINT!.trim()), {});
    case 'workloadIdentity':
      // The token comes from Entra's token endpoint (a public host, reached through the proxy): the identity
      // check's token request is its probe.
      return Promise.reject(new Error('workload identity: checked by the token exchange itself'));
    case 'azureArc':
      return probeOnce(direct, new URL(env.IDENTITY_ENDPOINT?.trim() || ARC_DEFAULT_ENDPOINT), {});
    case 'unsupported':
      throw new Error('no supported identity host');
  }
}

/** The typed error of a failed token request → what the identity check reasons about (no message text). */
function failedOutcome(e: unknown): TokenOutcome {
  const error = toVmIdentityError(e);
  const base = { ok: false as const, status: error.status, errorCode: error.azureCode };
  if (isVmIdentityError(error, 'identityNotFound')) return { ...base, reason: 'identityNotFound' };
  if (isVmIdentityError(error, 'multipleIdentities')) return { ...base, reason: 'multipleUserAssigned' };
  if (isVmIdentityError(error, 'endpointUnreachable') || isVmIdentityError(error, 'timeout')) {
    return { ...base, reason: 'unreachable' };
  }
  if (isVmIdentityError(error, 'proxyInterference')) return { ...base, reason: 'proxyInPath' };
  return { ...base, reason: 'other' };
}

function subscriptionIds(json: unknown): string[] {
  const value = (json as { value?: unknown } | undefined)?.value;
  if (!Array.isArray(value)) return [];
  return value
    .map((s) => (s as { subscriptionId?: unknown } | null)?.subscriptionId)
    .filter((id): id is string => typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id));
}
