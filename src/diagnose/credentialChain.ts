/**
 * Which identity each tool will use in a terminal here — the silent failure of azure-sdk-for-js#31094 and
 * azure-sdk-for-net#55109: on a VM with a managed identity, `DefaultAzureCredential` takes the VM identity before
 * the developer's own `az login`, and the reverse when the identity endpoint is slow or proxied.
 *
 * Modelled on @azure/identity 4.14 (azure-sdk-for-js sdk/identity/identity/src/credentials/defaultAzureCredential.ts
 * and defaultAzureCredentialFunctions.ts): order Environment → WorkloadIdentity → ManagedIdentity →
 * VisualStudioCode → AzureCli → AzurePowerShell → AzureDeveloperCli (→ Broker). `AZURE_TOKEN_CREDENTIALS`
 * (trimmed, case-insensitive): `dev` = the developer tools only, `prod` = Environment, WorkloadIdentity,
 * ManagedIdentity only, or one credential name (EnvironmentCredential, WorkloadIdentityCredential,
 * ManagedIdentityCredential, VisualStudioCodeCredential, AzureCliCredential, AzurePowerShellCredential,
 * AzureDeveloperCliCredential); anything else makes the constructor throw. Other languages' SDKs follow the same
 * documented order (learn.microsoft.com/azure/developer/javascript/sdk/authentication/credential-chains).
 */
import type { Env } from './inputs';
import type { Check } from './model';
import { describeLogin, type ToolLogin } from './toolLogins';

export type CredentialName =
  | 'EnvironmentCredential'
  | 'WorkloadIdentityCredential'
  | 'ManagedIdentityCredential'
  | 'VisualStudioCodeCredential'
  | 'AzureCliCredential'
  | 'AzurePowerShellCredential'
  | 'AzureDeveloperCliCredential';

const PROD: CredentialName[] = ['EnvironmentCredential', 'WorkloadIdentityCredential', 'ManagedIdentityCredential'];
const DEV: CredentialName[] = [
  'VisualStudioCodeCredential',
  'AzureCliCredential',
  'AzurePowerShellCredential',
  'AzureDeveloperCliCredential',
];

export type ChainSelection = { ok: true; chain: CredentialName[] } | { ok: false; invalidValue: string };

function credentialChain(env: Env): ChainSelection {
  const raw = env.AZURE_TOKEN_CREDENTIALS;
  const value = raw?.trim().toLowerCase();
  if (!value) return { ok: true, chain: [...PROD, ...DEV] };
  if (value === 'dev') return { ok: true, chain: DEV };
  if (value === 'prod') return { ok: true, chain: PROD };
  const single = [...PROD, ...DEV].find((n) => n.toLowerCase() === value);
  return single ? { ok: true, chain: [single] } : { ok: false, invalidValue: raw!.trim() };
}

export interface ChainFacts {
  env: Env;
  /** The identity endpoint answers and has an identity for the client ID DAC would send (AZURE_CLIENT_ID or none). */
  managedIdentityAvailable: boolean;
  /** True when the SDK's metadata request would go through a proxy (see proxy.ts): DAC's 1 s probe then fails. */
  sdkImdsProxied: boolean;
  az: ToolLogin;
  azd: ToolLogin;
  pwsh: ToolLogin;
}

export interface Prediction {
  credential?: CredentialName;
  who: string;
}

function environmentCredential(env: Env): string | undefined {
  if (!env.AZURE_TENANT_ID || !env.AZURE_CLIENT_ID) return undefined;
  if (env.AZURE_CLIENT_SECRET)
    return `service principal ${env.AZURE_CLIENT_ID} (client secret from AZURE_CLIENT_SECRET)`;
  if (env.AZURE_CLIENT_CERTIFICATE_PATH) return `service principal ${env.AZURE_CLIENT_ID} (certificate)`;
  if (env.AZURE_USERNAME && env.AZURE_PASSWORD) return `user ${env.AZURE_USERNAME} (password from the environment)`;
  return undefined;
}

function loginWho(login: ToolLogin): string | undefined {
  return login.state === 'signedIn' ? describeLogin(login) : undefined;
}

