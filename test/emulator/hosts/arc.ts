/**
 * Azure Arc-enabled server: the Hybrid Instance Metadata Service (himds, http://localhost:40342). Sources:
 * azure-docs azure-arc/servers/managed-identity-authentication.md (IMDS_ENDPOINT=http://localhost:40342,
 * IDENTITY_ENDPOINT=…/metadata/identity/oauth2/token; `GET ?api-version=2019-11-01&resource=…` with `Metadata: true`
 * answers 401 + `WWW-Authenticate: Basic realm=<key file>`, resend with `Authorization: Basic <file contents>`; the
 * file is readable only by privileged users — root / the `himds` group; system-assigned only); msal-node
 * ManagedIdentitySources/AzureArc.ts (client rules: /var/opt/azcmagent/tokens/ or
 * %ProgramData%\AzureConnectedMachineAgent\Tokens\, `.key`, ≤ 4096 bytes). Azure Arc Jumpstart "managed identity"
 * scenario (observed): challenge files "may only be used once and are automatically removed"; tokens last 24 h;
 * `GET /metadata/instance?api-version=2020-06-01` returns a subset of the Azure IMDS document, most fields empty,
 * with `azEnvironment`, `resourceId` (Microsoft.HybridCompute/machines), `subscriptionId`, `location`.
 * Error bodies besides the 401 are not documented: the IMDS shape `{error, error_description}` is inferred.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { json } from '../http';
import type { EmulatorResponse, RequestInfo, ServiceContext } from '../types';
import { lowerResourceGroups, mintAppToken } from './hostTokens';
import { checkOptions, optBoolean, optNumber, optString, type HostDefinition } from './hostTypes';

const OPTIONS = [
  'keyDir',
  'keyFileMode',
  'keyFileUid',
  'keyFileGid',
  'keyBytes',
  'machineName',
  'lifetimeSec',
  'instanceMetadata',
  'azEnvironment',
];
const USER_ASSIGNED_PARAMS = ['client_id', 'object_id', 'msi_res_id', 'mi_res_id'];

function arcError(
  status: number,
  error: string,
  description: string,
  headers: Record<string, string> = {},
): EmulatorResponse {
  return json(status, { error, error_description: description }, headers);
}

export function createArcHost(ctx: ServiceContext, options: Record<string, unknown>): HostDefinition {
  checkOptions(options, OPTIONS, 'arc');
  const ownDir = optString(options, 'keyDir') === undefined;
  const keyDir = optString(options, 'keyDir') ?? mkdtempSync(join(tmpdir(), 'emu-arc-tokens-'));
  // Real agent: owner root, group himds, mode 0640 (docs: "only root and the himds group"; mode observed).
  const mode = optNumber(options, 'keyFileMode') ?? 0o640;
  const isRoot = process.getuid?.() === 0;
  const uid = optNumber(options, 'keyFileUid') ?? (isRoot ? 0 : undefined);
  const gid = optNumber(options, 'keyFileGid');
  const keyBytes = optNumber(options, 'keyBytes') ?? 32;
  const machineName = optString(options, 'machineName') ?? `${ctx.dataset.vm.name}-arc`;
  const lifetimeSec = optNumber(options, 'lifetimeSec') ?? 86399;
  const serveInstance = optBoolean(options, 'instanceMetadata') ?? true;
  const machineId = `${ctx.dataset.scopes.resourceGroup}/providers/Microsoft.HybridCompute/machines/${machineName}`;
  /** Outstanding challenges: key file contents → path. */
  const challenges = new Map<string, string>();

  function writeChallenge(): string {
    // Hex keeps the file printable; keyBytes lets a test exceed the 4096-byte client limit.
    const key = randomBytes(Math.ceil(keyBytes / 2))
      .toString('hex')
      .slice(0, keyBytes);
    const path = join(keyDir, `${randomBytes(16).toString('hex')}.key`);
    writeFileSync(path, key, { mode });
    chmodSync(path, mode);
    if (uid !== undefined || gid !== undefined) chownSync(path, uid ?? process.getuid?.() ?? -1, gid ?? -1);
    challenges.set(key, path);
    return path;
  }

  function token(req: RequestInfo): EmulatorResponse {
    if (req.headers.metadata?.toLowerCase() !== 'true')
      return arcError(400, 'invalid_request', 'Required metadata header not specified');
    if (!req.query['api-version'])
      return arcError(400, 'invalid_request', "Required query variable 'api-version' is missing");
    if (!req.query.resource) return arcError(400, 'invalid_resource', 'Required audience parameter not specified');
    if (USER_ASSIGNED_PARAMS.some((p) => req.query[p] !== undefined)) {
      return arcError(
        400,
        'invalid_request',
        'User assigned identities are not supported on Azure Arc-enabled servers',
      );
    }
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    const keyPath = basic === undefined ? undefined : challenges.get(basic);
    if (keyPath === undefined) {
      const path = writeChallenge();
      return arcError(
        401,
        'unauthorized_client',
        'A challenge token file was created; resend with its contents as Basic authorization',
        { 'www-authenticate': `Basic realm=${path}` },
      );
    }
    challenges.delete(basic!);
    rmSync(keyPath, { force: true });
    if (!ctx.config.systemAssigned) return arcError(400, 'invalid_request', 'Identity not found');
    const subject = { ...ctx.dataset.systemIdentity, mirid: lowerResourceGroups(machineId) };
    const { accessToken, claims } = mintAppToken(ctx, subject, req.query.resource, req.nowMs, lifetimeSec);
    const nowSec = Math.floor(req.nowMs / 1000);
    return json(200, {
      access_token: accessToken,
      expires_in: String(claims.exp - nowSec),
      expires_on: String(claims.exp),
      ext_expires_in: String(claims.exp - nowSec),
      not_before: String(claims.nbf),
      resource: req.query.resource,
      token_type: 'Bearer',
    });
  }

  function instance(req: RequestInfo): EmulatorResponse {
    if (!serveInstance) return json(404, { error: 'Not found' });
    if (req.headers.metadata?.toLowerCase() !== 'true')
      return json(400, { error: 'Bad request. Required metadata header not specified' });
    if (!req.query['api-version'])
      return json(400, { error: 'Bad request. api-version was not specified in the request.' });
    const { dataset } = ctx;
    const compute = {
      azEnvironment: optString(options, 'azEnvironment') ?? ctx.config.azEnvironment,
      isHostCompatibilityLayerVm: '',
      location: dataset.vm.location,
      name: machineName,
      offer: '',
      osType: dataset.vm.osType.toLowerCase(),
      placementGroupId: '',
      plan: { name: '', product: '', publisher: '' },
      platformFaultDomain: '',
      platformUpdateDomain: '',
      provider: '',
      publicKeys: null,
      publisher: '',
      resourceGroupName: dataset.resourceGroupName,
      customData: '',
      resourceId: machineId,
      securityProfile: { secureBootEnabled: '', virtualTpmEnabled: '' },
      sku: 'Ubuntu 22.04.4 LTS',
      storageProfile: {},
      subscriptionId: dataset.subscriptionId,
      tags: '',
      tagsList: [],
      version: '',
      vmId: dataset.vm.vmId,
      vmScaleSetName: '',
      vmSize: '',
      zone: '',
    };
    const sub = req.path.replace(/^\/metadata\/instance\/?/i, '');
    if (sub === '') return json(200, { compute, network: {} });
    if (/^compute\/?$/i.test(sub)) return json(200, compute);
    return json(404, { error: 'Not found' });
  }

  return {
    kind: 'arc',
    handle(req) {
      if (req.method !== 'GET') return arcError(405, 'invalid_request', 'Method not allowed');
      if (/^\/metadata\/identity\/oauth2\/token\/?$/i.test(req.path)) return token(req);
      if (/^\/metadata\/instance(\/|$)/i.test(req.path)) return instance(req);
      return arcError(404, 'not_found', 'Not found');
    },
    env(baseUrl) {
      return { IDENTITY_ENDPOINT: `${baseUrl}/metadata/identity/oauth2/token`, IMDS_ENDPOINT: baseUrl };
    },
    details() {
      return {
        keyDir,
        keyFileMode: mode,
        keyFileUid: uid ?? null,
        keyFileGid: gid ?? null,
        machineId,
        outstandingChallenges: challenges.size,
      };
    },
    close() {
      for (const path of challenges.values()) rmSync(path, { force: true });
      challenges.clear();
      if (ownDir) rmSync(keyDir, { recursive: true, force: true });
    },
  };
}
