/** The machine and the versions a bench run used, for the report. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CHROMIUM_PATH } from '../test/e2e/support/browser';
import { CODE_SERVER_DIR, CODE_SERVER_VERSION } from '../test/e2e/support/codeServer';
import { COMMAND, ROOT } from './config';

// ------------------------------------------------------------------ environment

export function tryExec(file: string, argv: string[]): string {
  try {
    return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 }).trim();
  } catch (e) {
    const out = (e as { stdout?: string }).stdout?.trim();
    return out || 'unknown';
  }
}

export function pkgVersion(name: string, from = ROOT): string {
  try {
    return (
      JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`, { paths: [from] }), 'utf8')) as {
        version: string;
      }
    ).version;
  } catch {
    try {
      let dir = path.dirname(require.resolve(name, { paths: [from] }));
      while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
      return (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  }
}

export function environment(): string[] {
  const cpus = os.cpus();
  const vscodeVersion = (() => {
    try {
      return (
        JSON.parse(
          fs.readFileSync(
            path.join(CODE_SERVER_DIR, 'node_modules', 'code-server', 'lib', 'vscode', 'package.json'),
            'utf8',
          ),
        ) as { version: string }
      ).version;
    } catch {
      return 'unknown';
    }
  })();
  const chromium =
    tryExec(CHROMIUM_PATH, ['--version'])
      .split('\n')
      .filter((l) => /chromium/i.test(l))
      .pop() ?? 'unknown';
  const commit = tryExec('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']);
  const dirty = tryExec('git', ['-C', ROOT, 'status', '--porcelain']) ? ' + uncommitted changes' : '';
  const sdkPkgs = [
    '@azure/identity',
    '@azure/msal-node',
    '@azure/arm-authorization',
    '@azure/core-rest-pipeline',
    '@azure/core-client',
  ];
  return [
    `- **Machine**: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; ${os.type()} ${os.release()} (${tryExec('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'])})`,
    `- **Versions**: Node ${process.version}; npm ${process.env.BENCH_NPM_VERSION ?? tryExec('npm', ['--version'])}; code-server ${CODE_SERVER_VERSION} (VS Code ${vscodeVersion}); ${chromium}; playwright-core ${pkgVersion('playwright-core')}; esbuild ${pkgVersion('esbuild')}`,
    `- **SDK peer**: ${sdkPkgs.map((p) => `${p} ${pkgVersion(p, path.dirname(require.resolve('@azure/identity', { paths: [ROOT] })))}`).join(', ')}`,
    `- **Code**: vm-identity ${(JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version} at ${commit}${dirty}; production bundles from \`npm run package\``,
    `- **Command**: \`${COMMAND}\``,
  ];
}
