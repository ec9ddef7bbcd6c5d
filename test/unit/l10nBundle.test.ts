/**
 * The localisation bundle (package.json `l10n`: l10n/bundle.l10n.json) cannot go stale: every literal message
 * passed to `vscode.l10n.t` or `l10n.t` (@vscode/l10n, the vscode-free UI helpers) in src is a key of it, and it is
 * exactly what `npm run l10n:export` (@vscode/l10n-dev) writes today. A key missing from a translated bundle
 * silently falls back to English, so this is the only place a forgotten export shows.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const BUNDLE = path.join(ROOT, 'l10n', 'bundle.l10n.json');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : /\.ts$/.test(e.name) ? [p] : [];
  });
}

/** The string literal starting at text[start] (a quote), unescaped; undefined when it is not a plain literal. */
function literalAt(text: string, start: number): string | undefined {
  const quote = text[start];
  if (quote !== "'" && quote !== '"' && quote !== '`') return undefined;
  let out = '';
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i];
    if (c === quote) return out;
    if (quote === '`' && c === '$' && text[i + 1] === '{') return undefined; // a template with holes: not a key
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next;
  }
  return undefined;
}

interface Call {
  file: string;
  message?: string;
}

/** Every `l10n.t(` call in a file with its first argument when that is a string literal. */
function l10nCalls(file: string): Call[] {
  const text = fs.readFileSync(file, 'utf8');
  const calls: Call[] = [];
  for (const m of text.matchAll(/\bl10n\.t\(\s*/g)) {
    calls.push({ file: path.relative(ROOT, file), message: literalAt(text, m.index + m[0].length) });
  }
  return calls;
}

describe('localisation bundle (l10n/bundle.l10n.json)', () => {
  const bundle = JSON.parse(fs.readFileSync(BUNDLE, 'utf8')) as Record<string, string>;
  const calls = sources(path.join(ROOT, 'src')).flatMap(l10nCalls);

  it('package.json points VS Code at it and the .vsix ships it', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { l10n?: string };
    assert.equal(path.resolve(ROOT, pkg.l10n ?? ''), path.dirname(BUNDLE));
    const ignore = fs.readFileSync(path.join(ROOT, '.vscodeignore'), 'utf8').split('\n');
    assert.ok(ignore.includes('!l10n/bundle.l10n.json'), '.vscodeignore must whitelist the bundle');
  });

  it('holds every literal message passed to l10n.t in src', () => {
    const literals = calls.filter((c) => c.message !== undefined);
    // The UI has well over a hundred messages; a scan that finds few has stopped reading the sources.
    assert.ok(literals.length > 150, `only ${literals.length} l10n.t literals found`);
    const missing = literals.filter((c) => !Object.hasOwn(bundle, c.message!));
    assert.deepEqual(
      missing.map((c) => `${c.file}: ${JSON.stringify(c.message)}`),
      [],
      'run `npm run l10n:export` and commit l10n/bundle.l10n.json',
    );
    for (const [key, value] of Object.entries(bundle)) assert.equal(value, key, 'the default bundle is English');
  });

  it('l10n.t is never aliased (the exporter only sees direct calls)', () => {
    for (const file of sources(path.join(ROOT, 'src'))) {
      const text = fs.readFileSync(file, 'utf8');
      assert.doesNotMatch(text, /=\s*(vscode\.)?l10n\.t\s*[;,)]/, `${path.relative(ROOT, file)} aliases l10n.t`);
    }
  });

  it('is exactly what `npm run l10n:export` writes now (no stale keys either)', function () {
    this.timeout(60_000);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'vmi-l10n-'));
    try {
      const cli = path.join(ROOT, 'node_modules', '@vscode', 'l10n-dev', 'dist', 'cli.js');
      execFileSync(process.execPath, [cli, 'export', '--outDir', out, './src'], { cwd: ROOT, stdio: 'pipe' });
      const exported = JSON.parse(fs.readFileSync(path.join(out, 'bundle.l10n.json'), 'utf8')) as object;
      assert.deepEqual(bundle, exported, 'run `npm run l10n:export` and commit l10n/bundle.l10n.json');
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});
