/**
 * The fault matrix, as data: what the emulator is told to do, and what the extension must then show. Each
 * case runs in the real extension host (faults.itest.ts) and is recorded for docs/TESTING.md. The cases
 * that need the browser or the realistic network (IMDS unreachable, proxies, TLS trust, sovereign cloud)
 * stay in test/e2e/network.e2e.ts.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { SessionState } from '../../src/session/session';
import type { Dataset, EmulatorConfigPatch, EndpointKey, FaultStep, LoggedRequest } from '../emulator';
import { gapsBetween, statusList, tokenRequests } from '../support/requests';
import type { Row } from './support';

/** What a sign-in under the case's faults produced. */
export interface Outcome {
  /** The state once the sign-in finished. */
  state: SessionState;
  /** Every state passed through on the way. */
  states: SessionState[];
  /** What reached the emulator during the sign-in. */
  requests: LoggedRequest[];
  /** The identity view, read through the registered provider. */
  rows: Row[];
  ms: number;
  dataset: Dataset;
}

export interface FaultCase {
  name: string;
  expected: string;
  faults?: Array<{ endpoint: EndpointKey; steps: FaultStep[] }>;
  /** Emulator settings for the case (reset after it). */
  config?: (dataset: Dataset) => EmulatorConfigPatch;
  /** Asserts on the outcome and returns what was observed, for docs/TESTING.md. */
  check(o: Outcome): string;
}

const row = (o: Outcome, pattern: RegExp) => o.rows.find((r) => pattern.test(r.text));
const statuses = (o: Outcome) => o.states.map((s) => s.status);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function assertSignedIn(o: Outcome): void {
  assert.equal(o.state.status, 'signedIn', `signed in (went ${statuses(o).join(' → ')})`);
  assert.ok(row(o, new RegExp(o.dataset.systemIdentity.principalId)), 'the identity is shown');
}

/** The first resource asked for (the ARM audience) and its token requests. */
function firstResourceTokens(o: Outcome): LoggedRequest[] {
  const first = tokenRequests(o.requests)[0];
  assert.ok(first, 'a token was requested');
  return tokenRequests(o.requests, first.query.resource);
}

