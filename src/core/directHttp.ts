/**
 * The identity endpoints' HTTP transport. It must connect directly, never through a proxy
 * (azure-docs virtual-machines/instance-metadata-service.md), also inside VS Code's extension host,
 * which replaces `http.request`, `http.get`, the global agents and `fetch` with proxy-aware versions
 * (microsoft/vscode src/vs/workbench/api/node/proxyResolver.ts). So we build the request with Node's own
 * `http.ClientRequest` (its parser, not ours), with no agent, over a socket from `net.connect`, which
 * nobody patches. Plain HTTP only: every managed-identity host is http on a link-local or loopback address.
 */
import * as http from 'node:http';
import * as net from 'node:net';

import { type HttpAttempt, type HttpClient, HttpError, type HttpResponse } from './http';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The direct {@link HttpClient} for identity hosts. */
export const directHttp: HttpClient = { send: (request) => sendDirect(request) };

function sendDirect(request: HttpAttempt): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const { url } = request;
    if (url.protocol !== 'http:') {
      reject(new HttpError('unreachable', `Only http is used for identity endpoints, not ${url.protocol}`));
      return;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || 80);
    let connected = false;
    let settled = false;
    const finish = (error: HttpError | undefined, response?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(connectTimer);
      clearTimeout(responseTimer);
      request.signal?.removeEventListener('abort', onAbort);
      // One request per connection (Connection: close); never leave a socket holding the process open.
      req.destroy();
      socket.destroy();
      if (error) reject(error);
      else resolve(response!);
    };

    const socket = net.connect({ host, port });
    const connectTimer = setTimeout(
      () =>
        finish(new HttpError('connectTimeout', `No connection to ${url.host} within ${request.connectTimeoutMs} ms`)),
      request.connectTimeoutMs,
    );
    let responseTimer: NodeJS.Timeout | undefined;
    socket.once('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      responseTimer = setTimeout(
        () =>
          finish(
            new HttpError(
              'responseTimeout',
              `No complete response from ${url.host} within ${request.responseTimeoutMs} ms`,
            ),
          ),
        request.responseTimeoutMs,
      );
    });

    const headers: Record<string, string> = { ...request.headers, Host: url.host, Connection: 'close' };
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
    const req = new http.ClientRequest({
      host,
      port,
      method: request.method ?? 'GET',
      path: url.pathname + url.search,
      headers,
      agent: false,
      createConnection: () => socket,
    });

    const onAbort = () => finish(new HttpError('aborted', 'Cancelled'));
    if (request.signal?.aborted) return onAbort();
    request.signal?.addEventListener('abort', onAbort, { once: true });

    const onError = (err: NodeJS.ErrnoException) => {
      const code = err.code;
      if (!connected && code && UNREACHABLE_CODES.has(code)) {
        finish(new HttpError('unreachable', `${url.host}: ${code}`, code));
      } else {
        finish(new HttpError('reset', `${url.host}: ${code ?? err.message}`, code));
      }
    };
    // The socket can fail before the request adopts it, so both get the handler.
    socket.on('error', onError);
    req.on('error', onError);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > request.maxBodyBytes) {
        finish(new HttpError('tooLarge', `Response from ${url.host} declares ${declared} bytes`));
        return;
      }
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBodyBytes) {
          finish(new HttpError('tooLarge', `Response from ${url.host} is larger than ${request.maxBodyBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('aborted', () => finish(new HttpError('reset', `Response from ${url.host} was cut off`)));
      res.on('error', (err: NodeJS.ErrnoException) =>
        finish(new HttpError('reset', `Response from ${url.host} failed: ${err.code ?? err.message}`, err.code)),
      );
      res.on('end', () => {
        if (!res.complete) {
          finish(new HttpError('reset', `Response from ${url.host} was cut off`));
          return;
        }
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.end(request.body);
  });
}
