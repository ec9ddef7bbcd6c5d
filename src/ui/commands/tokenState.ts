/**
 * What the token inspector shows for one request: the decoded view of a token, or the refusal explained. Pure
 * (no vscode) so it is unit-tested; the raw token never enters the returned state. Text goes through @vscode/l10n
 * (the extension's bundle, configured in activate()).
 */
import * as l10n from '@vscode/l10n';
import { isVmIdentityError } from '../../core/errors';
import { JwtInspectError, inspectJwt } from '../../core/jwtInspect';
import { aadstsCode, explainAadsts } from '../../diagnose';
import type { TokenInspectorState } from '../webviews/protocol';

export function tokenStateFor(resource: string, token: string, nowMs: number): TokenInspectorState {
  try {
    return { kind: 'token', resource, view: inspectJwt(token, nowMs) };
  } catch (e) {
    if (!(e instanceof JwtInspectError)) throw e;
    return {
      kind: 'error',
      resource,
      message: l10n.t('The token cannot be shown: {0}', e.message),
      fix: l10n.t('Use Copy token if you need it.'),
    };
  }
}

/**
 * A refused token request. Entra's refusals carry an AADSTS code (IMDS passes Entra's error_description on, e.g.
 * "AADSTS500011: The resource principal named … was not found"): code → cause → fix from the documented table.
 */
export function refusalStateFor(resource: string, error: unknown): TokenInspectorState {
  const message = error instanceof Error ? error.message : String(error);
  const code = aadstsCode(message);
  const explained = explainAadsts(code);
  if (explained) {
    return {
      kind: 'error',
      resource,
      code: `AADSTS${explained.code}`,
      message: explained.cause,
      fix: explained.fix,
      link: explained.link,
    };
  }
  if (isVmIdentityError(error)) {
    return {
      kind: 'error',
      resource,
      message: error.message,
      fix: error.fix,
      code: code !== undefined ? `AADSTS${code}` : error.azureCode,
      link: error.link,
    };
  }
  return { kind: 'error', resource, message };
}
