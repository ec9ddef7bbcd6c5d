/**
 * Every managed-identity host besides the Azure VM: started on demand, each on its own loopback listener, sharing
 * the emulator's dataset, config and token registry (so ARM and Graph accept their tokens).
 *
 * In process: `await emulator.startHost({ kind: 'arc', options: { keyFileGid: 1234 } })` → RunningHost.
 * Over HTTP (any emulator listener), for tests in another process:
 *   GET    /_emulator/hosts                     → [{name, kind, url, env, details}]
 *   POST   /_emulator/hosts {kind, name?, options?, listen?} → {name, kind, url, env, details}
 *   DELETE /_emulator/hosts/{name}              → 204
 *   GET    /_emulator/hosts/{name}/requests     → the host's request log
 *   POST   /_emulator/hosts/{name}/{action} {…} → {result} (e.g. workload-identity `serviceAccountToken`)
 */
import { json } from '../http';
import type { EmulatorResponse, RequestInfo, ServiceContext } from '../types';
import { createAppServiceHost } from './appService';
import { createArcHost } from './arc';
import { createCloudShellHost } from './cloudShell';
import { listenHost } from './hostListener';
import { isHostKind, HOST_KINDS, type HostDefinition, type HostSpec, type RunningHost } from './hostTypes';
import { createMachineLearningHost } from './machineLearning';
import { createNotAzureHost } from './notAzure';
import { createWorkloadIdentityHost } from './workloadIdentity';

export type { HostKind, HostSpec, RunningHost, HostLoggedRequest } from './hostTypes';

function define(ctx: ServiceContext, spec: HostSpec): HostDefinition {
  const options = spec.options ?? {};
  switch (spec.kind) {
    case 'workload-identity':
      return createWorkloadIdentityHost(ctx, options);
    case 'machine-learning':
      return createMachineLearningHost(ctx, options);
    case 'arc':
      return createArcHost(ctx, options);
    case 'cloud-shell':
      return createCloudShellHost(ctx, options);
    case 'app-service':
      return createAppServiceHost(ctx, options);
    case 'not-azure':
      return createNotAzureHost(options);
  }
}

function summary(host: RunningHost): Record<string, unknown> {
  return { name: host.name, kind: host.kind, url: host.url, env: host.env, details: host.details };
}

/** The hosts one emulator runs. */
export class HostBoard {
  private readonly hosts = new Map<string, RunningHost>();

  constructor(private readonly context: () => ServiceContext) {}

  async start(spec: HostSpec): Promise<RunningHost> {
    if (!isHostKind(spec.kind))
      throw new Error(`kind must be one of ${HOST_KINDS.join(', ')}, got ${JSON.stringify(spec.kind)}`);
    const name = spec.name ?? spec.kind;
    await this.stop(name);
    const def = define(this.context(), spec);
    const host = await listenHost(name, def, spec.listen);
    this.hosts.set(name, host);
    return host;
  }

  async stop(name: string): Promise<boolean> {
    const host = this.hosts.get(name);
    if (!host) return false;
    this.hosts.delete(name);
    await host.close();
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.hosts.keys()].map((name) => this.stop(name)));
  }

  /** `/_emulator/hosts…` control requests. */
  async control(req: RequestInfo): Promise<EmulatorResponse> {
    try {
      return await this.route(req);
    } catch (e) {
      return json(400, { error: e instanceof Error ? e.message : String(e) });
    }
  }

  private async route(req: RequestInfo): Promise<EmulatorResponse> {
    const parts = req.path.replace(/\/+$/, '').split('/').slice(3);
    const body = (): Record<string, unknown> => {
      const parsed: unknown = JSON.parse(req.body || '{}');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('the body must be a JSON object');
      return parsed as Record<string, unknown>;
    };
    if (parts.length === 0 && req.method === 'GET') return json(200, [...this.hosts.values()].map(summary));
    if (parts.length === 0 && req.method === 'POST')
      return json(200, summary(await this.start(body() as unknown as HostSpec)));
    const host = this.hosts.get(parts[0]);
    if (!host) return json(404, { error: `no host named '${parts[0] ?? ''}'` });
    if (parts.length === 1 && req.method === 'DELETE') return (await this.stop(host.name), { status: 204 });
    if (parts.length === 1 && req.method === 'GET') return json(200, summary(host));
    if (parts.length === 2 && parts[1] === 'requests' && req.method === 'GET') return json(200, host.requests);
    if (parts.length === 2 && req.method === 'POST') return json(200, { result: host.action(parts[1], body()) });
    return json(404, { error: `no control endpoint ${req.method} ${req.path}` });
  }
}

export function isHostControl(path: string): boolean {
  return /^\/_emulator\/hosts(\/|$)/.test(path);
}
