import * as assert from 'node:assert/strict';
import { type FailureFacts, errorFor } from '../../src/core/errorTable';
import type { ErrorKind } from '../../src/core/errors';

const W = 'GET 169.254.169.254/metadata/identity/oauth2/token';
const system = { system: true };
const byClientId = { system: false, described: 'client ID 0000' };
const reading = { what: 'roles' as const, principalId: 'p-1', accessControlLink: 'https://portal/iam' };

/** source × status/failure × code → kind, remedy and (where it matters) title. */
const TABLE: Array<[string, Omit<FailureFacts, 'where'>, ErrorKind, string, RegExp?]> = [
  ['cancelled anywhere', { source: 'arm', failure: 'aborted' }, 'cancelled', 'none'],
  [
    'IMDS not listening',
    { source: 'identity', failure: 'unreachable', origin: 'http://169.254.169.254' },
    'endpointUnreachable',
    'enableIdentity',
  ],
  ['IMDS connect timeout', { source: 'identity', failure: 'connectTimeout' }, 'endpointUnreachable', 'enableIdentity'],
  [
    'IMDS silent',
    { source: 'identity', failure: 'responseTimeout', ms: 5000 },
    'timeout',
    'retryLater',
    /^did not answer within 5 s$/,
  ],
  ['IMDS oversize', { source: 'identity', failure: 'tooLarge' }, 'malformedResponse', 'checkProxy'],
  ['IMDS reset', { source: 'metadata', failure: 'reset' }, 'malformedResponse', 'checkProxy'],
  [
    'ARM untrusted TLS',
    { source: 'arm', failure: 'untrusted', detail: 'SELF_SIGNED_CERT_IN_CHAIN' },
    'serviceError',
    'checkProxy',
    /untrusted TLS/,
  ],
  ['ARM reset', { source: 'arm', failure: 'reset', detail: 'ECONNRESET' }, 'serviceError', 'checkProxy'],
  ['ARM timeout', { source: 'graph', failure: 'responseTimeout', ms: 30_000 }, 'timeout', 'retryLater'],
  ['metadata non-200', { source: 'metadata', status: 500 }, 'serviceError', 'retryLater', /^answered HTTP 500$/],
  ['407 from a proxy', { source: 'identity', status: 407, azureCode: 'x' }, 'proxyInterference', 'checkProxy'],
  ['502 without an IMDS body', { source: 'identity', status: 502 }, 'proxyInterference', 'checkProxy'],
  [
    '502 with an IMDS body',
    { source: 'identity', status: 502, azureCode: 'bad_gateway' },
    'serviceError',
    'retryLater',
  ],
  [
    'HTML page, a proxy configured',
    { source: 'identity', status: 200, html: true, proxyConfigured: true },
    'proxyInterference',
    'checkProxy',
  ],
  [
    'HTML page with Server: IMDS/…',
    { source: 'identity', status: 404, html: true, server: 'IMDS/150.870.65.1854' },
    'proxyInterference',
    'checkProxy',
  ],
  [
    'HTML 404, no IMDS server, no proxy (AWS)',
    { source: 'identity', status: 404, html: true, server: 'EC2ws' },
    'notAzure',
    'none',
  ],
  ['HTML 403 instance metadata (GCP)', { source: 'metadata', status: 403, html: true }, 'notAzure', 'none'],
  ['non-JSON 200, no IMDS server, no proxy', { source: 'identity', status: 200, notJson: true }, 'notAzure', 'none'],
  [
    'HTML 502 from a transparent proxy',
    { source: 'identity', status: 502, html: true, server: 'squid/5.7' },
    'proxyInterference',
    'checkProxy',
  ],
  ['429 identity', { source: 'identity', status: 429 }, 'throttled', 'retryLater'],
  ['429 ARM', { source: 'arm', status: 429 }, 'throttled', 'retryLater'],
  [
    '400 multiple',
    {
      source: 'identity',
      status: 400,
      azureCode: 'invalid_request',
      description: 'Multiple user assigned identities exist',
      selector: system,
    },
    'multipleIdentities',
    'selectIdentity',
  ],
  [
    '400 "multiple" for a named identity',
    { source: 'identity', status: 400, description: 'Multiple user assigned identities', selector: byClientId },
    'identityNotFound',
    'selectIdentity',
  ],
  [
    '400 not found, system',
    { source: 'identity', status: 400, azureCode: 'invalid_request', selector: system },
    'identityNotFound',
    'enableIdentity',
  ],
  [
    '400 invalid_resource',
    { source: 'identity', status: 400, azureCode: 'invalid_resource' },
    'serviceError',
    'retryLater',
  ],
  [
    '404 empty',
    { source: 'identity', status: 404, emptyBody: true, selector: system },
    'identityNotFound',
    'enableIdentity',
  ],
  ['404 with a body', { source: 'identity', status: 404, azureCode: 'not_found' }, 'serviceError', 'retryLater'],
  [
    'Arc challenge failed',
    {
      source: 'identity',
      status: 401,
      problem: { kind: 'arcKey', reason: 'noChallenge', platform: 'linux', detail: 'no realm' },
    },
    'serviceError',
    'none',
  ],
  ['identity 2xx other than 200', { source: 'identity', status: 204 }, 'malformedResponse', 'checkProxy'],
  ['ARM redirect', { source: 'arm', status: 302 }, 'serviceError', 'retryLater'],
  ['ARM 200 not JSON', { source: 'arm', status: 200, notJson: true }, 'malformedResponse', 'checkProxy'],
  [
    'ARM 403 reading roles',
    { source: 'arm', status: 403, azureCode: 'AuthorizationFailed', reading },
    'authorizationFailed',
    'grantReader',
    /^no Reader role$/,
  ],
  ['Graph 403', { source: 'graph', status: 403, reading }, 'authorizationFailed', 'none'],
  ['ARM 401', { source: 'arm', status: 401 }, 'authenticationFailed', 'none'],
  ['ARM 404', { source: 'arm', status: 404, azureCode: 'ResourceNotFound' }, 'serviceError', 'retryLater'],
];

