/**
 * vm-identity: the CLI over the same core as the extension.
 *   vm-identity whoami [--json]            who the VM identity is, and the VM
 *   vm-identity roles  [--json] [--subscription <id|name>]
 *                                          its Azure role assignments (and deny assignments), every subscription
 *   vm-identity token  --resource <uri>    an access token (explicitly asked for, so printed)
 *   vm-identity mcp                        a read-only MCP server on stdio for agents (src/cli/mcp.ts)
 * Exit codes: 0 ok (also a partial role list, with a note on stderr), 2 usage, 3 identity unavailable,
 * 4 permission denied (nothing readable), 1 other.
 */
import { parseArgs } from 'node:util';
import * as fs from 'node:fs';
import { IdentityService, type RolesView, type Snapshot } from '../azure';
import { type VmIdentityError, isVmIdentityError } from '../core/errors';
import { type Logger, redacting } from '../core/log';
import { type IdentitySelector, ManagedIdentityClient, SYSTEM_ASSIGNED, SelectorError, selectorFrom } from '../identity';
import { roleItems, rolesNotes, rolesText, whoamiJson, whoamiText, writeJsonArray } from './format';
import { cacheDirFor, roleNameFile } from './roleNameFile';
import { proxyAgents } from './proxy';

const USAGE = `Usage: vm-identity <command> [options]

Commands:
  whoami                  Show the VM's managed identity and the VM it runs on
  roles                   List the identity's Azure role and deny assignments in every subscription
  token --resource <uri>  Print an access token for <uri> (handle with care)
  mcp                     Serve the read-only identity tools to an agent over MCP (stdio)

Options:
  --client-id <guid>      Use the user-assigned identity with this client ID
  --object-id <guid>      Use the user-assigned identity with this object (principal) ID
  --resource-id <id>      Use the user-assigned identity with this ARM resource ID
  --subscription <s>      roles: only subscription <s> (its id or display name)
  --json                  Machine-readable output
  --timeout <seconds>     Give up after this long (default 100)
  --verbose               Log each request to stderr (tokens are never logged)
  -h, --help              Show this help
`;

export const EXIT = { ok: 0, other: 1, usage: 2, unavailable: 3, denied: 4 } as const;

class UsageError extends Error {}

export interface CliIo {
  /** When it returns a promise, nothing more is written until it settles (a slow reader on a pipe). */
  stdout: (s: string) => void | Promise<void>;
  stderr: (s: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'client-id': { type: 'string' },
        'object-id': { type: 'string' },
        'resource-id': { type: 'string' },
        resource: { type: 'string' },
        subscription: { type: 'string' },
        json: { type: 'boolean', default: false },
        timeout: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    io.stderr(`${(e as Error).message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(USAGE);
    return EXIT.ok;
  }
  const command = positionals[0];
  try {
    if (!command || !['whoami', 'roles', 'token', 'mcp'].includes(command) || positionals.length > 1) throw new UsageError(command ? `Unknown command "${positionals.join(' ')}".` : 'No command given.');
    const selector = selectorOf(values);
    const timeoutSec = values.timeout === undefined ? 100 : Number(values.timeout);
    if (!Number.isFinite(timeoutSec) || timeoutSec <= 0) throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}".`);
    if (command === 'token' && !values.resource) throw new UsageError('token needs --resource <uri>, e.g. --resource https://management.azure.com/');
    if (values.subscription !== undefined && (command !== 'roles' || !values.subscription.trim())) throw new UsageError('--subscription <id|name> goes with roles only.');
    const logger = values.verbose ? redacting(stderrLogger(io)) : undefined;
    const client = new ManagedIdentityClient({ env: io.env, fileExists: fs.existsSync, logger, timeouts: { deadlineMs: timeoutSec * 1000 } });
    const cacheDir = cacheDirFor(io.env);
    const roleNames = cacheDir ? roleNameFile(cacheDir) : undefined;
    const service = new IdentityService({ identityClient: client, env: io.env, logger, agentFor: proxyAgents(), roleNames });

    if (command === 'mcp') {
      // Loaded on demand: the MCP SDK costs the other commands nothing at start-up.
      const { serveMcp } = await import('./mcp');
      await serveMcp({ service, selector, env: io.env });
      return EXIT.ok;
    }
    if (command === 'token') {
      const issued = await client.getToken(values.resource!, { identity: selector });
      const t = issued.accessToken;
      io.stdout(values.json ? `${JSON.stringify({ accessToken: t.token, expiresOn: new Date(t.expiresOn).toISOString(), resource: t.resource, tokenType: t.tokenType })}\n` : `${t.token}\n`);
      return EXIT.ok;
    }
    if (command === 'whoami') {
      const snapshot = await service.snapshot(selector, { displayName: true });
      io.stdout(values.json ? `${JSON.stringify(whoamiJson(snapshot), null, 2)}\n` : `${whoamiText(snapshot)}\n`);
      return EXIT.ok;
    }
    const snapshot = await service.snapshot(selector, { roles: true, subscription: values.subscription?.trim() });
    const view = rolesOf(snapshot);
    for (const note of rolesNotes(view)) io.stderr(note);
    const items = roleItems(view, snapshot.identity.principalId);
    if (values.json) await writeJsonArray(io.stdout, items, (i) => i);
    else await io.stdout(`${rolesText(items, view)}\n`);
    return EXIT.ok;
  } catch (e) {
    return report(e, io);
  }
}

