/**
 * The error-table rows of the identity hosts beyond IMDS (src/core/hostErrorRules.ts), as a table:
 * facts → kind, remedy, and the words the user must see (the fix that gets them unstuck).
 */
import * as assert from 'node:assert/strict';
import { type FailureFacts, errorBodyOf, errorFor } from '../../src/core/errorTable';
import type { ErrorKind } from '../../src/core/errors';

const W = 'GET 127.0.0.1/token';
const arcKey = (reason: string, platform = 'linux') => ({
  kind: 'arcKey' as const,
  reason: reason as 'accessDenied',
  platform,
  file: '/var/opt/azcmagent/tokens/x.key',
  detail: `${reason} detail`,
});
const wi = { source: 'identity' as const, host: 'workloadIdentity' };

const TABLE: Array<[string, Omit<FailureFacts, 'where'>, ErrorKind, string, RegExp]> = [
  [
    'Arc EACCES on Linux → himds group',
    { source: 'identity', status: 401, problem: arcKey('accessDenied') },
    'authorizationFailed',
    'none',
    /sudo usermod -aG himds \$USER.*reconnect/,
  ],
  [
    'Arc EACCES on Windows → Hybrid agent extension applications',
    { source: 'identity', status: 401, problem: arcKey('accessDenied', 'win32') },
    'authorizationFailed',
    'none',
    /"Hybrid agent extension applications"/,
  ],
  [
    'Arc key outside the agent directory',
    { source: 'identity', status: 401, problem: arcKey('directory') },
    'unsafeEndpoint',
    'none',
    /azcmagent check/,
  ],
  [
    'Arc key without .key',
    { source: 'identity', status: 401, problem: arcKey('extension') },
    'unsafeEndpoint',
    'none',
    /azcmagent/,
  ],
  [
    'Arc key over 4096 bytes',
    { source: 'identity', status: 401, problem: arcKey('tooLarge') },
    'unsafeEndpoint',
    'none',
    /azcmagent/,
  ],
  [
    'Arc 401 without a realm',
    { source: 'identity', status: 401, problem: arcKey('noChallenge') },
    'serviceError',
    'none',
    /40342/,
  ],
  [
    'Arc on macOS',
    { source: 'identity', status: 401, problem: arcKey('platform', 'darwin') },
    'notSupported',
    'none',
    /azcmagent/,
  ],
  [
    'Arc key vanished',
    { source: 'identity', status: 401, problem: arcKey('unreadable') },
    'serviceError',
    'none',
    /one-time/,
  ],
  [
    'Cloud Shell + user-assigned',
    {
      source: 'identity',
      problem: { kind: 'selector', host: 'Cloud Shell', reason: 'it always returns the signed-in user' },
    },
    'notSupported',
    'selectIdentity',
    /System-assigned/,
  ],
  [
    'federated token file missing',
    { source: 'identity', problem: { kind: 'tokenFile', reason: 'missing', file: '/var/run/t', detail: 'ENOENT' } },
    'serviceError',
    'none',
    /azure\.workload\.identity\/use/,
  ],
  [
    'federated token file unreadable',
    { source: 'identity', problem: { kind: 'tokenFile', reason: 'unreadable', file: '/var/run/t', detail: 'EACCES' } },
    'serviceError',
    'none',
    /read the file/,
  ],
  [
    'unknown azEnvironment',
    { source: 'metadata', problem: { kind: 'unknownCloud', name: 'AzureAirGappedCloudX' } },
    'unknownCloud',
    'none',
    /vmIdentity\.cloud.*--cloud.*VM_IDENTITY_CLOUD/,
  ],
  [
    'Entra AADSTS700024 expired assertion',
    { ...wi, status: 401, azureCode: 'invalid_client', aadsts: 700024 },
    'authenticationFailed',
    'none',
    /rotates the token file/,
  ],
  [
    'Entra AADSTS70021 no federated credential',
    { ...wi, status: 400, azureCode: 'invalid_request', aadsts: 70021 },
    'authenticationFailed',
    'none',
    /system:serviceaccount:<namespace>:<service account>/,
  ],
  [
    'Entra AADSTS700016 unknown client',
    { ...wi, status: 400, azureCode: 'unauthorized_client', aadsts: 700016 },
    'identityNotFound',
    'none',
    /azure\.workload\.identity\/client-id/,
  ],
  [
    'Entra AADSTS90002 wrong tenant',
    { ...wi, status: 400, azureCode: 'invalid_request', aadsts: 90002 },
    'serviceError',
    'none',
    /AZURE_TENANT_ID/,
  ],
  [
    'Entra AADSTS500011 unknown resource',
    { ...wi, status: 400, azureCode: 'invalid_resource', aadsts: 500011 },
    'serviceError',
    'none',
    /cloud/,
  ],
  [
    'Entra other 400 is not "no managed identity"',
    { ...wi, status: 400, azureCode: 'invalid_scope', aadsts: 1002012 },
    'serviceError',
    'retryLater',
    /Try again/,
  ],
  [
    'Cloud Shell AudienceNotSupported',
    {
      source: 'identity',
      host: 'cloudShell',
      status: 400,
      azureCode: 'AudienceNotSupported',
      description: 'Audience x is not a supported MSI token audience. Supported audiences: …',
    },
    'notSupported',
    'none',
    /az login/,
  ],
  [
    'Cloud Shell other 400 is not "no managed identity"',
    { source: 'identity', host: 'cloudShell', status: 400, azureCode: 'BadRequest' },
    'serviceError',
    'retryLater',
    /Try again/,
  ],
  [
    'App Service wrong X-IDENTITY-HEADER',
    { source: 'identity', host: 'appService', status: 401, correlationId: 'c-1' },
    'authenticationFailed',
    'none',
    /IDENTITY_HEADER.*restart/,
  ],
  [
    'App Service no such identity',
    {
      source: 'identity',
      host: 'appService',
      status: 400,
      description: 'Unable to load the proper Managed Identity.',
      selector: { system: true },
    },
    'identityNotFound',
    'enableIdentity',
    /System assigned/,
  ],
  [
    'Azure ML wrong secret',
    { source: 'identity', host: 'machineLearning', status: 401, azureCode: 'unauthorized' },
    'authenticationFailed',
    'none',
    /MSI_SECRET.*restart/,
  ],
];

