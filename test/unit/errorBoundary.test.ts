import * as assert from 'node:assert/strict';
import { VmIdentityError } from '../../src/core/errors';
import type { Logger } from '../../src/core/log';
import { reportCommandError } from '../../src/ui/errorReport';

const JWT = 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJvaWQiOiJhYmMiLCJ0aWQiOiJkZWYifQ.c2lnbmF0dXJlLXNpZ25hdHVyZQ';

/** A raw logger, as the output channel would be: the boundary must redact by itself. */
function rawLogger(lines: string[]): Logger {
  const push = (m: string) => void lines.push(m);
  return { trace: push, debug: push, info: push, warn: push, error: push };
}

describe('the command error boundary (pure half) logs through the redactor', () => {
  it('an unexpected error with a token in its message and stack is logged and shown redacted', () => {
    const lines: string[] = [];
    const e = new Error(`request failed: Authorization: Bearer ${JWT} for ?sig=s3cr3t&x=1`);
    const outcome = reportCommandError('vmIdentity.signIn', e, rawLogger(lines), () => false);
    assert.equal(outcome.show, 'unexpected');
    assert.equal(lines.length, 1);
    assert.match(lines[0], /vmIdentity\.signIn failed: .*request failed/);
    assert.match(lines[0], /at /, 'the stack is logged');
    for (const secret of [JWT, 's3cr3t', 'eyJ']) {
      assert.ok(!lines[0].includes(secret), `log line holds ${secret}`);
      assert.ok(outcome.show === 'unexpected' && !outcome.message.includes(secret), `message holds ${secret}`);
    }
  });

  it('a typed error with a token in its message is logged redacted and shown with its actions', () => {
    const lines: string[] = [];
    const e = new VmIdentityError('serviceError', `Echoed "access_token":"${JWT}"`, {
      fix: 'Try again.',
      remedy: 'checkProxy',
    });
    const outcome = reportCommandError('x', e, rawLogger(lines), () => false);
    assert.equal(outcome.show, 'error');
    assert.ok(!lines.join('').includes('eyJ'));
    assert.match(lines[0], /^serviceError: Echoed/);
  });

  it('cancellation is silent', () => {
    const lines: string[] = [];
    assert.equal(reportCommandError('x', new Error('c'), rawLogger(lines), () => true).show, 'nothing');
    assert.deepEqual(lines, []);
  });
});
