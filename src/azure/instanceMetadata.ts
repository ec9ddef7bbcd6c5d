/**
 * IMDS instance metadata: GET {imds}/metadata/instance?api-version=2021-02-01, header `Metadata: true`
 * (azure-docs virtual-machines/instance-metadata-service.md). All primitives are strings; missing ones "".
 * Azure Arc's himds serves a subset at {IMDS_ENDPOINT}/metadata/instance?api-version=2020-06-01
 * (azure-arc/servers/managed-identity-authentication.md; docs/HOSTS.md §3). Same direct (never proxied)
 * transport as the token; another cloud's metadata server is told apart as for the token (docs/HOSTS.md §6).
 */
import type { Clock } from '../core/clock';
import { errorFor, isNotAzureAnswer } from '../core/errorTable';
import { malformedResponse } from '../core/errors';
import { DEFAULT_TIMEOUTS, type HttpClient, type Timeouts, describeRequest, sendWithRetry } from '../core/http';
import { isRecord, parseJsonBody, tryParseJson } from '../core/json';
import type { Logger } from '../core/log';
import { RETRY_POLICIES } from '../core/retry';

const INSTANCE_API_VERSION = '2021-02-01';

export interface InstanceMetadata {
  name: string;
  resourceGroupName: string;
  subscriptionId: string;
  resourceId: string;
  location: string;
  vmSize: string;
  osType: string;
  vmId: string;
  azEnvironment: string;
  computerName: string;
}

export interface InstanceMetadataDeps {
  host: string;
  /** Default {@link INSTANCE_API_VERSION} (IMDS); himds is asked with 2020-06-01. */
  apiVersion?: string;
  /** An HTTP(S) proxy is configured (an HTML answer may then be the proxy's). */
  proxyConfigured?: boolean;
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  timeouts?: Partial<Timeouts>;
}

const MAX_METADATA_BYTES = 1024 * 1024;

export async function getInstanceMetadata(deps: InstanceMetadataDeps, signal?: AbortSignal): Promise<InstanceMetadata> {
  const url = new URL('/metadata/instance', deps.host);
  url.searchParams.set('api-version', deps.apiVersion ?? INSTANCE_API_VERSION);
  const request = { url, method: 'GET' as const, headers: { Metadata: 'true' } };
  const where = describeRequest(request);
  const { response } = await sendWithRetry(
    {
      http: deps.http,
      clock: deps.clock,
      logger: deps.logger,
      policy: RETRY_POLICIES.identity,
      source: 'metadata',
      timeouts: { ...DEFAULT_TIMEOUTS, ...deps.timeouts },
      maxBodyBytes: MAX_METADATA_BYTES,
      signal,
      isFinal: (r) =>
        isNotAzureAnswer({
          status: r.status,
          html: /text\/html/i.test(String(r.headers['content-type'] ?? '')),
          server: ([] as (string | undefined)[]).concat(r.headers.server)[0],
          proxyConfigured: deps.proxyConfigured,
        }),
    },
    request,
  );
  const server = ([] as (string | undefined)[]).concat(response.headers.server)[0];
  const type = String(response.headers['content-type'] ?? '');
  const facts = {
    status: response.status,
    html: /text\/html/i.test(type) || /^\s*<(!doctype html|html)/i.test(response.body.subarray(0, 64).toString()),
    notJson: response.body.length > 0 && tryParseJson(response.body) === undefined,
    server,
    proxyConfigured: deps.proxyConfigured,
  };
  if (response.status !== 200 || isNotAzureAnswer(facts)) throw errorFor({ source: 'metadata', where, ...facts });
  return parseInstanceMetadata(response.body, where);
}

export function parseInstanceMetadata(body: Buffer | string, where: string): InstanceMetadata {
  const json = parseJsonBody(body, where);
  const compute = isRecord(json) ? json.compute : undefined;
  if (!isRecord(compute)) throw malformedResponse(where, 'it has no compute section');
  const s = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const osProfile = isRecord(compute.osProfile) ? compute.osProfile : {};
  const metadata: InstanceMetadata = {
    name: s(compute.name),
    resourceGroupName: s(compute.resourceGroupName),
    subscriptionId: s(compute.subscriptionId),
    resourceId: s(compute.resourceId),
    location: s(compute.location),
    vmSize: s(compute.vmSize),
    osType: s(compute.osType),
    vmId: s(compute.vmId),
    azEnvironment: s(compute.azEnvironment),
    computerName: s(osProfile.computerName),
  };
  if (!metadata.resourceId && metadata.subscriptionId && metadata.resourceGroupName && metadata.name) {
    metadata.resourceId = `/subscriptions/${metadata.subscriptionId}/resourceGroups/${metadata.resourceGroupName}/providers/Microsoft.Compute/virtualMachines/${metadata.name}`;
  }
  return metadata;
}
