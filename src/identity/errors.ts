/**
 * Typed errors of the identity and ARM core. Each carries what a VM owner needs to act: a one-sentence
 * cause (the message), the fix, and a link when one is known. The UI and the CLI map them to messages
 * in one place each; nobody branches on message text.
 */

/** What the user can do about an error; the UI turns each into a button. */
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
  | 'usage';

export interface ErrorDetails {
  fix: string;
  link?: string;
  remedy?: Remedy;
  status?: number;
  /** Azure's error code from the body (`error` for IMDS, `error.code` for ARM/Graph). */
  azureCode?: string;
  /** Where it happened, for the log: method, host and path, never a token. */
  where?: string;
  cause?: unknown;
}

export const ENABLE_IDENTITY_DOCS =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/qs-configure-portal-windows-vm';
export const IMDS_ERRORS_DOCS =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-use-vm-token#error-handling';
export const ASSIGN_ACCESS_DOCS =
  'https://learn.microsoft.com/entra/identity/managed-identities-azure-resources/how-to-assign-access-azure-resource';

export class VmIdentityError extends Error {
  readonly fix: string;
  readonly link?: string;
  readonly remedy: Remedy;
  readonly status?: number;
  readonly azureCode?: string;
  readonly where?: string;

  constructor(
    readonly kind: ErrorKind,
    message: string,
    details: ErrorDetails,
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'VmIdentityError';
    this.fix = details.fix;
    this.link = details.link;
    this.remedy = details.remedy ?? 'none';
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
    const copy = new VmIdentityError(this.kind, this.message, {
      fix: this.fix,
      link,
      remedy: this.remedy,
      status: this.status,
      azureCode: this.azureCode,
      where: this.where,
      cause: this.cause,
    });
    return copy;
  }
}

export function isVmIdentityError(e: unknown, kind?: ErrorKind): e is VmIdentityError {
  return e instanceof VmIdentityError && (kind === undefined || e.kind === kind);
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
  return new VmIdentityError('timeout', `${where} did not answer within ${Math.round(ms / 1000)} s.`, {
    fix: 'Try again; if it keeps happening, check that nothing on the VM (a proxy or firewall rule) holds back the connection.',
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
    { fix: 'Try again in a moment.', remedy: 'retryLater', status, azureCode, where },
  );
}

export function cancelled(): VmIdentityError {
  return new VmIdentityError('cancelled', 'Cancelled.', { fix: '' });
}
