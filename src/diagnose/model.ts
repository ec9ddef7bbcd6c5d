/**
 * The Diagnose report: the shape of `vm-identity doctor --json` (issue 11):
 * `{ok, host, checks: [{id, title, status, evidence, fix, link?}]}`.
 */
import { scrub } from './scrub';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface Check {
  id: string;
  title: string;
  status: CheckStatus;
  /** What the check saw. Never a token, secret or header value (scrubbed again in `makeReport`). */
  evidence: string;
  fix?: string;
  link?: string;
}

export type HostKind =
  | 'vm'
  | 'arc'
  | 'machineLearning'
  | 'appService'
  | 'cloudShell'
  | 'workloadIdentity'
  | 'serviceFabric'
  | 'notAzure'
  | 'unknown';

export interface Report {
  ok: boolean;
  host: HostKind;
  checks: Check[];
}

/** Checks whose failure means no identity token can be had here: `doctor` exits 3 for them. */
const IDENTITY_UNAVAILABLE_CHECKS: ReadonlySet<string> = new Set(['identity.endpoint', 'identity.enabled']);

export function makeReport(host: HostKind, checks: readonly Check[]): Report {
  const safe = checks.map((c) => ({
    ...c,
    evidence: scrub(c.evidence),
    ...(c.fix !== undefined ? { fix: scrub(c.fix) } : {}),
  }));
  return { ok: safe.every((c) => c.status !== 'fail'), host, checks: safe };
}

/** 0 when nothing fails, 3 when the identity is unavailable, 1 otherwise (issue 11, `doctor`). */
export function doctorExitCode(report: Report): 0 | 1 | 3 {
  if (report.ok) return 0;
  const unavailable = report.checks.some((c) => c.status === 'fail' && IDENTITY_UNAVAILABLE_CHECKS.has(c.id));
  return unavailable ? 3 : 1;
}
