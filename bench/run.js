#!/usr/bin/env node
/**
 * `npm run bench [-- options]`: builds and packages (npm run package), installs code-server and Chromium if
 * missing (npm run setup:vscode; both idempotent), then runs bench/measure.ts inside scripts/netns-run.sh,
 * a network namespace with only `lo`, against emulators on 127.0.0.1. The report goes to stdout and to
 * BENCHMARKS.md; build and progress output go to stderr.
 *
 * Options (passed on to bench/measure.ts):
 *   --runs N       timed runs per CLI/SDK cell (default 9, after one warm-up each)
 *   --ui-runs N    timed sign-ins in VS Code with 12 assignments (default 7)
 *   --skip-ui      no VS Code part (sections 3 and the tree half of 4)
 *   --no-build     do not run npm run package / setup:vscode first
 */
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const startedAt = Date.now();
const root = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const build = !args.includes('--no-build');
const passOn = args.filter((a) => a !== '--no-build');

function step(title, command, argv) {
  process.stderr.write(`[bench] ${title}\n`);
  // Build output goes to stderr so that stdout carries the report only.
  const r = spawnSync(command, argv, { cwd: root, stdio: ['ignore', 2, 2] });
  if (r.status !== 0) {
    process.stderr.write(`[bench] ${title} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

const npmVersion = spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout?.trim() || 'unknown';
if (build) {
  step('npm run package', 'npm', ['run', '--silent', 'package']);
  step('npm run setup:vscode', 'npm', ['run', '--silent', 'setup:vscode']);
}

const r = spawnSync(
  'bash',
  [
    path.join(root, 'scripts', 'netns-run.sh'),
    process.execPath,
    '--require',
    'tsx/cjs',
    path.join(root, 'bench', 'measure.ts'),
    ...passOn,
  ],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      BENCH_STARTED_MS: String(startedAt),
      BENCH_COMMAND: ['npm run bench', ...(args.length ? ['--', ...args] : [])].join(' '),
      BENCH_NPM_VERSION: npmVersion,
    },
  },
);
process.stderr.write(`[bench] done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s\n`);
process.exit(r.status ?? 1);