describe('the error table (source × status × code → error)', () => {
  for (const [name, facts, kind, remedy, title] of TABLE) {
    it(name, () => {
      const e = errorFor({ where: W, ...facts });
      assert.equal(e.kind, kind);
      assert.equal(e.remedy, remedy);
      assert.ok(e.fix.length > 0 && e.title.length > 0 && e.title.length <= 40, `fix and a short title: ${e.title}`);
      if (title) assert.match(e.title, title);
    });
  }

  it('the Reader guidance names the principal and links to its IAM blade, as a tree row and a button', () => {
    const e = errorFor({ where: W, source: 'arm', status: 403, reading });
    assert.match(e.message, /p-1 may not read role assignments/);
    assert.equal(e.link, 'https://portal/iam');
    assert.deepEqual(e.actions, [
      {
        label: 'Open access control (IAM)',
        command: 'vscode.open',
        args: [{ uri: 'https://portal/iam' }],
        treeLabel: 'Open access control (IAM) in the Azure portal',
      },
    ]);
  });

  it("a service's words that echo a credential are redacted before they become the message", () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJvaWQiOiJ4In0.c2lnbmF0dXJl';
    const e = errorFor({
      where: W,
      source: 'identity',
      status: 403,
      azureCode: 'odd',
      description: `Echo ${jwt} here. More.`,
    });
    assert.ok(!e.message.includes(jwt) && !e.describe().includes('eyJvaWQiOiJ4In0'), e.message);
    assert.match(e.message, /<redacted-jwt>/);
  });

  it('withLink re-points the actions too', () => {
    const e = errorFor({ where: W, source: 'identity', failure: 'unreachable' }).withLink('https://portal/vm/identity');
    assert.deepEqual(e.actions[0].args, [{ uri: 'https://portal/vm/identity' }]);
  });
});
