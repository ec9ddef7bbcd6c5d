/**
 * Where ARM and Graph are. Normally the detected cloud's hosts; `VM_IDENTITY_ARM_ENDPOINT` /
 * `VM_IDENTITY_GRAPH_ENDPOINT` replace them for tests and the demo, over https, or plain http to a
 * loopback host only (a token must never cross a network in the clear).
 */
import { VmIdentityError } from '../core/errors';
import type { Cloud } from './clouds';
import { isLoopbackHost } from './http';

export interface AzureEndpoints {
  arm: string;
  graph: string;
}

export function resolveEndpoints(cloud: Cloud, env: NodeJS.ProcessEnv): AzureEndpoints {
  return {
    arm: override(env.VM_IDENTITY_ARM_ENDPOINT, 'VM_IDENTITY_ARM_ENDPOINT') ?? cloud.arm,
    graph: override(env.VM_IDENTITY_GRAPH_ENDPOINT, 'VM_IDENTITY_GRAPH_ENDPOINT') ?? cloud.graph,
  };
}

function override(value: string | undefined, name: string): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badOverride(name, `"${text}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopbackHost(url.hostname))) {
    throw badOverride(
      name,
      `${url.origin} would carry the token in the clear; use https (plain http is allowed for loopback only)`,
    );
  }
  return url.origin;
}

function badOverride(name: string, why: string): VmIdentityError {
  return new VmIdentityError('usage', `${name}: ${why}.`, { fix: `Fix or unset ${name}.` });
}
