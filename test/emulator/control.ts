/**
 * `/_emulator/…` on every listener, so another process (a VS Code UI test) can steer the emulator:
 * GET state | POST config | POST faults | DELETE faults | GET requests | DELETE requests | GET dataset |
 * GET expected-assignments | GET expected-view | GET expected-access | GET personas | POST role-assignments.
 */
import { expectedAssignmentsFor } from './dataset';
import { datasetAccess, expectedAccess, expectedView, personas, type Persona } from './expected';
import type { ManagementGroup, Subscription } from './model';
import { parseConfigPatch } from './config';
import type { Dataset, UserAssignedAccess } from './dataset';
import { isEndpointKey, parseFaultSteps, type FaultStep } from './faults';
import { grantNow } from './grants';
import { json } from './http';
import type {
  EmulatorConfig,
  EmulatorConfigPatch,
  EmulatorResponse,
  EndpointKey,
  LoggedRequest,
  RequestInfo,
} from './types';

export interface EmulatorState {
  urls: string[];
  httpUrl?: string;
  httpsUrl?: string;
  caCertPath?: string;
  tenantId: string;
  subscriptionId: string;
  resourceGroupName: string;
  managementGroup: string;
  vm: { name: string; resourceId: string; location: string; vmId: string };
  identities: {
    systemAssigned: { enabled: boolean; principalId: string; clientId: string; groupIds: string[] };
    userAssigned: Array<{
      name: string;
      principalId: string;
      clientId: string;
      resourceId: string;
      access: UserAssignedAccess;
    }>;
  };
  config: EmulatorConfig;
  /** Every subscription of the tenant (the VM's first) and the management groups above them. */
  subscriptions: Subscription[];
  managementGroups: ManagementGroup[];
  /** Which identity plays which part: full, nestedGroup, leastPrivilege, noAccess, subscriptionReader. */
  personas: Record<string, Persona | undefined>;
}

/** What the control endpoint may do to a running emulator. */
export interface EmulatorControls {
  readonly dataset: Dataset;
  readonly requests: LoggedRequest[];
  state(): EmulatorState;
  configure(patch: EmulatorConfigPatch): void;
  fault(endpoint: EndpointKey, steps: FaultStep[]): void;
  clearFaults(): void;
  resetLog(): void;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body || 'null');
  } catch {
    throw new Error('the body is not valid JSON');
  }
}

function setFaults(req: RequestInfo, controls: EmulatorControls): EmulatorResponse {
  const input = parseJson(req.body);
  const { endpoint, steps } = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  if (!isEndpointKey(endpoint))
    throw new Error(`endpoint must be one of the fault endpoints, got ${JSON.stringify(endpoint)}`);
  controls.fault(endpoint, parseFaultSteps(steps));
  return json(200, { endpoint, steps });
}

function route(req: RequestInfo, controls: EmulatorControls): EmulatorResponse {
  const what = `${req.method} ${req.path.replace(/\/+$/, '')}`;
  switch (what) {
    case 'GET /_emulator/state':
      return json(200, controls.state());
    case 'POST /_emulator/config':
      controls.configure(parseConfigPatch(parseJson(req.body)));
      return json(200, controls.state().config);
    case 'POST /_emulator/faults':
      return setFaults(req, controls);
    case 'DELETE /_emulator/faults':
      controls.clearFaults();
      return { status: 204 };
    case 'GET /_emulator/requests':
      return json(200, controls.requests);
    case 'DELETE /_emulator/requests':
      controls.resetLog();
      return { status: 204 };
    case 'GET /_emulator/dataset':
      return json(200, controls.dataset);
    case 'GET /_emulator/expected-assignments':
      // What ARM lists for assignedTo('{principalId}') at the VM's subscription, or at ?scope= (tests compare UIs against it).
      return json(
        200,
        expectedAssignmentsFor(
          controls.dataset,
          principal(req, controls),
          'assignedTo',
          req.query.scope || controls.dataset.scopes.subscription,
        ),
      );
    case 'GET /_emulator/expected-view':
      // Per subscription GET /subscriptions lists: read from where, complete or partial, what is seen, the remedy.
      return json(200, expectedView(controls.dataset, principal(req, controls), accessWithOverrides(controls)));
    case 'GET /_emulator/expected-access':
      // The RBAC engine's effective permissions at ?scope= and, with ?action=, its verdict (?plane=data for data actions).
      if (!req.query.scope) throw new Error('scope is required');
      return json(
        200,
        expectedAccess(
          controls.dataset,
          principal(req, controls),
          req.query.scope,
          req.query.action,
          req.query.plane === 'data' ? 'data' : 'control',
        ),
      );
    case 'POST /_emulator/role-assignments':
      return json(201, grantNow(controls.dataset, parseJson(req.body), req.nowMs));
    case 'GET /_emulator/personas':
      return json(200, personas(controls.dataset));
    default:
      return json(404, { error: `no control endpoint ${what}` });
  }
}

function principal(req: RequestInfo, controls: EmulatorControls): string {
  return req.query.principalId || controls.dataset.systemIdentity.principalId;
}

/** The dataset's answer, unless a test forced a principal's ARM access with armReadable (as ARM then answers). */
function accessWithOverrides(controls: EmulatorControls): (p: string, action: string, scope: string) => boolean {
  const forced = controls.state().config.armReadable;
  const base = datasetAccess(controls.dataset);
  return (p: string, action: string, scope: string): boolean => {
    const o = Object.entries(forced).find(([id]) => id.toLowerCase() === p.toLowerCase())?.[1];
    return o ?? base(p, action, scope);
  };
}

export function handleControl(req: RequestInfo, controls: EmulatorControls): EmulatorResponse {
  try {
    return route(req, controls);
  } catch (e) {
    return json(400, { error: e instanceof Error ? e.message : String(e) });
  }
}
