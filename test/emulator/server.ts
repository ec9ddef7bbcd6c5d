/**
 * The emulator: one or more loopback listeners (plain and/or TLS), each serving IMDS, the legacy
 * VM-extension endpoint, ARM, Graph and the control API, dispatched by path.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { isIPv6 } from 'node:net';
import { handleArm } from './arm';
import { applyConfigPatch } from './config';
import { handleControl, type EmulatorControls, type EmulatorState } from './control';
import { generateDataset, type Dataset, type DatasetOptions } from './dataset';
import { HostBoard, isHostControl, type HostSpec, type RunningHost } from './hosts';
import { FaultBoard, applyFault, defaultErrorBody, isEndpointKey, parseFaultSteps, type FaultStep } from './faults';
import { handleGraph } from './graph';
import { handleDataPlane, isDataPlaneHost } from './dataplane';
import { countBodyBytes, flattenHeaders, readBody, redactHeaders, serviceHeaders, writeResponse } from './http';
import { handleIdentityInfo, handleImdsOther, handleImdsToken, handleInstance, handleLegacyToken } from './imds';
import { type Emulator, type EmulatorOptions, type ListenSpec, initialConfig } from './emulatorApi';
import { classifyRoute } from './routes';
import { personas } from './expected';
import { groupIdsOf } from './rbac';
import { tlsMaterial, type TlsMaterial } from './tls';
import { TokenRegistry, bearerSummary } from './tokens';
import type {
  EmulatorConfig,
  EmulatorConfigPatch,
  EmulatorResponse,
  EndpointKey,
  LatencyConfig,
  LoggedRequest,
  RequestInfo,
  Route,
  ServiceContext,
  ServiceName,
} from './types';

/** IMDS allows 5 concurrent identity requests per VM, then answers 429 (azure-docs instance-metadata-service.md "Rate limiting"). */
const IDENTITY_CONCURRENCY = 5;
const IDENTITY_ENDPOINTS: ReadonlySet<string> = new Set(['imds-token', 'imds-info']);
const BODY_LIMIT_BYTES = 1024 * 1024;
const DEFAULT_LISTENERS: ListenSpec[] = [{}, { tls: true }];
function isDataset(value: Dataset | DatasetOptions): value is Dataset {
  return 'tenantId' in value && 'roleAssignments' in value;
}

