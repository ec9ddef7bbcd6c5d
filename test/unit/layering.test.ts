import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.ts$/.test(e.name) ? [p] : [];
  });
}

/** Every module specifier a file imports, requires or dynamically imports. */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const re of [/\bfrom\s+['"]([^'"]+)['"]/g, /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g, /^\s*import\s+['"]([^'"]+)['"]/gm]) {
    for (const m of text.matchAll(re)) found.push(m[1]);
  }
  return found;
}

describe('layering', () => {
  for (const layer of ['src/identity', 'src/azure', 'src/cli']) {
    it(`${layer} imports no vscode, and nothing from src/ui or the extension`, () => {
      const files = sources(path.join(ROOT, layer));
      assert.ok(files.length > 0, `${layer} has sources`);
      for (const file of files) {
        for (const spec of specifiers(file)) {
          assert.notEqual(spec, 'vscode', `${path.relative(ROOT, file)} imports vscode`);
          assert.ok(!/(^|\/)(ui|extension)(\/|$)/.test(spec), `${path.relative(ROOT, file)} imports ${spec}`);
        }
      }
    });
  }

  it('the scanner itself finds a vscode import (so the test above can fail)', () => {
    const tmp = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'layer-')), 'x.ts');
    fs.writeFileSync(tmp, "import * as vscode from 'vscode';\nconst y = require('vscode');\n");
    assert.deepEqual(specifiers(tmp), ['vscode', 'vscode']);
  });
});
