/**
 * `vm-identity check <resource-id> <action> [--plane control|data] [--json]`: "can this identity do X on Y?"
 * from ARM's own evaluation (src/access). Exit 0 when allowed, 5 otherwise (denied, not granted, conditional).
 */
import { AccessCheckInputError, type Plane, exitCodeFor, renderVerdictText } from '../access';
import { type IdentityService, verdictFor } from '../azure';
import type { IdentitySelector } from '../identity';

export interface CheckArgs {
  resourceId: string;
  action: string;
  plane?: string;
  json: boolean;
}

/** Thrown for input the engine refuses (the CLI prints usage and exits 2). */
export class CheckUsageError extends Error {}

function planeOf(value: string | undefined): Plane | undefined {
  if (value === undefined) return undefined;
  if (value === 'control' || value === 'data') return value;
  throw new CheckUsageError(`--plane must be "control" or "data", not "${value}".`);
}

export async function runCheck(
  service: IdentityService,
  selector: IdentitySelector,
  args: CheckArgs,
  stdout: (s: string) => void | Promise<void>,
): Promise<number> {
  const plane = planeOf(args.plane);
  const snapshot = await service.snapshot(selector, {});
  const context = await service.accessContext(snapshot);
  let verdict;
  try {
    verdict = await verdictFor(context, { resourceId: args.resourceId, action: args.action, plane });
  } catch (e) {
    if (e instanceof AccessCheckInputError) throw new CheckUsageError(`${e.field}: ${e.message}`);
    throw e;
  }
  await stdout(args.json ? `${JSON.stringify(verdict, null, 2)}\n` : `${renderVerdictText(verdict)}\n`);
  return exitCodeFor(verdict);
}