export const FAULT_CASES: FaultCase[] = [
  {
    name: 'IMDS answers 410 for 20 s, then 200',
    expected: 'sign-in completes; "signing in" meanwhile, no error on the way; 410 retried about every 10 s',
    faults: [{ endpoint: 'imds-token', steps: [{ status: 410, forMs: 20_000 }] }],
    check(o) {
      assertSignedIn(o);
      assert.ok(statuses(o).includes('signingIn'), 'progress was shown');
      assert.ok(!statuses(o).some((s) => s === 'error' || s === 'unavailable'), `no error on the way: ${statuses(o)}`);
      const arm = firstResourceTokens(o);
      assert.ok(o.ms >= 20_000, `took ${o.ms} ms`);
      assert.equal(arm.at(-1)?.status, 200);
      assert.ok(arm.length >= 3 && arm.slice(0, -1).every((r) => r.status === 410), `ARM token: ${statusList(arm)}`);
      const gaps = gapsBetween(arm);
      assert.ok(
        gaps.every((g) => g >= 9_900),
        `10 s between 410 retries: ${gaps}`,
      );
      return `states ${[...new Set(statuses(o))].join(' → ')}; ARM token requests ${statusList(arm)} ${gaps.map(seconds).join('/')} apart; signed in after ${seconds(o.ms)}`;
    },
  },
  {
    name: 'IMDS answers 429 with Retry-After: 3',
    expected: 'the retry waits at least Retry-After; sign-in completes',
    faults: [{ endpoint: 'imds-token', steps: [{ status: 429, retryAfter: 3 }] }],
    check(o) {
      assertSignedIn(o);
      const tokens = tokenRequests(o.requests);
      const throttled = tokens.find((r) => r.status === 429);
      assert.ok(throttled, 'one request was throttled');
      const next = tokenRequests(tokens, throttled.query.resource).find((r) => r.seq > throttled.seq);
      assert.ok(next && next.status === 200, 'then retried with success');
      const [gap] = gapsBetween([throttled, next]);
      assert.ok(gap >= 3000 - 5, `gap ${gap} ms ≥ Retry-After 3 s`);
      return `429 for ${throttled.query.resource}, next request ${gap} ms later → 200; signed in`;
    },
  },
  {
    name: 'IMDS answers 500 ×3, then 200',
    expected: 'retried (1 s, 2 s, 4 s backoff), sign-in completes',
    faults: [{ endpoint: 'imds-token', steps: [{ status: 500, count: 3 }] }],
    check(o) {
      assertSignedIn(o);
      const tokens = tokenRequests(o.requests);
      assert.equal(tokens.filter((r) => r.status === 500).length, 3, `three 500s: ${statusList(tokens)}`);
      const perResource: string[] = [];
      for (const resource of new Set(tokens.map((r) => r.query.resource))) {
        const mine = tokenRequests(tokens, resource);
        assert.equal(mine.at(-1)?.status, 200, `${resource} ends with 200`);
        assert.ok(mine.length <= 4, 'at most 3 retries');
        const gaps = gapsBetween(mine);
        gaps.forEach((g, i) => assert.ok(g >= 1000 * 2 ** i - 5, `backoff ${i}: ${g} ms`));
        perResource.push(`${resource}: ${statusList(mine)} (gaps ${gaps.map((g) => `${g} ms`).join(', ') || '–'})`);
      }
      return `${perResource.join('; ')}; signed in`;
    },
  },
  {
    name: 'Identity off (IMDS answers 400 "Identity not found")',
    expected:
      'error state; an empty tree, so the welcome view explains (cause, System assigned fix); a 400 is not retried',
    config: () => ({ systemAssigned: false, userAssignedAttached: false }),
    check(o) {
      assert.equal(o.state.status, 'error');
      if (o.state.status !== 'error') return '';
      assert.equal(o.state.error.kind, 'identityNotFound', 'the welcome view has content for this kind');
      assert.deepEqual(
        o.rows.map((r) => r.text),
        [],
        'an empty tree lets the welcome view show',
      );
      assert.match(o.state.error.fix, /System assigned/, 'the fix names the System assigned switch');
      const tokens = tokenRequests(o.requests);
      assert.ok(tokens.length >= 1 && tokens.every((r) => r.status === 400), `400: ${statusList(tokens)}`);
      assert.equal(new Set(tokens.map((r) => r.query.resource)).size, tokens.length, 'a 400 is not retried');
      return `IMDS ${statusList(tokens)} (not retried); tree empty → welcome view; fix: ${o.state.error.fix}`;
    },
  },
  {
    name: 'ARM answers 403 AuthorizationFailed on role assignments',
    expected:
      "Reader guidance node whose link opens the subscription's Access control (IAM) blade (issue 9: the grant that fixes a subscription-scope 403 is at the subscription); the identity still shown",
    config: (d) => ({ armReadable: { [d.systemIdentity.principalId]: false } }),
    check(o) {
      assertSignedIn(o);
      assert.ok(o.requests.some((r) => r.endpoint === 'arm-role-assignments' && r.status === 403));
      const guidance = row(o, /give this identity Reader/);
      assert.ok(guidance, 'guidance node');
      const link = row(o, /^Open access control \(IAM\) in the Azure portal/);
      assert.ok(link, 'IAM link node');
      assert.equal(link.item.command?.command, 'vscode.open');
      const url = (link.item.command?.arguments?.[0] as vscode.Uri).toString(true);
      const want = `https://portal.azure.com/#@${o.dataset.tenantId}/resource/subscriptions/${o.dataset.subscriptionId}/users`;
      assert.equal(url, want);
      return `node "${guidance.text}"; its link opens ${url}`;
    },
  },
  {
    name: 'ARM answers 503 on role assignments, every time',
    expected:
      'each subscription\'s list retried 3 times with backoff, then an error node with "Try again"; identity still shown',
    // The identity sees two subscriptions (issue 9), each listed and retried on its own: 2 × (1 + 3 retries).
    faults: [{ endpoint: 'arm-role-assignments', steps: [{ status: 503, count: 8 }] }],
    check(o) {
      assertSignedIn(o);
      const error = row(o, /^Cannot read role assignments: .*503/);
      assert.ok(error, `an error node: ${o.rows.map((r) => r.text)}`);
      assert.ok(row(o, /^Try again/), 'a Try again row');
      const all = o.requests.filter((r) => r.endpoint === 'arm-role-assignments');
      const scopes = [...new Set(all.map((r) => r.path))];
      assert.equal(scopes.length, 2, `both subscriptions the identity sees, listed: ${scopes.join(', ')}`);
      const arm = all.filter((r) => r.path === scopes[0]);
      for (const s of scopes)
        assert.deepEqual(
          all.filter((r) => r.path === s).map((r) => r.status),
          [503, 503, 503, 503],
          s,
        );
      const gaps = gapsBetween(arm);
      return `role assignments at each of ${scopes.length} subscriptions ${statusList(arm)} (gaps ${gaps.map((g) => `${g} ms`).join(', ')}); node "${error.text}" + "Try again"`;
    },
  },
];
