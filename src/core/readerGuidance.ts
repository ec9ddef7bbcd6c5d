/**
 * The guidance for an ARM read refused with 403: which identity, what it may not read, where to grant what
 * (a list names its own scope: a grant at or above it fixes it; reading the VM needs Reader on the VM or above).
 */
import { ASSIGN_ACCESS_DOCS, VmIdentityError } from './errors';
import type { FailureFacts, Reading } from './errorTable';

/** What lets an identity list role assignments at a scope: Reader (every read action) or this one action, at or above it. */
export const ROLE_ASSIGNMENTS_READ = 'Microsoft.Authorization/roleAssignments/read';

export function readerGuidance(f: FailureFacts, reading: Reading): VmIdentityError {
  const code = f.azureCode ?? 'HTTP 403';
  const roles = reading.what === 'roles';
  // A list is refused for want of a grant at that very scope (or above): name it. Reading the VM needs it on the VM.
  const where = reading.scope ? ` at ${reading.scope}` : '';
  return new VmIdentityError(
    'authorizationFailed',
    roles
      ? `The identity ${reading.principalId} may not read role assignments${where} (${code}).`
      : `The identity ${reading.principalId} may not read this VM (${code}).`,
    {
      fix: roles
        ? `Give this identity Reader, or a role with ${ROLE_ASSIGNMENTS_READ}, at ${reading.scope ?? 'the scope listed'}: its Access control (IAM) → Add role assignment → Reader → Managed identity.`
        : 'Give this identity Reader on this VM (or on its resource group or subscription): VM → Access control (IAM) → Add role assignment → Reader → Managed identity.',
      title: 'no Reader role',
      link: reading.accessControlLink ?? ASSIGN_ACCESS_DOCS,
      remedy: 'grantReader',
      status: f.status,
      azureCode: f.azureCode,
      where: f.where,
    },
  );
}
