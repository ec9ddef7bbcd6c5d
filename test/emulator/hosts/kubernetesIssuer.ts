/**
 * The emulator's "Kubernetes issuer": projected service-account tokens as the AKS workload identity webhook
 * mounts them at AZURE_FEDERATED_TOKEN_FILE (azure-workload-identity docs "Quick start" / "Service account
 * labels and annotations": audience `api://AzureADTokenExchange`, default expiry 3600 s, subject
 * `system:serviceaccount:<namespace>:<name>`; kubernetes docs "service account token volume projection").
 * Signed with random bytes: the emulator's token endpoint checks claims, not signatures (see docs/HOSTS.md risks).
 */
import { randomBytes, randomUUID } from 'node:crypto';

export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface ServiceAccountTokenRequest {
  issuer: string;
  namespace?: string;
  serviceAccount?: string;
  /** Default [api://AzureADTokenExchange]. */
  audiences?: string[];
  /** Seconds from now; negative gives an already-expired token. Default 3600. */
  expiresInSec?: number;
  nowMs?: number;
}

export interface ServiceAccountClaims {
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  iss: string;
  sub: string;
  'kubernetes.io': {
    namespace: string;
    pod: { name: string; uid: string };
    serviceaccount: { name: string; uid: string };
  };
}

export function serviceAccountSubject(namespace: string, serviceAccount: string): string {
  return `system:serviceaccount:${namespace}:${serviceAccount}`;
}

export function mintServiceAccountToken(r: ServiceAccountTokenRequest): string {
  const nowSec = Math.floor((r.nowMs ?? Date.now()) / 1000);
  const namespace = r.namespace ?? 'default';
  const serviceAccount = r.serviceAccount ?? 'workload-identity-sa';
  const expiresIn = r.expiresInSec ?? 3600;
  const claims: ServiceAccountClaims = {
    aud: r.audiences ?? [TOKEN_EXCHANGE_AUDIENCE],
    exp: nowSec + expiresIn,
    iat: nowSec - Math.max(0, -expiresIn) - 60,
    nbf: nowSec - Math.max(0, -expiresIn) - 60,
    iss: r.issuer,
    sub: serviceAccountSubject(namespace, serviceAccount),
    'kubernetes.io': {
      namespace,
      pod: { name: `${serviceAccount}-pod`, uid: randomUUID() },
      serviceaccount: { name: serviceAccount, uid: randomUUID() },
    },
  };
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: randomBytes(16).toString('hex') })).toString(
    'base64url',
  );
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${randomBytes(256).toString('base64url')}`;
}

/** The claims of a JWT-shaped assertion, or undefined when it is not one. */
export function readAssertion(assertion: string): Record<string, unknown> | undefined {
  const parts = assertion.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null && !Array.isArray(claims)
      ? (claims as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
