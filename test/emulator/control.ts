/**
 * `/_emulator/…` on every listener, so another process (a VS Code UI test) can steer the emulator:
 * GET state | POST config | POST faults | DELETE faults | GET requests | DELETE requests | GET dataset.
 */
import { expectedAssignmentsFor } from './dataset';
import { parseConfigPatch } from './config';
import type { Dataset, UserAssignedAccess } from './dataset';
import { isEndpointKey, parseFaultSteps, type FaultStep } from './faults';
import { json } from './http';
import type { EmulatorConfig, EmulatorConfigPatch, EmulatorResponse, EndpointKey, LoggedRequest, RequestInfo } from './types';

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
    userAssigned: Array<{ name: string; principalId: string; clientId: string; resourceId: string; access: UserAssignedAccess }>;
  };
  config: EmulatorConfig;
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
  if (!isEndpointKey(endpoint)) throw new Error(`endpoint must be one of the fault endpoints, got ${JSON.stringify(endpoint)}`);
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
      // What ARM lists for assignedTo('{principalId}') at the subscription (tests compare UIs against it).
      return json(200, expectedAssignmentsFor(controls.dataset, req.query.principalId ?? controls.dataset.systemIdentity.principalId, 'assignedTo'));
    default:
      return json(404, { error: `no control endpoint ${what}` });
  }
}

export function handleControl(req: RequestInfo, controls: EmulatorControls): EmulatorResponse {
  try {
    return route(req, controls);
  } catch (e) {
    return json(400, { error: e instanceof Error ? e.message : String(e) });
  }
}
