/**
 * Scripted faults per endpoint: each request to the endpoint consumes the next step; when the script
 * runs out the endpoint behaves normally again. Mirrors the sequences the Azure SDK's managed identity
 * tests replay (404, 404, 200; 503 + Retry-After; 410 while IMDS updates, azure-docs
 * instance-metadata-service.md "Errors and debugging").
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import { encodeBody, writeResponse } from './http';
import { ENDPOINT_KEYS, type EmulatorResponse, type EndpointKey, type RequestInfo, type ServiceName } from './types';

interface StepTiming {
  /** Keep answering with this step until forMs after its first use, then move on. */
  forMs?: number;
  /** Use this step n times (default 1); ignored when forMs is set. */
  count?: number;
}

export type FaultStep = StepTiming &
  (
    | { status: number; body?: string | object; headers?: Record<string, string>; retryAfter?: number }
    | { kind: 'hang' }
    | { kind: 'reset' }
    | { kind: 'truncated' }
    | { kind: 'malformed' }
    | { kind: 'huge'; bytes?: number }
    | { kind: 'html502' }
    | { kind: 'pass' }
  );

const KINDS = ['hang', 'reset', 'truncated', 'malformed', 'huge', 'html502', 'pass'] as const;
const DEFAULT_HUGE_BYTES = 2 * 1024 * 1024;

class FaultScript {
  private index = 0;
  private usedInStep = 0;
  private stepStartedMs: number | undefined;

  constructor(private readonly steps: readonly FaultStep[]) {}

  take(nowMs: number): FaultStep | undefined {
    while (this.index < this.steps.length) {
      const step = this.steps[this.index];
      if (step.forMs !== undefined) {
        this.stepStartedMs ??= nowMs;
        if (nowMs - this.stepStartedMs < step.forMs) return step;
      } else if (this.usedInStep < (step.count ?? 1)) {
        this.usedInStep++;
        return step;
      }
      this.index++;
      this.usedInStep = 0;
      this.stepStartedMs = undefined;
    }
    return undefined;
  }
}

/** The fault scripts of all endpoints. */
export class FaultBoard {
  private readonly scripts = new Map<EndpointKey, FaultScript>();

  /** Replace the endpoint's script. */
  set(endpoint: EndpointKey, steps: readonly FaultStep[]): void {
    this.scripts.set(endpoint, new FaultScript(steps));
  }

  clear(): void {
    this.scripts.clear();
  }

  take(endpoint: EndpointKey, nowMs: number): FaultStep | undefined {
    return this.scripts.get(endpoint)?.take(nowMs);
  }
}

export function isEndpointKey(value: unknown): value is EndpointKey {
  return typeof value === 'string' && (ENDPOINT_KEYS as readonly string[]).includes(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(step: Record<string, unknown>, name: string, min: number): void {
  const v = step[name];
  if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v < min))
    throw new Error(`fault step ${name} must be a number >= ${min}`);
}

function validateStep(step: unknown): FaultStep {
  if (!isRecord(step)) throw new Error('a fault step must be an object');
  optionalNumber(step, 'forMs', 0);
  optionalNumber(step, 'count', 1);
  if (step.kind !== undefined) {
    if (!(KINDS as readonly unknown[]).includes(step.kind))
      throw new Error(`unknown fault kind ${JSON.stringify(step.kind)}; expected one of ${KINDS.join(', ')}`);
    optionalNumber(step, 'bytes', 2);
    return step as unknown as FaultStep; // shape checked above
  }
  if (typeof step.status !== 'number' || !Number.isInteger(step.status) || step.status < 100 || step.status > 599)
    throw new Error('a fault step needs a kind or an HTTP status (100-599)');
  if (step.body !== undefined && typeof step.body !== 'string' && typeof step.body !== 'object')
    throw new Error('fault step body must be a string or an object');
  if (
    step.headers !== undefined &&
    (!isRecord(step.headers) || Object.values(step.headers).some((v) => typeof v !== 'string'))
  )
    throw new Error('fault step headers must map names to strings');
  optionalNumber(step, 'retryAfter', 0);
  return step as unknown as FaultStep; // shape checked above
}

/** Validate steps that arrived as JSON (control API) or from a test. */
export function parseFaultSteps(input: unknown): FaultStep[] {
  if (!Array.isArray(input)) throw new Error('steps must be an array');
  return input.map(validateStep);
}

function pascalStatus(status: number): string {
  return (STATUS_CODES[status] ?? 'Error')
    .replace(/[^A-Za-z ]/g, '')
    .replace(/(?:^|\s)(\w)/g, (_, c: string) => c.toUpperCase());
}

function imdsErrorCode(status: number): string {
  if (status === 400) return 'invalid_request';
  if (status === 401) return 'unknown_source';
  if (status >= 500) return 'unknown';
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z]+/g, '_');
}

