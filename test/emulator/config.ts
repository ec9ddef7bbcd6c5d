/** Emulator settings that can change while it runs, validated in one place for the API and the control endpoint. */
import { cloudFor } from './clouds';
import type { EmulatorConfig, EmulatorConfigPatch, LatencyConfig } from './types';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function expectBoolean(value: unknown, name: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`${name} must be a boolean`);
  return value;
}

function expectInt(value: unknown, name: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    throw new Error(`${name} must be an integer >= ${min}`);
  return value;
}

function latencyPatch(value: unknown): Partial<LatencyConfig> {
  if (!isRecord(value)) throw new Error('latencyMs must be an object');
  const out: Partial<LatencyConfig> = {};
  for (const service of ['imds', 'arm', 'graph'] as const) {
    if (value[service] !== undefined) out[service] = expectInt(value[service], `latencyMs.${service}`, 0);
  }
  return out;
}

function readablePatch(value: unknown): Record<string, boolean> {
  if (!isRecord(value)) throw new Error('armReadable must map principal ids to booleans');
  return Object.fromEntries(Object.entries(value).map(([id, v]) => [id, expectBoolean(v, `armReadable['${id}']`)]));
}

/** Check a patch (possibly from JSON) and return it typed; throws on anything invalid or unknown. */
export function parseConfigPatch(input: unknown): EmulatorConfigPatch {
  if (!isRecord(input)) throw new Error('config must be a JSON object');
  const patch: EmulatorConfigPatch = {};
  for (const [name, value] of Object.entries(input)) {
    switch (name) {
      case 'systemAssigned':
      case 'graphReadable':
      case 'userAssignedAttached':
      case 'imdsTokenCache':
        patch[name] = expectBoolean(value, name);
        break;
      case 'azEnvironment':
        if (typeof value !== 'string') throw new Error('azEnvironment must be a string');
        cloudFor(value);
        patch.azEnvironment = value;
        break;
      case 'instanceAzEnvironment':
        // Any name on purpose: clouds the client does not know (air-gapped, Azure Stack); docs/HOSTS.md §8.
        if (value !== null && typeof value !== 'string')
          throw new Error('instanceAzEnvironment must be a string or null');
        patch.instanceAzEnvironment = value;
        break;
      case 'pageSize':
      case 'tokenLifetimeSec':
        patch[name] = expectInt(value, name, 1);
        break;
      case 'latencyMs':
        patch.latencyMs = latencyPatch(value);
        break;
      case 'armMsPerKb':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
          throw new Error('armMsPerKb must be a number >= 0');
        patch.armMsPerKb = value;
        break;
      case 'clockOffsetSec':
        if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error('clockOffsetSec must be an integer');
        patch.clockOffsetSec = value;
        break;
      case 'armReadable':
        patch.armReadable = readablePatch(value);
        break;
      default:
        throw new Error(`unknown config setting '${name}'`);
    }
  }
  return patch;
}

/** Apply a patch in place (validated first): latencies merge per service, everything else (armReadable too) replaces. */
export function applyConfigPatch(config: EmulatorConfig, patch: EmulatorConfigPatch): void {
  const { latencyMs, ...rest } = parseConfigPatch(patch);
  Object.assign(config, rest);
  if (latencyMs) Object.assign(config.latencyMs, latencyMs);
}
