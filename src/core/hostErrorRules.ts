/**
 * Error-table rows for the identity hosts beyond IMDS (docs/HOSTS.md): problems on this machine's side
 * (Azure Arc's key file, the federated token file, a selection the host cannot make, an unknown cloud) and the
 * documented answers of each host. Spliced into ERROR_TABLE (./errorTable) at fixed places; matched on data
 * (problem kind, host, status, Entra's AADSTS code, a service code), never on message text.
 */
import type { ErrorRule, FailureFacts, HostProblem } from './errorTable';
import { CLOUD_SETTING_FIX, VmIdentityError, serviceError } from './errors';

type Problem<K extends HostProblem['kind']> = Extract<HostProblem, { kind: K }>;
const problem = <K extends HostProblem['kind']>(f: FailureFacts, _kind: K) => f.problem as Problem<K>;

const ARC_DOCS = 'https://learn.microsoft.com/azure/azure-arc/servers/managed-identity-authentication';
const WORKLOAD_DOCS = 'https://learn.microsoft.com/azure/aks/workload-identity-overview';
const CLOUD_SHELL_DOCS = 'https://learn.microsoft.com/azure/cloud-shell/msi-authorization';

export const HOST_PROBLEM_RULES: readonly ErrorRule[] = [
  {
    sources: ['identity'],
    problem: 'selector',
    why: 'the host cannot give a user-assigned identity (MSAL unableToCreateCloudShell / unableToCreateAzureArc, …)',
    error: (f) => {
      const p = problem(f, 'selector');
      return new VmIdentityError('notSupported', `${p.host} cannot select a user-assigned identity: ${p.reason}.`, {
        fix: 'Select "System-assigned" (VM Identity: Select identity…; CLI: leave out --client-id/--object-id/--resource-id).',
        title: 'user-assigned not possible here',
        remedy: 'selectIdentity',
        where: f.where,
      });
    },
  },
  {
    sources: ['identity'],
    problem: 'arcKey',
    when: (f) => problem(f, 'arcKey').reason === 'accessDenied' && problem(f, 'arcKey').platform === 'win32',
    why: 'Windows: only Administrators and "Hybrid agent extension applications" may read the key (Arc docs)',
    error: (f) =>
      arcDenied(
        f,
        'only Administrators and the "Hybrid agent extension applications" group may',
        'Add your user to the "Hybrid agent extension applications" group (as an administrator: net localgroup "Hybrid agent extension applications" %USERNAME% /add), then sign out and in again; or run VS Code as Administrator.',
      ),
  },
  {
    sources: ['identity'],
    problem: 'arcKey',
    when: (f) => problem(f, 'arcKey').reason === 'accessDenied',
    why: 'Linux: the key directory is for root and the himds group (docs/AZURE-FACTS.md; Arc Jumpstart); a Remote-SSH user gets EACCES',
    error: (f) =>
      arcDenied(
        f,
        'only root and the himds group may',
        'Add your user to the himds group (sudo usermod -aG himds $USER), then reconnect so the new group applies.',
      ),
  },
  {
    sources: ['identity'],
    problem: 'arcKey',
    when: (f) => ['extension', 'directory', 'tooLarge'].includes(problem(f, 'arcKey').reason),
    why: 'MSAL refuses a key that is not a .key file in the agent directory, or over 4096 bytes: whoever asks may not be the agent',
    error: (f) =>
      new VmIdentityError('unsafeEndpoint', `The Azure Arc challenge was refused: ${problem(f, 'arcKey').detail}.`, {
        fix: 'Something other than the Arc agent may be listening on port 40342, or the agent is damaged: run `azcmagent check` and `azcmagent show`.',
        title: 'Arc challenge refused',
        link: ARC_DOCS,
        where: f.where,
      }),
  },
  {
    sources: ['identity'],
    problem: 'arcKey',
    why: 'no challenge to answer, another platform, or the key could not be read',
    error: (f) => {
      const p = problem(f, 'arcKey');
      return new VmIdentityError(
        p.reason === 'platform' ? 'notSupported' : 'serviceError',
        `The Azure Arc challenge could not be answered: ${p.detail}.`,
        {
          fix:
            p.reason === 'unreadable'
              ? 'Try again (keys are one-time and short-lived); if it persists, run `azcmagent check`.'
              : 'Run `azcmagent check`; the agent answers on port 40342.',
          title: 'Arc challenge failed',
          link: ARC_DOCS,
          where: f.where,
        },
      );
    },
  },
  {
    sources: ['identity'],
    problem: 'tokenFile',
    why: 'workload identity: the projected service-account token is missing, empty or unreadable (azure-identity: "No content on the file")',
    error: (f) => {
      const p = problem(f, 'tokenFile');
      return new VmIdentityError(
        'serviceError',
        `The federated token file (AZURE_FEDERATED_TOKEN_FILE) cannot be used: ${p.detail}.`,
        {
          fix:
            p.reason === 'missing' || p.reason === 'empty'
              ? 'Check the pod: label azure.workload.identity/use: "true", a service account annotated with azure.workload.identity/client-id, and the workload identity webhook (it mounts the token); or unset AZURE_FEDERATED_TOKEN_FILE.'
              : "Let this user read the file (the projected volume's permissions), or unset AZURE_FEDERATED_TOKEN_FILE.",
          title: 'federated token file unusable',
          link: WORKLOAD_DOCS,
        },
      );
    },
  },
  {
    sources: ['metadata', 'identity'],
    problem: 'unknownCloud',
    why: 'an azEnvironment we do not know (air-gapped clouds, Azure Stack): guessing the public cloud gets its token refused',
    error: (f) =>
      new VmIdentityError(
        'unknownCloud',
        `Instance metadata names the cloud "${problem(f, 'unknownCloud').name}", which VM Identity does not know.`,
        {
          fix: CLOUD_SETTING_FIX,
          title: `unknown cloud ${problem(f, 'unknownCloud').name}`,
        },
      ),
  },
];

