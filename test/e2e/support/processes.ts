/** Child processes of the support code: line-wise output capture and killing a whole process group. */
import type { ChildProcess } from 'node:child_process';

/** Appends each line of `stream` to `sink` (and echoes it with E2E_VERBOSE). */
export function collectLines(stream: NodeJS.ReadableStream | null, sink: string[], onLine?: (l: string) => void): void {
  if (!stream) return;
  let buf = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buf += chunk;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      sink.push(line);
      if (process.env.E2E_VERBOSE) process.stderr.write(`[code-server] ${line}\n`);
      onLine?.(line);
    }
  });
  stream.on('end', () => {
    if (buf) {
      sink.push(buf);
      onLine?.(buf);
    }
  });
}

/** Ends the process group started with detached: true (SIGTERM, then SIGKILL after graceMs). */
export async function killGroup(proc: ChildProcess, graceMs = 5000): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null || proc.pid === undefined) return;
  const pid = proc.pid;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the group we created with detached: true
    } catch {
      try {
        proc.kill(sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  // Children of the group (extension host, pty host, watcher) may outlive the
  // leader for a moment; make sure none is left behind.
  signal('SIGKILL');
}
