/**
 * The CLI's composition root: the identity client and the service over it, wired as the CLI needs them (proxy
 * agents from HTTPS_PROXY/NO_PROXY, role names remembered under $XDG_CACHE_HOME), and Diagnose's own pair with
 * a shorter deadline.
 */
import * as fs from 'node:fs';
import { type Cloud, IdentityService } from '../azure';
import type { Logger } from '../core/log';
import { ManagedIdentityClient } from '../identity';
import { proxyAgents } from './proxy';
import { cacheDirFor, roleNameFile } from './roleNameFile';

/** Diagnose waits at most this long for the identity endpoint (a sign-in may wait longer). */
const DOCTOR_TIMEOUT_SEC = 20;

export interface CoreOptions {
  env: NodeJS.ProcessEnv;
  logger?: Logger;
  cloud?: Cloud;
  timeoutSec: number;
}

export function composeCore(o: CoreOptions) {
  const agentFor = proxyAgents();
  const env = o.env;
  const proxyConfigured = !!(env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy);
  const cacheDir = cacheDirFor(env);
  const roleNames = cacheDir ? roleNameFile(cacheDir) : undefined;
  const pair = (deadlineMs: number) => {
    const client = new ManagedIdentityClient({
      env,
      fileExists: fs.existsSync,
      logger: o.logger,
      agentFor,
      timeouts: { deadlineMs },
    });
    const service = new IdentityService({
      identityClient: client,
      env,
      logger: o.logger,
      agentFor,
      cloud: o.cloud,
      proxyConfigured,
      roleNames,
    });
    return { client, service };
  };
  const { client, service } = pair(o.timeoutSec * 1000);
  // Diagnose (doctor, and the MCP diagnose tool) uses a client of its own with a shorter deadline.
  const diagnoseFor = () => pair(Math.min(o.timeoutSec, DOCTOR_TIMEOUT_SEC) * 1000);
  return { client, service, agentFor, diagnoseFor };
}

/** `--verbose`: one line per log call on stderr (the caller wraps it in the redactor). */
export function stderrLogger(io: { stderr: (s: string) => void }): Logger {
  const line = (level: string) => (m: string) => io.stderr(`[${level}] ${m}\n`);
  return { trace: () => {}, debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