/** The first credential in the chain that can produce a token here, and whom it signs in as. */
export function predictDefaultAzureCredential(facts: ChainFacts): Prediction {
  const selection = credentialChain(facts.env);
  if (!selection.ok)
    return { who: `nobody: DefaultAzureCredential throws on AZURE_TOKEN_CREDENTIALS=${selection.invalidValue}` };
  const { env } = facts;
  for (const name of selection.chain) {
    let who: string | undefined;
    switch (name) {
      case 'EnvironmentCredential':
        who = environmentCredential(env);
        break;
      case 'WorkloadIdentityCredential':
        who =
          env.AZURE_FEDERATED_TOKEN_FILE && env.AZURE_CLIENT_ID && env.AZURE_TENANT_ID
            ? `workload identity ${env.AZURE_CLIENT_ID}`
            : undefined;
        break;
      case 'ManagedIdentityCredential':
        // In the full chain DAC probes IMDS with a 1 s timeout (imdsMsi.ts); a proxied request fails it.
        if (facts.managedIdentityAvailable && !(facts.sdkImdsProxied && selection.chain.length > 1)) {
          who = env.AZURE_CLIENT_ID
            ? `the VM's user-assigned identity ${env.AZURE_CLIENT_ID}`
            : "the VM's system-assigned identity";
        }
        break;
      case 'VisualStudioCodeCredential':
        who = undefined; // Needs the @azure/identity-vscode plugin and a broker sign-in: not predictable from files.
        break;
      case 'AzureCliCredential':
        who = loginWho(facts.az);
        break;
      case 'AzurePowerShellCredential':
        who = loginWho(facts.pwsh);
        break;
      case 'AzureDeveloperCliCredential':
        who = loginWho(facts.azd) ?? (facts.azd.state === 'delegatesToAz' ? loginWho(facts.az) : undefined);
        break;
    }
    if (who) return { credential: name, who };
  }
  return { who: 'nobody: no credential in the chain can sign in here' };
}

const LINK = 'https://learn.microsoft.com/azure/developer/javascript/sdk/authentication/credential-chains';

export function checkToolIdentities(facts: ChainFacts): Check {
  const id = 'tools.identity';
  const title = 'Which identity each tool uses here';
  const prediction = predictDefaultAzureCredential(facts);
  const logins = [facts.az, facts.azd, facts.pwsh].map(describeLogin);
  const evidence = `DefaultAzureCredential → ${prediction.credential ?? 'none'}: ${prediction.who}. ${logins.join('; ')}.`;
  const selection = credentialChain(facts.env);
  if (!selection.ok) {
    return {
      id,
      title,
      status: 'fail',
      evidence,
      fix: "Set AZURE_TOKEN_CREDENTIALS to 'dev', 'prod' or one credential name, e.g. ManagedIdentityCredential.",
      link: LINK,
    };
  }
  const developer = [facts.az, facts.azd, facts.pwsh].find((l) => l.state === 'signedIn' && l.kind === 'user');
  const explicit = facts.env.AZURE_TOKEN_CREDENTIALS !== undefined && facts.env.AZURE_TOKEN_CREDENTIALS.trim() !== '';
  if (prediction.credential === 'ManagedIdentityCredential' && developer && !explicit) {
    return {
      id,
      title,
      status: 'warn',
      evidence: `${evidence} SDK code will silently act as the VM identity, not as ${describeLogin(developer)}.`,
      fix:
        'To use your own login: `export AZURE_TOKEN_CREDENTIALS=dev`. To make the VM identity explicit: ' +
        '`export AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`.',
      link: LINK,
    };
  }
  const devWon = prediction.credential !== undefined && DEV.includes(prediction.credential);
  if (devWon && facts.managedIdentityAvailable && !explicit) {
    return {
      id,
      title,
      status: 'warn',
      evidence:
        `${evidence} The VM has an identity, but SDK code will use this login instead` +
        (facts.sdkImdsProxied ? ' (the metadata request goes through a proxy, so the 1 s probe fails).' : '.'),
      fix: facts.sdkImdsProxied
        ? 'Add 169.254.169.254 to NO_PROXY, or `export AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`.'
        : 'If the code should run as the VM identity: `export AZURE_TOKEN_CREDENTIALS=ManagedIdentityCredential`.',
      link: LINK,
    };
  }
  return { id, title, status: prediction.credential ? 'pass' : 'warn', evidence, link: LINK };
}
