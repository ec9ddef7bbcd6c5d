/** What every emulated managed-identity host (test/emulator/hosts/*) provides to the host listener. */
import type { EmulatorResponse, LoggedRequest, RequestInfo } from '../types';

/** A host's request log entry: as the emulator's, named by host instead of service/endpoint. */
export type HostLoggedRequest = Omit<LoggedRequest, 'service' | 'endpoint' | 'bearer'> & { host: string };

export const HOST_KINDS = [
  'workload-identity',
  'machine-learning',
  'arc',
  'cloud-shell',
  'app-service',
  'not-azure',
] as const;
export type HostKind = (typeof HOST_KINDS)[number];

export function isHostKind(value: unknown): value is HostKind {
  return typeof value === 'string' && (HOST_KINDS as readonly string[]).includes(value);
}

/** One emulated host: how it answers, which environment a process on it sees, and its test hooks. */
export interface HostDefinition {
  readonly kind: HostKind;
  handle(req: RequestInfo): EmulatorResponse;
  /** Environment variables the real host sets, pointing at `baseUrl` (the host's loopback listener). */
  env(baseUrl: string): Record<string, string>;
  /** Headers on every answer (e.g. a `Server` header). */
  readonly headers?: Record<string, string>;
  /** Facts a test needs (identities, key directory, issuer…), safe to print: no secrets except test-only ones. */
  details(): Record<string, unknown>;
  /** `POST /_emulator/hosts/{name}/{action}` and `RunningHost.action()`: test hooks such as minting a service-account token. */
  readonly actions?: Record<string, (input: Record<string, unknown>) => unknown>;
  close?(): void;
}

/** A started host. */
export interface RunningHost {
  readonly name: string;
  readonly kind: HostKind;
  /** Base URL of its loopback listener, e.g. http://127.0.0.1:40342 */
  readonly url: string;
  /** The environment a process on this host sees (endpoint variables point at `url`). */
  readonly env: Record<string, string>;
  readonly details: Record<string, unknown>;
  /** This host's request log (Authorization values redacted). */
  readonly requests: HostLoggedRequest[];
  action(name: string, input?: Record<string, unknown>): unknown;
  close(): Promise<void>;
}

export interface HostListenOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  tls?: boolean;
}

/** What `startHost` takes: the kind, its options (see each host's file) and where to listen. */
export interface HostSpec {
  kind: HostKind;
  /** Default: the kind. A second host of the same name replaces the first. */
  name?: string;
  options?: Record<string, unknown>;
  listen?: HostListenOptions;
}

/** Option readers that fail loudly: a typo in a test must not silently fall back to a default. */
export function optString(options: Record<string, unknown>, name: string): string | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new Error(`host option ${name} must be a string`);
  return value;
}

export function optNumber(options: Record<string, unknown>, name: string): number | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`host option ${name} must be a number`);
  return value;
}

export function optBoolean(options: Record<string, unknown>, name: string): boolean | undefined {
  const value = options[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new Error(`host option ${name} must be a boolean`);
  return value;
}

export function checkOptions(options: Record<string, unknown>, known: readonly string[], kind: HostKind): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new Error(`unknown ${kind} host option(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
}
