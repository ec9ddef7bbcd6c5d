/** Which managed identity to ask for. IMDS takes at most one of client_id / object_id / msi_res_id. */
export type IdentitySelector =
  | { kind: 'system' }
  | { kind: 'clientId'; value: string }
  | { kind: 'objectId'; value: string }
  | { kind: 'resourceId'; value: string };

export const SYSTEM_ASSIGNED: IdentitySelector = { kind: 'system' };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UAMI_ID =
  /^\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/[^/]+$/i;

export class SelectorError extends Error {}

/** Validates an ID the user typed. Throws {@link SelectorError} with a sentence saying what is wrong. */
export function selectorFrom(kind: IdentitySelector['kind'], raw: string | undefined): IdentitySelector {
  if (kind === 'system') return SYSTEM_ASSIGNED;
  const value = (raw ?? '').trim();
  if (kind === 'resourceId') {
    if (!UAMI_ID.test(value)) {
      throw new SelectorError(
        `"${value}" is not a user-assigned identity resource ID (/subscriptions/…/resourceGroups/…/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>).`,
      );
    }
    return { kind, value };
  }
  if (!GUID.test(value))
    throw new SelectorError(
      `"${value}" is not a GUID; a ${kind === 'clientId' ? 'client' : 'object'} ID looks like 00000000-0000-0000-0000-000000000000.`,
    );
  return { kind, value: value.toLowerCase() };
}

/** Parses the persisted/CLI form: "system", "client_id=<guid>", "object_id=<guid>", "resource_id=<id>", or a bare GUID / resource ID. */
export function parseSelector(text: string | undefined): IdentitySelector {
  const t = (text ?? '').trim();
  if (t === '' || t.toLowerCase() === 'system') return SYSTEM_ASSIGNED;
  const m = /^(client_id|object_id|resource_id|msi_res_id)\s*[=:]\s*(.*)$/i.exec(t);
  if (m) {
    const key = m[1].toLowerCase();
    return selectorFrom(key === 'client_id' ? 'clientId' : key === 'object_id' ? 'objectId' : 'resourceId', m[2]);
  }
  if (t.startsWith('/')) return selectorFrom('resourceId', t);
  return selectorFrom('clientId', t);
}

export function formatSelector(s: IdentitySelector): string {
  switch (s.kind) {
    case 'system':
      return 'system';
    case 'clientId':
      return `client_id=${s.value}`;
    case 'objectId':
      return `object_id=${s.value}`;
    case 'resourceId':
      return `resource_id=${s.value}`;
  }
}

export function describeSelector(s: IdentitySelector): string | undefined {
  switch (s.kind) {
    case 'system':
      return undefined;
    case 'clientId':
      return `client ID ${s.value}`;
    case 'objectId':
      return `object ID ${s.value}`;
    case 'resourceId':
      return `resource ID ${s.value}`;
  }
}

export function selectorKey(s: IdentitySelector): string {
  return s.kind === 'system' ? 'system' : `${s.kind}:${s.value.toLowerCase()}`;
}
