import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPrivateDir, findOnPath, removePrivateDir, sweepStaleDirs } from '../../src/ui/terminal/privateDir';
import {
  type TerminalIdentity,
  azLoginArgsFor,
  identityKey,
  planIdentityTerminal,
  shellQuote,
} from '../../src/ui/terminal/terminalEnv';

const CLIENT = '66666666-7777-8888-9999-000000000000';
const UAMI = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/app id';
const TOKENISH = /eyJ[A-Za-z0-9_-]{5,}\.|Bearer|access_?token/i;

describe('planIdentityTerminal', () => {
  const base = { privateDir: '/tmp/vm-identity-terminal-1-abc', azAvailable: true, bashPath: '/bin/bash' };

  it('system-assigned: private AZURE_CONFIG_DIR, straight to managed identity, inherited AZURE_CLIENT_ID removed', () => {
    const plan = planIdentityTerminal({ ...base, identity: { selector: { kind: 'system' }, principalId: 'p-1' } });
    assert.deepEqual(plan.env, {
      AZURE_CONFIG_DIR: '/tmp/vm-identity-terminal-1-abc/azure-system',
      AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential',
      AZURE_CLIENT_ID: null,
    });
    assert.deepEqual(plan.azLoginArgs, ['login', '--identity', '--allow-no-subscriptions', '--output', 'none']);
    assert.deepEqual(plan.shellArgs, ['--rcfile', '/tmp/vm-identity-terminal-1-abc/bashrc-system', '-i']);
    assert.match(plan.message, /system-assigned identity, object ID p-1/);
  });

  it('user-assigned by resource ID with a known client ID: AZURE_CLIENT_ID set, az gets --resource-id', () => {
    const identity: TerminalIdentity = {
      selector: { kind: 'resourceId', value: UAMI },
      clientId: CLIENT,
      displayName: 'app id',
    };
    const plan = planIdentityTerminal({ ...base, identity });
    assert.equal(plan.env.AZURE_CLIENT_ID, CLIENT);
    assert.deepEqual(plan.azLoginArgs?.slice(-2), ['--resource-id', UAMI]);
    assert.equal(plan.name, 'VM Identity: app id');
    assert.deepEqual(plan.warnings, []);
  });

  it('user-assigned by object ID without a client ID: says SDK code cannot be pointed at it', () => {
    const plan = planIdentityTerminal({ ...base, identity: { selector: { kind: 'objectId', value: 'o-1' } } });
    assert.equal(plan.env.AZURE_CLIENT_ID, null);
    assert.match(plan.warnings.join(), /client ID of this identity is not known/);
    assert.deepEqual(plan.azLoginArgs?.slice(-2), ['--object-id', 'o-1']);
  });

  it('no az on PATH: no sign-in in the rc file; no bash: the login line is in the banner instead', () => {
    const noAz = planIdentityTerminal({ ...base, azAvailable: false, identity: { selector: { kind: 'system' } } });
    assert.equal(noAz.azLoginArgs, undefined);
    assert.doesNotMatch(noAz.rcFile!.content, /az login|command -v az/);
    const noBash = planIdentityTerminal({
      ...base,
      bashPath: undefined,
      identity: { selector: { kind: 'clientId', value: CLIENT } },
    });
    assert.equal(noBash.shellPath, undefined);
    assert.equal(noBash.rcFile, undefined);
    assert.match(
      noBash.message,
      new RegExp(`az login --identity --allow-no-subscriptions --output none --client-id ${CLIENT}`),
    );
  });

  it('`prod` for older SDKs; nothing token-like anywhere in the plan', () => {
    const plan = planIdentityTerminal({
      ...base,
      tokenCredentials: 'prod',
      identity: { selector: { kind: 'clientId', value: CLIENT } },
    });
    assert.equal(plan.env.AZURE_TOKEN_CREDENTIALS, 'prod');
    assert.doesNotMatch(JSON.stringify(plan), TOKENISH);
  });

  it('different identities get different config dirs', () => {
    const keys = new Set([
      identityKey({ kind: 'system' }),
      identityKey({ kind: 'clientId', value: CLIENT }),
      identityKey({ kind: 'resourceId', value: UAMI }),
    ]);
    assert.equal(keys.size, 3);
    for (const k of keys) assert.match(k, /^[a-zA-Z0-9-]+$/);
  });

  it('quotes for the shell', () => {
    assert.equal(shellQuote(CLIENT), CLIENT);
    assert.equal(shellQuote("a b'c$"), `'a b'\\''c$'`);
    assert.deepEqual(azLoginArgsFor({ kind: 'clientId', value: CLIENT }).slice(-2), ['--client-id', CLIENT]);
  });
});

