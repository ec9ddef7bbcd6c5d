/** Plain-text rendering of a verdict for the CLI (`vm-identity check`). JSON is the Verdict object itself. */
import type { Verdict } from './verdict';

const HEADLINE: Record<Verdict['decision'], string> = {
  allowed: 'Allowed',
  denied: 'Denied',
  notGranted: 'Not granted',
  conditional: 'Conditional — evaluated at request time',
};

export function renderVerdictText(v: Verdict): string {
  const lines = [`${HEADLINE[v.decision]}: ${v.action} (${v.plane} plane)`, `  at ${v.scope}`];
  if (v.keyVault) {
    lines.push(`  Key Vault permission model: ${v.keyVault.model === 'rbac' ? 'Azure RBAC' : 'access policies'}`);
    const p = v.keyVault.policy;
    if (p)
      lines.push(
        `  access policy: needs ${p.kind} ${p.permission} — ${p.granted ? 'present' : p.entries ? "missing from the identity's entry" : 'the identity has no entry'}`,
      );
  }
  for (const d of v.deniedBy) lines.push(`  denied by deny assignment "${d.name}" at ${d.scope} (${d.matchedBy})`);
  for (const g of v.grantedBy) {
    const how = [
      g.via === 'group' ? 'via a group' : 'direct',
      g.inherited ? `inherited from ${g.scope}` : `at ${g.scope}`,
    ].join(', ');
    lines.push(`  ${g.condition ? 'conditionally granted' : 'granted'} by ${g.roleName} (${how}; ${g.matchedBy})`);
    if (g.condition) lines.push(`    condition: ${g.condition}`);
  }
  if (v.suggestion) {
    lines.push('', `Fix: ${v.suggestion.why}`, `  ${v.suggestion.azCommand}`, `  Portal: ${v.suggestion.portalUrl}`);
  }
  if (v.propagation) lines.push('', v.propagation.message, ...v.propagation.links.map((l) => `  ${l}`));
  if (v.notes.length) lines.push('', ...v.notes.map((n) => `Note: ${n}`));
  if (v.unread.length) lines.push('', ...v.unread.map((u) => `Could not read ${u.what}: ${u.reason}`));
  return lines.join('\n');
}
