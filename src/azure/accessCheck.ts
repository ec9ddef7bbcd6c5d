/**
 * The access checker wired to the signed-in identity: the verdict (src/access over {@link ArmAccessReader}),
 * the optional data-plane probe (one read-only GET, sent only on an explicit request), and a concise text
 * form for the language-model / MCP tool. No vscode here; the UI, the CLI and the tool share it.
 */
import {
  type CheckRequest,
  type Plane,
  type ProbeKind,
  type Verdict,
  authorizationHeader,
  checkAccess,
  interpretProbe,
  planProbe,
  renderVerdictText,
} from '../access';
import type { Clock } from '../core/clock';
import { VmIdentityError } from '../core/errors';
import { type HttpClient, sendWithRetry } from '../core/http';
import type { Logger } from '../core/log';
import { RETRY_POLICIES } from '../core/retry';
import type { IdentitySelector } from '../identity';
import type { AccessContext } from './serviceOptions';
import { isLoopbackHost } from './http';

export interface AccessQuestion {
  resourceId: string;
  action: string;
  plane?: Plane;
}

/** Runs the engine for the signed-in identity. Input errors are `AccessCheckInputError` (field named). */
export function verdictFor(context: AccessContext, question: AccessQuestion, signal?: AbortSignal): Promise<Verdict> {
  const request: CheckRequest = {
    scope: question.resourceId.trim(),
    action: question.action.trim(),
    plane: question.plane,
    principalId: context.principalId,
    tenantId: context.tenantId,
    tokenIssuedAt: context.tokenIssuedAt,
    portalUrl: context.portalUrl,
  };
  return checkAccess(context.reader, request, signal);
}

/**
 * For the language-model / MCP tool `vm-identity_checkAccess`: the verdict as a few lines of text (decision,
 * what grants or denies, the fix). Nothing in a verdict is a credential, so nothing here can carry a token.
 */
export async function checkAccessForTool(
  context: AccessContext,
  question: AccessQuestion,
  signal?: AbortSignal,
): Promise<string> {
  return renderVerdictText(await verdictFor(context, question, signal));
}

/** Which probe fits a resource, and where its data plane answers (from the resource's ARM body). */
export function probeTargetOf(resourceId: string, armBody: unknown): { kind: ProbeKind; endpoint: string } | undefined {
  const props =
    typeof armBody === 'object' && armBody !== null
      ? (armBody as { properties?: Record<string, unknown> }).properties
      : undefined;
  if (!props) return undefined;
  if (/\/providers\/Microsoft\.KeyVault\/vaults\/[^/]+$/i.test(resourceId) && typeof props.vaultUri === 'string')
    return { kind: 'keyVaultSecrets', endpoint: props.vaultUri };
  if (/\/providers\/Microsoft\.Storage\/storageAccounts\/[^/]+$/i.test(resourceId)) {
    const blob = (props.primaryEndpoints as { blob?: unknown } | undefined)?.blob;
    return typeof blob === 'string' ? { kind: 'blobContainers', endpoint: blob } : undefined;
  }
  if (
    /\/providers\/Microsoft\.DocumentDB\/databaseAccounts\/[^/]+$/i.test(resourceId) &&
    typeof props.documentEndpoint === 'string'
  ) {
    return { kind: 'cosmosAccount', endpoint: props.documentEndpoint };
  }
  return undefined;
}

/** ARM api-versions of the resources a probe can read endpoints from. */
export const PROBE_API_VERSIONS: Record<ProbeKind, string> = {
  keyVaultSecrets: '2023-07-01',
  blobContainers: '2023-05-01',
  cosmosAccount: '2024-05-15',
};

export interface ProbeDeps {
  http: HttpClient;
  clock: Clock;
  logger: Logger;
  /** A token for the data plane's audience (the identity's, from the token cache). */
  tokenFor: (audience: string, selector: IdentitySelector, signal?: AbortSignal) => Promise<string>;
  /** `VM_IDENTITY_DATA_PLANE_ENDPOINT`: tests and the demo send probes here, keeping the service's Host header. */
  dataPlaneOverride?: string;
}

/** One read-only request to the service; the answer as one line. The token goes only to the planned origin. */
export async function runProbe(
  deps: ProbeDeps,
  selector: IdentitySelector,
  kind: ProbeKind,
  endpoint: string,
  signal?: AbortSignal,
): Promise<string> {
  const plan = planProbe(kind, endpoint, new Date(deps.clock.now()));
  const url = new URL(plan.url);
  const headers: Record<string, string> = { ...plan.headers, 'User-Agent': 'vm-identity' };
  const override = deps.dataPlaneOverride?.trim();
  if (override) {
    const target = new URL(override);
    if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopbackHost(target.hostname))) {
      throw new VmIdentityError(
        'usage',
        `VM_IDENTITY_DATA_PLANE_ENDPOINT: ${target.origin} would carry the token in the clear.`,
        {
          fix: 'Use https, or plain http to a loopback address only.',
        },
      );
    }
    headers.Host = url.host;
    url.protocol = target.protocol;
    url.host = target.host;
  }
  headers.Authorization = authorizationHeader(plan, await deps.tokenFor(plan.audience, selector, signal));
  const { response } = await sendWithRetry(
    {
      http: deps.http,
      clock: deps.clock,
      logger: deps.logger,
      policy: RETRY_POLICIES.arm,
      source: 'arm',
      timeouts: { connectMs: 10_000, attemptMs: 20_000, deadlineMs: 60_000 },
      maxBodyBytes: 4 * 1024 * 1024,
      signal,
    },
    { url, method: 'GET', headers },
  );
  return interpretProbe(kind, response.status, response.body.toString('utf8'));
}
