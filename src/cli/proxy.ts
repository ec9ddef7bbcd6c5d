/**
 * Proxy agents for ARM/Graph in the CLI, from HTTPS_PROXY / HTTP_PROXY / NO_PROXY (proxy-from-env reads
 * them from process.env the way curl does). Link-local/loopback identity endpoints never get here (direct
 * transport); Entra, for workload identity, does.
 */
import type * as http from 'node:http';
import { getProxyForUrl } from 'proxy-from-env';

export function proxyAgents(): (url: URL) => http.Agent | undefined {
  const agents = new Map<string, http.Agent>();
  return (url) => {
    if (url.protocol !== 'https:') return undefined; // plain http is only ever a loopback override
    const proxy = getProxyForUrl(url.href);
    if (!proxy) return undefined;
    let agent = agents.get(proxy);
    if (!agent) {
      // Loaded only when a proxy is in use: with its dependencies it costs milliseconds at every start.
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
      const { HttpsProxyAgent } = require('https-proxy-agent') as typeof import('https-proxy-agent');
      agents.set(proxy, (agent = new HttpsProxyAgent(proxy)));
    }
    return agent;
  };
}