function rolesOf(snapshot: Snapshot): RolesView {
  switch (snapshot.roles.status) {
    case 'ok':
      return snapshot.roles.value;
    case 'failed':
      throw snapshot.roles.error;
    case 'skipped':
      return { subscriptions: [], assignments: [], denyAssignments: [] };
  }
}

function selectorOf(values: { 'client-id'?: string; 'object-id'?: string; 'resource-id'?: string }): IdentitySelector {
  const given = (['client-id', 'object-id', 'resource-id'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1) throw new UsageError(`Use only one of --client-id, --object-id, --resource-id (got ${given.map((g) => `--${g}`).join(', ')}).`);
  if (given.length === 0) return SYSTEM_ASSIGNED;
  const key = given[0];
  try {
    return selectorFrom(key === 'client-id' ? 'clientId' : key === 'object-id' ? 'objectId' : 'resourceId', values[key]);
  } catch (e) {
    if (e instanceof SelectorError) throw new UsageError(`--${key}: ${e.message}`);
    throw e;
  }
}

export function exitCodeFor(e: VmIdentityError): number {
  switch (e.kind) {
    case 'usage':
      return EXIT.usage;
    case 'endpointUnreachable':
    case 'identityNotFound':
    case 'multipleIdentities':
      return EXIT.unavailable;
    case 'authorizationFailed':
      return EXIT.denied;
    default:
      return EXIT.other;
  }
}

function report(e: unknown, io: CliIo): number {
  if (e instanceof UsageError) {
    io.stderr(`vm-identity: ${e.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (isVmIdentityError(e)) {
    io.stderr(`vm-identity: ${e.message}\n  Fix: ${e.fix}\n${e.link ? `  See: ${e.link}\n` : ''}`);
    return exitCodeFor(e);
  }
  io.stderr(`vm-identity: unexpected error: ${e instanceof Error ? e.message : String(e)}\n`);
  return EXIT.other;
}

function stderrLogger(io: CliIo): Logger {
  const line = (level: string) => (m: string) => io.stderr(`[${level}] ${m}\n`);
  return { trace: () => {}, debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** Writes to stdout; when Node buffers the data (stdout is a socket or a full pipe), waits until it drains. */
function writeStdout(s: string): void | Promise<void> {
  if (process.stdout.write(s)) return;
  return new Promise<void>((resolve) => {
    const done = () => {
      process.stdout.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    process.stdout.on('drain', done).on('close', done).on('error', done);
  });
}

if (require.main === module) {
  run(process.argv.slice(2), { stdout: writeStdout, stderr: (s) => process.stderr.write(s), env: process.env }).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`vm-identity: ${(e as Error).message}\n`);
      process.exitCode = EXIT.other;
    },
  );
}
