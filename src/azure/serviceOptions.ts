/** What an {@link IdentityService} is built from, what may change while it runs, and what the access checker gets. */
import type { Clock } from '../core/clock';
import type { HttpClient } from '../core/http';
import type { Logger } from '../core/log';
import type { AgentFor } from '../core/proxiedHttp';
import type { ManagedIdentityClient } from '../identity';
import type { ArmAccessReader } from './accessReader';
import type { Cloud } from './clouds';
import type { RoleNameStore } from './roleNameStore';

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
  /** The vmIdentity.cloud setting: used when instance metadata names no cloud we know. */
  cloud?: Cloud;
  /** An HTTP(S) proxy is configured (an HTML answer from the metadata address may be the proxy's). */
  proxyConfigured?: boolean;
}

/** What can change while running (a setting). */
export interface ServiceSettings {
  timeoutMs?: number;
  /** The vmIdentity.cloud setting; `null` clears it. */
  cloud?: Cloud | null;
}

/** The signed-in identity as the access checker sees it. */
export interface AccessContext {
  reader: ArmAccessReader;
  principalId: string;
  tenantId: string;
  tokenIssuedAt?: number;
  portalUrl: string;
}
