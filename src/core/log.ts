/**
 * The logging seam and its redactor. VS Code's log output channel satisfies {@link Logger}, the CLI writes
 * to stderr; but every module below the composition roots receives only a {@link redacting} logger, so no
 * line reaches an output without passing {@link redact}.
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const BASIC = /\b(Authorization"?\s*[:=]\s*"?Basic)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const TOKEN_FIELD = /("?(?:access_token|refresh_token|client_secret|x-identity-header)"?\s*[:=]\s*"?)[^"\s,}&]+/gi;
/** Query parameters that carry secrets: SAS signatures, OAuth codes, passwords, keys. */
const QUERY_SECRET =
  /([?&](?:sig|signature|code|secret|client_secret|password|pwd|token|access_token|key|api-key)=)[^&\s#"']+/gi;

/** Removes anything that looks like a credential from a log line. Applied to every line we write. */
export function redact(line: string): string {
  return line
    .replace(BEARER, '$1 <redacted>')
    .replace(BASIC, '$1 <redacted>')
    .replace(JWT, '<redacted-jwt>')
    .replace(TOKEN_FIELD, '$1<redacted>')
    .replace(QUERY_SECRET, '$1<redacted>');
}

const REDACTING = Symbol('redacting');

/** Wraps a logger so every line passes through {@link redact}. Wrapping twice returns the same logger. */
export function redacting(inner: Logger): Logger {
  if ((inner as { [REDACTING]?: true })[REDACTING]) return inner;
  return {
    [REDACTING]: true,
    trace: (m) => inner.trace(redact(m)),
    debug: (m) => inner.debug(redact(m)),
    info: (m) => inner.info(redact(m)),
    warn: (m) => inner.warn(redact(m)),
    error: (m) => inner.error(redact(m)),
  } as Logger;
}

/** An error as one log line: message and stack, redacted (a token in a message or stack never reaches the log). */
export function describeForLog(e: unknown): string {
  if (e instanceof Error)
    return redact(e.stack && e.stack.includes(e.message) ? e.stack : `${e.message}\n${e.stack ?? ''}`);
  return redact(String(e));
}
