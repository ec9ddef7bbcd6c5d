/**
 * IMDS (169.254.169.254) and the legacy VM-extension endpoint (localhost:50342). Wire formats from
 * azure-docs virtual-machines/instance-metadata-service.md and entra-docs
 * managed-identities-azure-resources/how-to-use-vm-token.md; error texts as observed (docs/AZURE-FACTS.md).
 */
import { cloudFor } from './clouds';
import { cachedImdsToken } from './hosts/imdsTokenCache';
import { json } from './http';
import type { TokenSubject } from './tokens';
import type { EmulatorResponse, RequestInfo, ServiceContext } from './types';

/** Recent instance-metadata versions IMDS lists when api-version is missing (observed). */
const NEWEST_INSTANCE_VERSIONS = ['2023-07-01', '2021-12-13', '2021-11-15'];
const API_VERSION = /^\d{4}-\d{2}-\d{2}$/;

interface IdentityChoice {
  clientId?: string;
  objectId?: string;
  msiResId?: string;
}

interface AvailableIdentity {
  subject: TokenSubject;
  resourceId?: string;
}

// azure-docs instance-metadata-service.md / how-to-use-vm-token.md: error body {"error", "error_description"}
function imdsError(status: number, error: string, description: string): EmulatorResponse {
  return json(status, { error, error_description: description });
}

function hasMetadataHeader(req: RequestInfo): boolean {
  return req.headers['metadata']?.toLowerCase() === 'true';
}

