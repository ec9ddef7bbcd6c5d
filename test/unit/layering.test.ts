import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
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
  for (const re of [
    /\bfrom\s+['"]([^'"]+)['"]/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
  ]) {
    for (const m of text.matchAll(re)) found.push(m[1]);
  }
  return found;
}

describe('layering', () => {
  it('src/core imports nothing of ours (only node built-ins and its own files)', () => {
    const files = sources(path.join(ROOT, 'src/core'));
    assert.ok(files.length > 0);
    for (const file of files) {
      for (const spec of specifiers(file)) {
        const ours = spec.startsWith('.');
        assert.ok(!ours || /^\.\/[^/]+$/.test(spec), `${path.relative(ROOT, file)} imports ${spec}`);
        assert.ok(ours || spec.startsWith('node:'), `${path.relative(ROOT, file)} imports package ${spec}`);
      }
    }
  });

  it('no export * across layers, and no raw output channel below the composition root', () => {
    for (const file of sources(path.join(ROOT, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      const rel = path.relative(ROOT, file);
      assert.ok(!/^export \* from/m.test(text), `${rel} re-exports with export *`);
      if (rel !== path.join('src', 'extension.ts') && !rel.startsWith(path.join('src', 'ui', 'log'))) {
        assert.ok(!text.includes('LogOutputChannel'), `${rel} mentions LogOutputChannel`);
      }
    }
  });

  it('no file in src/ is over 300 lines', () => {
    for (const file of sources(path.join(ROOT, 'src'))) {
      const lines = fs.readFileSync(file, 'utf8').split('\n').length;
      assert.ok(lines <= 301, `${path.relative(ROOT, file)} has ${lines} lines`);
    }
  });

  for (const layer of [
    'src/identity',
    'src/azure',
    'src/session',
    'src/cli',
    'src/diagnose',
    'src/doctor',
    'src/agents',
    'src/access',
  ]) {
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
    const tmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-')), 'x.ts');
    fs.writeFileSync(tmp, "import * as vscode from 'vscode';\nconst y = require('vscode');\n");
    assert.deepEqual(specifiers(tmp), ['vscode', 'vscode']);
  });
});
