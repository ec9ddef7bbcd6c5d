import * as assert from 'node:assert/strict';
import {
  azureCoreJsRoute,
  checkProxyEnvironment,
  noProxyFixLine,
  pythonRequestsRoute,
} from '../../../src/diagnose/proxy';

const IMDS = '169.254.169.254';
const P = 'http://proxy.corp:3128';

describe('NO_PROXY matching for the identity endpoint', () => {
  // [env, az/requests goes via proxy?, azure-core-js goes via proxy?]
  const rows: Array<[string, Record<string, string>, boolean, boolean]> = [
    ['no proxy at all', {}, false, false],
    ['HTTP_PROXY, no NO_PROXY', { HTTP_PROXY: P }, true, true],
    ['HTTPS_PROXY only: requests ignores it for http://, the JS SDK uses it', { HTTPS_PROXY: P }, false, true],
    ['ALL_PROXY only', { ALL_PROXY: P }, true, true],
    ['exact IP', { HTTP_PROXY: P, NO_PROXY: `localhost,${IMDS}` }, false, false],
    ['exact IP with spaces', { HTTP_PROXY: P, NO_PROXY: ` localhost , ${IMDS} ` }, false, false],
    ['CIDR: requests yes, JS no', { HTTP_PROXY: P, NO_PROXY: '169.254.0.0/16' }, false, true],
    ['CIDR not covering', { HTTP_PROXY: P, NO_PROXY: '10.0.0.0/8' }, true, true],
    ['* : urllib yes, JS no', { HTTP_PROXY: P, NO_PROXY: '*' }, false, true],
    ['.254 suffix: both match the dotted suffix', { HTTP_PROXY: P, NO_PROXY: '.254' }, false, false],
    [
      '254.169.254 without dot: urllib suffix yes, JS equality no',
      { HTTP_PROXY: P, NO_PROXY: '254.169.254' },
      false,
      true,
    ],
    ['lower-case no_proxy only', { http_proxy: P, no_proxy: IMDS }, false, false],
    // requests prefers lower case; azure-core-js prefers upper case.
    ['NO_PROXY has it, no_proxy does not', { HTTP_PROXY: P, NO_PROXY: IMDS, no_proxy: 'localhost' }, true, false],
    ['no_proxy has it, NO_PROXY does not', { HTTP_PROXY: P, NO_PROXY: 'localhost', no_proxy: IMDS }, false, true],
  ];
  for (const [name, env, azProxied, jsProxied] of rows) {
    it(name, () => {
      assert.equal(pythonRequestsRoute(env, IMDS).proxy !== undefined, azProxied, 'az / requests');
      assert.equal(azureCoreJsRoute(env, IMDS).proxy !== undefined, jsProxied, 'azure-core-js');
    });
  }

  it('names the variable and shows the proxy without its credentials', () => {
    const route = azureCoreJsRoute({ https_proxy: 'http://bob:hunter2@proxy.corp:3128' }, IMDS);
    assert.deepEqual(route, { proxy: 'http://proxy.corp:3128', variable: 'https_proxy' });
  });
});

describe('proxy.environment check', () => {
  it('warns with the exact line to add, keeping existing entries', () => {
    const check = checkProxyEnvironment({ HTTPS_PROXY: P, NO_PROXY: 'localhost,.corp' });
    assert.equal(check.status, 'warn');
    assert.equal(
      check.fix,
      'Add the identity endpoint to NO_PROXY (e.g. in ~/.bashrc): ' +
        'export NO_PROXY=localhost,.corp,169.254.169.254 no_proxy=localhost,.corp,169.254.169.254',
    );
    assert.match(check.evidence, /JavaScript SDK would use HTTPS_PROXY \(http:\/\/proxy\.corp:3128\)/);
  });

  it('passes when NO_PROXY covers the endpoint for every client', () => {
    assert.equal(checkProxyEnvironment({ HTTP_PROXY: P, NO_PROXY: IMDS }).status, 'pass');
    assert.equal(checkProxyEnvironment({}).status, 'pass');
  });

  it('the fix line, once applied, makes both clients go direct', () => {
    const env: Record<string, string> = { HTTP_PROXY: P, HTTPS_PROXY: P, no_proxy: '*' };
    const line = noProxyFixLine(env);
    for (const assignment of line.replace(/^export /, '').split(' ')) {
      const [k, v] = assignment.split('=');
      env[k] = v;
    }
    assert.equal(checkProxyEnvironment(env).status, 'pass');
  });
});
