/** The logging seam: VS Code's LogOutputChannel satisfies it, the CLI writes to stderr. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

const BEARER = /\b(Bearer)\s+[A-Za-z0-9\-._~+/]+=*/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const TOKEN_FIELD = /("?(?:access_token|refresh_token|client_secret)"?\s*[:=]\s*"?)[^"\s,}&]+/gi;

/** Removes anything that looks like a credential from a log line. Applied to every line we write. */
export function redact(line: string): string {
  return line.replace(BEARER, '$1 <redacted>').replace(JWT, '<redacted-jwt>').replace(TOKEN_FIELD, '$1<redacted>');
}

/** Wraps a logger so every line passes through {@link redact}. */
export function redacting(inner: Logger): Logger {
  return {
    trace: (m) => inner.trace(redact(m)),
    debug: (m) => inner.debug(redact(m)),
    info: (m) => inner.info(redact(m)),
    warn: (m) => inner.warn(redact(m)),
    error: (m) => inner.error(redact(m)),
  };
}
