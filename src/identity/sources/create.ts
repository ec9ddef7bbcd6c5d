/** The detected host as a source (plus the legacy fallback behind IMDS), or the typed error saying why not. */
import { VmIdentityError } from '../../core/errors';
import { createAppServiceSource } from './appService';
import { arcKeyDir, createArcSource } from './arc';
import { createCloudShellSource } from './cloudShell';
import { type HostEnvironment, detectSource } from './detect';
import { createImdsSource } from './imds';
import { LEGACY_DEFAULT_ENDPOINT, createLegacySource } from './legacy';
import { createMachineLearningSource } from './machineLearning';
import type { IdentitySource } from './source';
import { UnsafeAuthorityError, createWorkloadIdentitySource } from './workloadIdentity';

export interface SourceOverrides {
  legacyEndpoint?: string;
  /**
   * Azure Arc's expected key directory. Only code can set it (the client's constructor, in tests); production
   * composition roots never pass it, so the agent's own directory is enforced there.
   */
  arcKeyDir?: string;
}

export function createSource(
  host: HostEnvironment,
  overrides: SourceOverrides = {},
): { primary: IdentitySource | VmIdentityError; legacy?: IdentitySource } {
  const d = detectSource(host);
  switch (d.kind) {
    case 'imds': {
      const imds = createImdsSource(d.host);
      // The retired VM extension runs on an Azure VM: its instance metadata is still IMDS's.
      const legacy = {
        ...createLegacySource(overrides.legacyEndpoint ?? LEGACY_DEFAULT_ENDPOINT),
        metadata: imds.metadata,
      };
      return { primary: imds, legacy };
    }
    case 'workloadIdentity':
      try {
        return { primary: createWorkloadIdentitySource(d) };
      } catch (e) {
        if (!(e instanceof UnsafeAuthorityError)) throw e;
        return {
          primary: new VmIdentityError('unsafeEndpoint', `${e.message}.`, {
            fix: 'Set AZURE_AUTHORITY_HOST to an https URL (for the public cloud https://login.microsoftonline.com/), or unset it.',
          }),
        };
      }
    case 'appService':
      return { primary: createAppServiceSource(d.endpoint, d.header) };
    case 'machineLearning':
      return { primary: createMachineLearningSource(d.endpoint, d.secret, d.defaultClientId) };
    case 'cloudShell':
      return { primary: createCloudShellSource(d.endpoint) };
    case 'azureArc':
      return {
        primary: createArcSource({
          endpoint: d.endpoint.replace('//localhost:', '//127.0.0.1:'), // as MSAL does: no IPv6 guess for localhost
          metadataHost: d.metadataHost?.replace('//localhost:', '//127.0.0.1:'),
          platform: host.platform,
          keyDir: overrides.arcKeyDir ?? arcKeyDir(host.platform, host.env),
        }),
      };
    case 'unsupported':
      return {
        primary: new VmIdentityError('notSupported', `${d.name} managed identity is not supported by VM Identity.`, {
          fix: 'Run VM Identity on an Azure VM, Arc-enabled server, Azure Machine Learning compute, AKS with workload identity, App Service or Cloud Shell.',
          title: `${d.name} is not supported`,
        }),
      };
  }
}
