/**
 * Hostile input to every parser: random bytes, deep nesting, huge strings, wrong types. Each parser must
 * return a value or throw a typed error (never anything else), and quickly. A few thousand cases per run.
 */
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  decodeClaims,
  mapFailure,
  parseExpiresOn,
  parseSelector,
  parseTokenResponse,
  SelectorError,
  SYSTEM_ASSIGNED,
} from '../../src/identity';
import { isVmIdentityError } from '../../src/core/errors';
import { parseRetryAfter } from '../../src/core/retry';
import { parseInstanceMetadata, parseRoleAssignment, parseRoleDefinition } from '../../src/azure';
import { recordCase } from '../support/cases';

const RUNS = Number(process.env.FUZZ_RUNS ?? 1000);
const NOW = Date.UTC(2026, 10, 29);

/** Runs `fn`; fails unless it returns or throws one of the allowed error types, within `ms`. */
function mustBeTyped(
  fn: () => unknown,
  allowed: (e: unknown) => boolean = (e) => isVmIdentityError(e),
  ms = 200,
): void {
  const t0 = performance.now();
  try {
    fn();
  } catch (e) {
    if (!allowed(e)) throw new Error(`untyped error: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  const took = performance.now() - t0;
  if (took > ms) throw new Error(`took ${took.toFixed(0)} ms`);
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');
/** JSON values including deep nesting and long strings. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.double(),
    fc.integer(),
    fc.string({ maxLength: 40 }),
    fc.string({ minLength: 5000, maxLength: 20000 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          'access_token',
          'expires_on',
          'expires_in',
          'oid',
          'tid',
          'compute',
          'properties',
          'id',
          'scope',
          'roleName',
          'value',
          'nextLink',
          'error',
        ),
        fc.string(),
      ),
      tie('value'),
      { maxKeys: 6 },
    ),
  ),
})).value;
const deepNesting = fc.integer({ min: 1000, max: 5000 }).map((n) => '['.repeat(n) + ']'.repeat(n));
const bodies = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }).map((b) => Buffer.from(b)),
  hostileJson.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
  deepNesting.map((s) => Buffer.from(s)),
  fc.string({ maxLength: 2000 }).map((s) => Buffer.from(s)),
);

describe('fuzzing the parsers', function () {
  this.timeout(120_000);
  after(function () {
    const tests = this.test?.parent?.tests ?? [];
    const failed = tests.filter((t) => t.state !== 'passed').map((t) => t.title);
    recordCase({
      area: 'fuzz',
      name: `parsers × ${RUNS} random inputs each (bytes, deep nesting, huge strings, wrong types)`,
      expected: 'a value or a typed error, fast',
      observed: failed.length ? `failed: ${failed.join(', ')}` : `all typed, none slow (${tests.length} parser groups)`,
      pass: failed.length === 0,
    });
  });

  it('token responses', () => {
    fc.assert(
      fc.property(bodies, (body) => mustBeTyped(() => parseTokenResponse(body, 'fuzz', 'r', NOW))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(hostileJson, (v) =>
        mustBeTyped(() =>
          parseTokenResponse(
            JSON.stringify({ access_token: 'x', expires_on: v, expires_in: v, refresh_in: v }),
            'fuzz',
            'r',
            NOW,
          ),
        ),
      ),
      { numRuns: RUNS },
    );
  });

  it('JWT claims', () => {
    const parts = fc.oneof(
      fc.string({ maxLength: 200 }),
      hostileJson.map((v) => b64url(JSON.stringify(v) ?? '')),
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('base64url')),
    );
    fc.assert(
      fc.property(parts, parts, parts, (a, b, c) => mustBeTyped(() => decodeClaims(`${a}.${b}.${c}`))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (s) => mustBeTyped(() => decodeClaims(s))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(hostileJson, (claims) => {
        mustBeTyped(() => {
          const c = decodeClaims(`${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims) ?? '')}.x`);
          assert.equal(typeof c.principalId, 'string');
          assert.equal(typeof c.tenantId, 'string');
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('instance metadata', () => {
    fc.assert(
      fc.property(bodies, (body) =>
        mustBeTyped(() => {
          const m = parseInstanceMetadata(body, 'fuzz');
          for (const v of Object.values(m)) assert.equal(typeof v, 'string');
        }),
      ),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(hostileJson, (compute) =>
        mustBeTyped(() => parseInstanceMetadata(JSON.stringify({ compute }) ?? '', 'fuzz')),
      ),
      { numRuns: RUNS },
    );
  });

  it('ARM role assignments and definitions (items are skipped, never crash)', () => {
    fc.assert(
      fc.property(hostileJson, (item) => {
        mustBeTyped(() => {
          const a = parseRoleAssignment(item);
          if (a)
            for (const k of ['id', 'scope', 'roleDefinitionId', 'principalId'] as const)
              assert.equal(typeof a[k], 'string');
          const d = parseRoleDefinition(item);
          if (d) assert.equal(typeof d.roleName, 'string');
        });
      }),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(hostileJson, (props) => mustBeTyped(() => parseRoleAssignment({ id: 'x', properties: props }))),
      { numRuns: RUNS },
    );
  });

  it('error responses of any status and body', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 599 }),
        bodies,
        fc.option(fc.constantFrom('application/json', 'text/html', 'text/plain; charset=utf-8')),
        (status, body, type) => {
          const e = mapFailure(
            { status, headers: type ? { 'content-type': type } : {}, body },
            'fuzz',
            SYSTEM_ASSIGNED,
          );
          assert.ok(isVmIdentityError(e));
          assert.ok(e.fix.length > 0 && e.message.length > 0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('dates, Retry-After and identity settings', () => {
    fc.assert(
      fc.property(hostileJson, (v) => mustBeTyped(() => parseExpiresOn(v))),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (v) =>
        mustBeTyped(() => parseRetryAfter({ 'retry-after': v, 'x-ms-retry-after-ms': v }, NOW)),
      ),
      { numRuns: RUNS },
    );
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), (v) =>
        mustBeTyped(
          () => parseSelector(v),
          (e) => e instanceof SelectorError,
        ),
      ),
      { numRuns: RUNS },
    );
  });
});
