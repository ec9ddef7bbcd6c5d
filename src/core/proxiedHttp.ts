/**
 * The standard {@link HttpClient} for ARM and Graph: node's `https`, which honours a proxy. The CLI passes
 * agents from HTTPS_PROXY/NO_PROXY; the extension passes none and lets VS Code's patched `https` apply its
 * proxy settings. Plain http only reaches here for a loopback override (checked by the caller).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { type HttpAttempt, type HttpClient, HttpError, type HttpResponse } from './http';

export type AgentFor = (url: URL) => http.Agent | undefined;

/** Node/OpenSSL verification failures: the same certificate fails again, so they are not retried. */
const UNTRUSTED_CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function createProxiedHttp(agentFor?: AgentFor): HttpClient {
  return { send: (attempt) => sendProxied(attempt, agentFor) };
}

function sendProxied(attempt: HttpAttempt, agentFor: AgentFor | undefined): Promise<HttpResponse> {
  const { url } = attempt;
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<HttpResponse>((resolve, reject) => {
    const agent = agentFor?.(url);
    const fail = (failure: HttpError['failure'], message: string, code?: string) =>
      reject(new HttpError(failure, message, code));
    const req = mod.request(
      url,
      {
        method: attempt.method,
        headers: attempt.headers,
        ...(agent ? { agent } : {}),
        // The socket's idle limit (a large page may take longer than this in total, as long as it flows).
        timeout: attempt.responseTimeoutMs,
        signal: attempt.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > attempt.maxBodyBytes) {
            req.destroy();
            fail('tooLarge', 'body too large');
          } else chunks.push(c);
        });
        res.on('aborted', () => fail('reset', 'response cut off'));
        res.on('error', (e) => fail('reset', e.message));
        res.on('end', () => {
          if (!res.complete) fail('reset', 'response cut off');
          else resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      },
    );
    req.on('timeout', () => {
      req.destroy();
      fail('responseTimeout', `no answer within ${attempt.responseTimeoutMs} ms`);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (attempt.signal?.aborted) return fail('aborted', 'Cancelled');
      fail(e.code && UNTRUSTED_CERT_CODES.has(e.code) ? 'untrusted' : 'reset', e.code ?? e.message, e.code);
    });
    req.end(attempt.body);
  });
}
