/**
 * Last line of defence for report text: checks are written never to copy a secret, but a probe's error text or a
 * proxy URL can carry one. Removes JWTs, Bearer/Basic credentials, user:password in URLs, and secret-looking
 * query/key=value pairs.
 */
const RULES: ReadonlyArray<[RegExp, string]> = [
  // JWT / JWS: three base64url segments, header starting with eyJ ('{"').
  [/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[token]'],
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/(\/\/)[^/@\s:]+:[^/@\s]*@/g, '$1[credentials]@'],
  [
    /\b(access_token|refresh_token|client_secret|client_assertion|password|secret|sig|code|x-identity-header|assertion)=([^&\s"']+)/gi,
    '$1=[redacted]',
  ],
];

export function scrub(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}

/** A URL as safe evidence: scheme, host and port only. */
export function describeUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '(not a URL)';
  }
}