/** ARM prints the VM id in xms_mirid with lower-case `resourcegroups`. */
function lowerResourceGroups(id: string): string {
  return id.replace(/\/resourceGroups\//i, '/resourcegroups/');
}

function availableIdentities(ctx: ServiceContext): { system?: AvailableIdentity; user: AvailableIdentity[] } {
  const { dataset, config } = ctx;
  const system = config.systemAssigned
    ? { subject: { ...dataset.systemIdentity, mirid: lowerResourceGroups(dataset.vm.resourceId) } }
    : undefined;
  const user = (config.userAssignedAttached ? dataset.userAssignedIdentities : []).map((u) => ({
    subject: {
      principalId: u.principalId,
      clientId: u.clientId,
      mirid: u.resourceId,
      hostResourceId: dataset.vm.resourceId,
    },
    resourceId: u.resourceId,
  }));
  return { system, user };
}

/**
 * IMDS identity selection: an explicit id must match an identity on the VM; with none, the system identity,
 * else the only user-assigned one, else an error.
 */
function selectIdentity(ctx: ServiceContext, choice: IdentityChoice): TokenSubject | EmulatorResponse {
  const { system, user } = availableIdentities(ctx);
  const all = system ? [system, ...user] : user;
  const same = (a: string | undefined, b: string | undefined): boolean =>
    a !== undefined && b !== undefined && a.toLowerCase() === b.toLowerCase();
  const given = [choice.clientId, choice.objectId, choice.msiResId].filter((v) => v !== undefined);
  if (given.length > 1)
    return imdsError(400, 'invalid_request', 'Only one of client_id, object_id or msi_res_id may be specified');
  if (given.length === 1) {
    const match = all.find(
      (i) =>
        same(i.subject.clientId, choice.clientId) ||
        same(i.subject.principalId, choice.objectId) ||
        same(i.resourceId, choice.msiResId),
    );
    return match ? match.subject : imdsError(400, 'invalid_request', 'Identity not found');
  }
  if (system) return system.subject;
  if (user.length === 1) return user[0].subject;
  if (user.length > 1)
    return imdsError(
      400,
      'invalid_request',
      'Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request',
    );
  return imdsError(400, 'invalid_request', 'Identity not found');
}

// azure-docs instance-metadata-service.md "Managed identity" / how-to-use-vm-token.md: every field a string.
function tokenResponse(ctx: ServiceContext, subject: TokenSubject, resource: string, nowMs: number): EmulatorResponse {
  const lifetime = ctx.config.tokenLifetimeSec;
  const nowSec = Math.floor(nowMs / 1000);
  const mint = () =>
    ctx.tokens.mint({
      subject,
      resource,
      tenantId: ctx.dataset.tenantId,
      stsHost: cloudFor(ctx.config.azEnvironment).stsHost,
      lifetimeSec: lifetime,
      nowSec,
    });
  // IMDS serves a cached token until near expiry (hosts/imdsTokenCache.ts); expires_in shrinks with it.
  const key = { principalId: subject.principalId, resource, lifetimeSec: lifetime };
  const { accessToken, claims } = ctx.config.imdsTokenCache ? cachedImdsToken(ctx.tokens, key, nowSec, mint) : mint();
  return json(200, {
    access_token: accessToken,
    refresh_token: '',
    expires_in: String(claims.exp - nowSec),
    expires_on: String(claims.exp),
    ext_expires_in: String(claims.exp - nowSec),
    not_before: String(claims.nbf),
    resource,
    token_type: 'Bearer',
    client_id: subject.clientId,
  });
}

/** `GET /metadata/identity/oauth2/token?api-version=…&resource=…[&client_id|object_id|msi_res_id]` */
export function handleImdsToken(req: RequestInfo, ctx: ServiceContext): EmulatorResponse {
  if (req.method !== 'GET') return imdsError(405, 'invalid_request', 'Method not allowed');
  if (!hasMetadataHeader(req)) return imdsError(400, 'invalid_request', 'Required metadata header not specified');
  if (req.headers['x-forwarded-for'] !== undefined)
    return imdsError(400, 'invalid_request', 'Request with X-Forwarded-For header is not allowed');
  const apiVersion = req.query['api-version'];
  if (!apiVersion) return imdsError(400, 'invalid_request', "Required query variable 'api-version' is missing");
  if (!API_VERSION.test(apiVersion))
    return imdsError(400, 'invalid_request', "Invalid value for query variable 'api-version'");
  const resource = req.query.resource;
  if (!resource) return imdsError(400, 'invalid_resource', 'Required audience parameter not specified');
  const subject = selectIdentity(ctx, {
    clientId: req.query.client_id,
    objectId: req.query.object_id,
    msiResId: req.query.msi_res_id,
  });
  return 'principalId' in subject ? tokenResponse(ctx, subject, resource, req.nowMs) : subject;
}

/** Legacy VM extension `GET /oauth2/token?resource=…[&client_id|object_id]`, no api-version; also accepts a form POST. */
export function handleLegacyToken(req: RequestInfo, ctx: ServiceContext): EmulatorResponse {
  if (req.method !== 'GET' && req.method !== 'POST') return imdsError(405, 'invalid_request', 'Method not allowed');
  if (!hasMetadataHeader(req)) return imdsError(400, 'invalid_request', 'Required metadata header not specified');
  const params = { ...req.query, ...(req.method === 'POST' ? Object.fromEntries(new URLSearchParams(req.body)) : {}) };
  if (!params.resource) return imdsError(400, 'invalid_resource', 'Required audience parameter not specified');
  const subject = selectIdentity(ctx, { clientId: params.client_id, objectId: params.object_id });
  return 'principalId' in subject ? tokenResponse(ctx, subject, params.resource, req.nowMs) : subject;
}

/** `GET /metadata/identity/info?api-version=2018-10-01` → the system identity's tenant. */
export function handleIdentityInfo(req: RequestInfo, ctx: ServiceContext): EmulatorResponse {
  if (!hasMetadataHeader(req)) return imdsError(400, 'invalid_request', 'Required metadata header not specified');
  if (!req.query['api-version'])
    return imdsError(400, 'invalid_request', "Required query variable 'api-version' is missing");
  if (!ctx.config.systemAssigned) return imdsError(400, 'invalid_request', 'Identity not found');
  // docs/AZURE-FACTS.md "IMDS managed-identity token": {"tenantId"}
  return json(200, { tenantId: ctx.dataset.tenantId });
}

// azure-docs instance-metadata-service.md "Instance metadata" sample (api-version 2021-02-01): all primitives are strings.
function instanceDocument(ctx: ServiceContext): Record<string, unknown> {
  const { dataset, config } = ctx;
  const { vm } = dataset;
  const linux = vm.osType === 'Linux';
  const subnet = `${vm.privateIpAddress.split('.').slice(0, 3).join('.')}.0`;
  return {
    compute: {
      azEnvironment: config.instanceAzEnvironment ?? config.azEnvironment,
      additionalCapabilities: { hibernationEnabled: 'false' },
      customData: '',
      evictionPolicy: '',
      extendedLocation: { type: '', name: '' },
      host: { id: '' },
      hostGroup: { id: '' },
      isHostCompatibilityLayerVm: 'false',
      licenseType: '',
      location: vm.location,
      name: vm.name,
      offer: vm.image.offer,
      osProfile: {
        adminUsername: vm.adminUsername,
        computerName: vm.computerName,
        disablePasswordAuthentication: linux ? 'true' : 'false',
      },
      osType: vm.osType,
      placementGroupId: '',
      plan: { name: '', product: '', publisher: '' },
      platformFaultDomain: '0',
      platformSubFaultDomain: '',
      platformUpdateDomain: '0',
      priority: '',
      provider: 'Microsoft.Compute',
      publicKeys: [],
      publisher: vm.image.publisher,
      resourceGroupName: dataset.resourceGroupName,
      resourceId: vm.resourceId,
      securityProfile: {
        encryptionAtHost: 'false',
        secureBootEnabled: 'true',
        securityType: 'TrustedLaunch',
        virtualTpmEnabled: 'true',
      },
      sku: vm.image.sku,
      storageProfile: {
        dataDisks: [],
        imageReference: {
          id: '',
          offer: vm.image.offer,
          publisher: vm.image.publisher,
          sku: vm.image.sku,
          version: vm.image.version,
        },
        osDisk: {
          caching: 'ReadWrite',
          createOption: 'FromImage',
          diffDiskSettings: { option: '' },
          diskSizeGB: linux ? '30' : '127',
          encryptionSettings: { enabled: 'false' },
          image: { uri: '' },
          managedDisk: {
            id: `${dataset.scopes.resourceGroup}/providers/Microsoft.Compute/disks/${vm.osDiskName}`,
            storageAccountType: 'Premium_LRS',
          },
          name: vm.osDiskName,
          osType: vm.osType,
          vhd: { uri: '' },
          writeAcceleratorEnabled: 'false',
        },
        resourceDisk: { size: '0' },
      },
      subscriptionId: dataset.subscriptionId,
      tags: '',
      tagsList: [],
      userData: '',
      version: vm.image.version,
      vmId: vm.vmId,
      vmScaleSetName: '',
      vmSize: vm.vmSize,
      zone: vm.zone,
    },
    network: {
      interface: [
        {
          ipv4: {
            ipAddress: [{ privateIpAddress: vm.privateIpAddress, publicIpAddress: '' }],
            subnet: [{ address: subnet, prefix: '24' }],
          },
          ipv6: { ipAddress: [] },
          macAddress: vm.macAddress,
        },
      ],
    },
  };
}

/** Walk `/metadata/instance/compute/name`-style sub-paths; leaves come back as text, as IMDS does. */
function navigate(doc: unknown, segments: string[]): unknown {
  let node = doc;
  for (const segment of segments) {
    if (Array.isArray(node)) node = node[Number(segment)];
    else if (typeof node === 'object' && node !== null) node = (node as Record<string, unknown>)[segment];
    else return undefined;
  }
  return node;
}

/** `GET /metadata/instance[/path]?api-version=…[&format=text]` */
export function handleInstance(req: RequestInfo, ctx: ServiceContext): EmulatorResponse {
  // Observed IMDS instance errors: {"error": "Bad request. …"} (+ "newest-versions" when the version is missing).
  if (!hasMetadataHeader(req)) return json(400, { error: 'Bad request. Required metadata header not specified' });
  const apiVersion = req.query['api-version'];
  if (!apiVersion)
    return json(400, {
      error:
        'Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds',
      'newest-versions': NEWEST_INSTANCE_VERSIONS,
    });
  if (!API_VERSION.test(apiVersion))
    return json(400, {
      error:
        'Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds',
      'newest-versions': NEWEST_INSTANCE_VERSIONS,
    });
  const segments = req.path
    .replace(/^\/metadata\/instance\/?/i, '')
    .split('/')
    .filter(Boolean);
  const node = navigate(instanceDocument(ctx), segments);
  if (node === undefined) return json(404, { error: 'Not found' });
  if (typeof node === 'string')
    return { status: 200, body: node, headers: { 'content-type': 'text/plain; charset=utf-8' } };
  return json(200, node);
}

export function handleImdsOther(): EmulatorResponse {
  return json(404, { error: 'Not found' });
}
