/**
 * Microsoft Entra token-endpoint errors in their real shape (entra-docs identity-platform/reference-error-codes.md
 * "Handling error codes in your application": `error`, `error_description` with the AADSTS code and trace /
 * correlation ids and timestamp, `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`).
 * Observed bodies: AADSTS70021 (azure-workload-identity#616), AADSTS700024 (risingwave#17123),
 * AADSTS500011 (rootinc/laravel-azure-middleware#51). Clients must branch on `error` / `error_codes`, never on text.
 */
import { randomUUID } from 'node:crypto';
import { json } from '../http';
import type { EmulatorResponse, RequestInfo } from '../types';

/** `2016-01-09 02:02:12Z`, the format of Entra's `timestamp`. */
function entraTimestamp(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
}

export function aadstsError(
  req: RequestInfo,
  status: number,
  error: string,
  code: number,
  message: string,
): EmulatorResponse {
  const traceId = randomUUID();
  // Entra uses the caller's client-request-id as the correlation id when one is sent (MSAL sends one).
  const correlationId = req.headers['client-request-id'] ?? randomUUID();
  const timestamp = entraTimestamp(req.nowMs);
  return json(
    status,
    {
      error,
      error_description: `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
    { 'x-ms-request-id': traceId, 'client-request-id': correlationId, 'cache-control': 'no-store, no-cache' },
  );
}
