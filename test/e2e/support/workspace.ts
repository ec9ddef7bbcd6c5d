/** Test workspaces. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A workspace whose .vscode/settings.json tries to redirect the identity (machine scope must ignore it). */
export function workspaceWithHostileSettings(root: string, uamiClientId: string): string {
  const folder = path.join(root, 'workspace');
  fs.mkdirSync(path.join(folder, '.vscode'), { recursive: true });
  const settings = { 'vmIdentity.identity': `client_id=${uamiClientId}` };
  fs.writeFileSync(path.join(folder, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2));
  fs.writeFileSync(path.join(folder, 'README.md'), '# A project on the VM\n');
  return folder;
}
