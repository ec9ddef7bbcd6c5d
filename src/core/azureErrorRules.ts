/**
 * The rows of the error table for Azure Resource Manager and Microsoft Graph: what a failed connection means
 * (spliced in before the identity rows' statuses) and what an ARM/Graph status means (spliced in last). ARM and
 * Graph error bodies are `{error: {code, message}}` (docs/AZURE-FACTS.md "ARM").
 */
import type { ErrorRule, ErrorSource } from './errorTable';
import { VmIdentityError, malformedResponse, serviceError, timedOut } from './errors';
import { readerGuidance } from './readerGuidance';

const AZURE: readonly ErrorSource[] = ['arm', 'graph'];
const ANY_STATUS = { from: 0, to: 999 };

/** Transport failures on the way to ARM/Graph (no response came). */
export const AZURE_TRANSPORT_RULES: readonly ErrorRule[] = [
  {
    sources: AZURE,
    failure: ['responseTimeout', 'connectTimeout'],
    why: 'no answer in time',
    error: (f) => timedOut(f.where, f.ms ?? 0),
  },
  {
    sources: AZURE,
    failure: ['tooLarge'],
    why: 'beyond any real page',
    error: (f) => malformedResponse(f.where, 'the body is too large'),
  },
  {
    sources: AZURE,
    failure: ['untrusted'],
    why: 'an HTTPS-inspecting proxy with a CA this machine does not trust',
    error: (f) =>
      new VmIdentityError(
        'serviceError',
        `${hostOf(f.where)} presented a TLS certificate this machine does not trust (${f.detail}).`,
        {
          fix: "If a proxy or firewall inspects HTTPS, add its CA certificate to the operating system's trust store (VS Code reads that store; the CLI also honours NODE_EXTRA_CA_CERTS).",
          title: 'untrusted TLS certificate',
          remedy: 'checkProxy',
          where: f.where,
        },
      ),
  },
  {
    sources: AZURE,
    failure: ['unreachable', 'reset'],
    why: 'network or proxy trouble on the way to Azure',
    error: (f) =>
      new VmIdentityError('serviceError', `${hostOf(f.where)} could not be reached: ${f.detail}.`, {
        fix: 'Check the network connection and proxy settings (http.proxy / HTTPS_PROXY) for Azure Resource Manager.',
        title: `${hostOf(f.where)} not reachable`,
        remedy: 'checkProxy',
        where: f.where,
      }),
  },
];

/** Statuses ARM/Graph answered with. */
export const AZURE_STATUS_RULES: readonly ErrorRule[] = [
  {
    sources: AZURE,
    status: { from: 300, to: 399 },
    why: 'redirects are never followed, so the token stays with the endpoint in use',
    error: (f) =>
      serviceError(f.where, f.status!, undefined, 'redirected elsewhere; not followed, so the token stays here'),
  },
  {
    sources: AZURE,
    status: { from: 200, to: 299 },
    when: (f) => !!f.notJson,
    why: 'ARM and Graph answer JSON',
    error: (f) => malformedResponse(f.where, 'the body is not JSON', f.status),
  },
  {
    sources: ['arm'],
    status: 403,
    when: (f) => f.reading !== undefined,
    why: 'the identity lacks Reader where it reads: say which role to grant, and where',
    error: (f) => readerGuidance(f, f.reading!),
  },
  {
    sources: AZURE,
    status: [401, 403],
    why: 'the token was refused (401) or lacks a permission (403)',
    error: (f) =>
      new VmIdentityError(
        f.status === 401 ? 'authenticationFailed' : 'authorizationFailed',
        `${f.where} answered HTTP ${f.status}${f.azureCode ? ` (${f.azureCode})` : ''}.`,
        {
          fix: f.status === 401 ? 'Sign in again; the token was not accepted.' : 'Try again in a moment.',
          status: f.status,
          azureCode: f.azureCode,
          where: f.where,
        },
      ),
  },
  {
    sources: AZURE,
    status: ANY_STATUS,
    why: 'anything else: say the status and code',
    error: (f) => serviceError(f.where, f.status!, f.azureCode),
  },
];

function hostOf(where: string): string {
  return where.replace(/^\S+\s+/, '').split('/')[0];
}
