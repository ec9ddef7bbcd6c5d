/**
 * Microsoft Graph: the service principal of the identity, for its display name
 * (learn.microsoft.com graph/api/serviceprincipal-get). Optional: a 403 hides the name, nothing else.
 */
import { isRecord } from '../core/json';
import type { AzureHttp } from './http';

export interface ServicePrincipal {
  id: string;
  appId?: string;
  displayName?: string;
  servicePrincipalType?: string;
}

export async function getServicePrincipal(
  http: AzureHttp,
  graphBase: string,
  objectId: string,
  token: string,
  signal?: AbortSignal,
): Promise<ServicePrincipal | undefined> {
  const url = new URL(`/v1.0/servicePrincipals/${encodeURIComponent(objectId)}`, graphBase);
  url.searchParams.set('$select', 'id,appId,displayName,servicePrincipalType,alternativeNames');
  const { json } = await http.getJson(url, token, { signal, api: 'graph' });
  if (!isRecord(json) || typeof json.id !== 'string') return undefined;
  const s = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return {
    id: json.id,
    appId: s(json.appId),
    displayName: s(json.displayName),
    servicePrincipalType: s(json.servicePrincipalType),
  };
}
