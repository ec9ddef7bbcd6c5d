/**
 * One-shot reachability probes for Diagnose: a single attempt, no retries, a short limit, and only what the
 * checks need (reachable, status, the `Server` product name, time, the error code). Identity endpoints go over
 * the direct transport (a raw socket: never a proxy, docs/AZURE-FACTS.md "IMDS managed-identity token"); ARM over the proxied one, unsigned,
 * since any HTTP answer proves DNS, TCP and TLS work.
 */
import * as dns from 'node:dns';
import { type HttpClient, HttpError } from '../core/http';
import type { ArmProbe, EndpointProbe } from '../diagnose';

export interface ProbeLimits {
  connectMs: number;
  responseMs: number;
}

const PROBE_LIMITS: ProbeLimits = { connectMs: 2000, responseMs: 5000 };

/** Error codes for failures that carry no errno (time-outs, cut-off answers). */
const FAILURE_CODES: Record<HttpError['failure'], string> = {
  unreachable: 'EHOSTUNREACH',
  connectTimeout: 'ETIMEDOUT',
  responseTimeout: 'ETIMEDOUT',
  reset: 'ECONNRESET',
  tooLarge: 'ETOOLARGE',
  untrusted: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  aborted: 'ABORTED',
};

/** A GET with the given headers; never throws. */
export async function probeOnce(
  http: HttpClient,
  url: URL,
  headers: Record<string, string>,
  limits: ProbeLimits = PROBE_LIMITS,
  now: () => number = () => performance.now(),
): Promise<EndpointProbe> {
  const started = now();
  try {
    const response = await http.send({
      url,
      method: 'GET',
      headers,
      connectTimeoutMs: limits.connectMs,
      responseTimeoutMs: limits.responseMs,
      maxBodyBytes: 1024 * 1024,
    });
    const server = response.headers.server;
    return {
      reachable: true,
      status: response.status,
      server: typeof server === 'string' ? server.slice(0, 80) : undefined,
      elapsedMs: now() - started,
    };
  } catch (e) {
    const code =
      e instanceof HttpError ? (e.code ?? codeFromMessage(e.message) ?? FAILURE_CODES[e.failure]) : undefined;
    return { reachable: false, elapsedMs: now() - started, errorCode: code ?? 'ECONNRESET' };
  }
}

/** proxiedHttp puts the errno code in the message when it has no other text. */
function codeFromMessage(message: string): string | undefined {
  return /^[A-Z][A-Z0-9_]+$/.test(message) ? message : undefined;
}

/** scheme://host:port of a proxy URL: never its user name or password. */
function describeProxy(proxy: string | undefined): string | undefined {
  if (!proxy) return undefined;
  try {
    const u = new URL(proxy);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'a proxy (unparsable URL)';
  }
}

export interface ArmProbeOptions {
  http: HttpClient;
  armBase: string;
  /** The proxy a request to this URL goes through, if any. */
  proxyFor?: (url: URL) => string | undefined;
  lookup?: (host: string) => Promise<unknown>;
  limits?: ProbeLimits;
}

/** DNS (skipped when a proxy resolves the name), then one unsigned GET /subscriptions. */
export async function probeArm(options: ArmProbeOptions): Promise<ArmProbe> {
  const url = new URL('/subscriptions?api-version=2022-12-01', options.armBase);
  const host = url.hostname;
  const viaProxy = describeProxy(options.proxyFor?.(url));
  if (!viaProxy) {
    try {
      await (options.lookup ?? ((h: string) => dns.promises.lookup(h)))(host.replace(/^\[|\]$/g, ''));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'ENOTFOUND';
      return { dns: 'failed', host, probe: { reachable: false, errorCode: code } };
    }
  }
  const probe = await probeOnce(
    options.http,
    url,
    { Accept: 'application/json', 'User-Agent': 'vm-identity' },
    options.limits,
  );
  const tlsFailed = !probe.reachable && probe.errorCode !== undefined && isTlsCode(probe.errorCode);
  return {
    dns: 'ok',
    tls: url.protocol !== 'https:' ? undefined : probe.reachable ? 'ok' : tlsFailed ? 'failed' : undefined,
    host,
    probe: { ...probe, viaProxy },
  };
}

function isTlsCode(code: string): boolean {
  return /CERT|SELF_SIGNED|ISSUER|LEAF|SSL|TLS|EPROTO/.test(code);
}
