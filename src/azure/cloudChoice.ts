/** Which cloud this identity is in, and the token failures that decision explains (sign-in's stage 1). */
import { errorFor } from '../core/errorTable';
import { VmIdentityError, toVmIdentityError } from '../core/errors';
import type { Logger } from '../core/log';
import { type Cloud, knownCloud, portalLink } from './clouds';
import type { InstanceMetadata } from './instanceMetadata';

/**
 * The cloud: the one instance metadata names when we know it (Arc's himds may omit it), else the
 * vmIdentity.cloud setting, else the guess; a name we do not know, with no setting, is an error naming it.
 */
export function chooseCloud(
  metadata: InstanceMetadata | undefined,
  guess: Cloud,
  configured: Cloud | undefined,
  logger: Logger,
): Cloud {
  const name = metadata?.azEnvironment.trim();
  if (!name) return guess;
  const known = knownCloud(name);
  if (known) {
    if (configured && configured.name !== known.name) {
      logger.warn(`instance metadata says ${known.name}; vmIdentity.cloud (${configured.name}) is not used`);
    }
    return known;
  }
  if (configured) return configured;
  throw errorFor({ source: 'metadata', where: 'instance metadata', problem: { kind: 'unknownCloud', name } });
}

export function explainTokenFailure(e: unknown, vmResourceId: string | undefined, cloud: Cloud): VmIdentityError {
  const error = toVmIdentityError(e);
  if (vmResourceId && error.remedy === 'enableIdentity')
    return error.withLink(portalLink(cloud, undefined, vmResourceId, 'identity'));
  return error;
}

export function isNotAzure(e: unknown): boolean {
  return e instanceof VmIdentityError && e.kind === 'notAzure';
}
