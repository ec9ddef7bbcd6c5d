/** JSON from the network: parsed into `unknown`, with a typed error for a body that is not JSON. */
import { malformedResponse } from './errors';

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses a response body; `where` ("GET host/path") names the request in the error. */
export function parseJsonBody(body: Buffer | string, where: string): unknown {
  try {
    return JSON.parse(body.toString());
  } catch {
    throw malformedResponse(where, 'the body is not JSON');
  }
}

/** Parses a body that may or may not be JSON (an error body): `undefined` when it is not. */
export function tryParseJson(body: Buffer | string): unknown {
  try {
    const text = body.toString();
    return text.length ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}
