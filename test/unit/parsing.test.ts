import * as assert from 'node:assert/strict';
import {
  decodeClaims,
  parseExpiresOn,
  parseTokenResponse,
  parseSelector,
  selectorFrom,
  EXPIRY_MARGIN_MS,
} from '../../src/identity';
import { isVmIdentityError } from '../../src/core/errors';
import { redact } from '../../src/core/log';
import { knownCloud as cloudFor, scopeKind, viaOf, parseInstanceMetadata, portalLink } from '../../src/azure';

const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: object) => `${b64({ typ: 'JWT', alg: 'RS256' })}.${b64(claims)}.c2ln`;

describe('token response parsing', () => {
  const expiresOnCases: Array<[string, unknown, number]> = [
    ['epoch seconds as a string (IMDS)', String(NOW / 1000 + 3600), NOW + 3600_000],
    ['epoch seconds as a number', NOW / 1000 + 3600, NOW + 3600_000],
    ['epoch milliseconds', NOW + 3600_000, NOW + 3600_000],
    ['ISO 8601', new Date(NOW + 3600_000).toISOString(), NOW + 3600_000],
    ['App Service 2017 (PM, +00:00)', '11/29/2026 01:00:00 PM +00:00', NOW + 3600_000],
    ['App Service 2017 (AM, -05:00)', '11/29/2026 08:00:00 AM -05:00', NOW + 3600_000],
    ['App Service 2017 (12 AM is midnight)', '11/30/2026 12:00:00 AM +00:00', NOW + 12 * 3600_000],
  ];
  for (const [name, value, expected] of expiresOnCases) {
    it(`reads expires_on: ${name}`, () => {
      assert.equal(parseExpiresOn(value), expected);
      const t = parseTokenResponse(
        JSON.stringify({ access_token: 'x', expires_on: value, resource: 'r' }),
        'test',
        'r',
        NOW,
      );
      assert.equal(t.expiresOn, expected);
    });
  }

  it('accepts the all-string IMDS shape and refreshes 5 minutes early', () => {
    const body = JSON.stringify({
      access_token: 'abc',
      refresh_token: '',
      expires_in: '3599',
      expires_on: String(NOW / 1000 + 3599),
      not_before: String(NOW / 1000),
      resource: 'https://management.azure.com/',
      token_type: 'Bearer',
    });
    const t = parseTokenResponse(body, 'test', 'ignored', NOW);
    assert.equal(t.token, 'abc');
    assert.equal(t.expiresOn, NOW + 3599_000);
    assert.equal(t.refreshAfter, NOW + 3599_000 - EXPIRY_MARGIN_MS);
    assert.equal(t.resource, 'https://management.azure.com/');
    assert.equal(t.tokenType, 'Bearer');
  });

  it('refreshes at half the lifetime when the token lives longer than 2 h (MSAL)', () => {
    const t = parseTokenResponse(JSON.stringify({ access_token: 'a', expires_in: '86399' }), 'test', 'r', NOW);
    assert.equal(t.refreshAfter, NOW + 86399_000 / 2);
  });

  it('falls back to now + expires_in when expires_on is missing or unreadable', () => {
    for (const expires_on of [undefined, 'soon', '', null, {}]) {
      const t = parseTokenResponse(
        JSON.stringify({ access_token: 'a', expires_in: '600', expires_on }),
        'test',
        'r',
        NOW,
      );
      assert.equal(t.expiresOn, NOW + 600_000, String(expires_on));
    }
  });

  it('survives clock skew: trusts expires_in when expires_on disagrees by more than 5 minutes', () => {
    // The VM clock is 2 hours ahead of the token service: expires_on is "in the past" here.
    const serverNow = NOW - 2 * 3600_000;
    const t = parseTokenResponse(
      JSON.stringify({ access_token: 'a', expires_in: '3600', expires_on: String(serverNow / 1000 + 3600) }),
      'test',
      'r',
      NOW,
    );
    assert.equal(t.expiresOn, NOW + 3600_000);
    assert.ok(t.refreshAfter > NOW, 'a fresh token is not immediately due for refresh');
  });

  const refusals: Array<[string, string | Buffer]> = [
    ['no access_token', JSON.stringify({ expires_in: '10' })],
    ['empty access_token', JSON.stringify({ access_token: '', expires_in: '10' })],
    ['a non-string access_token', JSON.stringify({ access_token: 42, expires_in: '10' })],
    ['a non-JSON body', 'Service Unavailable'],
    ['a JSON array', '[]'],
    ['no expiry at all', JSON.stringify({ access_token: 'a' })],
    ['a body over 1 MB', Buffer.alloc(1024 * 1024 + 1, 0x20)],
  ];
  for (const [name, body] of refusals) {
    it(`refuses ${name} with a typed error`, () => {
      assert.throws(
        () => parseTokenResponse(body, 'GET host/path', 'r', NOW),
        (e: unknown) => isVmIdentityError(e, 'malformedResponse'),
      );
    });
  }
});

