/**
 * Typed errors of the core. Each carries what a VM owner needs to act: a short `title` (status bar), the
 * one-sentence cause (`message`), the `fix`, a `link` when one is known, and `actions` the UI turns into
 * buttons (and tree rows) without knowing any error by name. What a failed request *means* is decided in
 * one place, the table in ./errorTable; the factories below are its vocabulary. Nobody branches on text.
 */

/** What the user can do about an error, as data. The UI offers every action; the CLI prints the link. */
export type Remedy = 'enableIdentity' | 'grantReader' | 'selectIdentity' | 'checkProxy' | 'retryLater' | 'none';

export type ErrorKind =
  | 'endpointUnreachable'
  | 'identityNotFound'
  | 'multipleIdentities'
  | 'proxyInterference'
  | 'throttled'
  | 'timeout'
  | 'malformedResponse'
  | 'serviceError'
  | 'authorizationFailed'
  | 'authenticationFailed'
  | 'unsafeEndpoint'
  | 'cancelled'
  | 'usage'
  | 'notSupported'
  | 'notAzure'
  | 'unknownCloud';

/** An argument of an action's command: a plain value, or a URI the UI turns into its own Uri type. */
export type ActionArg = string | { uri: string };

export interface ErrorAction {
  /** The button's text. */
  label: string;
  /** A VS Code command id (`vscode.open`, `vmIdentity.selectIdentity`, …). */
  command: string;
  args?: ActionArg[];
  /** When set, the tree shows the action as a row with this text (else it is a button only). */
  treeLabel?: string;
}

export interface ErrorDetails {
  fix: string;
  /** A few words for tight places (the status bar); defaults to one per kind. */
  title?: string;
  link?: string;
  remedy?: Remedy;
  status?: number;
  /** Azure's error code from the body (`error` for IMDS, `error.code` for ARM/Graph). */
  azureCode?: string;
  /** Where it happened, for the log: method, host and path, never a token. */
  where?: string;
  cause?: unknown;
}

const ENABLE_IDENTITY_DOCS =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/qs-configure-portal-windows-vm';
export const ASSIGN_ACCESS_DOCS =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-assign-access-azure-resource';

const DEFAULT_TITLE: Record<ErrorKind, string> = {
  endpointUnreachable: 'no identity endpoint',
  identityNotFound: 'identity not found',
  multipleIdentities: 'several identities, none selected',
  proxyInterference: 'a proxy answered instead',
  throttled: 'throttled by Azure',
  timeout: 'timed out',
  malformedResponse: 'unusable response',
  serviceError: 'request failed',
  authorizationFailed: 'access denied',
  authenticationFailed: 'token not accepted',
  unsafeEndpoint: 'unsafe endpoint refused',
  cancelled: 'cancelled',
  usage: 'cannot do that',
  notSupported: 'not supported here',
  notAzure: 'not an Azure VM',
  unknownCloud: 'unknown Azure cloud',
};

/** The actions of a remedy; `link` is the page the error points at (docs, or this VM's portal blade). */
function actionsFor(remedy: Remedy, link: string | undefined): ErrorAction[] {
  switch (remedy) {
    case 'enableIdentity':
      return link ? [{ label: 'Open Identity page', command: 'vscode.open', args: [{ uri: link }] }] : [];
    case 'grantReader':
      return link
        ? [
            {
              label: 'Open access control (IAM)',
              command: 'vscode.open',
              args: [{ uri: link }],
              treeLabel: 'Open access control (IAM) in the Azure portal',
            },
          ]
        : [];
    case 'selectIdentity':
      return [{ label: 'Select identity', command: 'vmIdentity.selectIdentity', treeLabel: 'Select identity…' }];
    case 'checkProxy':
      return [{ label: 'Open proxy settings', command: 'workbench.action.openSettings', args: ['http.noProxy'] }];
    case 'retryLater':
    case 'none':
      return [];
  }
}

export class VmIdentityError extends Error {
  readonly title: string;
  readonly fix: string;
  readonly link?: string;
  readonly remedy: Remedy;
  readonly actions: readonly ErrorAction[];
  readonly status?: number;
  readonly azureCode?: string;
  readonly where?: string;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    private readonly details: ErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    if (!details.fix.trim()) throw new TypeError(`VmIdentityError(${kind}) needs a fix: say what the user can do`);
    this.name = 'VmIdentityError';
    this.title = details.title ?? DEFAULT_TITLE[kind];
    this.fix = details.fix;
    this.link = details.link;
    this.remedy = details.remedy ?? 'none';
    this.actions = actionsFor(this.remedy, details.link);
    this.status = details.status;
    this.azureCode = details.azureCode;
    this.where = details.where;
  }

  /** Cause and fix in two sentences, for a notification or stderr. */
  describe(): string {
    return `${this.message} ${this.fix}`;
  }

  /** Returns a copy with a better link (e.g. the portal page of this very VM, once known). */
  withLink(link: string): VmIdentityError {
    return new VmIdentityError(this.kind, this.message, { ...this.details, link });
  }
}

export function isVmIdentityError(e: unknown, kind?: ErrorKind): e is VmIdentityError {
  return e instanceof VmIdentityError && (kind === undefined || e.kind === kind);
}

