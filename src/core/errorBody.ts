import { redact } from './log';

/** The error bodies identity hosts, Entra, ARM and Graph send, read into one shape (docs/HOSTS.md). */
export interface ErrorBody {
  code?: string;
  description?: string;
  aadsts?: number;
  correlationId?: string;
}

/**
 * The error body of IMDS/Arc/Entra (`{error, error_description, error_codes?}`), Cloud Shell/ARM/Graph
 * (`{error: {code, message}}`) or App Service (`{statusCode, message, correlationId}`).
 */
export function errorBodyOf(json: unknown): ErrorBody {
  if (typeof json !== 'object' || json === null) return {};
  const j = json as {
    error?: unknown;
    error_description?: unknown;
    error_codes?: unknown;
    message?: unknown;
    correlationId?: unknown;
    correlation_id?: unknown;
  };
  const e = j.error;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const correlationId = text(j.correlationId) ?? text(j.correlation_id);
  if (typeof e === 'string') {
    const codes = Array.isArray(j.error_codes) ? j.error_codes : [];
    const aadsts = typeof codes[0] === 'number' ? codes[0] : undefined;
    return { code: e, description: text(j.error_description), aadsts, correlationId };
  }
  if (typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string') {
    return { code: (e as { code: string }).code, description: text((e as { message?: unknown }).message) };
  }
  if (typeof j.message === 'string') return { description: j.message, correlationId };
  return {};
}

/** The first sentence of a service's own words, redacted: a service may echo a credential back. */
export function firstSentence(text: string): string {
  const s = redact(text).split(/(?<=\.)\s/)[0] ?? text;
  return s.length > 200 ? `${s.slice(0, 200)}…` : s.replace(/\.$/, '');
}
