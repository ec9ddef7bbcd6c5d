/**
 * Which host this is, the identity endpoint, the legacy VM extension, and the identity itself.
 * Host order follows MSAL's source detection (docs/AZURE-FACTS.md "Other managed-identity hosts"): Service Fabric → App
 * Service → Machine Learning → Cloud Shell → Azure Arc; then AKS workload identity (azure-sdk-for-js
 * workloadIdentityCredential: AZURE_FEDERATED_TOKEN_FILE) before IMDS, because AKS nodes also answer IMDS with the
 * node's identity.
 */
import type { EndpointProbe, Env, IdentityFacts, IdentitySelection } from './inputs';
import type { Check, HostKind } from './model';

export const HOST_LABELS: Record<HostKind, string> = {
  vm: 'Azure VM or scale set (IMDS)',
  arc: 'Azure Arc-enabled server',
  machineLearning: 'Azure Machine Learning compute',
  appService: 'App Service / Functions',
  cloudShell: 'Azure Cloud Shell',
  workloadIdentity: 'AKS workload identity',
  serviceFabric: 'Service Fabric',
  notAzure: 'not Azure (no identity endpoint answers)',
  unknown: 'unknown',
};

/** IMDS answers with `Server: IMDS/<version>`; AWS and GCP answer the same address without it. */
function isAzureImds(probe: EndpointProbe | undefined): boolean {
  return !!probe?.reachable && /^imds\//i.test(probe.server ?? '');
}

export function detectHost(env: Env, imds: EndpointProbe | undefined, arcAgentInstalled: boolean): HostKind {
  const identityEndpoint = env.IDENTITY_ENDPOINT?.trim();
  if (identityEndpoint && env.IDENTITY_HEADER && env.IDENTITY_SERVER_THUMBPRINT) return 'serviceFabric';
  if (identityEndpoint && env.IDENTITY_HEADER) return 'appService';
  if (env.MSI_ENDPOINT?.trim() && env.MSI_SECRET) return 'machineLearning';
  if (env.MSI_ENDPOINT?.trim()) return 'cloudShell';
  if ((identityEndpoint && env.IMDS_ENDPOINT) || arcAgentInstalled) return 'arc';
  if (env.AZURE_FEDERATED_TOKEN_FILE?.trim()) return 'workloadIdentity';
  if (imds === undefined) return 'unknown';
  return isAzureImds(imds) ? 'vm' : 'notAzure';
}

export function checkHost(host: HostKind, imds: EndpointProbe | undefined): Check {
  const evidence =
    host === 'notAzure' && imds?.reachable
      ? `169.254.169.254 answered without an IMDS Server header (${imds.server ?? 'none'}): another cloud or a proxy.`
      : `Host: ${HOST_LABELS[host]}.`;
  return {
    id: 'host',
    title: 'Which host this is',
    status: host === 'notAzure' ? 'fail' : host === 'unknown' ? 'skip' : 'pass',
    evidence,
    ...(host === 'notAzure'
      ? {
          fix:
            'VM Identity runs where your workspace is: with Remote-SSH that is the VM. Open the workspace on an ' +
            'Azure VM (or Arc server) that has a managed identity.',
        }
      : {}),
  };
}

export function checkIdentityEndpoint(host: HostKind, probe: EndpointProbe | undefined): Check {
  const id = 'identity.endpoint';
  const title = 'Identity endpoint reachable';
  if (!probe) return { id, title, status: 'skip', evidence: 'Not probed.' };
  const time = probe.elapsedMs !== undefined ? ` in ${Math.round(probe.elapsedMs)} ms` : '';
  if (probe.reachable) {
    return { id, title, status: 'pass', evidence: `Answered${time} (HTTP ${probe.status ?? '?'}).` };
  }
  const route = probe.viaProxy ? ` through proxy ${probe.viaProxy}` : '';
  return {
    id,
    title,
    status: 'fail',
    evidence: `No answer${route}${time}: ${probe.errorCode ?? 'no response'} (${HOST_LABELS[host]}).`,
    fix: probe.viaProxy
      ? 'The request went through a proxy; the identity endpoint must be reached directly. Add 169.254.169.254 ' +
        'to NO_PROXY (and VS Code http.noProxy).'
      : 'On an Azure VM, check that nothing blocks 169.254.169.254:80 (host firewall, a route, iptables).',
    link: 'https://learn.microsoft.com/azure/virtual-machines/instance-metadata-service#errors-and-debugging',
  };
}