const ENTRA_ROWS: ReadonlyArray<{
  codes: number[];
  why: string;
  kind: 'authenticationFailed' | 'identityNotFound' | 'serviceError';
  fix: string;
}> = [
  {
    codes: [700024, 500133],
    why: 'the federated token expired or is not yet valid (AADSTS700024; observed risingwave#17123)',
    kind: 'authenticationFailed',
    fix: "kubelet rotates the token file hourly: check the pod's projected volume is refreshed, and this machine's clock.",
  },
  {
    codes: [70021, 700211, 700212, 700213],
    why: 'no federated credential matches issuer/subject/audience, compared case-sensitively (azure-workload-identity#616)',
    kind: 'authenticationFailed',
    fix: "On the identity, add a federated credential: issuer = the cluster's OIDC issuer URL (az aks show --query oidcIssuerProfile.issuerUrl), subject = system:serviceaccount:<namespace>:<service account>, audience = api://AzureADTokenExchange.",
  },
  {
    codes: [700016],
    why: 'AZURE_CLIENT_ID names no application in this tenant',
    kind: 'identityNotFound',
    fix: "Set the service account's azure.workload.identity/client-id annotation (AZURE_CLIENT_ID) to the identity's client ID in this tenant.",
  },
  {
    codes: [90002],
    why: 'AZURE_TENANT_ID is not a tenant of this cloud',
    kind: 'serviceError',
    fix: 'Check AZURE_TENANT_ID, and AZURE_AUTHORITY_HOST for sovereign clouds (login.microsoftonline.us, login.chinacloudapi.cn).',
  },
  {
    codes: [500011],
    why: 'the resource is not in this tenant (wrong cloud or a typo)',
    kind: 'serviceError',
    fix: 'Ask for a resource of the cloud this cluster is in (vmIdentity.cloud sets it).',
  },
];

