/** Shared helpers for the emulator tests: raw HTTP(S) requests, tokens from IMDS, ARM paging. */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Emulator } from '../../emulator';

export const ARM = 'https://management.azure.com/';
export const GRAPH = 'https://graph.microsoft.com/';
export const HTTP_ONLY = [{ host: '127.0.0.1', port: 0 }];

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  agent?: https.Agent;
  timeoutMs?: number;
  servername?: string;
}

export function send(url: string, o: RequestOptions = {}): Promise<Reply> {
  const u = new URL(url);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolvePromise, reject) => {
    const req = lib.request(
      u,
      { method: o.method ?? 'GET', headers: o.headers, agent: o.agent, timeout: o.timeoutMs, servername: o.servername },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('aborted', () => reject(new Error('response aborted')));
        res.on('end', () =>
          resolvePromise({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(o.body);
  });
}

export function parse<T>(reply: Reply): T {
  return JSON.parse(reply.text) as T;
}

export const imds = (emu: Emulator, path: string, headers: Record<string, string> = { Metadata: 'true' }) =>
  send(`${emu.httpUrl}${path}`, { headers });
export const tokenPath = (query: Record<string, string>) =>
  `/metadata/identity/oauth2/token?${new URLSearchParams({ 'api-version': '2018-02-01', ...query })}`;

export interface TokenBody {
  access_token: string;
  refresh_token: string;
  expires_in: string;
  expires_on: string;
  not_before: string;
  resource: string;
  token_type: string;
  client_id: string;
}

export async function token(emu: Emulator, resource = ARM, query: Record<string, string> = {}): Promise<string> {
  const reply = await imds(emu, tokenPath({ resource, ...query }));
  assert.equal(reply.status, 200, reply.text);
  return parse<TokenBody>(reply).access_token;
}

export function claimsOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

export const bearer = (t: string) => ({ Authorization: `Bearer ${t}` });

export interface ArmList<T> {
  value: T[];
  nextLink?: string;
}
export interface WireAssignment {
  id: string;
  name: string;
  type: string;
  properties: {
    scope: string;
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    condition: string | null;
    conditionVersion: string | null;
  };
}
export interface ArmErrorBody {
  error: { code: string; message: string };
}

/** Follow nextLinks to the end, returning every item and every page URL. */
export async function listAll<T>(firstUrl: string, t: string): Promise<{ items: T[]; pages: string[] }> {
  const items: T[] = [];
  const pages: string[] = [];
  for (let url: string | undefined = firstUrl; url;) {
    pages.push(url);
    const reply = await send(url, { headers: bearer(t) });
    assert.equal(reply.status, 200, reply.text);
    const page = parse<ArmList<T>>(reply);
    items.push(...page.value);
    url = page.nextLink;
  }
  return { items, pages };
}

export const assignmentsUrl = (emu: Emulator, filter?: string) =>
  `${emu.httpUrl}/subscriptions/${emu.dataset.subscriptionId}/providers/Microsoft.Authorization/roleAssignments?api-version=2022-04-01${filter ? `&$filter=${encodeURIComponent(filter)}` : ''}`;
