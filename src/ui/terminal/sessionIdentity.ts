/** The signed-in identity as the identity terminal needs it (selector, client ID, name); none when signed out. */
import { valueOf } from '../../azure';
import type { SessionState } from '../../session/session';
import type { TerminalIdentity } from './terminalEnv';

export function identityForTerminal(state: SessionState): TerminalIdentity | undefined {
  if (state.status !== 'signedIn') return undefined;
  const { snapshot } = state;
  return {
    selector: snapshot.selector,
    clientId: snapshot.identity.clientId,
    principalId: snapshot.identity.principalId,
    displayName: valueOf(snapshot.displayName),
  };
}
