/**
 * Parses a managed-identity token response. IMDS sends every field as a string
 * (`"expires_in":"3599"`, `"expires_on":"1506484173"`; entra-docs how-to-use-vm-token.md); other hosts
 * send `expires_on` as a number, an ISO date, or App Service 2017's `"09/14/2017 00:00:00 PM +00:00"`.
 */
import { malformedResponse } from '../core/errors';
import { isRecord, parseJsonBody } from '../core/json';

export const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

export interface AccessToken {
  /** The bearer token. Never log, persist or display it. */
  readonly token: string;
  /** Local-clock epoch ms when the token expires. */
  readonly expiresOn: number;
  /** Local-clock epoch ms after which a fresh token should be fetched. */
  readonly refreshAfter: number;
  readonly resource: string;
  readonly tokenType: string;
  /** The server's clock as this response states it, for Diagnose's clock-skew check (never used for expiry). */
  readonly serverClock?: ServerClock;
}

/** Server-stamped times of one token response: `expires_on` (epoch ms) and `expires_in` (seconds). */
export interface ServerClock {
  expiresOnMs?: number;
  expiresInSec?: number;
}

/** Treat tokens as expired this long before they really are (MSAL's 5 minutes). */
export const EXPIRY_MARGIN_MS = 5 * 60_000;
/** A disagreement between `expires_on` and `now + expires_in` larger than this means the clocks differ. */
const SKEW_TOLERANCE_MS = 5 * 60_000;

export function parseTokenResponse(
  body: Buffer | string,
  where: string,
  requestedResource: string,
  now: number,
): AccessToken {
  const size = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
  if (size > MAX_TOKEN_RESPONSE_BYTES) throw malformedResponse(where, `the body is larger than 1 MB (${size} bytes)`);
  const json = parseJsonBody(body, where);
  if (!isRecord(json)) throw malformedResponse(where, 'the body is not a JSON object');
  const token = json.access_token;
  if (typeof token !== 'string' || token.length === 0) throw malformedResponse(where, 'it has no access_token');
  const expiresOn = resolveExpiry(json, now);
  if (expiresOn === undefined) throw malformedResponse(where, 'it says neither expires_on nor expires_in');
  const refreshIn = toNumber(json.refresh_in);
  const lifetime = expiresOn - now;
  let refreshAfter = expiresOn - EXPIRY_MARGIN_MS;
  if (refreshIn !== undefined && refreshIn > 0) refreshAfter = Math.min(refreshAfter, now + refreshIn * 1000);
  else if (lifetime > 2 * 3600_000) refreshAfter = Math.min(refreshAfter, now + lifetime / 2); // MSAL: refresh_in = lifetime/2 past 2 h
  if (refreshAfter < now) refreshAfter = now + Math.max(0, lifetime / 2);
  return {
    token,
    expiresOn,
    refreshAfter,
    resource: typeof json.resource === 'string' && json.resource ? json.resource : requestedResource,
    tokenType: typeof json.token_type === 'string' && json.token_type ? json.token_type : 'Bearer',
    serverClock: { expiresOnMs: parseExpiresOn(json.expires_on), expiresInSec: toNumber(json.expires_in) },
  };
}

/**
 * `now + expires_in` is immune to clock skew between the VM and the token service, so it wins when both
 * are present and they disagree by more than a few minutes; otherwise `expires_on` is used as sent.
 */
function resolveExpiry(json: Record<string, unknown>, now: number): number | undefined {
  const absolute = parseExpiresOn(json.expires_on);
  const relativeSeconds = toNumber(json.expires_in);
  const relative = relativeSeconds !== undefined && relativeSeconds >= 0 ? now + relativeSeconds * 1000 : undefined;
  if (absolute !== undefined && relative !== undefined) {
    return Math.abs(absolute - relative) > SKEW_TOLERANCE_MS ? relative : absolute;
  }
  return absolute ?? relative;
}

const APP_SERVICE_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2}) (AM|PM) ([+-])(\d{2}):(\d{2})$/i;

/** Epoch seconds (number or digits), epoch ms, ISO 8601, or the App Service 2017 format. Returns epoch ms. */
export function parseExpiresOn(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? epochToMs(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return epochToMs(Number(text));
  const m = APP_SERVICE_DATE.exec(text);
  if (m) {
    const [, month, day, year, hh, mm, ss, ampm, sign, oh, om] = m;
    let hour = Number(hh) % 12;
    if (ampm.toUpperCase() === 'PM') hour += 12;
    const offsetMs = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
    return Date.UTC(Number(year), Number(month) - 1, Number(day), hour, Number(mm), Number(ss)) - offsetMs;
  }
  if (/^\d{4}-\d{2}-\d{2}T/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** Values below 10^11 are seconds (until the year 5138); above, milliseconds. */
function epochToMs(n: number): number | undefined {
  if (!Number.isFinite(n) || n <= 0) return undefined;
  return n < 1e11 ? n * 1000 : n;
}

function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}
