/**
 * CLI: run the emulator until SIGINT/SIGTERM. Prints one JSON line {urls, httpUrl, httpsUrl, caCertPath}
 * on stdout when ready (and writes the full state to --state-file).
 *
 *   node dist/emulator.js --listen 127.0.0.1:0 --listen 127.0.0.1:0:tls --assignments 500 --seed demo
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { EmulatorOptions, ListenSpec } from './emulatorApi';
import { startEmulator } from './server';

const USAGE = `Usage: emulator [--listen host:port[:tls]]... [--assignments N] [--uami N] [--seed S]
  [--latency-imds MS] [--latency-arm MS] [--latency-graph MS] [--page-size N] [--token-lifetime SEC]
  [--no-system-identity] [--az-environment NAME] [--tls-host NAME]... [--state-file PATH]
  [--built-in-roles N] [--arm-ms-per-kb MS]`;

/** `host:port[:tls]`; an IPv6 host goes in brackets: `[::1]:0:tls`. */
export function parseListen(value: string): ListenSpec {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)(?::(tls))?$/.exec(value);
  if (!m) throw new Error(`--listen expects host:port[:tls], got '${value}'`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]), tls: m[3] === 'tls' };
}

function intFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`--${name} expects a non-negative integer, got '${value}'`);
  return Number(value);
}

function numberFlag(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new Error(`--${name} expects a non-negative number, got '${value}'`);
  return Number(value);
}

/** Turn command-line flags into emulator options. */
function optionsFromArgs(args: string[]): EmulatorOptions & { stateFile?: string } {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      listen: { type: 'string', multiple: true },
      assignments: { type: 'string' },
      uami: { type: 'string' },
      seed: { type: 'string' },
      'latency-imds': { type: 'string' },
      'latency-arm': { type: 'string' },
      'latency-graph': { type: 'string' },
      'page-size': { type: 'string' },
      'token-lifetime': { type: 'string' },
      'no-system-identity': { type: 'boolean' },
      'az-environment': { type: 'string' },
      'tls-host': { type: 'string', multiple: true },
      'state-file': { type: 'string' },
      'built-in-roles': { type: 'string' },
      'arm-ms-per-kb': { type: 'string' },
    },
  });
  const latency = {
    imds: intFlag(values['latency-imds'], 'latency-imds'),
    arm: intFlag(values['latency-arm'], 'latency-arm'),
    graph: intFlag(values['latency-graph'], 'latency-graph'),
  };
  return {
    dataset: {
      seed: values.seed,
      assignments: intFlag(values.assignments, 'assignments'),
      userAssignedIdentities: intFlag(values.uami, 'uami'),
      azEnvironment: values['az-environment'],
      systemAssigned: !values['no-system-identity'],
      builtInRoles: intFlag(values['built-in-roles'], 'built-in-roles'),
    },
    armMsPerKb: numberFlag(values['arm-ms-per-kb'], 'arm-ms-per-kb'),
    listen: values.listen?.map(parseListen),
    latencyMs: Object.fromEntries(Object.entries(latency).filter(([, v]) => v !== undefined)),
    pageSize: intFlag(values['page-size'], 'page-size'),
    tokenLifetimeSec: intFlag(values['token-lifetime'], 'token-lifetime'),
    tls: { hosts: values['tls-host'] ?? [] },
    stateFile: values['state-file'],
  };
}

async function main(): Promise<void> {
  let options: ReturnType<typeof optionsFromArgs>;
  try {
    options = optionsFromArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exit(2);
  }
  const { stateFile, ...emulatorOptions } = options;
  const emulator = await startEmulator(emulatorOptions);
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (stateFile) writeFileSync(stateFile, `${JSON.stringify(emulator.state(), null, 2)}\n`);
  const { urls, httpUrl, httpsUrl, caCertPath } = emulator.state();
  process.stdout.write(`${JSON.stringify({ urls, httpUrl, httpsUrl, caCertPath })}\n`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`emulator failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}
