/**
 * A small forward proxy for tests: tunnels CONNECT and forwards absolute-URI requests, recording each.
 * Used to prove the identity endpoints are never proxied while ARM/Graph traffic is.
 */
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface ProxyRecord {
  method: string;
  /** host:port for CONNECT, the absolute URL otherwise. */
  target: string;
}

export interface RecordingProxy {
  url: string;
  records: ProxyRecord[];
  close(): Promise<void>;
}

export async function startRecordingProxy(host = '127.0.0.1'): Promise<RecordingProxy> {
  const records: ProxyRecord[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    records.push({ method: req.method ?? '', target: req.url ?? '' });
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('absolute URL expected');
      return;
    }
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () =>
      res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad gateway (test proxy)</body></html>'),
    );
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    records.push({ method: 'CONNECT', target: req.url ?? '' });
    const [h, p] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(p), h, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    records,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A server that records whatever reaches it (the "other host" a malicious link points at). */
export async function startRecordingServer(
  host = '127.0.0.1',
): Promise<{ url: string; requests: Array<{ path: string; authorization?: string }>; close(): Promise<void> }> {
  const requests: Array<{ path: string; authorization?: string }> = [];
  const server = http.createServer((req, res) => {
    requests.push({ path: req.url ?? '', authorization: req.headers.authorization ? '<present>' : undefined });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${host}:${port}`, requests, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A port on loopback that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
