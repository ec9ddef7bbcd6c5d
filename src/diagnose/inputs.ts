/**
 * What the checks need from the core, as small interfaces so the wiring can come later. Checks are pure functions
 * of these values; `runDiagnosis` (./run.ts) gathers the network facts through `DiagnoseProbe`.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export interface FileReader {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readText(path: string): Promise<string | undefined>;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** The outcome of one HTTP(S) probe. `errorCode` is a Node error code (ECONNREFUSED, CERT_HAS_EXPIRED…). */
export interface EndpointProbe {
  reachable: boolean;
  status?: number;
  /** The `Server` response header (IMDS answers `IMDS/<version>`); a product name, not a secret. */
  server?: string;
  elapsedMs?: number;
  errorCode?: string;
  /** Proxy the request went through, if any (scheme://host:port only). */
  viaProxy?: string;
}

export type IdentitySelection = { kind: 'system' } | { kind: 'clientId' | 'objectId' | 'resourceId'; value: string };

/** A user-assigned identity attached to the VM (ARM `identity.userAssignedIdentities`). */
export interface AttachedIdentity {
  resourceId: string;
  clientId: string;
  principalId: string;
}

/** Result of asking the identity endpoint for a token with the selected identity. Claims only, never the token. */
export type TokenOutcome =
  | {
      ok: true;
      claims: { iat?: number; oid?: string; appid?: string; xms_mirid?: string };
      /** Server clock evidence, seconds: `expires_on` and `expires_in` from the same response. */
      expiresOn?: number;
      expiresIn?: number;
      /** The response's Date header, ms since epoch. */
      serverDate?: number;
      /** Local clock when the response arrived, ms since epoch. */
      receivedAt: number;
    }
  | {
      ok: false;
      reason: 'identityNotFound' | 'multipleUserAssigned' | 'unreachable' | 'proxyInPath' | 'other';
      status?: number;
      /** OAuth `error` field, e.g. invalid_request; never the description text. */
      errorCode?: string;
    };

export interface IdentityFacts {
  selected: IdentitySelection;
  token: TokenOutcome;
  /** From ARM GET on the VM, when the identity may read it; undefined = unknown. */
  attached?: { systemAssigned: boolean; userAssigned: AttachedIdentity[] };
}

export interface ArmProbe {
  dns: 'ok' | 'failed';
  /** Undefined when DNS failed before TLS. */
  tls?: 'ok' | 'failed';
  probe: EndpointProbe;
  host: string;
}

export interface ScopeRead {
  scope: string;
  readable: boolean;
  status?: number;
  /** ARM error code such as AuthorizationFailed. */
  code?: string;
}

export interface GraphRead {
  outcome: 'ok' | 'forbidden' | 'error' | 'disabled';
  displayName?: string;
  status?: number;
}

/** VS Code settings that change how the extension host reaches ARM, read at the edge and passed in. */
export interface VsCodeHttpSettings {
  proxy: string;
  proxySupport: 'off' | 'on' | 'fallback' | 'override';
  systemCertificates: boolean;
  noProxy: string[];
}

/** Network facts, each optional: a probe the core cannot run yet yields a `skip` check. */
export interface DiagnoseProbe {
  identityEndpoint?(): Promise<EndpointProbe>;
  legacyExtension?(): Promise<EndpointProbe>;
  identity?(): Promise<IdentityFacts>;
  arm?(): Promise<ArmProbe>;
  roleScopes?(): Promise<ScopeRead[]>;
  graph?(): Promise<GraphRead>;
  /** True when /opt/azcmagent/bin/himds (or the Windows agent) exists. */
  arcAgentInstalled?(): Promise<boolean>;
}

export interface DiagnoseInputs {
  env: Env;
  files: FileReader;
  clock: Clock;
  /** The user's home directory (os.homedir()). */
  home: string;
  probe: DiagnoseProbe;
  vscode?: VsCodeHttpSettings;
}
