/** The token inspector page: claims that say who and what for, never the token or its signature. */
import type { TimeClaim } from '../../src/core/jwtInspect';
import type { PageMessage, TokenInspectorState } from '../../src/ui/webviews/protocol';
import { button, externalLink, h, keyValueTable } from './dom';

function when(t: TimeClaim | undefined): string | undefined {
  return t ? `${new Date(t.iso).toLocaleString()} (${t.relative})` : undefined;
}

export function renderToken(state: TokenInspectorState, send: (m: PageMessage) => void): HTMLElement {
  if (state.kind === 'error') {
    return h(
      'section',
      { 'aria-labelledby': 'title' },
      h('h1', { id: 'title' }, `No token for ${state.resource}`),
      h('p', { class: 'status-fail', role: 'alert' }, state.code ? `${state.code}: ${state.message}` : state.message),
      state.fix ? h('p', {}, h('strong', {}, 'Fix: '), state.fix) : undefined,
      state.link ? h('p', {}, externalLink('learn-more', state.link, 'Learn more', send)) : undefined,
    );
  }
  const v = state.view;
  const expiry = v.expired ? 'expired' : v.expiresAt ? `expires ${v.expiresAt.relative}` : 'no expiry claim';
  const roles = [...v.roles, ...v.scopes];
  const claimRows = Object.entries(v.claims).map(([k, value]): [string, string] => [
    k,
    typeof value === 'string' ? value : JSON.stringify(value),
  ]);
  return h(
    'section',
    { 'aria-labelledby': 'title' },
    h(
      'h1',
      { id: 'title' },
      'Access token for ',
      h('code', {}, state.resource),
      ' ',
      h('vscode-badge', { class: v.expired ? 'badge-fail' : 'badge-pass' }, expiry),
    ),
    h(
      'div',
      { class: 'actions', role: 'toolbar', 'aria-label': 'Token actions' },
      button('btn-copy-token', 'Copy token…', () => send({ type: 'copyToken' }), {
        title: 'Asks for confirmation first: anyone holding the token can act as this identity',
      }),
      button('btn-copy-claims', 'Copy claims as JSON', () => send({ type: 'copyClaims' }), { secondary: true }),
    ),
    h('p', { id: 'notice', role: 'status', class: 'notice' }),
    keyValueTable('Token summary', [
      ['Audience (aud)', v.audience],
      ['Issuer (iss)', v.issuer],
      ['Tenant (tid)', v.tenantId],
      ['Object ID (oid)', v.objectId],
      ['App ID (appid/azp)', v.appId],
      ['Identity resource (xms_mirid)', v.identityResourceId],
      [
        'Identity type',
        v.identityType === 'UserAssigned'
          ? 'User-assigned'
          : v.identityType === 'SystemAssigned'
            ? 'System-assigned'
            : undefined,
      ],
      ['Issued (iat)', when(v.issuedAt)],
      ['Not before (nbf)', when(v.notBefore)],
      ['Expires (exp)', when(v.expiresAt)],
      [v.roles.length ? 'Roles' : 'Scopes (scp)', roles.length ? roles.join(', ') : 'none'],
      ['Token size', `${v.tokenBytes.toLocaleString()} bytes`],
      [
        'Header',
        [
          v.header.alg && `alg ${v.header.alg}`,
          v.header.kid && `kid ${v.header.kid}`,
          v.tokenVersion && `token v${v.tokenVersion}`,
        ]
          .filter(Boolean)
          .join(' · ') || undefined,
      ],
    ]),
    h(
      'vscode-collapsible',
      { heading: `All claims (${claimRows.length})`, id: 'all-claims' },
      keyValueTable('All claims', claimRows),
    ),
    h(
      'p',
      { class: 'hint' },
      'The signature and the token itself are not shown. Decoded without verification: for reading, not for trust decisions.',
    ),
  );
}
