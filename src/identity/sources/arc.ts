/**
 * Azure Arc-enabled servers (azure-docs azure-arc/servers/managed-identity-authentication.md; MSAL Node
 * ManagedIdentitySources/AzureArc.ts): GET $IDENTITY_ENDPOINT?api-version=2019-11-01&resource=… with
 * `Metadata: true` answers 401 with `WWW-Authenticate: Basic realm=<path>`; the file at that path is sent back
 * as `Authorization: Basic <contents>`. MSAL's rules before reading it, each its own failure here: Linux or
 * Windows only, a `.key` file, in the agent's token directory, at most 4096 bytes. The directory is readable
 * only by root and the `himds` group (Linux) or Administrators and "Hybrid agent extension applications"
 * (Windows), so a Remote-SSH user usually gets EACCES. System identity only. Keys are one-time (Arc Jumpstart),
 * so every token request runs the challenge again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IdentitySelector } from '../selector';
import { type IdentitySource, type TokenRequest, systemOnly } from './source';

export const ARC_DEFAULT_ENDPOINT = 'http://127.0.0.1:40342/metadata/identity/oauth2/token';
/** himds serves instance metadata at this api-version (scripts in the Arc docs and Jumpstart use it). */
const ARC_METADATA_API_VERSION = '2020-06-01';
const ARC_TOKEN_API_VERSION = '2019-11-01';
const MAX_ARC_KEY_BYTES = 4096;

/** The agent's binary: its presence means the Arc agent is installed (MSAL's AZURE_ARC_FILE_DETECTION). */
export function arcAgentFile(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | undefined {
  if (platform === 'linux') return '/opt/azcmagent/bin/himds';
  if (platform === 'win32') {
    return path.win32.join(env.ProgramFiles ?? 'C:\\Program Files', 'AzureConnectedMachineAgent', 'himds.exe');
  }
  return undefined;
}

/** Where the agent writes challenge keys (MSAL's expected directory), or undefined on other platforms. */
export function arcKeyDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string | undefined {
  if (platform === 'linux') return '/var/opt/azcmagent/tokens';
  if (platform === 'win32') {
    return path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'AzureConnectedMachineAgent', 'Tokens');
  }
  return undefined;
}

/** Why the challenge could not be answered; each is a row of the error table. */
export type ArcChallengeReason =
  'noChallenge' | 'platform' | 'extension' | 'directory' | 'tooLarge' | 'accessDenied' | 'unreadable';

export class ArcChallengeError extends Error {
  constructor(
    readonly reason: ArcChallengeReason,
    readonly platform: NodeJS.Platform,
    message: string,
    readonly file?: string,
  ) {
    super(message);
  }
}

export interface ArcOptions {
  endpoint: string;
  /** The himds instance metadata base (IMDS_ENDPOINT), default the token endpoint's origin. */
  metadataHost?: string;
  platform: NodeJS.Platform;
  /** The directory keys must be in: the agent's own, unless a test constructs the client with another. */
  keyDir: string | undefined;
}

export function createArcSource(o: ArcOptions): IdentitySource {
  const fail = (reason: ArcChallengeReason, message: string, file?: string) =>
    new ArcChallengeError(reason, o.platform, message, file);
  return {
    kind: 'azureArc',
    endpoint: new URL(o.endpoint).origin,
    metadata: {
      host: (o.metadataHost ?? new URL(o.endpoint).origin).replace(/\/+$/, ''),
      apiVersion: ARC_METADATA_API_VERSION,
    },
    tokenRequest(resource: string, identity: IdentitySelector): TokenRequest {
      systemOnly('Azure Arc', 'Arc-enabled servers have only the system-assigned identity', identity);
      const url = new URL(o.endpoint);
      url.searchParams.set('api-version', ARC_TOKEN_API_VERSION);
      url.searchParams.set('resource', resource);
      return { url, method: 'GET', headers: { Metadata: 'true' } };
    },
    async answerChallenge(request, headers) {
      if (request.headers.Authorization) return undefined; // answered once already: report the second 401
      const header = headers['www-authenticate'];
      const value = Array.isArray(header) ? header[0] : header;
      const realm = value ? /^Basic realm=(.+)$/i.exec(value.trim())?.[1] : undefined;
      if (!realm) throw fail('noChallenge', 'the agent answered 401 without WWW-Authenticate: Basic realm=<key file>');
      if (!o.keyDir) throw fail('platform', `Azure Arc keys are only read on Linux and Windows, not ${o.platform}`);
      const file = realm.trim();
      const p = o.platform === 'win32' ? path.win32 : path.posix;
      if (p.extname(file) !== '.key') throw fail('extension', `the key file ${file} does not end in .key`, file);
      const expected = p.join(o.keyDir, p.basename(file));
      const sameCase = (a: string) => (o.platform === 'win32' ? a.toLowerCase() : a); // NTFS ignores case
      if (sameCase(expected) !== sameCase(p.normalize(file))) {
        throw fail('directory', `the key file ${file} is not in the agent's directory ${o.keyDir}`, file);
      }
      const key = await readKey(file, fail);
      return { ...request, headers: { ...request.headers, Authorization: `Basic ${key}` } };
    },
  };
}

async function readKey(
  file: string,
  fail: (reason: ArcChallengeReason, message: string, file?: string) => ArcChallengeError,
): Promise<string> {
  const denied = (e: unknown) => {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') return fail('accessDenied', `permission denied reading ${file}`, file);
    return fail('unreadable', `the key file ${file} cannot be read (${code ?? String(e)})`, file);
  };
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(file, 'r');
  } catch (e) {
    throw denied(e);
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_ARC_KEY_BYTES) throw fail('tooLarge', `the key file ${file} is ${size} bytes, over 4096`, file);
    const buffer = Buffer.alloc(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').trim();
  } catch (e) {
    throw e instanceof ArcChallengeError ? e : denied(e);
  } finally {
    await handle.close();
  }
}