describe('the error table: identity hosts beyond IMDS', () => {
  for (const [name, facts, kind, remedy, fix] of TABLE) {
    it(name, () => {
      const e = errorFor({ where: W, ...facts });
      assert.equal(e.kind, kind, e.message);
      assert.equal(e.remedy, remedy);
      assert.match(e.fix, fix);
      assert.ok(e.title.length > 0 && e.title.length <= 48, `a short title: ${e.title}`);
    });
  }

  it('says which file and who may read it on EACCES', () => {
    const e = errorFor({ where: W, source: 'identity', status: 401, problem: arcKey('accessDenied') });
    assert.match(
      e.message,
      /\/var\/opt\/azcmagent\/tokens\/x\.key \(permission denied\): only root and the himds group may/,
    );
    assert.doesNotMatch(`${e.message} ${e.fix}`, /try again in a moment/i);
  });

  it('reads every documented error body shape', () => {
    assert.deepEqual(
      errorBodyOf({
        error: 'invalid_client',
        error_description: 'AADSTS700024: x',
        error_codes: [700024],
        correlation_id: 'c',
      }),
      {
        code: 'invalid_client',
        description: 'AADSTS700024: x',
        aadsts: 700024,
        correlationId: 'c',
      },
    );
    assert.deepEqual(errorBodyOf({ error: { code: 'AudienceNotSupported', message: 'm' } }), {
      code: 'AudienceNotSupported',
      description: 'm',
    });
    assert.deepEqual(
      errorBodyOf({ statusCode: 400, message: 'Unable to load the proper Managed Identity.', correlationId: 'k' }),
      {
        description: 'Unable to load the proper Managed Identity.',
        correlationId: 'k',
      },
    );
  });
});
