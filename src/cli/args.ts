/** The CLI's arguments that need checking before anything runs: which identity, which resource. */
import { InvalidResourceError, parseOtherResource } from '../azure/services';
import { type IdentitySelector, SYSTEM_ASSIGNED, SelectorError, selectorFrom } from '../identity';

/** Bad command-line input: exit 2 with the usage text. */
export class UsageError extends Error {}

export function parseResourceArg(raw: string): string {
  try {
    return parseOtherResource(raw);
  } catch (e) {
    if (e instanceof InvalidResourceError) throw new UsageError(`--resource: ${e.message}`);
    throw e;
  }
}

export function selectorOf(values: {
  'client-id'?: string;
  'object-id'?: string;
  'resource-id'?: string;
}): IdentitySelector {
  const given = (['client-id', 'object-id', 'resource-id'] as const).filter((k) => values[k] !== undefined);
  if (given.length > 1)
    throw new UsageError(
      `Use only one of --client-id, --object-id, --resource-id (got ${given.map((g) => `--${g}`).join(', ')}).`,
    );
  if (given.length === 0) return SYSTEM_ASSIGNED;
  const key = given[0];
  try {
    return selectorFrom(
      key === 'client-id' ? 'clientId' : key === 'object-id' ? 'objectId' : 'resourceId',
      values[key],
    );
  } catch (e) {
    if (e instanceof SelectorError) throw new UsageError(`--${key}: ${e.message}`);
    throw e;
  }
}
