import * as assert from 'node:assert/strict';
import { JwtInspectError, inspectJwt, relativeTime } from '../../src/core/jwtInspect';
import { TokenRegistry } from '../emulator/tokens';

const NOW_SEC = 1_800_000_000;
const UAMI =
  '/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app-id';

/** A token exactly as the emulator's IMDS issues it (header, Entra v1 claims, random signature). */
function mintToken(mirid = UAMI, resource = 'https://vault.azure.net') {
  return new TokenRegistry().mint({
    subject: {
      principalId: '11111111-2222-3333-4444-555555555555',
      clientId: '66666666-7777-8888-9999-000000000000',
      mirid,
    },
    resource,
    tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    stsHost: 'https://sts.windows.net',
    lifetimeSec: 3600,
    nowSec: NOW_SEC,
  });
}

function b64(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

describe('inspectJwt', () => {
  it('shows who, for what and until when, from a token the emulator issued', () => {
    const { accessToken, claims } = mintToken();
    const view = inspectJwt(accessToken, NOW_SEC * 1000);
    assert.equal(view.audience, 'https://vault.azure.net');
    assert.equal(view.issuer, 'https://sts.windows.net/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/');
    assert.equal(view.tenantId, claims.tid);
    assert.equal(view.objectId, claims.oid);
    assert.equal(view.appId, claims.appid);
    assert.equal(view.identityResourceId, UAMI);
    assert.equal(view.identityType, 'UserAssigned');
    assert.deepEqual(view.header, { alg: 'RS256', kid: 'emulator', typ: 'JWT' });
    assert.equal(view.expiresAt?.iso, new Date((NOW_SEC + 3600) * 1000).toISOString());
    assert.equal(view.expiresAt?.relative, 'in 1 hour');
    assert.equal(view.issuedAt?.relative, '5 minutes ago');
    assert.equal(view.expired, false);
    assert.equal(view.tokenBytes, Buffer.byteLength(accessToken));
    assert.deepEqual(view.claims, claims);
  });

  it('keeps no part of the signature or the token in what it returns', () => {
    const { accessToken } = mintToken();
    const signature = accessToken.split('.')[2];
    const text = JSON.stringify(inspectJwt(accessToken, NOW_SEC * 1000));
    assert.ok(signature.length > 100);
    assert.ok(!text.includes(signature.slice(0, 24)), 'signature leaked');
    assert.ok(!text.includes(accessToken.split('.')[1].slice(0, 24)), 'encoded payload leaked');
  });

  it('tells a system-assigned identity from its VM resource ID, and reads v2 azp/scp/roles', () => {
    const vm = '/subscriptions/s/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm1';
    assert.equal(inspectJwt(mintToken(vm).accessToken, NOW_SEC * 1000).identityType, 'SystemAssigned');
    const v2 = `${b64({ alg: 'RS256' })}.${b64({ azp: 'client', scp: 'a b', roles: ['R1', 7], aud: ['x', 'y'], exp: NOW_SEC - 10 })}.sig`;
    const view = inspectJwt(v2, NOW_SEC * 1000);
    assert.equal(view.appId, 'client');
    assert.deepEqual(view.scopes, ['a', 'b']);
    assert.deepEqual(view.roles, ['R1']);
    assert.equal(view.audience, 'x, y');
    assert.equal(view.expired, true);
    assert.equal(view.expiresAt?.relative, '10 seconds ago');
  });

  const bad: [string, string, JwtInspectError['reason']][] = [
    ['two parts', `${b64({})}.${b64({})}`, 'notJwt'],
    ['an encrypted token (five parts)', 'a.b.c.d.e', 'encrypted'],
    ['a header that is not base64url', `**.${b64({})}.s`, 'badHeader'],
    ['a payload that is not JSON', `${b64({})}.${Buffer.from('nope').toString('base64url')}.s`, 'badPayload'],
    ['a payload that is an array', `${b64({})}.${b64([1])}.s`, 'badPayload'],
    ['a 70 KB token', `${b64({})}.${'A'.repeat(70_000)}.s`, 'tooLong'],
  ];
  for (const [what, token, reason] of bad) {
    it(`refuses ${what} with reason ${reason}`, () => {
      assert.throws(
        () => inspectJwt(token, 0),
        (e: unknown) => e instanceof JwtInspectError && e.reason === reason,
      );
    });
  }

  it('ignores time claims that are not numbers Date can represent', () => {
    const view = inspectJwt(`${b64({})}.${b64({ exp: '123', iat: 1e300, nbf: null })}.s`, 0);
    assert.equal(view.expiresAt, undefined);
    assert.equal(view.issuedAt, undefined);
    assert.equal(view.notBefore, undefined);
    assert.equal(view.expired, false);
  });
});

describe('relativeTime', () => {
  const cases: [number, string][] = [
    [0, 'now'],
    [4_000, 'now'],
    [59_000, 'in 59 seconds'],
    [60_000, 'in 1 minute'],
    [-125_000, '2 minutes ago'],
    [3 * 3_600_000 + 59 * 60_000, 'in 3 hours'],
    [-2 * 86_400_000, '2 days ago'],
  ];
  for (const [delta, expected] of cases) {
    it(`${delta} ms → ${expected}`, () => assert.equal(relativeTime(1_000_000_000 + delta, 1_000_000_000), expected));
  }
});
