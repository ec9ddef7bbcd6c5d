/** Small HTTP plumbing shared by the services: JSON answers, service headers, body reading, redaction. */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorResponse, RequestInfo, ServiceName } from './types';

const JSON_TYPE = 'application/json; charset=utf-8';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): EmulatorResponse {
  return { status, body, headers };
}

/** Lower-case header names; repeated headers joined with ', '. */
export function flattenHeaders(raw: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Headers safe to keep in a log: credentials replaced by '<scheme> <redacted>'. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out = { ...headers };
  for (const name of ['authorization', 'proxy-authorization']) {
    const value = out[name];
    if (value !== undefined) out[name] = `${/^\S+/.exec(value)?.[0] ?? 'Bearer'} <redacted>`;
  }
  return out;
}

export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new Error(`request body larger than ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function armRoutingId(req: RequestInfo): string {
  const stamp = new Date(req.nowMs).toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `WESTEUROPE:${stamp}Z:${req.requestId}`;
}

/**
 * Headers every answer of a service carries, as the real services send them (observed):
 * IMDS `Server: IMDS/…`; ARM `x-ms-request-id`, `x-ms-correlation-request-id` (echoed), `x-ms-routing-request-id`;
 * Graph `request-id`, `client-request-id` (echoed), `x-ms-ags-diagnostic`.
 */
export function serviceHeaders(service: ServiceName, req: RequestInfo): Record<string, string> {
  switch (service) {
    case 'imds':
      return { server: 'IMDS/150.870.65.1854' };
    case 'legacy':
      return { server: 'Microsoft-HTTPAPI/2.0' };
    case 'dataplane':
      return { 'x-ms-request-id': req.requestId };
    case 'arm':
      return {
        'cache-control': 'no-cache',
        pragma: 'no-cache',
        expires: '-1',
        'x-ms-request-id': req.requestId,
        'x-ms-correlation-request-id': req.headers['x-ms-correlation-request-id'] ?? req.requestId,
        'x-ms-routing-request-id': armRoutingId(req),
        'strict-transport-security': 'max-age=31536000; includeSubDomains',
        'x-content-type-options': 'nosniff',
      };
    case 'graph':
      return {
        'cache-control': 'no-cache',
        'request-id': req.requestId,
        'client-request-id': req.headers['client-request-id'] ?? req.requestId,
        'x-ms-ags-diagnostic': JSON.stringify({
          ServerInfo: {
            DataCenter: 'West Europe',
            Slice: 'E',
            Ring: '5',
            ScaleUnit: '003',
            RoleInstance: 'AM2PEPF0001C4DF',
          },
        }),
        'strict-transport-security': 'max-age=31536000',
        'odata-version': '4.0',
      };
    case 'control':
      return {};
  }
}

/** Serialise a response: objects as JSON, strings verbatim (typed as JSON when they parse). */
export function encodeBody(body: unknown): { text: string; contentType: string } | undefined {
  if (body === undefined) return undefined;
  if (typeof body !== 'string') return { text: JSON.stringify(body), contentType: JSON_TYPE };
  return { text: body, contentType: looksLikeJson(body) ? JSON_TYPE : 'text/plain; charset=utf-8' };
}

function looksLikeJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * Counts the body bytes written to `res` (every path: normal answers and fault scripts that write
 * themselves), for the request log: the bench sums them per job. Instrumentation, not Azure behaviour.
 */
export function countBodyBytes(res: ServerResponse, add: (bytes: number) => void): void {
  const size = (chunk: unknown, encoding: unknown): number =>
    typeof chunk === 'string'
      ? Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8')
      : chunk instanceof Uint8Array
        ? chunk.byteLength
        : 0;
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    add(size(chunk, rest[0]));
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'function') add(size(chunk, rest[0]));
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
}

export function writeResponse(
  res: ServerResponse,
  response: EmulatorResponse,
  baseHeaders: Record<string, string>,
): void {
  if (res.destroyed || res.headersSent) return;
  const encoded = encodeBody(response.body);
  const headers: Record<string, string> = { ...baseHeaders };
  if (encoded) headers['content-type'] = encoded.contentType;
  Object.assign(headers, response.headers ?? {});
  headers['content-length'] = String(encoded ? Buffer.byteLength(encoded.text) : 0);
  res.writeHead(response.status, headers);
  res.end(encoded?.text);
}
