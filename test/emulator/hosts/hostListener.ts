/** One loopback listener per emulated host (real hosts each have their own local endpoint and port). */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { countBodyBytes, flattenHeaders, readBody, redactHeaders, writeResponse } from '../http';
import { tlsMaterial } from '../tls';
import type { RequestInfo } from '../types';
import type { HostDefinition, HostListenOptions, HostLoggedRequest, RunningHost } from './hostTypes';

const BODY_LIMIT_BYTES = 64 * 1024;

function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export async function listenHost(
  name: string,
  def: HostDefinition,
  listen: HostListenOptions = {},
): Promise<RunningHost & { caCertPath?: string }> {
  const requests: HostLoggedRequest[] = [];
  let seq = 0;
  let baseUrl = '';
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? '/', baseUrl);
    const info: RequestInfo = {
      method: req.method ?? 'GET',
      path: safeDecode(url.pathname),
      rawPath: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(req.headers),
      body: '',
      baseUrl,
      nowMs: Date.now(),
      requestId: randomUUID(),
    };
    const entry: HostLoggedRequest = {
      seq: ++seq,
      time: new Date(info.nowMs).toISOString(),
      listener: baseUrl,
      host: name,
      method: info.method,
      path: info.path,
      query: { ...info.query },
      headers: redactHeaders(info.headers),
      status: 0,
      ms: 0,
      bytes: 0,
    };
    requests.push(entry);
    countBodyBytes(res, (n) => (entry.bytes += n));
    res.once('close', () => {
      entry.status = res.headersSent ? res.statusCode : 0;
      entry.ms = Date.now() - info.nowMs;
    });
    readBody(req, BODY_LIMIT_BYTES)
      .then((body) => {
        info.body = body;
        writeResponse(res, def.handle(info), def.headers ?? {});
      })
      .catch((e: unknown) => {
        // A broken test setup (e.g. chown refused for the Arc key file) must be visible, not a hang.
        writeResponse(
          res,
          {
            status: 500,
            body: { error: 'emulator_error', error_description: e instanceof Error ? e.message : String(e) },
          },
          {},
        );
      });
  };
  const tls = listen.tls ? await tlsMaterial() : undefined;
  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
  const host = listen.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${(server.address() as AddressInfo).port}`;
  return {
    name,
    kind: def.kind,
    url: baseUrl,
    env: def.env(baseUrl),
    get details() {
      return def.details();
    },
    requests,
    ...(tls ? { caCertPath: tls.caCertPath } : {}),
    action(actionName, input = {}) {
      const act = def.actions?.[actionName];
      if (!act) throw new Error(`host '${name}' has no action '${actionName}'`);
      return act(input);
    },
    close() {
      def.close?.();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
