/**
 * Clock skew, ARM reachability (DNS, TLS, proxy), role-assignment read scope, Graph, and VS Code's http settings.
 */
import type { ArmProbe, GraphRead, ScopeRead, TokenOutcome, VsCodeHttpSettings } from './inputs';
import type { Check } from './model';
import { describeUrl } from './scrub';

const MAX_SKEW_MS = 5 * 60 * 1000;

function minutes(ms: number): string {
  return `${(Math.abs(ms) / 60000).toFixed(1)} min`;
}

/**
 * Skew = local clock − server clock. IMDS hands out a cached token for up to ~24 h (managed identities FAQ), so a
 * past `iat` proves nothing; the server's clock comes from the response's Date header, else from
 * `expires_on − expires_in` (both stamped by the server for the same response), else only an `iat` in the future
 * is conclusive.
 */
export function checkClockSkew(token: TokenOutcome | undefined): Check {
  const id = 'clock.skew';
  const title = 'Clock skew against the identity endpoint';
  if (!token || !token.ok) return { id, title, status: 'skip', evidence: 'No token to compare with.' };
  let serverNow: number | undefined;
  let source = '';
  if (token.serverDate !== undefined) {
    serverNow = token.serverDate;
    source = 'the response Date header';
  } else if (token.expiresOn !== undefined && token.expiresIn !== undefined) {
    serverNow = (token.expiresOn - token.expiresIn) * 1000;
    source = 'expires_on − expires_in';
  } else if (token.claims.iat !== undefined && token.claims.iat * 1000 > token.receivedAt) {
    serverNow = token.claims.iat * 1000;
    source = "the token's iat";
  }
  if (serverNow === undefined) {
    return { id, title, status: 'skip', evidence: 'The response carried no server time to compare with.' };
  }
  const skew = token.receivedAt - serverNow;
  // Date has 1 s resolution; expires_* are whole seconds.
  const within = Math.abs(skew) <= MAX_SKEW_MS;
  return {
    id,
    title,
    status: within ? 'pass' : 'warn',
    evidence: `This machine's clock is ${minutes(skew)} ${skew >= 0 ? 'ahead of' : 'behind'} the server (${source}).`,
    ...(within
      ? {}
      : {
          fix:
            'Sync the clock (Linux: `timedatectl set-ntp true`; Azure VMs can use the host time via chrony ' +
            'and /dev/ptp_hyperv). Tokens look expired or not yet valid to this machine otherwise.',
          link: 'https://learn.microsoft.com/azure/virtual-machines/linux/time-sync',
        }),
  };
}

/** Node TLS and socket error codes (node:tls, OpenSSL verify codes) → what is wrong, in words. */
const TLS_ERRORS: Record<string, string> = {
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "the server's certificate was issued by a CA this machine does not trust — usually a TLS-inspecting proxy",
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer of a certificate in the chain could not be found',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate could not be verified (incomplete chain)",
  SELF_SIGNED_CERT_IN_CHAIN:
    'the chain ends in a self-signed root this machine does not trust — a TLS-inspecting proxy',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server sent a self-signed certificate',
  CERT_HAS_EXPIRED: "a certificate in the chain has expired (or this machine's clock is wrong)",
  CERT_NOT_YET_VALID: "a certificate is not valid yet (check this machine's clock)",
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is for another host name — something intercepts the connection',
  CERT_REVOKED: 'a certificate in the chain was revoked',
  ERR_SSL_WRONG_VERSION_NUMBER: 'the other side does not speak TLS (a plain-HTTP proxy port used as https?)',
  EPROTO: 'the TLS handshake failed (protocol error)',
};

const SOCKET_ERRORS: Record<string, string> = {
  ENOTFOUND: 'the host name does not resolve (DNS)',
  EAI_AGAIN: 'DNS did not answer in time',
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset (a firewall or proxy closed it)',
  ETIMEDOUT: 'the connection timed out',
  ENETUNREACH: 'the network is unreachable (no route)',
  EHOSTUNREACH: 'the host is unreachable',
};

const CERT_FIX =
  "Trust the proxy's CA: for the CLI `export NODE_EXTRA_CA_CERTS=/path/to/corp-root.pem`; in VS Code " +
  'keep `http.systemCertificates` on and install the CA in the OS store.';

function explainNetworkError(code: string | undefined): string {
  if (!code) return 'no response';
  return TLS_ERRORS[code] ?? SOCKET_ERRORS[code] ?? code;
}