function baseUrlOf(host: string, port: number, tls: boolean): string {
  return `${tls ? 'https' : 'http'}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function latencyService(service: ServiceName): keyof LatencyConfig | undefined {
  if (service === 'imds' || service === 'legacy') return 'imds';
  if (service === 'arm' || service === 'graph') return service;
  return undefined;
}

class RunningEmulator implements Emulator, EmulatorControls {
  readonly urls: string[] = [];
  caCertPath: string | undefined;
  private plainUrl: string | undefined;
  private tlsUrl: string | undefined;
  readonly requests: LoggedRequest[] = [];
  private readonly tokens = new TokenRegistry();
  private readonly faults = new FaultBoard();
  private readonly servers: http.Server[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly services: ServiceContext;
  private readonly hosts = new HostBoard(() => this.services);
  private seq = 0;
  private identityInFlight = 0;
  private closed = false;

  constructor(
    readonly dataset: Dataset,
    readonly config: EmulatorConfig,
  ) {
    this.services = { dataset, config, tokens: this.tokens };
  }

  get httpUrl(): string {
    if (!this.plainUrl) throw new Error('the emulator has no plain-HTTP listener');
    return this.plainUrl;
  }

  get httpsUrl(): string {
    if (!this.tlsUrl) throw new Error('the emulator has no TLS listener');
    return this.tlsUrl;
  }

  get issuedTokens(): readonly string[] {
    return this.tokens.issued;
  }

  async listen(spec: ListenSpec, tls: TlsMaterial | undefined): Promise<void> {
    const host = spec.host ?? '127.0.0.1';
    let baseUrl = '';
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.handle(req, res, baseUrl).catch((e: unknown) => this.crash(res, e));
    };
    const server =
      spec.tls && tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
    this.servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(spec.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    baseUrl = baseUrlOf(host, (server.address() as AddressInfo).port, Boolean(spec.tls));
    this.urls.push(baseUrl);
    if (spec.tls) this.tlsUrl ??= baseUrl;
    else this.plainUrl ??= baseUrl;
  }

  state(): EmulatorState {
    const { dataset, config } = this;
    return {
      urls: [...this.urls],
      httpUrl: this.plainUrl,
      httpsUrl: this.tlsUrl,
      caCertPath: this.caCertPath,
      tenantId: dataset.tenantId,
      subscriptionId: dataset.subscriptionId,
      resourceGroupName: dataset.resourceGroupName,
      managementGroup: dataset.managementGroup.name,
      vm: {
        name: dataset.vm.name,
        resourceId: dataset.vm.resourceId,
        location: dataset.vm.location,
        vmId: dataset.vm.vmId,
      },
      identities: {
        systemAssigned: {
          enabled: config.systemAssigned,
          ...dataset.systemIdentity,
          // Transitively: a group inside a group counts (assignedTo is transitive, role-assignments-list-rest.md).
          groupIds: groupIdsOf(dataset, dataset.systemIdentity.principalId),
        },
        userAssigned: dataset.userAssignedIdentities.map((u) => ({ ...u })),
      },
      config: structuredClone(config),
      subscriptions: structuredClone(dataset.subscriptions),
      managementGroups: structuredClone(dataset.managementGroups),
      personas: personas(dataset),
    };
  }

  configure(patch: EmulatorConfigPatch): void {
    applyConfigPatch(this.config, patch);
  }

  fault(endpoint: EndpointKey, steps: FaultStep[]): void {
    if (!isEndpointKey(endpoint)) throw new Error(`unknown fault endpoint '${String(endpoint)}'`);
    this.faults.set(endpoint, parseFaultSteps(structuredClone(steps)));
  }

  clearFaults(): void {
    this.faults.clear();
  }

  resetLog(): void {
    this.requests.length = 0;
  }

  startHost(spec: HostSpec): Promise<RunningHost> {
    return this.hosts.start(spec);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.hosts.closeAll();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(
      this.servers.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections();
          }),
      ),
    );
  }

  private delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  /** The size-proportional part of ARM's response time. */
  private sizeDelayMs(response: EmulatorResponse): number {
    if (this.config.armMsPerKb <= 0 || response.body === undefined) return 0;
    const bytes =
      typeof response.body === 'string'
        ? Buffer.byteLength(response.body)
        : Buffer.byteLength(JSON.stringify(response.body));
    return Math.round((bytes / 1024) * this.config.armMsPerKb);
  }

  private openLogEntry(res: http.ServerResponse, info: RequestInfo, route: Route): void {
    const bearer = bearerSummary(info.headers.authorization);
    const entry: LoggedRequest = {
      seq: ++this.seq,
      time: new Date(info.nowMs).toISOString(),
      listener: info.baseUrl,
      service: route.service,
      endpoint: route.endpoint,
      method: info.method,
      path: info.path,
      query: { ...info.query },
      headers: redactHeaders(info.headers),
      ...(bearer ? { bearer } : {}),
      status: 0,
      ms: 0,
      bytes: 0,
    };
    this.requests.push(entry);
    countBodyBytes(res, (n) => (entry.bytes += n));
    const settle = (): void => {
      entry.status = res.headersSent ? res.statusCode : 0;
      entry.ms = Date.now() - info.nowMs;
    };
    res.once('finish', settle);
    res.once('close', settle);
  }

  /** Counts identity requests in flight; false (and the caller answers 429) beyond the IMDS limit. */
  private admitIdentityRequest(route: Route, res: http.ServerResponse): boolean {
    if (!IDENTITY_ENDPOINTS.has(route.endpoint)) return true;
    if (this.identityInFlight >= IDENTITY_CONCURRENCY) return false;
    this.identityInFlight++;
    res.once('close', () => this.identityInFlight--);
    return true;
  }

  private dispatch(route: Route, req: RequestInfo): EmulatorResponse {
    switch (route.endpoint) {
      case 'imds-token':
        return handleImdsToken(req, this.services);
      case 'imds-info':
        return handleIdentityInfo(req, this.services);
      case 'imds-instance':
        return handleInstance(req, this.services);
      case 'imds-other':
        return handleImdsOther();
      case 'legacy-token':
        return handleLegacyToken(req, this.services);
      case 'graph-sp':
      case 'graph-other':
        return handleGraph(req, this.services);
      case 'control':
        return handleControl(req, this);
      case 'dataplane':
        return handleDataPlane(req, this.services);
      default:
        return handleArm(req, this.services);
    }
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, baseUrl: string): Promise<void> {
    // A request-target starting with '//' is a path, not a protocol-relative URL: the SDKs send
    // `{host}/{id}` with ids that begin with '/' (e.g. roleDefinitions.getById), and ARM accepts them.
    const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), baseUrl);
    const path = safeDecode(url.pathname);
    const route: Route = isDataPlaneHost(req.headers.host)
      ? { service: 'dataplane', endpoint: 'dataplane' }
      : classifyRoute(path);
    const info: RequestInfo = {
      method: req.method ?? 'GET',
      path,
      rawPath: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(req.headers),
      body: '',
      baseUrl,
      nowMs: Date.now(),
      requestId: randomUUID(),
    };
    this.openLogEntry(res, info, route);
    info.body = await readBody(req, BODY_LIMIT_BYTES);
    if (route.service === 'control')
      return writeResponse(res, isHostControl(path) ? await this.hosts.control(info) : this.dispatch(route, info), {});

    const headers = serviceHeaders(route.service, info);
    if (!this.admitIdentityRequest(route, res))
      return writeResponse(res, { status: 429, body: defaultErrorBody(route.service, 429, info) }, headers);
    const step = isEndpointKey(route.endpoint) ? this.faults.take(route.endpoint, info.nowMs) : undefined;
    const latency = latencyService(route.service);
    await this.delay(latency ? this.config.latencyMs[latency] : 0);
    if (this.closed || res.destroyed) return;
    const current: RequestInfo = { ...info, nowMs: Date.now() + this.config.clockOffsetSec * 1000 };
    // An HTTP server stamps Date with its own clock (RFC 9110 §6.6.1); IMDS's clock is the emulated one.
    if (route.service === 'imds' && this.config.clockOffsetSec !== 0)
      headers.date = new Date(current.nowMs).toUTCString();
    const normal = (): EmulatorResponse => this.dispatch(route, current);
    if (step && applyFault(step, { service: route.service, req: current, res, serviceHeaders: headers, normal }))
      return;
    const response = normal();
    if (route.service === 'arm') await this.delay(this.sizeDelayMs(response));
    if (this.closed || res.destroyed) return;
    writeResponse(res, response, headers);
  }

  private crash(res: http.ServerResponse, error: unknown): void {
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return;
    }
    writeResponse(
      res,
      {
        status: 500,
        body: { error: 'emulator_error', error_description: error instanceof Error ? error.message : String(error) },
      },
      {},
    );
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const given = options.dataset ?? {};
  const dataset = isDataset(given) ? given : generateDataset(given);
  const emulator = new RunningEmulator(dataset, initialConfig(dataset, options));
  const listeners = options.listen ?? DEFAULT_LISTENERS;
  const tls = listeners.some((l) => l.tls) ? await tlsMaterial(options.tls?.hosts ?? []) : undefined;
  emulator.caCertPath = tls?.caCertPath;
  try {
    for (const spec of listeners) await emulator.listen(spec, tls);
  } catch (e) {
    await emulator.close();
    throw e;
  }
  return emulator;
}
