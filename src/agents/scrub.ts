/**
 * Defence in depth for every text a model or an agent receives: the tools are written never to read a token into
 * their answers, and this removes anything token-shaped that got there anyway (an error text quoting a header, a
 * proxy URL with a password). The rules of src/diagnose/scrub.ts, plus long opaque runs (a token that is not a JWT,
 * a SAS signature, a key), which no identity, VM or role text contains: GUIDs and resource ID segments are shorter.
 */
import { scrub } from '../diagnose/scrub';

const JWT = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;
// No '/' in the run: resource IDs are long runs of path segments, each short.
const OPAQUE = /(?<![A-Za-z0-9_+=-])[A-Za-z0-9_+=-]{80,}(?![A-Za-z0-9_+=-])/g;

export function scrubTokens(text: string): string {
  return scrub(text).replace(OPAQUE, '[redacted]');
}

/** True when `text` holds something that looks like an access token (the tests' scan, and a last assertion). */
export function looksLikeToken(text: string): boolean {
  return JWT.test(text) || new RegExp(OPAQUE.source).test(text);
}
