/**
 * The vmIdentity.cloud setting (machine scope; CLI `--cloud`, `VM_IDENTITY_CLOUD`): which Azure cloud to use
 * when instance metadata does not name a known one (Arc agents that omit azEnvironment, App Service, Cloud Shell,
 * AKS, or an air-gapped cloud / Azure Stack whose name we do not know). A name (`AzureCloud`,
 * `AzureUSGovernment`, `AzureChinaCloud`, or the azEnvironment spellings), or a custom cloud:
 * `{ "arm", "graph", "portal", "audience"?, "graphAudience"? }` as https URLs (a JSON string in the CLI).
 * Plain http is accepted for loopback hosts only, as for the ARM overrides: a token never crosses a network in
 * the clear.
 */
import { CLOUD_SETTING_FIX, VmIdentityError } from '../core/errors';
import { isRecord } from '../core/json';
import { type Cloud, knownCloud } from './clouds';
import { isLoopbackHost } from './http';

/** Undefined when unset (empty); a typed `usage` error naming `origin` when it cannot be used. */
export function parseCloudSetting(value: unknown, origin: string): Cloud | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    const text = value.trim();
    if (!text) return undefined;
    if (text.startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw bad(origin, 'is not valid JSON');
      }
      return parseCloudSetting(parsed, origin);
    }
    if (text.toLowerCase() === 'custom') throw bad(origin, 'is "custom" without its URLs');
    const cloud = knownCloud(text);
    if (!cloud) throw bad(origin, `names "${text}", which is not a cloud VM Identity knows`);
    return cloud;
  }
  if (!isRecord(value)) throw bad(origin, 'must be a cloud name or an object of URLs');
  const arm = url(value.arm, 'arm', origin);
  const graph = url(value.graph, 'graph', origin);
  const portal = url(value.portal, 'portal', origin);
  const audience = value.audience === undefined ? `${arm}/` : url(value.audience, 'audience', origin, true);
  const graphAudience =
    value.graphAudience === undefined ? `${graph}/` : url(value.graphAudience, 'graphAudience', origin, true);
  return {
    name: 'Custom',
    displayName: 'Custom cloud',
    arm,
    armResource: audience,
    graph,
    graphResource: graphAudience,
    portal,
  };
}

function url(v: unknown, key: string, origin: string, keepPath = false): string {
  if (typeof v !== 'string' || !v.trim()) throw bad(origin, `needs "${key}" (an https URL) for a custom cloud`);
  let u: URL;
  try {
    u = new URL(v.trim());
  } catch {
    throw bad(origin, `"${key}": "${v}" is not a URL`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && isLoopbackHost(u.hostname))) {
    throw bad(origin, `"${key}": ${u.origin} is not https`);
  }
  return keepPath ? u.href : u.origin;
}

function bad(origin: string, what: string): VmIdentityError {
  return new VmIdentityError('usage', `${origin} ${what}.`, {
    fix: CLOUD_SETTING_FIX,
    title: 'unusable cloud setting',
  });
}
