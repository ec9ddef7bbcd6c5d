/**
 * What the extension-host suites share: the emulator's control endpoint (over HTTP: the emulator runs in the
 * launcher's process), waiting for a session state, and the identity view read through the TreeDataProvider
 * the extension registered (its API's `tree`), exactly as VS Code asks it for items.
 */
import * as vscode from 'vscode';
import type { VmIdentityApi } from '../../src/extension';
import type { SessionState } from '../../src/session/session';
import type {
  Dataset,
  EmulatorConfigPatch,
  EndpointKey,
  ExpectedView,
  FaultStep,
  LoggedRequest,
  Persona,
} from '../emulator';

export const EXTENSION_ID = 'vm-identity.vm-identity';

/** The emulator's /_emulator/… endpoints, typed. */
export class EmulatorControl {
  constructor(private readonly baseUrl: string) {}

  private async call(path: string, method = 'GET', body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}/_emulator/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`emulator ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  dataset = async (): Promise<Dataset> => (await this.call('dataset')) as Dataset;
  /** The request log, without the control requests themselves (one is pending while it is read). */
  requests = async (): Promise<LoggedRequest[]> =>
    ((await this.call('requests')) as LoggedRequest[]).filter((r) => r.service !== 'control');
  /** What the identity should see per subscription (read from where, complete or partial, refused, remedy). */
  expectedView = async (principalId: string): Promise<ExpectedView> =>
    (await this.call(`expected-view?principalId=${principalId}`)) as ExpectedView;
  /** Which identity of the dataset plays which part (full, nestedGroup, leastPrivilege, noAccess, …). */
  personas = async (): Promise<Record<string, Persona | undefined>> =>
    (await this.call('personas')) as Record<string, Persona | undefined>;
  configure = async (patch: EmulatorConfigPatch): Promise<void> => void (await this.call('config', 'POST', patch));
  fault = async (endpoint: EndpointKey, steps: FaultStep[]): Promise<void> =>
    void (await this.call('faults', 'POST', { endpoint, steps }));
  clearFaults = async (): Promise<void> => void (await this.call('faults', 'DELETE'));
}

export async function activateExtension(): Promise<VmIdentityApi> {
  const ext = vscode.extensions.getExtension<VmIdentityApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not installed`);
  return ext.activate();
}

export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value, or throws `message` after `ms`. */
export async function until<T>(fn: () => T | Promise<T>, message: string, ms = 30_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`${message} (waited ${ms} ms)`);
    await delay(50);
  }
}

export async function untilStatus(
  api: VmIdentityApi,
  wanted: SessionState['status'],
  ms = 30_000,
): Promise<SessionState> {
  return until(
    () => (api.state.status === wanted ? api.state : undefined),
    `state is ${api.state.status}, waited for ${wanted}`,
    ms,
  );
}

/** Waits until a sign-in or refresh has finished, whatever its outcome. */
export async function settled(api: VmIdentityApi, ms = 60_000): Promise<SessionState> {
  const done = (s: SessionState) => s.status !== 'signingIn' && !(s.status === 'signedIn' && s.refreshing);
  return until(() => (done(api.state) ? api.state : undefined), `still ${api.state.status}`, ms);
}

/** Every state the session passes through until `stop()` is called. */
export function recordStates(api: VmIdentityApi): { seen: SessionState[]; stop(): void } {
  const seen: SessionState[] = [api.state];
  const sub = api.onDidChangeState((s) => seen.push(s));
  return { seen, stop: () => sub.dispose() };
}

export interface Row {
  depth: number;
  item: vscode.TreeItem;
  /** "<label> <description>", as the row reads. */
  text: string;
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

/** The whole tree, depth first, every collapsible node expanded, read through the registered provider. */
export async function readTree(provider: vscode.TreeDataProvider<unknown>): Promise<Row[]> {
  const rows: Row[] = [];
  const walk = async (parent: unknown, depth: number): Promise<void> => {
    for (const node of (await provider.getChildren(parent)) ?? []) {
      const item = await provider.getTreeItem(node);
      rows.push({ depth, item, text: `${labelOf(item)} ${item.description ?? ''}`.trim() });
      if (item.collapsibleState !== undefined && item.collapsibleState !== vscode.TreeItemCollapsibleState.None) {
        await walk(node, depth + 1);
      }
    }
  };
  await walk(undefined, 0);
  return rows;
}
