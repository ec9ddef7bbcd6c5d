/** The access checker's answer: one object for `vm-identity check --json`, the CLI text and the UI. */
import type { Plane } from './types';

export type Decision = 'allowed' | 'denied' | 'notGranted' | 'conditional';

export interface GrantingAssignment {
  assignmentId: string;
  roleName: string;
  roleDefinitionId: string;
  scope: string;
  /** `group` when the assignment names another principal: ARM's assignedTo() returns those via membership. */
  via: 'direct' | 'group';
  /** Assigned at a scope above the checked one. */
  inherited: boolean;
  /** ABAC condition: the service evaluates it at request time; the checker cannot. */
  condition: string | null;
  /** The Actions/DataActions string that matched. */
  matchedBy: string;
  /** Latest of createdOn/updatedOn, ISO 8601, when ARM said. */
  changedOn?: string;
}

export interface DenyingAssignment {
  denyAssignmentId: string;
  name: string;
  scope: string;
  matchedBy: string;
  isSystemProtected: boolean;
}

export interface KeyVaultMode {
  vaultId: string;
  model: 'rbac' | 'accessPolicy';
  /** In access-policy mode: the permission the action needs and whether the identity's entry holds it. */
  policy?: { kind: string; permission: string; granted: boolean; entries: number };
}

export interface Suggestion {
  kind: 'roleAssignment' | 'accessPolicy';
  /** The built-in role, for `roleAssignment`. */
  roleName?: string;
  roleDefinitionId?: string;
  scope: string;
  azCommand: string;
  portalUrl: string;
  why: string;
}

export interface PropagationNote {
  tokenIssuedAt: string;
  grantChangedAt: string;
  via: 'direct' | 'group';
  message: string;
  links: string[];
}

export interface Verdict {
  decision: Decision;
  scope: string;
  action: string;
  plane: Plane;
  principalId: string;
  /** Where the decision came from: ARM's own evaluation, our reading of the assignments, or the vault's policies. */
  source: 'permissionsApi' | 'roleAssignments' | 'accessPolicy';
  grantedBy: GrantingAssignment[];
  deniedBy: DenyingAssignment[];
  keyVault?: KeyVaultMode;
  suggestion?: Suggestion;
  propagation?: PropagationNote;
  /** Things the user should know that do not change the decision. */
  notes: string[];
  /** Reads that failed; the decision is made without them. */
  unread: { what: string; reason: string }[];
}

/** CLI exit status: 0 allowed, 5 anything else (denied, not granted, or only conditionally granted). */
export function exitCodeFor(verdict: Pick<Verdict, 'decision'>): 0 | 5 {
  return verdict.decision === 'allowed' ? 0 : 5;
}