/**
 * The managed identity VM extension (localhost:50342, named by the seed document's az CLI error) was deprecated in
 * 2019 and retired in favour of IMDS (learn.microsoft.com/entra/identity/managed-identities-azure-resources/
 * howto-migrate-vm-extension). Present + IMDS answering: harmless leftover; present alone: tools that use IMDS
 * will not find an identity; absent: expected.
 */
export function checkLegacyExtension(legacy: EndpointProbe | undefined, imdsOk: boolean): Check {
  const id = 'identity.legacyExtension';
  const title = 'Legacy VM extension endpoint (localhost:50342)';
  const link =
    'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/howto-migrate-vm-extension';
  if (!legacy) return { id, title, status: 'skip', evidence: 'Not probed.' };
  if (!legacy.reachable) {
    return {
      id,
      title,
      status: 'pass',
      evidence:
        'Nothing listens on localhost:50342 — expected: the VM extension is retired; tokens come from IMDS. ' +
        'An error naming localhost:50342 comes from an old tool; update it.',
      link,
    };
  }
  return {
    id,
    title,
    status: 'warn',
    evidence: imdsOk
      ? 'The retired managed identity VM extension still answers on localhost:50342; IMDS answers too.'
      : 'Only the retired managed identity VM extension answers (localhost:50342); IMDS does not.',
    fix: 'Remove the ManagedIdentityExtensionForLinux/Windows extension from the VM and use IMDS.',
    link,
  };
}

function describeSelection(s: IdentitySelection): string {
  return s.kind === 'system' ? 'the system-assigned identity' : `the user-assigned identity ${s.kind}=${s.value}`;
}

function selectionExists(facts: IdentityFacts): boolean | undefined {
  const attached = facts.attached;
  if (!attached) return undefined;
  const s = facts.selected;
  if (s.kind === 'system') return attached.systemAssigned;
  const key = s.value.toLowerCase();
  return attached.userAssigned.some(
    (u) =>
      (s.kind === 'clientId' ? u.clientId : s.kind === 'objectId' ? u.principalId : u.resourceId).toLowerCase() === key,
  );
}

const SYSTEM_FIX =
  'Azure portal → the VM → Security → Identity → System assigned: On (or add a user-assigned identity).';

export function checkIdentityEnabled(facts: IdentityFacts | undefined): Check {
  const id = 'identity.enabled';
  const title = 'Managed identity enabled and selected';
  const link =
    'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/qs-configure-portal-windows-vm';
  if (!facts) return { id, title, status: 'skip', evidence: 'Identity not probed.' };
  const who = describeSelection(facts.selected);
  const uaCount = facts.attached?.userAssigned.length;
  const attachedText = facts.attached
    ? ` The VM has ${facts.attached.systemAssigned ? 'a system-assigned identity and ' : 'no system-assigned identity and '}` +
      `${uaCount} user-assigned.`
    : '';
  const t = facts.token;
  if (t.ok) {
    const several =
      facts.selected.kind === 'system' && (uaCount ?? 0) > 0
        ? ' Several identities are attached; tools that pick one by AZURE_CLIENT_ID may use another.'
        : '';
    return { id, title, status: 'pass', evidence: `Got a token for ${who}.${attachedText}${several}` };
  }
  if (t.reason === 'multipleUserAssigned') {
    return {
      id,
      title,
      status: 'fail',
      evidence: `The VM has several user-assigned identities and no system-assigned one; ${who} is ambiguous.${attachedText}`,
      fix: 'Select one: VM Identity: Select identity… (client_id=…), and set AZURE_CLIENT_ID for SDK code.',
      link,
    };
  }
  if (t.reason === 'identityNotFound') {
    const exists = selectionExists(facts);
    return {
      id,
      title,
      status: 'fail',
      evidence:
        `The identity endpoint does not know ${who}` +
        `${exists === true ? ' (it is attached: it may have been assigned moments ago; IMDS can take minutes)' : ''}.` +
        attachedText,
      fix:
        facts.selected.kind === 'system'
          ? SYSTEM_FIX
          : 'Attach that user-assigned identity to the VM (portal → VM → Identity → User assigned), or select another.',
      link,
    };
  }
  return {
    id,
    title,
    status: 'fail',
    evidence: `No token for ${who}: ${t.reason}${t.status ? ` (HTTP ${t.status}${t.errorCode ? `, ${t.errorCode}` : ''})` : ''}.`,
    fix:
      t.reason === 'proxyInPath'
        ? 'A proxy answered for the identity endpoint: add 169.254.169.254 to NO_PROXY.'
        : SYSTEM_FIX,
    link,
  };
}
