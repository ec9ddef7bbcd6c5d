import * as assert from 'node:assert/strict';
import { inspectJwt } from '../../src/core/jwtInspect';
import { contentSecurityPolicy, jsonForScript, newNonce, renderPageHtml } from '../../src/ui/webviews/html';
import { type PageState, parsePageMessage } from '../../src/ui/webviews/protocol';
import { TokenRegistry } from '../emulator/tokens';

const CSP_SOURCE = 'https://file+.vscode-resource.vscode-cdn.net';

function tokenPage(): { html: string; token: string; nonce: string } {
  const nowSec = Math.floor(Date.now() / 1000);
  const { accessToken } = new TokenRegistry().mint({
    subject: {
      principalId: '11111111-2222-3333-4444-555555555555',
      clientId: '66666666-7777-8888-9999-000000000000',
      mirid: '/subscriptions/s/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm',
    },
    resource: 'https://vault.azure.net',
    tenantId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    stsHost: 'https://sts.windows.net',
    lifetimeSec: 3600,
    nowSec,
  });
  const state: PageState = {
    page: 'token',
    token: { kind: 'token', resource: 'https://vault.azure.net', view: inspectJwt(accessToken, Date.now()) },
  };
  const nonce = newNonce();
  const html = renderPageHtml({
    title: 'Token',
    cspSource: CSP_SOURCE,
    nonce,
    scriptUri: `${CSP_SOURCE}/dist/webview/main.js`,
    styleUri: `${CSP_SOURCE}/dist/webview/main.css`,
    state,
  });
  return { html, token: accessToken, nonce };
}

describe('webview HTML', () => {
  it('declares a CSP that allows only nonce scripts and styles from the webview origin', () => {
    const { html, nonce } = tokenPage();
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    assert.ok(meta, 'CSP meta element present');
    const csp = meta[1];
    assert.equal(csp, contentSecurityPolicy(CSP_SOURCE, nonce));
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, new RegExp(`script-src 'nonce-${nonce.replace(/[+/]/g, '\\$&')}';`));
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https:\/\/\*|\*;/);
    assert.match(csp, new RegExp(`style-src ${CSP_SOURCE.replace(/[.+]/g, '\\$&')} 'nonce-`));
  });

  it('puts the nonce on every script element', () => {
    const { html, nonce } = tokenPage();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    assert.equal(scripts.length, 2);
    for (const tag of scripts) assert.ok(tag.includes(`nonce="${nonce}"`), `${tag} has the nonce`);
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  });

  it('carries no token-shaped string when fed a view of a real token', () => {
    const { html, token } = tokenPage();
    const [header, payload, signature] = token.split('.');
    assert.ok(!html.includes(token));
    assert.ok(!html.includes(signature.slice(0, 16)), 'no part of the signature');
    assert.ok(!html.includes(payload.slice(0, 16)) && !html.includes(header), 'no encoded header or payload');
    assert.doesNotMatch(html, /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/, 'nothing JWT-shaped');
    assert.ok(html.includes('https://vault.azure.net'), 'the decoded audience is there');
  });

  it('embeds state so that no value can close the script element', () => {
    const json = jsonForScript({ evidence: '</script><script>alert(1)</script> & <!--' });
    assert.ok(!json.includes('<') && !json.includes('>') && !json.includes('&'));
    assert.deepEqual(JSON.parse(json), { evidence: '</script><script>alert(1)</script> & <!--' });
  });

  it('fresh nonces differ', () => assert.notEqual(newNonce(), newNonce()));
});

describe('parsePageMessage', () => {
  const accepted: unknown[] = [
    { type: 'copyToken' },
    { type: 'copyClaims' },
    { type: 'copyMarkdown' },
    { type: 'runAgain' },
    { type: 'openLink', url: 'https://learn.microsoft.com/x' },
  ];
  for (const m of accepted) it(`accepts ${JSON.stringify(m)}`, () => assert.deepEqual(parsePageMessage(m), m));

  const refused: unknown[] = [
    null,
    'copyToken',
    {},
    { type: 'eval' },
    { type: 'openLink', url: 'command:workbench.action.terminal.new' },
    { type: 'openLink', url: 'http://x' },
    { type: 'openLink', url: 'javascript:alert(1)' },
  ];
  for (const m of refused) it(`refuses ${JSON.stringify(m)}`, () => assert.equal(parsePageMessage(m), undefined));

  it('drops extra fields instead of passing them on', () => {
    assert.deepEqual(parsePageMessage({ type: 'copyToken', token: 'x' }), { type: 'copyToken' });
  });
});
