/**
 * `npm start` as a user runs it: the demo builds, starts the emulator and code-server, prints a URL, and
 * that URL shows a signed-in identity in real VS Code. Ctrl-C (SIGINT) stops all of it.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { launchBrowser } from './support/browser';
import { PROJECT_ROOT, assertNetworkIsolated, freePort, pollUntil } from './support/common';
import { openWorkbench, waitForStatusItem } from './support/workbench';

describe('npm start (the demo)', function () {
  this.timeout(240_000);

  it('prints a URL that shows a signed-in identity, and Ctrl-C stops everything', async () => {
    assertNetworkIsolated();
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(PROJECT_ROOT, 'scripts', 'demo.js')], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await pollUntil(() => /Open\s+(http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(out)?.[1], {
        timeout: 200_000,
        message: `no URL printed:\n${out.slice(-3000)}`,
      });
      assert.ok(url.startsWith(`http://127.0.0.1:${port}/`));
      const browser = await launchBrowser();
      try {
        await openWorkbench(browser.page, url);
        const text = await waitForStatusItem(browser.page, 'vm-identity.vm-identity.vmIdentity.status', {
          text: /^(?!.*(signed out|signing in|VM identity:)).+/,
          timeout: 60_000,
        });
        assert.match(text, /vm-/, `status shows the VM identity's name: ${text}`);
      } finally {
        await browser.close();
      }
    } finally {
      child.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    // code-server and the emulator are gone: the port no longer answers.
    await pollUntil(
      async () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          () => false,
          () => true,
        ),
      { timeout: 15_000, message: 'code-server still answers after Ctrl-C' },
    );
  });
});