export function checkArm(arm: ArmProbe | undefined): Check {
  const id = 'arm.reachable';
  const title = 'Azure Resource Manager reachable';
  if (!arm) return { id, title, status: 'skip', evidence: 'Not probed.' };
  const via = arm.probe.viaProxy ? ` via proxy ${arm.probe.viaProxy}` : ' directly';
  const code = arm.probe.errorCode;
  if (arm.dns === 'failed') {
    return {
      id,
      title,
      status: 'fail',
      evidence: `${arm.host}: ${explainNetworkError(code ?? 'ENOTFOUND')}.`,
      fix:
        'Check DNS on this machine (`getent hosts ' + arm.host + '`) or set HTTPS_PROXY if the network requires one.',
    };
  }
  if (arm.tls === 'failed' || (code && code in TLS_ERRORS)) {
    return {
      id,
      title,
      status: 'fail',
      evidence: `${arm.host}${via}: TLS failed — ${explainNetworkError(code)} (${code ?? 'unknown'}).`,
      fix: CERT_FIX,
    };
  }
  if (arm.probe.status === 407) {
    return {
      id,
      title,
      status: 'fail',
      evidence: `${arm.host}${via}: the proxy wants credentials (HTTP 407).`,
      fix: 'Put the proxy credentials in the proxy URL (HTTPS_PROXY / http.proxy) or ask for an exemption.',
    };
  }
  if (!arm.probe.reachable) {
    return {
      id,
      title,
      status: 'fail',
      evidence: `${arm.host}${via}: ${explainNetworkError(code)}.`,
      fix: 'Allow outbound HTTPS to ' + arm.host + ' (NSG, firewall) or set HTTPS_PROXY.',
    };
  }
  const time = arm.probe.elapsedMs !== undefined ? ` in ${Math.round(arm.probe.elapsedMs)} ms` : '';
  return { id, title, status: 'pass', evidence: `${arm.host}${via}: TLS ok, HTTP ${arm.probe.status ?? '?'}${time}.` };
}

export function checkRoleScopes(reads: ScopeRead[] | undefined): Check {
  const id = 'arm.roleAssignments';
  const title = 'Role assignments readable';
  if (!reads) return { id, title, status: 'skip', evidence: 'Not probed (no ARM token).' };
  if (reads.length === 0) {
    return {
      id,
      title,
      status: 'warn',
      evidence: 'The identity sees no subscription, so there is no scope to list role assignments at.',
      fix: 'Give the identity Reader on the subscription or resource group it works in.',
      link: 'https://learn.microsoft.com/azure/role-based-access-control/role-assignments-portal-managed-identity',
    };
  }
  const readable = reads.filter((r) => r.readable);
  const denied = reads.filter((r) => !r.readable).map((r) => `${r.scope} (${r.code ?? `HTTP ${r.status ?? '?'}`})`);
  if (readable.length > 0) {
    return {
      id,
      title,
      status: 'pass',
      evidence:
        `Readable at ${readable.map((r) => r.scope).join(', ')}` +
        (denied.length ? `; not at ${denied.join(', ')}` : '') +
        '.',
    };
  }
  return {
    id,
    title,
    status: 'warn',
    evidence: `Not readable at ${denied.join(', ')}.`,
    fix:
      'Listing role assignments needs Microsoft.Authorization/roleAssignments/read at or above the scope: give ' +
      'the identity Reader there.',
    link: 'https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest',
  };
}

export function checkGraph(graph: GraphRead | undefined): Check {
  const id = 'graph.displayName';
  const title = 'Display name readable in Microsoft Graph';
  if (!graph || graph.outcome === 'disabled') {
    return { id, title, status: 'skip', evidence: graph ? 'Turned off (vmIdentity.showDisplayName).' : 'Not probed.' };
  }
  if (graph.outcome === 'ok') {
    return { id, title, status: 'pass', evidence: `Display name: ${graph.displayName ?? '(empty)'}.` };
  }
  return {
    id,
    title,
    status: 'warn',
    evidence:
      graph.outcome === 'forbidden'
        ? `Graph refused to show the service principal (HTTP ${graph.status ?? 403}); only the name is missing.`
        : `Graph did not answer (HTTP ${graph.status ?? '?'}); only the name is missing.`,
    fix: 'Optional: grant the identity Application.Read.All in Graph, or turn off vmIdentity.showDisplayName.',
  };
}

/** VS Code patches http/https in the extension host (@vscode/proxy-agent; docs/AZURE-FACTS.md "VS Code extension host and proxies"). */
export function checkVsCodeHttp(settings: VsCodeHttpSettings | undefined, arm: ArmProbe | undefined): Check {
  const id = 'vscode.http';
  const title = "VS Code's proxy settings and ARM";
  if (!settings) return { id, title, status: 'skip', evidence: 'Not running in VS Code.' };
  const parts = [
    `http.proxy ${settings.proxy ? `set (${describeUrl(settings.proxy)})` : 'empty'}`,
    `http.proxySupport ${settings.proxySupport}`,
    `http.systemCertificates ${settings.systemCertificates ? 'on' : 'off'}`,
  ];
  const evidence = parts.join(', ') + '.';
  const certProblem = arm?.probe.errorCode !== undefined && arm.probe.errorCode in TLS_ERRORS;
  if (certProblem && !settings.systemCertificates) {
    return {
      id,
      title,
      status: 'warn',
      evidence: `${evidence} ARM's certificate is not trusted.`,
      fix:
        'Turn on http.systemCertificates so the extension host trusts the OS certificate store (where a ' +
        "corporate proxy's CA usually is).",
    };
  }
  if (settings.proxySupport === 'off' && arm && !arm.probe.reachable) {
    return {
      id,
      title,
      status: 'warn',
      evidence: `${evidence} ARM is unreachable and VS Code's proxy support is off.`,
      fix: 'Set http.proxySupport to "override" (the default) and http.proxy to your proxy.',
    };
  }
  return { id, title, status: 'pass', evidence };
}