describe('the generated rc file, run by bash', function () {
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmi-term-test-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** Runs an interactive bash with the plan's rc file and a HOME whose .bashrc tries to switch identity. */
  function runShell(
    identity: TerminalIdentity,
    withAz: boolean,
    fakeAz = 'echo "$@" >> "$AZ_ARGS_LOG"; exit 0',
  ): { env: Record<string, string>; azCalls: string[] } {
    const home = path.join(tmp, 'home');
    const bin = path.join(tmp, 'bin');
    fs.mkdirSync(home, { recursive: true });
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(
      path.join(home, '.bashrc'),
      'export AZURE_CLIENT_ID=from-user-bashrc\nexport AZURE_CONFIG_DIR="$HOME/.azure"\n',
    );
    if (withAz) fs.writeFileSync(path.join(bin, 'az'), `#!/bin/sh\n${fakeAz}\n`, { mode: 0o755 });
    const privateDir = createPrivateDir(tmp);
    const plan = planIdentityTerminal({ identity, privateDir, azAvailable: withAz, bashPath: '/bin/bash' });
    fs.writeFileSync(plan.rcFile!.path, plan.rcFile!.content, { mode: 0o600 });
    const azLog = path.join(tmp, 'az-args.log');
    const envIn = {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: home,
      AZ_ARGS_LOG: azLog,
      AZURE_CLIENT_ID: 'inherited-from-window',
      ...(plan.env as Record<string, string>),
    };
    for (const [k, v] of Object.entries(plan.env)) if (v === null) delete (envIn as Record<string, string>)[k];
    const out = execFileSync(plan.shellPath!, plan.shellArgs!, {
      env: envIn,
      input: 'env -0; exit\n',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const env = Object.fromEntries(
      out
        .toString()
        .split('\0')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')).replace(/^.*\n/s, ''), l.slice(l.indexOf('=') + 1)]),
    );
    const azCalls = fs.existsSync(azLog) ? fs.readFileSync(azLog, 'utf8').trim().split('\n') : [];
    return { env, azCalls };
  }

  it('user-assigned: env wins over ~/.bashrc and az signs in with --client-id, its config in the 0700 private dir', () => {
    const { env, azCalls } = runShell({ selector: { kind: 'clientId', value: CLIENT } }, true);
    assert.equal(env.AZURE_CLIENT_ID, CLIENT);
    assert.equal(env.AZURE_TOKEN_CREDENTIALS, 'ManagedIdentityCredential');
    assert.ok(env.AZURE_CONFIG_DIR.startsWith(path.join(tmp, 'vm-identity-terminal-')), env.AZURE_CONFIG_DIR);
    assert.deepEqual(azCalls, [`login --identity --allow-no-subscriptions --output none --client-id ${CLIENT}`]);
    assert.equal((fs.statSync(path.dirname(env.AZURE_CONFIG_DIR)).mode & 0o777).toString(8), '700');
  });

  it('system-assigned: AZURE_CLIENT_ID from the window and ~/.bashrc is gone', () => {
    const { env, azCalls } = runShell({ selector: { kind: 'system' } }, true);
    assert.equal(env.AZURE_CLIENT_ID, undefined);
    assert.deepEqual(azCalls, ['login --identity --allow-no-subscriptions --output none']);
  });

  it('an az older than 2.69 (no --client-id) is signed in with --username instead', () => {
    const oldAz =
      'echo "$@" >> "$AZ_ARGS_LOG"; case "$*" in *--client-id*) echo "az: error: unrecognized arguments: --client-id" >&2; exit 2;; esac; exit 0';
    const { azCalls } = runShell({ selector: { kind: 'clientId', value: CLIENT } }, true, oldAz);
    assert.equal(azCalls.length, 2);
    assert.equal(azCalls[1], `login --identity --allow-no-subscriptions --output none --username ${CLIENT}`);
  });

  it('without az nothing is run', () => {
    const { env, azCalls } = runShell({ selector: { kind: 'system' } }, false);
    assert.deepEqual(azCalls, []);
    assert.equal(env.AZURE_TOKEN_CREDENTIALS, 'ManagedIdentityCredential');
  });
});

describe('private terminal directories', () => {
  let base: string;
  beforeEach(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'vmi-dirs-'));
  });
  afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

  it('are 0700, removed on request, and swept only when their window process is gone', () => {
    const mine = createPrivateDir(base);
    const dead = createPrivateDir(base, 999_999_999);
    fs.writeFileSync(path.join(dead, 'bashrc-system'), 'x');
    const unrelated = fs.mkdirSync(path.join(base, 'someone-else'), { recursive: true })!;
    assert.equal((fs.statSync(mine).mode & 0o777).toString(8), '700');
    assert.deepEqual(
      sweepStaleDirs(base, (pid) => pid === process.pid),
      [dead],
    );
    assert.ok(fs.existsSync(mine) && fs.existsSync(unrelated) && !fs.existsSync(dead));
    removePrivateDir(mine);
    assert.ok(!fs.existsSync(mine));
    assert.throws(() => removePrivateDir(unrelated), /Refusing/);
  });

  it('findOnPath finds executables only', () => {
    const bin = path.join(base, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'tool'), '#!/bin/sh\n', { mode: 0o755 });
    fs.writeFileSync(path.join(bin, 'data'), '', { mode: 0o644 });
    assert.equal(findOnPath('tool', { PATH: `/nonexistent:${bin}` }, 'linux'), path.join(bin, 'tool'));
    assert.equal(findOnPath('data', { PATH: bin }, 'linux'), undefined);
    assert.equal(findOnPath('tool', { PATH: '' }, 'linux'), undefined);
  });
});
