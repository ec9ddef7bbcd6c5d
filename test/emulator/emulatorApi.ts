/** What a test (or the demo, or the bench) starts the emulator with and gets back; its initial configuration. */
import { applyConfigPatch } from './config';
import type { EmulatorState } from './control';
import type { Dataset, DatasetOptions } from './dataset';
import type { FaultStep } from './faults';
import type { HostSpec, RunningHost } from './hosts';
import type { EmulatorConfig, EmulatorConfigPatch, EndpointKey, LatencyConfig, LoggedRequest } from './types';

export interface ListenSpec {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  tls?: boolean;
}

export interface EmulatorOptions {
  dataset?: Dataset | DatasetOptions;
  /** Default: plain HTTP and TLS, both on 127.0.0.1 with a free port. */
  listen?: ListenSpec[];
  latencyMs?: Partial<LatencyConfig>;
  /** Items per ARM list page. Default 100. */
  pageSize?: number;
  /** Default 86399 (IMDS hands out ~24 h tokens). */
  tokenLifetimeSec?: number;
  /** Extra ARM response time per KB of body. Default 0.5 (the 1.3 MB role catalog then takes ~0.65 s more). */
  armMsPerKb?: number;
  /** Extra SAN names/IPs for the generated server certificate. */
  tls?: { hosts?: string[] };
}

export interface Emulator {
  /** One base URL per listener, e.g. http://127.0.0.1:1234 */
  readonly urls: string[];
  /** The first plain-HTTP listener (throws when there is none). */
  readonly httpUrl: string;
  /** The first TLS listener (throws when there is none). */
  readonly httpsUrl: string;
  /** PEM of the test CA, when any listener uses TLS. */
  readonly caCertPath: string | undefined;
  readonly dataset: Dataset;
  readonly config: Readonly<EmulatorConfig>;
  /** Live log; entries of pending requests are filled in when they finish. */
  readonly requests: LoggedRequest[];
  /** Every access token issued, in order (for leak scans). */
  readonly issuedTokens: readonly string[];
  /** What GET /_emulator/state answers: urls, CA path, tenant, VM, identities, config. */
  state(): EmulatorState;
  configure(patch: EmulatorConfigPatch): void;
  /** Replace the endpoint's fault script. */
  fault(endpoint: EndpointKey, steps: FaultStep[]): void;
  clearFaults(): void;
  resetLog(): void;
  /** Start another managed-identity host (App Service, Arc, Cloud Shell…) on its own loopback listener: test/emulator/hosts. */
  startHost(spec: HostSpec): Promise<RunningHost>;
  close(): Promise<void>;
}

/**
 * ARM's time grows with what it returns: listing ~550 role definitions (1–2 MB) is the slow request of a
 * sign-in (issue 9). No document gives a rate; 0.5 ms per KB (~2 MB/s of generated JSON on top of the
 * per-request latency) is an estimate, a knob (`armMsPerKb`) so the bench can vary it.
 */
const DEFAULT_ARM_MS_PER_KB = 0.5;

export function initialConfig(dataset: Dataset, options: EmulatorOptions): EmulatorConfig {
  const config: EmulatorConfig = {
    systemAssigned: dataset.systemAssigned,
    azEnvironment: dataset.azEnvironment,
    latencyMs: { imds: 0, arm: 0, graph: 0 },
    pageSize: 100,
    tokenLifetimeSec: 86399,
    armReadable: {},
    graphReadable: true,
    userAssignedAttached: true,
    armMsPerKb: DEFAULT_ARM_MS_PER_KB,
    imdsTokenCache: true,
    instanceAzEnvironment: null,
    clockOffsetSec: 0,
  };
  applyConfigPatch(config, {
    ...(options.latencyMs ? { latencyMs: options.latencyMs } : {}),
    ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
    ...(options.tokenLifetimeSec !== undefined ? { tokenLifetimeSec: options.tokenLifetimeSec } : {}),
    ...(options.armMsPerKb !== undefined ? { armMsPerKb: options.armMsPerKb } : {}),
  });
  return config;
}