/** Anything thrown, as a typed error (unexpected ones keep the original as `cause`, for the log). */
export function toVmIdentityError(e: unknown): VmIdentityError {
  if (isVmIdentityError(e)) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new VmIdentityError('serviceError', message.endsWith('.') ? message : `${message}.`, {
    fix: 'Try again; see the log for details.',
    cause: e,
  });
}

/** The identity endpoint does not answer at all: not an Azure VM, or no identity host here. */
export function endpointUnreachable(endpoint: string, cause?: unknown): VmIdentityError {
  return new VmIdentityError(
    'endpointUnreachable',
    `The managed identity endpoint (${endpoint}) does not answer: this is not an Azure VM, or it has no managed identity.`,
    {
      fix: "On the VM's Identity page in the Azure portal (Security → Identity), set System assigned to On, or assign a user-assigned identity, then try again.",
      link: ENABLE_IDENTITY_DOCS,
      remedy: 'enableIdentity',
      cause,
    },
  );
}

export function identityNotFound(selected: string | undefined, status: number, azureCode?: string): VmIdentityError {
  return new VmIdentityError(
    'identityNotFound',
    selected
      ? `The VM has no managed identity with ${selected}.`
      : 'The VM has no managed identity (or it was assigned moments ago and is not ready yet).',
    {
      fix: selected
        ? 'Check the ID against the identity in the Azure portal, or select another identity.'
        : "On the VM's Identity page (Security → Identity), set System assigned to On, or select a user-assigned identity.",
      title: selected ? 'no identity with that ID' : 'the VM has no managed identity',
      link: ENABLE_IDENTITY_DOCS,
      remedy: selected ? 'selectIdentity' : 'enableIdentity',
      status,
      azureCode,
    },
  );
}

export function multipleIdentities(status: number, azureCode?: string): VmIdentityError {
  return new VmIdentityError(
    'multipleIdentities',
    'The VM has several user-assigned identities and no system-assigned one, so it needs to be told which to use.',
    {
      fix: 'Pick one with "VM Identity: Select identity…" (setting vmIdentity.identity) or the CLI options --client-id, --object-id or --resource-id.',
      remedy: 'selectIdentity',
      status,
      azureCode,
    },
  );
}

export function proxyInterference(where: string, status: number): VmIdentityError {
  return new VmIdentityError(
    'proxyInterference',
    `A proxy answered instead of the identity endpoint (HTTP ${status} from ${where}).`,
    {
      fix: 'Exclude 169.254.169.254 from the proxy (add it to NO_PROXY / http.noProxy); the identity endpoint must be reached directly.',
      remedy: 'checkProxy',
      status,
      where,
    },
  );
}

export function throttled(where: string, status: number): VmIdentityError {
  return new VmIdentityError('throttled', `Azure is throttling requests (HTTP ${status} from ${where}).`, {
    fix: 'Wait a minute and try again; something else on this VM may be asking for tokens in a loop.',
    remedy: 'retryLater',
    status,
    where,
  });
}

export function timedOut(where: string, ms: number): VmIdentityError {
  const seconds = Math.round(ms / 1000);
  return new VmIdentityError('timeout', `${where} did not answer within ${seconds} s.`, {
    fix: 'Try again; if it keeps happening, check that nothing on the VM (a proxy or firewall rule) holds back the connection.',
    title: `did not answer within ${seconds} s`,
    remedy: 'retryLater',
    where,
  });
}

export function malformedResponse(where: string, what: string, status?: number): VmIdentityError {
  return new VmIdentityError('malformedResponse', `${where} sent a response that cannot be used: ${what}.`, {
    fix: 'Try again; if it persists, a proxy or an agent on the VM may be rewriting responses.',
    remedy: 'checkProxy',
    status,
    where,
  });
}

export function serviceError(where: string, status: number, azureCode?: string, detail?: string): VmIdentityError {
  return new VmIdentityError(
    'serviceError',
    `${where} answered HTTP ${status}${azureCode ? ` (${azureCode})` : ''}${detail ? `: ${detail}` : ''}.`,
    { fix: 'Try again in a moment.', title: `answered HTTP ${status}`, remedy: 'retryLater', status, azureCode, where },
  );
}

export function usageError(message: string, fix: string): VmIdentityError {
  return new VmIdentityError('usage', message, { fix });
}

export function cancelled(): VmIdentityError {
  return new VmIdentityError('cancelled', 'Cancelled.', { fix: 'Nothing to do: the operation was cancelled.' });
}

/** Another cloud's metadata server answers the IMDS address (docs/HOSTS.md §6): not retried, not a proxy. */
export function notAzure(where: string, status: number, server?: string): VmIdentityError {
  return new VmIdentityError(
    'notAzure',
    `This machine answers the metadata address but is not an Azure VM (AWS/GCP/other): ${where} answered HTTP ${status} with a page that is not Azure's${server ? ` (Server: ${server})` : ''}.`,
    {
      fix: 'Run VM Identity on an Azure VM, or on an Azure Arc-enabled server to use a managed identity from another cloud or on-premises (install the Connected Machine agent).',
      link: 'https://learn.microsoft.com/azure/azure-arc/servers/managed-identity-authentication',
      status,
      where,
    },
  );
}

export const CLOUD_SETTING_FIX =
  'Set vmIdentity.cloud (machine setting; CLI: --cloud or VM_IDENTITY_CLOUD) to AzureCloud, AzureUSGovernment, AzureChinaCloud, or {"arm", "graph", "portal", "audience"} https URLs for a custom cloud.';