describe('token claims', () => {
  it('reads a system-assigned token (xms_mirid is the VM)', () => {
    const c = decodeClaims(
      jwt({
        oid: 'o1',
        tid: 't1',
        appid: 'c1',
        idtyp: 'app',
        exp: 1900000000,
        xms_mirid: '/subscriptions/s/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm1',
      }),
    );
    assert.deepEqual(
      [c.principalId, c.tenantId, c.clientId, c.identityType, c.idtyp, c.expiresOn],
      ['o1', 't1', 'c1', 'SystemAssigned', 'app', 1900000000_000],
    );
  });
  it('reads a user-assigned token and a v2 azp client id', () => {
    const c = decodeClaims(
      jwt({
        oid: 'o2',
        tid: 't2',
        azp: 'c2',
        xms_mirid: '/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1',
      }),
    );
    assert.equal(c.identityType, 'UserAssigned');
    assert.equal(c.clientId, 'c2');
    assert.match(c.identityResourceId!, /userAssignedIdentities\/id1$/);
  });
  for (const [name, token] of [
    ['not a JWT', 'abc'],
    ['payload not JSON', 'a.b.c'],
    ['no oid', jwt({ tid: 't' })],
    ['payload an array', `${b64({})}.${Buffer.from('[1]').toString('base64url')}.x`],
    ['too long', jwt({ oid: 'o', tid: 't', pad: 'x'.repeat(70_000) })],
  ] as const) {
    it(`refuses a token that is ${name}`, () => {
      assert.throws(
        () => decodeClaims(token),
        (e: unknown) => isVmIdentityError(e, 'malformedResponse'),
      );
    });
  }
});

describe('identity selectors', () => {
  const guid = '0d6a3f3e-1111-4a4a-9b9b-123456789abc';
  const rid = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app';
  it('parses every persisted form', () => {
    assert.deepEqual(parseSelector(undefined), { kind: 'system' });
    assert.deepEqual(parseSelector('system'), { kind: 'system' });
    assert.deepEqual(parseSelector(`client_id=${guid.toUpperCase()}`), { kind: 'clientId', value: guid });
    assert.deepEqual(parseSelector(`object_id=${guid}`), { kind: 'objectId', value: guid });
    assert.deepEqual(parseSelector(`resource_id=${rid}`), { kind: 'resourceId', value: rid });
    assert.deepEqual(parseSelector(rid), { kind: 'resourceId', value: rid });
    assert.deepEqual(parseSelector(guid), { kind: 'clientId', value: guid });
  });
  it('refuses what is not an ID, saying why', () => {
    assert.throws(() => selectorFrom('clientId', 'vm-identity'), /not a GUID/);
    assert.throws(
      () =>
        selectorFrom('resourceId', '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm'),
      /not a user-assigned identity resource ID/,
    );
  });
});

