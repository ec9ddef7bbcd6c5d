/**
 * Azure Arc-enabled servers (azure-docs azure-arc/servers/managed-identity-authentication.md):
 * GET $IDENTITY_ENDPOINT?api-version=2019-11-01&resource=… with `Metadata: true` answers 401 with
 * `WWW-Authenticate: Basic realm=<path>`; the file at that path (in the agent's token folder, `.key`,
 * at most 4096 bytes) is sent back as `Authorization: Basic <contents>`. System identity only.
 */
import * as path from 'node:path';
import type { IdentitySelector } from '../selector';
import { type IdentitySource, type TokenRequest, systemOnly } from './source';

export const ARC_DEFAULT_ENDPOINT = 'http://127.0.0.1:40342/metadata/identity/oauth2/token';
/** Its presence means the Arc agent is installed (MSAL's detection on Linux). */
export const ARC_AGENT_FILE = '/opt/azcmagent/bin/himds';

/** Where the agent writes challenge keys, for the given platform and environment. */
export function arcKeyDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv): string {
  return platform === 'win32'
    ? path.win32.join(env.ProgramData ?? 'C:\\ProgramData', 'AzureConnectedMachineAgent', 'Tokens')
    : '/var/opt/azcmagent/tokens';
}
const MAX_KEY_BYTES = 4096;

export type ReadKeyFile = (file: string) => Promise<Buffer>;

export class ArcChallengeError extends Error {}

export function createArcSource(endpoint: string, readKey: ReadKeyFile, keyDir: string): IdentitySource {
  return {
    kind: 'azureArc',
    endpoint: new URL(endpoint).origin,
    tokenRequest(resource: string, identity: IdentitySelector): TokenRequest {
      systemOnly('azureArc', identity);
      const url = new URL(endpoint);
      url.searchParams.set('api-version', '2019-11-01');
      url.searchParams.set('resource', resource);
      return { url, method: 'GET', headers: { Metadata: 'true' } };
    },
    async answerChallenge(request, headers) {
      if (request.headers.Authorization) return undefined; // answered once already
      const header = headers['www-authenticate'];
      const value = Array.isArray(header) ? header[0] : header;
      const realm = value ? /Basic realm=(.+)$/i.exec(value.trim())?.[1] : undefined;
      if (!realm) throw new ArcChallengeError('Azure Arc answered 401 without a Basic realm');
      const file = path.resolve(realm);
      if (path.dirname(file) !== path.resolve(keyDir) || path.extname(file) !== '.key') {
        throw new ArcChallengeError(`Azure Arc named a key file outside ${keyDir}: refused`);
      }
      const key = await readKey(file);
      if (key.length > MAX_KEY_BYTES) throw new ArcChallengeError('Azure Arc key file is larger than 4096 bytes: refused');
      return { ...request, headers: { ...request.headers, Authorization: `Basic ${key.toString('utf8').trim()}` } };
    },
  };
}
