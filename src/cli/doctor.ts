/**
 * `vm-identity doctor [--json]`: the Diagnose checks against this machine. `--json` prints
 * `{ok, host, checks: [{id, title, status, evidence, fix, link?}]}`; exit 0 when nothing fails, 3 when the
 * identity is unavailable, 1 otherwise (issue 11). No token, secret or header value is printed.
 */
import { getProxyForUrl } from 'proxy-from-env';
import type { IdentityService } from '../azure';
import type { Logger } from '../core/log';
import { doctorExitCode, renderText } from '../diagnose';
import { runDoctor } from '../doctor/run';
import type { IdentitySelector, ManagedIdentityClient } from '../identity';
import { proxyAgents } from './proxy';

export interface DoctorArgs {
  env: NodeJS.ProcessEnv;
  client: ManagedIdentityClient;
  service: IdentityService;
  selector: IdentitySelector;
  json: boolean;
  logger?: Logger;
  stdout: (s: string) => void | Promise<void>;
}

export async function doctor(args: DoctorArgs): Promise<number> {
  const report = await runDoctor({
    env: args.env,
    client: args.client,
    selector: args.selector,
    instanceMetadata: () => args.service.instanceMetadata(),
    agentFor: proxyAgents(),
    proxyFor: (url) => getProxyForUrl(url.href) || undefined,
    graph: true,
    logger: args.logger,
  });
  const { ok, host, checks } = report;
  await args.stdout(args.json ? `${JSON.stringify({ ok, host, checks }, null, 2)}\n` : renderText(report));
  return doctorExitCode(report);
}
