/**
 * Would `az` or an Azure SDK send the metadata request (http://169.254.169.254/…) through a proxy? The identity
 * endpoint must be reached directly (entra-docs how-to-use-vm-token; docs/AZURE-FACTS.md "IMDS managed-identity token").
 * Each client decides differently; both rules are modelled from their source:
 *
 * - Python `requests` (az CLI through MSAL Python, azure-core's RequestsTransport): requests/utils.py
 *   `should_bypass_proxies` + `select_proxy` (requests 2.34), urllib.request `proxy_bypass_environment` and
 *   `getproxies_environment` (CPython 3.11). Lower-case variables win. For an IPv4 host a NO_PROXY entry matches
 *   when equal or a CIDR containing it; then urllib matches `*`, the entry itself, or any `.entry` suffix. An
 *   http:// URL uses `http_proxy` or `all_proxy`; `https_proxy` is not used for it.
 * - azure-core-js (@azure/core-rest-pipeline → @typespec/ts-http-runtime 0.3.x, policies/proxyPolicy.ts):
 *   upper-case wins (`NO_PROXY` then `no_proxy`); the proxy is `HTTPS_PROXY || ALL_PROXY || HTTP_PROXY` whatever the
 *   URL's scheme; a NO_PROXY entry matches when equal to the host, or when it starts with "." and the host ends with
 *   it (or equals it without the dot). No `*`, no CIDR.
 */
import type { Env } from './inputs';
import type { Check } from './model';
import { describeUrl } from './scrub';

export const METADATA_HOST = '169.254.169.254';

function lowerFirst(env: Env, name: string): string | undefined {
  return env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
}

function upperFirst(env: Env, name: string): string | undefined {
  return env[name.toUpperCase()] || env[name.toLowerCase()] || undefined;
}

function entries(noProxy: string | undefined, stripAllSpaces: boolean): string[] {
  if (!noProxy) return [];
  const text = stripAllSpaces ? noProxy.replace(/ /g, '') : noProxy;
  return text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
}

function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** requests' `is_valid_cidr` + `address_in_network`: a.b.c.d/n with 1 ≤ n ≤ 32. */
function cidrContains(cidr: string, ip: string): boolean {
  const [base, bitsText] = cidr.split('/');
  if (bitsText === undefined || !/^\d+$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  const baseInt = ipv4ToInt(base);
  const ipInt = ipv4ToInt(ip);
  if (bits < 1 || bits > 32 || baseInt === undefined || ipInt === undefined) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(baseInt / size) === Math.floor(ipInt / size);
}

export interface ProxyDecision {
  /** Proxy URL (scheme://host:port only) the request would go through, or undefined when it goes direct. */
  proxy?: string;
  /** The environment variable that supplied it. */
  variable?: string;
}

/** How az / azure-core Python route http://<host>/ (host must be an IPv4 literal or a name). */
export function pythonRequestsRoute(env: Env, host: string): ProxyDecision {
  const candidates = ['http_proxy', 'all_proxy'];
  const variable = candidates.map((n) => [n, lowerFirst(env, n)] as const).find(([, v]) => v);
  if (!variable) return {};
  const noProxy = lowerFirst(env, 'no_proxy');
  const list = entries(noProxy, true);
  const isIp = ipv4ToInt(host) !== undefined;
  if (isIp && list.some((e) => (e.includes('/') ? cidrContains(e, host) : e === host))) return {};
  // urllib's proxy_bypass_environment (requests calls it next with the same no_proxy value).
  if (noProxy?.trim() === '*') return {};
  const lower = host.toLowerCase();
  const urllibMatch = entries(noProxy, false).some((raw) => {
    const name = raw.replace(/^\.+/, '').toLowerCase();
    return lower === name || lower.endsWith(`.${name}`);
  });
  if (urllibMatch) return {};
  const name = env[variable[0]] ? variable[0] : variable[0].toUpperCase();
  return { proxy: describeUrl(variable[1]!), variable: name };
}

/** How the Azure SDK for JavaScript (and so @azure/identity's ManagedIdentityCredential) routes a request. */
export function azureCoreJsRoute(env: Env, host: string): ProxyDecision {
  const order = ['HTTPS_PROXY', 'ALL_PROXY', 'HTTP_PROXY'];
  for (const upper of order) {
    const value = upperFirst(env, upper);
    if (!value) continue;
    const list = entries(upperFirst(env, 'NO_PROXY'), false);
    const bypass = list.some((p) => (p.startsWith('.') ? host.endsWith(p) || host === p.slice(1) : host === p));
    if (bypass) return {};
    return { proxy: describeUrl(value), variable: env[upper] ? upper : upper.toLowerCase() };
  }
  return {};
}

/** The NO_PROXY line to add, keeping what is there (both spellings, so every client reads it). */
export function noProxyFixLine(env: Env): string {
  const current = env.NO_PROXY || env.no_proxy || '';
  const list = entries(current, false).filter((e) => e !== METADATA_HOST);
  const value = [...list, METADATA_HOST].join(',');
  return `export NO_PROXY=${value} no_proxy=${value}`;
}

export function checkProxyEnvironment(env: Env): Check {
  const id = 'proxy.environment';
  const title = 'Proxy variables and the identity endpoint';
  const az = pythonRequestsRoute(env, METADATA_HOST);
  const sdk = azureCoreJsRoute(env, METADATA_HOST);
  if (!az.proxy && !sdk.proxy) {
    const anyProxy = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY'].some((n) => upperFirst(env, n));
    return {
      id,
      title,
      status: 'pass',
      evidence: anyProxy
        ? `Proxy variables are set, and NO_PROXY lets ${METADATA_HOST} go direct for az and the Azure SDKs.`
        : 'No HTTP_PROXY, HTTPS_PROXY or ALL_PROXY in this environment.',
    };
  }
  const who: string[] = [];
  if (az.proxy) who.push(`az and Python SDKs would use ${az.variable} (${az.proxy})`);
  if (sdk.proxy) who.push(`the JavaScript SDK would use ${sdk.variable} (${sdk.proxy})`);
  return {
    id,
    title,
    status: 'warn',
    evidence:
      `Requests to http://${METADATA_HOST} go through a proxy: ${who.join('; ')}. ` +
      'A proxy cannot reach the identity endpoint; expect 400/407/502 or a hang.',
    fix: `Add the identity endpoint to NO_PROXY (e.g. in ~/.bashrc): ${noProxyFixLine(env)}`,
    link: 'https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service#proxies',
  };
}
