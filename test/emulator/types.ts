import type { Dataset } from './dataset';
import type { TokenRegistry } from './tokens';

/** `dataplane`: Key Vault and Blob hosts, chosen by the Host header (dataplane.ts). */
export type ServiceName = 'imds' | 'legacy' | 'arm' | 'graph' | 'control' | 'dataplane';

/** Endpoints that can be given a fault script. */
export type EndpointKey =
  | 'imds-token'
  | 'imds-instance'
  | 'imds-info'
  | 'legacy-token'
  | 'arm-role-assignments'
  | 'arm-role-definition'
  | 'arm-role-definitions'
  | 'arm-vm'
  | 'arm-subscriptions'
  | 'arm-deny-assignments'
  | 'arm-permissions'
  | 'arm-provider-operations'
  | 'arm-resource'
  | 'arm-resources'
  | 'graph-sp';

export const ENDPOINT_KEYS: readonly EndpointKey[] = [
  'imds-token',
  'imds-instance',
  'imds-info',
  'legacy-token',
  'arm-role-assignments',
  'arm-role-definition',
  'arm-role-definitions',
  'arm-vm',
  'arm-subscriptions',
  'arm-deny-assignments',
  'arm-permissions',
  'arm-provider-operations',
  'arm-resource',
  'arm-resources',
  'graph-sp',
];

/** Where a request was dispatched: a faultable endpoint, a service's catch-all, or the control API. */
export type RouteKey = EndpointKey | 'imds-other' | 'arm-other' | 'graph-other' | 'control' | 'dataplane';

export interface Route {
  service: ServiceName;
  endpoint: RouteKey;
}

/** A parsed incoming request, as handlers see it. */
export interface RequestInfo {
  method: string;
  /** Decoded path. */
  path: string;
  /** Path as sent (percent-encoded), for building nextLinks. */
  rawPath: string;
  query: Record<string, string>;
  /** Lower-case names; repeated headers joined with ', '. Holds the real Authorization value. */
  headers: Record<string, string>;
  body: string;
  /** Base URL of the listener that received the request, e.g. http://127.0.0.1:1234 */
  baseUrl: string;
  nowMs: number;
  /** Fresh GUID per request, for x-ms-request-id / request-id and error bodies. */
  requestId: string;
}

/** What a handler answers; `body` objects are sent as JSON, strings as they are. */
export interface EmulatorResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface LatencyConfig {
  imds: number;
  arm: number;
  graph: number;
}

export interface EmulatorConfig {
  systemAssigned: boolean;
  azEnvironment: string;
  latencyMs: LatencyConfig;
  pageSize: number;
  tokenLifetimeSec: number;
  /** Per principal id: force ARM read access on (true) or off (false) regardless of role assignments. */
  armReadable: Record<string, boolean>;
  graphReadable: boolean;
  /** Whether the VM's user-assigned identities are attached (off = as if removed on the Identity page). */
  userAssignedAttached: boolean;
  /** Extra ARM response time per KB of response body (ARM builds large lists slowly: the role catalog). */
  armMsPerKb: number;
  /** IMDS hands out its cached token (same token, shrinking expires_in) until near expiry; off = a fresh token each time. */
  imdsTokenCache: boolean;
  /** What instance metadata reports as azEnvironment, when it should differ from the cloud the emulator serves (e.g. an air-gapped cloud's name). */
  instanceAzEnvironment: string | null;
  /**
   * The emulated service's clock minus the real one, seconds: IMDS stamps its Date header, `expires_on` and the
   * token's iat/nbf/exp with it, so a client sees its own clock as skewed by minus this much.
   */
  clockOffsetSec: number;
}

export interface EmulatorConfigPatch {
  systemAssigned?: boolean;
  azEnvironment?: string;
  latencyMs?: Partial<LatencyConfig>;
  pageSize?: number;
  tokenLifetimeSec?: number;
  /** Replaces the current map ({} clears every override). */
  armReadable?: Record<string, boolean>;
  graphReadable?: boolean;
  userAssignedAttached?: boolean;
  armMsPerKb?: number;
  imdsTokenCache?: boolean;
  instanceAzEnvironment?: string | null;
  clockOffsetSec?: number;
}

/** What the service handlers share. */
export interface ServiceContext {
  readonly dataset: Dataset;
  readonly config: EmulatorConfig;
  readonly tokens: TokenRegistry;
}

export interface LoggedRequest {
  seq: number;
  /** ISO time the request arrived. */
  time: string;
  /** Base URL of the listener. */
  listener: string;
  service: ServiceName;
  endpoint: RouteKey;
  method: string;
  path: string;
  query: Record<string, string>;
  /** Lower-case names; `authorization` is replaced by 'Bearer <redacted>'. */
  headers: Record<string, string>;
  /** Decoded (unverified) from the bearer token, when one was sent. */
  bearer?: { oid: string; aud: string };
  /** 0 while pending, or when no HTTP response was sent (hang, reset, client gone). */
  status: number;
  /** Time to the end of the response (or to the socket closing). */
  ms: number;
  /** Response body bytes written (before any transport encoding; 0 while pending or when none was sent). */
  bytes: number;
}