/** The error body a service sends with a status when the script gives none. */
export function defaultErrorBody(service: ServiceName, status: number, req: RequestInfo): unknown {
  const message = STATUS_CODES[status] ?? 'Error';
  switch (service) {
    case 'imds':
    case 'legacy':
      // azure-docs instance-metadata-service.md: {"error", "error_description"}
      return { error: imdsErrorCode(status), error_description: message };
    case 'dataplane':
    case 'arm':
      // ARM error envelope (azure-resource-manager common-types ErrorResponse)
      return {
        error: {
          code: status === 429 ? 'TooManyRequests' : pascalStatus(status),
          message:
            status === 429
              ? 'The request is being throttled. Please retry after the time in the Retry-After header.'
              : message,
        },
      };
    case 'graph':
      // Graph error envelope (graph docs resources/errors.md)
      return {
        error: {
          code: status === 429 ? 'TooManyRequests' : pascalStatus(status),
          message,
          innerError: {
            date: new Date(req.nowMs).toISOString().slice(0, 19),
            'request-id': req.requestId,
            'client-request-id': req.headers['client-request-id'] ?? req.requestId,
          },
        },
      };
    case 'control':
      return { error: message };
  }
}

/** A corporate forward proxy's error page (Squid's, as seen when IMDS traffic goes through a proxy). */
const PROXY_PAGE = `<!DOCTYPE html PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html><head><meta type="copyright" content="Copyright (C) 1996-2023 The Squid Software Foundation and contributors">
<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><title>ERROR: The requested URL could not be retrieved</title></head>
<body id="ERR_CONNECT_FAIL"><div id="titles"><h1>ERROR</h1><h2>The requested URL could not be retrieved</h2></div><hr>
<div id="content"><p>The following error was encountered while trying to retrieve the URL:</p>
<blockquote id="error"><p><b>Connection to 169.254.169.254 failed.</b></p></blockquote>
<p id="sysmsg">The system returned: <i>(110) Connection timed out</i></p>
<p>The remote host or network may be down. Please try the request again.</p>
<p>Your cache administrator is <a href="mailto:webmaster">webmaster</a>.</p></div>
<hr><div id="footer"><p>Generated by proxy.corp.example (squid/5.7)</p></div></body></html>
`;

function hugeBody(bytes: number): string {
  const shell = '{"value":[],"padding":""}';
  return `{"value":[],"padding":"${'x'.repeat(Math.max(0, bytes - shell.length))}"}`;
}

/** Half of what the endpoint would have said (or a cut-off JSON array when it says nothing). */
function cutBody(normal: EmulatorResponse): string {
  const text = encodeBody(normal.body)?.text ?? '';
  return text.length >= 2 ? text.slice(0, Math.ceil(text.length / 2)) : '{"value":[{"id":"';
}

export interface FaultTarget {
  service: ServiceName;
  req: RequestInfo;
  res: ServerResponse;
  serviceHeaders: Record<string, string>;
  /** The answer the endpoint would give without a fault. */
  normal: () => EmulatorResponse;
}

/** Carry out a fault step. Returns false for 'pass' (the caller answers normally). */
export function applyFault(step: FaultStep, t: FaultTarget): boolean {
  if ('status' in step) {
    const headers = {
      ...(step.headers ?? {}),
      ...(step.retryAfter !== undefined ? { 'retry-after': String(step.retryAfter) } : {}),
    };
    writeResponse(
      t.res,
      { status: step.status, body: step.body ?? defaultErrorBody(t.service, step.status, t.req), headers },
      t.serviceHeaders,
    );
    return true;
  }
  switch (step.kind) {
    case 'pass':
      return false;
    case 'hang':
      return true;
    case 'reset':
      t.res.socket?.destroy();
      return true;
    case 'truncated': {
      const text = cutBody(t.normal());
      t.res.writeHead(200, {
        ...t.serviceHeaders,
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text) * 2 + 64),
      });
      t.res.write(text, () => t.res.socket?.destroy());
      return true;
    }
    case 'malformed':
      writeResponse(
        t.res,
        { status: 200, body: cutBody(t.normal()), headers: { 'content-type': 'application/json; charset=utf-8' } },
        t.serviceHeaders,
      );
      return true;
    case 'huge':
      writeResponse(
        t.res,
        {
          status: 200,
          body: hugeBody(step.bytes ?? DEFAULT_HUGE_BYTES),
          headers: { 'content-type': 'application/json; charset=utf-8' },
        },
        t.serviceHeaders,
      );
      return true;
    case 'html502':
      writeResponse(
        t.res,
        {
          status: 502,
          body: PROXY_PAGE,
          headers: {
            'content-type': 'text/html;charset=utf-8',
            server: 'squid/5.7',
            'x-squid-error': 'ERR_CONNECT_FAIL 110',
            via: '1.1 proxy.corp.example (squid/5.7)',
          },
        },
        {},
      );
      return true;
  }
}
