/** The role view's own errors and remedy text: what to grant, and where (issue 9: always the subscription). */
import { VmIdentityError } from '../core/errors';
import { ROLE_ASSIGNMENTS_READ } from '../core/errorTable';
import type { SubscriptionInfo } from './arm';

export function grantText(subscription: string): string {
  return `Reader, or ${ROLE_ASSIGNMENTS_READ}, at the subscription ${subscription}`;
}

export function nothingReadable(
  principalId: string,
  subscription: string,
  refused: string[],
  first: VmIdentityError,
  link: string,
): VmIdentityError {
  const also = refused.length > 1 ? ` It was also refused at ${refused.slice(1).join(' and at ')}.` : '';
  return new VmIdentityError(
    'authorizationFailed',
    `The identity ${principalId} may not read role assignments at ${subscription} (${first.azureCode ?? 'HTTP 403'}).${also}`,
    {
      fix: `Give this identity ${grantText(subscription)}: the subscription's Access control (IAM) → Add role assignment → Reader → Managed identity.`,
      title: 'no Reader role',
      link,
      remedy: 'grantReader',
      status: 403,
      azureCode: first.azureCode,
      where: first.where,
    },
  );
}

export function notAmong(only: string, listed: SubscriptionInfo[]): VmIdentityError {
  const names = listed.map((s) => `${s.displayName} (${s.subscriptionId})`).join(', ') || 'none';
  return new VmIdentityError('usage', `No subscription "${only}" among those this identity can see: ${names}.`, {
    fix: 'Name one of those by id or display name, or leave --subscription out to list them all.',
  });
}

export function seesNoSubscription(principalId: string): VmIdentityError {
  return new VmIdentityError(
    'authorizationFailed',
    `The identity ${principalId} sees no subscription: it holds no Azure role anywhere.`,
    {
      fix: 'Give this identity a role (Reader, for example) on the subscription, resource group or resource it should work with.',
      title: 'no role',
      remedy: 'none',
    },
  );
}
