/**
 * Entra error codes a managed identity, workload identity or SDK credential chain runs into: code → cause → fix.
 * Source: learn.microsoft.com/entra/identity-platform/reference-error-codes (the AADSTS table); workload identity
 * rows also learn.microsoft.com/entra/workload-id/workload-identity-federation-considerations. The code is the
 * documented, stable identifier; the description text is not branched on.
 */
export interface AadstsExplanation {
  code: number;
  cause: string;
  fix: string;
}

const REFERENCE = 'https://learn.microsoft.com/entra/identity-platform/reference-error-codes';

const TABLE: readonly AadstsExplanation[] = [
  {
    code: 500011,
    cause:
      'The resource (audience) is not registered in this tenant — a typo, the wrong cloud, or a service whose app is not provisioned in the tenant.',
    fix: 'Check the resource URI for the cloud the VM is in (VM Identity: Get access token for… lists them), or have an admin add the service principal for that resource.',
  },
  {
    code: 700016,
    cause:
      'No application with this client ID in the tenant — AZURE_CLIENT_ID names an identity from another tenant, or a deleted one.',
    fix: "Use the identity's client ID from this tenant (portal → Managed Identities → the identity → Client ID).",
  },
  {
    code: 70021,
    cause: 'No federated identity credential matches the presented token (issuer, subject or audience).',
    fix: 'On the identity: Federated credentials → issuer = the cluster/IdP OIDC issuer URL, subject = system:serviceaccount:<namespace>:<service account>, audience = api://AzureADTokenExchange.',
  },
  {
    code: 700211,
    cause: "No federated identity credential matches the token's issuer.",
    fix: 'Set the federated credential issuer to the exact OIDC issuer URL (trailing slash included as issued).',
  },
  {
    code: 700212,
    cause: "No federated identity credential matches the token's audience.",
    fix: 'Use audience api://AzureADTokenExchange in both the projected token and the federated credential.',
  },
  {
    code: 700213,
    cause: "No federated identity credential matches the token's subject.",
    fix: 'Make the federated credential subject equal the token subject (e.g. system:serviceaccount:<ns>:<sa>).',
  },
  {
    code: 700024,
    cause: 'The client assertion (federated token) is outside its valid time range: expired, or the clock is off.',
    fix: "Re-read AZURE_FEDERATED_TOKEN_FILE on every request (it rotates); check this machine's clock.",
  },
  {
    code: 500133,
    cause: 'An assertion is not within its valid time range (expired or not yet valid).',
    fix: "Get a fresh token/assertion; check this machine's clock (Diagnose → clock skew).",
  },
  {
    code: 7000215,
    cause: 'Invalid client secret — often the secret ID was used instead of its value, or an old secret.',
    fix: 'Create a new secret and use its Value, or drop AZURE_CLIENT_SECRET so the managed identity is used.',
  },
  {
    code: 7000222,
    cause: 'The client secret has expired.',
    fix: 'Create a new secret, or use the managed identity instead.',
  },
  {
    code: 50020,
    cause:
      "The user account is from an identity provider that does not exist in this tenant (a guest or another tenant's account).",
    fix: 'Sign in to the right tenant (`az login --tenant <id>`) or have the user invited as a guest.',
  },
  {
    code: 90002,
    cause: 'Tenant not found: the tenant ID is wrong or belongs to another cloud.',
    fix: 'Check AZURE_TENANT_ID and the authority host (login.microsoftonline.us / .chinacloudapi.cn for sovereign clouds).',
  },
  {
    code: 70011,
    cause: 'The scope is invalid — client-credential and managed-identity requests need <resource>/.default.',
    fix: 'Request "<resource>/.default" (v2) or the plain resource URI (IMDS, v1).',
  },
  {
    code: 7000112,
    cause: 'The application (service principal) is disabled.',
    fix: 'Enable the enterprise application or use another identity.',
  },
  {
    code: 53003,
    cause: 'Blocked by Conditional Access (workload identities can be subject to it).',
    fix: 'Ask an admin which Conditional Access policy blocks this identity or location.',
  },
  {
    code: 50076,
    cause: "Multi-factor authentication is required for this user (the developer's `az` login).",
    fix: 'Run `az login` again interactively (with --scope <resource>/.default if asked).',
  },
  {
    code: 700082,
    cause: "The developer's refresh token expired due to inactivity.",
    fix: 'Run `az login` (or `azd auth login`) again.',
  },
  {
    code: 65001,
    cause: 'The user or admin has not consented to use the application.',
    fix: 'Grant admin consent for the application.',
  },
];

/** The AADSTS code in an Entra error body (`error_codes: [n]`) or text ("AADSTS500011: …"). */
export function aadstsCode(body: unknown): number | undefined {
  if (body && typeof body === 'object') {
    const codes = (body as { error_codes?: unknown }).error_codes;
    if (Array.isArray(codes) && typeof codes[0] === 'number') return codes[0];
    const description = (body as { error_description?: unknown }).error_description;
    if (typeof description === 'string') return aadstsCode(description);
    return undefined;
  }
  if (typeof body !== 'string') return undefined;
  const match = /\bAADSTS(\d{4,8})\b/.exec(body);
  return match ? Number(match[1]) : undefined;
}

export function explainAadsts(code: number | undefined): (AadstsExplanation & { link: string }) | undefined {
  const row = TABLE.find((r) => r.code === code);
  return row ? { ...row, link: REFERENCE } : undefined;
}