describe('clouds, scopes and instance metadata', () => {
  it('maps azEnvironment (and the Azure CLI names) case-insensitively; unknown and empty to none', () => {
    assert.equal(cloudFor('AZUREPUBLICCLOUD')?.arm, 'https://management.azure.com');
    assert.equal(cloudFor('azureusgovernmentcloud')?.portal, 'https://portal.azure.us');
    assert.equal(cloudFor('AzureChinaCloud')?.graph, 'https://microsoftgraph.chinacloudapi.cn');
    assert.equal(cloudFor('AzureCloud')?.name, 'AzurePublicCloud');
    assert.equal(cloudFor('AzureUSGovernment')?.name, 'AzureUSGovernmentCloud');
    assert.equal(cloudFor(''), undefined);
    assert.equal(cloudFor('AzureStackCloud'), undefined);
  });
  it('builds portal deep links', () => {
    assert.equal(
      portalLink(
        cloudFor('AzureUSGovernmentCloud')!,
        't',
        '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
        'users',
      ),
      'https://portal.azure.us/#@t/resource/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/users',
    );
  });
  it('classifies scopes and how an assignment reaches the principal', () => {
    assert.equal(scopeKind('/'), 'root');
    assert.equal(scopeKind('/providers/Microsoft.Management/managementGroups/mg'), 'managementGroup');
    assert.equal(scopeKind('/subscriptions/s'), 'subscription');
    assert.equal(scopeKind('/subscriptions/s/resourceGroups/rg'), 'resourceGroup');
    assert.equal(
      scopeKind('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm'),
      'resource',
    );
    const a = (scope: string, principalId: string) => ({
      id: 'x',
      name: 'x',
      scope,
      roleDefinitionId: 'r',
      principalId,
      principalType: 'ServicePrincipal',
    });
    assert.equal(viaOf(a('/subscriptions/s', 'ME'), 'me'), 'direct');
    assert.equal(viaOf(a('/providers/Microsoft.Management/managementGroups/mg', 'me'), 'me'), 'inherited');
    assert.equal(viaOf(a('/subscriptions/s', 'group'), 'me'), 'group');
  });
  it('reads instance metadata with every primitive a string, and refuses garbage', () => {
    const m = parseInstanceMetadata(
      JSON.stringify({
        compute: {
          name: 'vm',
          resourceGroupName: 'rg',
          subscriptionId: 's',
          location: 'eastus',
          azEnvironment: 'AzurePublicCloud',
          osProfile: { computerName: 'host' },
        },
      }),
      'x',
    );
    assert.equal(m.resourceId, '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm');
    assert.equal(m.computerName, 'host');
    assert.equal(m.vmSize, '');
    assert.throws(
      () => parseInstanceMetadata('<html>', 'x'),
      (e: unknown) => isVmIdentityError(e, 'malformedResponse'),
    );
    assert.throws(
      () => parseInstanceMetadata('{"network":{}}', 'x'),
      (e: unknown) => isVmIdentityError(e, 'malformedResponse'),
    );
  });
});

describe('log redaction', () => {
  const token = jwt({ oid: 'o', tid: 't' });
  const cases: Array<[string, string]> = [
    [`Authorization: Bearer ${token}`, 'Authorization: Bearer <redacted>'],
    [`authorization=bearer abc.def-ghi`, 'authorization=bearer <redacted>'],
    [`body {"access_token":"${token}","expires_in":"3599"}`, 'body {"access_token":"<redacted>","expires_in":"3599"}'],
    [`a bare ${token} in text`, 'a bare <redacted-jwt> in text'],
    ['GET management.azure.com/subscriptions/s 200 12 ms', 'GET management.azure.com/subscriptions/s 200 12 ms'],
  ];
  for (const [input, expected] of cases) {
    it(`redacts: ${expected}`, () => {
      assert.equal(redact(input), expected);
      assert.ok(!redact(input).includes(token));
    });
  }
});
