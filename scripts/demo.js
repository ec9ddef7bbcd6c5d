#!/usr/bin/env node
/**
 * `npm start`: the demo, no Azure needed. Builds and packages the extension, installs code-server if
 * missing, starts the Azure emulator and code-server (with the .vsix installed and every endpoint pointed
 * at the emulator on loopback), and prints the URL. Ctrl-C stops all of it.
 *
 *   PORT=8080 npm start          # code-server's port (default 8080, or a free one if taken)
 *   DEMO_ASSIGNMENTS=40 npm start
 */
'use strict';
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const STATE = path.join(ROOT, '.vscode-test', 'demo');
const ENTRY = path.join(
  ROOT,
  '.vscode-test',
  'code-server-4.100.3',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);
const children = [];

function run(cmd, args) {
  execFileSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
}

function portFree(port) {
  return new Promise((resolve) => {
    const s = net
      .createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function pickPort(wanted) {
  if (await portFree(wanted)) return wanted;
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function start(name, args, env, readyPattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    children.push(child);
    let seen = '';
    const onData = (d) => {
      seen += d;
      const m = readyPattern.exec(seen);
      if (m) resolve({ child, match: m });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}):\n${seen.slice(-2000)}`)));
  });
}

function stopAll() {
  for (const c of children) {
    try {
      process.kill(-c.pid, 'SIGTERM');
    } catch {
      /* gone */
    }
  }
}

async function main() {
  console.log('▸ building and packaging the extension');
  run('npm', ['run', '--silent', 'package']);
  console.log('▸ making sure code-server 4.100.3 is installed');
  run('npm', ['run', '--silent', 'setup:vscode']);

  const assignments = String(Number(process.env.DEMO_ASSIGNMENTS) || 24);
  console.log(`▸ starting the Azure emulator (${assignments} role assignments)`);
  const emulator = await start(
    'emulator',
    [
      path.join(ROOT, 'dist', 'emulator.js'),
      '--listen',
      '127.0.0.1:0',
      '--assignments',
      assignments,
      '--latency-imds',
      '5',
      '--latency-arm',
      '60',
      '--latency-graph',
      '40',
    ],
    process.env,
    /^(\{.*\})\s*$/m,
  );
  const state = JSON.parse(emulator.match[1]);
  const base = state.httpUrl || state.urls[0];

  fs.mkdirSync(path.join(STATE, 'user-data', 'User'), { recursive: true });
  fs.mkdirSync(path.join(STATE, 'workspace'), { recursive: true });
  fs.writeFileSync(
    path.join(STATE, 'workspace', 'README.md'),
    '# A project on an Azure VM (emulated)\n\nOpen the VM Identity view in the activity bar.\n',
  );
  fs.writeFileSync(
    path.join(STATE, 'user-data', 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'security.workspace.trust.enabled': false,
      },
      null,
      2,
    ),
  );
  const env = {
    ...process.env,
    EXTENSIONS_GALLERY: '{}',
    AZURE_POD_IDENTITY_AUTHORITY_HOST: base,
    VM_IDENTITY_ARM_ENDPOINT: base,
    VM_IDENTITY_GRAPH_ENDPOINT: base,
    XDG_CONFIG_HOME: path.join(STATE, 'xdg', 'config'),
    XDG_DATA_HOME: path.join(STATE, 'xdg', 'data'),
    XDG_CACHE_HOME: path.join(STATE, 'xdg', 'cache'),
  };
  const common = ['--user-data-dir', path.join(STATE, 'user-data'), '--extensions-dir', path.join(STATE, 'extensions')];
  console.log('▸ installing dist/vm-identity.vsix into code-server');
  execFileSync(
    process.execPath,
    [ENTRY, ...common, '--install-extension', path.join(ROOT, 'dist', 'vm-identity.vsix'), '--force'],
    { env, stdio: 'inherit' },
  );

  const port = await pickPort(Number(process.env.PORT) || 8080);
  console.log('▸ starting code-server');
  await start(
    'code-server',
    [
      ENTRY,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      ...common,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      path.join(STATE, 'workspace'),
    ],
    env,
    /HTTP server listening on/,
  );
  console.log(`
  VM Identity demo is running.

    Open   http://127.0.0.1:${port}/?folder=${encodeURIComponent(path.join(STATE, 'workspace'))}
    The extension signs in by itself; the status bar shows the identity, the "VM Identity" view its VM and roles.
    Emulator: ${base}  (steer it: curl -XPOST ${base}/_emulator/config -d '{"systemAssigned":false,"userAssignedAttached":false}')

  Ctrl-C stops everything.
`);
}

process.on('SIGINT', () => {
  stopAll();
  process.exit(0);
});
process.on('SIGTERM', () => {
  stopAll();
  process.exit(0);
});
main().catch((e) => {
  console.error(e.message);
  stopAll();
  process.exit(1);
});
