/** What an identity host's final answer without a token says: read into the error table's facts. */
import { errorBodyOf, errorFor, isNotAzureAnswer } from '../core/errorTable';
import type { VmIdentityError } from '../core/errors';
import type { HttpResponse } from '../core/http';
import { tryParseJson } from '../core/json';
import { type IdentitySelector, describeSelector } from './selector';

/** The typed error for a final response from an identity host that carries no token (see the error table). */
export function mapFailure(
  response: HttpResponse,
  where: string,
  identity: IdentitySelector,
  context: { host?: string; proxyConfigured?: boolean } = {},
): VmIdentityError {
  const body = errorBodyOf(tryParseJson(response.body));
  return errorFor({
    source: 'identity',
    where,
    status: response.status,
    azureCode: body.code,
    description: body.description,
    aadsts: body.aadsts,
    correlationId: body.correlationId,
    html: looksLikeHtml(response),
    notJson: response.body.length > 0 && !isJson(response),
    server: serverOf(response),
    emptyBody: response.body.length === 0,
    selector: { system: identity.kind === 'system', described: describeSelector(identity) },
    ...context,
  });
}

function isJson(response: HttpResponse): boolean {
  return tryParseJson(response.body) !== undefined;
}

function serverOf(response: HttpResponse): string | undefined {
  const v = response.headers.server;
  return Array.isArray(v) ? v[0] : v;
}

export function looksLikeHtml(response: HttpResponse): boolean {
  const type = String(response.headers['content-type'] ?? '');
  if (/text\/html/i.test(type)) return true;
  const head = response.body.subarray(0, 64).toString().trimStart().toLowerCase();
  return head.startsWith('<!doctype html') || head.startsWith('<html');
}

/** HTML or non-JSON without `Server: IMDS/…` and no proxy configured: another cloud's metadata server. */
export function isNotAzureResponse(response: HttpResponse, proxyConfigured: boolean): boolean {
  return isNotAzureAnswer({
    status: response.status,
    html: looksLikeHtml(response),
    notJson: response.body.length > 0 && !isJson(response),
    server: serverOf(response),
    proxyConfigured,
  });
}
