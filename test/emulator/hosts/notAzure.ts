/**
 * A metadata server at the link-local address that is not Azure's: other clouds answer Azure's IMDS paths with HTML,
 * never with a `Server: IMDS/…` header (Azure IMDS sends one — see http.ts serviceHeaders; docs/HOSTS.md "6. Not Azure at all").
 * - `aws`: EC2's instance metadata service answers unknown paths 404 with a small HTML page (`Server: EC2ws`,
 *   observed; AWS docs "Instance metadata and user data" / IMDSv2: a `PUT /latest/api/token` session is required
 *   when IMDSv2 is enforced — modelled by `imdsV2Only`, answering 401).
 * - `gcp`: the GCE metadata server refuses requests without `Metadata-Flavor: Google` with 403 HTML
 *   (`Server: Metadata Server for VM`; GCP docs "About VM metadata": "requests … must contain the header
 *   Metadata-Flavor: Google"), and answers unknown paths 404.
 * Exact HTML bodies are observed/inferred; clients must key on status, content type and the missing Server header.
 */
import type { EmulatorResponse, RequestInfo } from '../types';
import { checkOptions, optBoolean, optString, type HostDefinition } from './hostTypes';

const OPTIONS = ['flavor', 'imdsV2Only'];
const HTML = 'text/html';

function html(status: number, title: string, body: string): EmulatorResponse {
  const page = `<?xml version="1.0" encoding="iso-8859-1"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"\n\t"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">\n <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n${body}\n </body>\n</html>\n`;
  return { status, body: page, headers: { 'content-type': HTML } };
}

function aws(req: RequestInfo, imdsV2Only: boolean): EmulatorResponse {
  if (imdsV2Only && req.headers['x-aws-ec2-metadata-token'] === undefined) return html(401, '401 - Unauthorized', '');
  return html(404, '404 - Not Found', '');
}

function gcp(req: RequestInfo): EmulatorResponse {
  if (req.headers['metadata-flavor'] !== 'Google') {
    const page = `<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n  <title>Error 403 (Forbidden)!!1</title>\n  <p><b>403.</b> <ins>That\u2019s an error.</ins>\n  <p>Your client does not have permission to get URL <code>${req.path}</code> from this server. Missing Metadata-Flavor:Google header. <ins>That\u2019s all we know.</ins>\n`;
    return { status: 403, body: page, headers: { 'content-type': 'text/html; charset=UTF-8' } };
  }
  return {
    status: 404,
    body: '<!DOCTYPE html>\n<html lang=en><title>Error 404 (Not Found)!!1</title><p><b>404.</b> <ins>That\u2019s an error.</ins>\n',
    headers: { 'content-type': 'text/html; charset=UTF-8' },
  };
}

export function createNotAzureHost(options: Record<string, unknown>): HostDefinition {
  checkOptions(options, OPTIONS, 'not-azure');
  const flavor = optString(options, 'flavor') ?? 'aws';
  if (flavor !== 'aws' && flavor !== 'gcp') throw new Error(`not-azure flavor must be aws or gcp, got '${flavor}'`);
  const imdsV2Only = optBoolean(options, 'imdsV2Only') ?? false;
  return {
    kind: 'not-azure',
    headers: { server: flavor === 'aws' ? 'EC2ws' : 'Metadata Server for VM' },
    handle: (req) => (flavor === 'aws' ? aws(req, imdsV2Only) : gcp(req)),
    // No Azure variable: the client falls through to IMDS; a test points its IMDS base URL at RunningHost.url.
    env: () => ({}),
    details: () => ({ flavor, imdsV2Only }),
  };
}
