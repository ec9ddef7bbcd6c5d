// Bundles the extension and the CLI (and the emulator for the demo/bench) with esbuild.
// Type-checking is separate: `npm run typecheck` (tsc --noEmit).
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  logLevel: 'warning',
  legalComments: 'none',
};

const builds = [
  { ...common, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['test/emulator/main.ts'], outfile: 'dist/emulator.js', minify: false },
  // The extension-host integration suite (loaded as extensionTestsPath); mocha from node_modules.
  {
    ...common,
    entryPoints: ['test/integration/index.ts'],
    outfile: 'out/integration/index.js',
    external: ['vscode', 'mocha'],
    minify: false,
    sourcemap: true,
  },
  // The webview pages' script and stylesheet (token inspector, Diagnose): browser, one iife with the
  // @vscode-elements/elements components it imports one by one. Always minified: it ships in the .vsix.
  {
    ...common,
    entryPoints: ['media/webview/main.ts', 'media/webview/main.css'],
    outdir: 'dist/webview',
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    minify: true,
    sourcemap: false,
  },
];

/**
 * Watch mode prints `[watch] build started` when the first of the bundles starts rebuilding and `[watch] build
 * finished` when the last one is done, and each error as `file:line:column: error: text`: the lines
 * .vscode/tasks.json's background problem matcher waits for before launching the extension host.
 */
let building = 0;
function watchLog() {
  return {
    name: 'watch-log',
    setup(build) {
      build.onStart(() => {
        if (building++ === 0) console.log('[watch] build started');
      });
      build.onEnd((result) => {
        for (const { text, location } of result.errors) {
          if (location) console.error(`${location.file}:${location.line}:${location.column}: error: ${text}`);
          else console.error(`error: ${text}`);
        }
        if (--building === 0) console.log('[watch] build finished');
      });
    },
  };
}

async function main() {
  const fs = require('fs');
  const entries = (b) => (Array.isArray(b.entryPoints) ? b.entryPoints : Object.values(b.entryPoints));
  const existing = builds.filter((b) => entries(b).every((e) => fs.existsSync(e)));
  if (watch) {
    // The lines .vscode/tasks.json's background problem matcher waits for (build started / finished).
    for (const b of existing) (await esbuild.context({ ...b, plugins: [watchLog()] })).watch();
    return;
  }
  await Promise.all(existing.map((b) => esbuild.build(b)));
  if (fs.existsSync('dist/cli.js')) fs.chmodSync('dist/cli.js', 0o755);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