/** Answers of the hosts beyond IMDS; placed before the IMDS-meaning 400 rows. */
export const HOST_ANSWER_RULES: readonly ErrorRule[] = [
  ...ENTRA_ROWS.map((row): ErrorRule => ({
    sources: ['identity'],
    status: { from: 400, to: 499 },
    when: (f) => f.host === 'workloadIdentity' && row.codes.includes(f.aadsts ?? -1),
    why: `Entra: ${row.why}`,
    error: (f) =>
      new VmIdentityError(
        row.kind,
        `Entra refused the workload identity token exchange (AADSTS${f.aadsts}): ${sentence(f.description)}.`,
        {
          fix: row.fix,
          title: `Entra refused the exchange (AADSTS${f.aadsts})`,
          link: WORKLOAD_DOCS,
          status: f.status,
          azureCode: f.azureCode,
          where: f.where,
        },
      ),
  })),
  {
    sources: ['identity'],
    status: { from: 400, to: 599 },
    when: (f) => f.host === 'workloadIdentity',
    why: 'any other Entra error: say its code and first sentence (never "no managed identity", an IMDS reading)',
    error: (f) =>
      serviceError(f.where, f.status!, f.aadsts ? `AADSTS${f.aadsts}` : f.azureCode, sentence(f.description)),
  },
  {
    sources: ['identity'],
    status: 400,
    code: ['AudienceNotSupported'],
    when: (f) => f.host === 'cloudShell',
    why: 'Cloud Shell hands out tokens for an allow-list of audiences only (Azure/CloudShell#351, #477)',
    error: (f) =>
      new VmIdentityError(
        'notSupported',
        `Cloud Shell does not give tokens for this resource: ${sentence(f.description)}.`,
        {
          fix: 'Cloud Shell supports only some audiences (ARM, Graph, Key Vault, Storage, …); use a VM or `az login` for others.',
          title: 'audience not supported by Cloud Shell',
          link: CLOUD_SHELL_DOCS,
          status: 400,
          azureCode: f.azureCode,
          where: f.where,
        },
      ),
  },
  {
    sources: ['identity'],
    status: { from: 400, to: 499 },
    when: (f) => f.host === 'cloudShell',
    why: 'Cloud Shell errors are {error:{code,message}} about the request, never "no managed identity" (it is the user)',
    error: (f) => serviceError(f.where, f.status!, f.azureCode, sentence(f.description)),
  },
  {
    sources: ['identity'],
    status: [401, 403],
    when: (f) => f.host === 'appService' || f.host === 'machineLearning',
    why: 'the secret header (X-IDENTITY-HEADER / secret) was refused: the platform rotates it (App Service docs; inferred status)',
    error: (f) => {
      const variable = f.host === 'appService' ? 'IDENTITY_HEADER' : 'MSI_SECRET';
      return new VmIdentityError(
        'authenticationFailed',
        `The identity endpoint refused this process's ${variable} (HTTP ${f.status}${f.correlationId ? `, correlation ID ${f.correlationId}` : ''}).`,
        {
          fix: `The platform rotates ${variable}: restart this process (the terminal, or the VS Code server) so it sees the current value.`,
          title: `${variable} refused`,
          status: f.status,
          where: f.where,
        },
      );
    },
  },
];

function arcDenied(f: FailureFacts, who: string, fix: string): VmIdentityError {
  const p = problem(f, 'arcKey');
  return new VmIdentityError(
    'authorizationFailed',
    `This user may not read the Azure Arc agent's key file${p.file ? ` ${p.file}` : ''} (permission denied): ${who}.`,
    {
      fix,
      title: 'cannot read the Arc key file',
      link: ARC_DOCS,
      where: f.where,
    },
  );
}

/** The first sentence of a service's description (Entra appends trace and correlation IDs on later lines). */
function sentence(text: string | undefined): string {
  const first = (text ?? '').split(/\r?\n/)[0].split(/(?<=\.)\s/)[0] ?? '';
  const cut = first.length > 200 ? `${first.slice(0, 200)}…` : first;
  return cut.replace(/\.$/, '') || 'no description';
}
