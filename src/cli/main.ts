/**
 * vm-identity: the CLI over the same core as the extension.
 *   vm-identity whoami [--json]            who the VM identity is, and the VM
 *   vm-identity roles  [--json] [--subscription <id|name>]
 *                                          its Azure role assignments (and deny assignments), every subscription
 *   vm-identity token  --resource <uri>    an access token (explicitly asked for, so printed); --claims: its claims
 *   vm-identity check  <resource-id> <action> [--plane control|data]   may it do this there? (exit 5: not allowed)
 *   vm-identity doctor [--json]            Diagnose: why the identity does or does not work here
 *   vm-identity mcp                        a read-only MCP server on stdio for agents (src/cli/mcp.ts)
 * Exit codes: 0 ok (also a partial role list, with a note on stderr), 2 usage, 3 identity unavailable,
 * 4 permission denied (nothing readable), 5 check: not allowed, 1 other.
 */
import { parseArgs } from 'node:util';
import { type RolesView, type Snapshot, parseCloudSetting } from '../azure';
import { type VmIdentityError, isVmIdentityError } from '../core/errors';
import { redacting } from '../core/log';
import { inspectJwt } from '../core/jwtInspect';
import { UsageError, parseResourceArg, selectorOf } from './args';
import { CheckUsageError, runCheck } from './check';
import { composeCore, stderrLogger } from './compose';
import { doctor } from './doctor';
import { roleItems, rolesNotes, rolesText, whoamiJson, whoamiText, writeJsonArray } from './format';

const USAGE = `Usage: vm-identity <command> [options]

Commands:
  whoami                  Show the VM's managed identity and the VM it runs on
  roles                   List the identity's Azure role and deny assignments in every subscription
  token --resource <uri>  Print an access token for <uri> (handle with care);
                          with --claims, its decoded claims as JSON instead of the token
  check <resource-id> <action>
                          Whether the identity may do <action> at <resource-id>, and the fix
                          (exit 0 allowed, 5 not allowed; --plane control|data)
  doctor                  Diagnose the identity on this machine (exit 0 ok, 3 identity unavailable, 1 other)
  mcp                     Serve the read-only identity tools to an agent over MCP (stdio)

Options:
  --client-id <guid>      Use the user-assigned identity with this client ID
  --object-id <guid>      Use the user-assigned identity with this object (principal) ID
  --resource-id <id>      Use the user-assigned identity with this ARM resource ID
  --subscription <s>      roles: only subscription <s> (its id or display name)
  --json                  Machine-readable output
  --cloud <cloud>         AzureCloud, AzureUSGovernment, AzureChinaCloud, or a custom cloud as JSON
                          {"arm","graph","portal","audience"} (https); also VM_IDENTITY_CLOUD. Used when
                          instance metadata names no cloud VM Identity knows
  --timeout <seconds>     Give up after this long (default 100)
  --verbose               Log each request to stderr (tokens are never logged)
  -h, --help              Show this help
`;

export const EXIT = { ok: 0, other: 1, usage: 2, unavailable: 3, denied: 4 } as const;

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
        plane: { type: 'string' },
        cloud: { type: 'string' },
        json: { type: 'boolean', default: false },
        claims: { type: 'boolean', default: false },
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
    await io.stdout(USAGE);
    return EXIT.ok;
  }
  const command = positionals[0];
  try {
    const arity = command === 'check' ? 3 : 1;
    if (
      !command ||
      !['whoami', 'roles', 'token', 'check', 'doctor', 'mcp'].includes(command) ||
      positionals.length > arity
    )
      throw new UsageError(command ? `Unknown command "${positionals.join(' ')}".` : 'No command given.');
    if (command === 'check' && positionals.length !== 3)
      throw new UsageError(
        'check needs <resource-id> <action>, e.g. check /subscriptions/…/storageAccounts/st1 Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read',
      );
    const selector = selectorOf(values);
    const timeoutSec = values.timeout === undefined ? 100 : Number(values.timeout);
    if (!Number.isFinite(timeoutSec) || timeoutSec <= 0)
      throw new UsageError(`--timeout must be a positive number of seconds, not "${values.timeout}".`);
    if (command === 'token' && !values.resource)
      throw new UsageError('token needs --resource <uri>, e.g. --resource https://management.azure.com/');
    if (values.subscription !== undefined && (command !== 'roles' || !values.subscription.trim()))
      throw new UsageError('--subscription <id|name> goes with roles only.');
    const cloud = parseCloudSetting(
      values.cloud ?? io.env.VM_IDENTITY_CLOUD,
      values.cloud !== undefined ? '--cloud' : 'VM_IDENTITY_CLOUD',
    );
    const logger = values.verbose ? redacting(stderrLogger(io)) : undefined;
    const { client, service, agentFor, diagnoseFor } = composeCore({ env: io.env, logger, cloud, timeoutSec });
    if (command === 'doctor') {
      const d = diagnoseFor();
      return await doctor({
        env: io.env,
        client: d.client,
        service: d.service,
        selector,
        json: values.json,
        logger,
        stdout: io.stdout,
      });
    }
    if (command === 'mcp') {
      // Loaded on demand: the MCP SDK costs the other commands nothing at start-up.
      const { serveMcp } = await import('./mcp');
      await serveMcp({ service, selector, env: io.env, diagnose: diagnoseFor(), agentFor, logger });
      return EXIT.ok;
    }
    if (command === 'token') {
      const resource = parseResourceArg(values.resource!);
      const issued = await client.getToken(resource, { identity: selector });
      const t = issued.accessToken;
      if (values.claims) {
        await io.stdout(`${JSON.stringify(inspectJwt(t.token, Date.now()).claims, null, 2)}\n`);
        return EXIT.ok;
      }
      await io.stdout(
        values.json
          ? `${JSON.stringify({ accessToken: t.token, expiresOn: new Date(t.expiresOn).toISOString(), resource: t.resource, tokenType: t.tokenType })}\n`
          : `${t.token}\n`,
      );
      return EXIT.ok;
    }
    if (command === 'check') {
      return await runCheck(
        service,
        selector,
        { resourceId: positionals[1], action: positionals[2], plane: values.plane, json: values.json },
        io.stdout,
      );
    }
    if (command === 'whoami') {
      const snapshot = await service.snapshot(selector, { displayName: true });
      await io.stdout(values.json ? `${JSON.stringify(whoamiJson(snapshot), null, 2)}\n` : `${whoamiText(snapshot)}\n`);
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

export function exitCodeFor(e: VmIdentityError): number {
  switch (e.kind) {
    case 'usage':
      return EXIT.usage;
    case 'endpointUnreachable':
    case 'notAzure':
    case 'notSupported':
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
  if (e instanceof UsageError || e instanceof CheckUsageError) {
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
