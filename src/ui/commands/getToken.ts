/**
 * "VM Identity: Get access token for…": pick a service of the cloud the identity is in (or enter a cluster URL /
 * any resource), get a token as the selected identity, and show it decoded in the token inspector. The token
 * itself stays here: the page gets claims only; "Copy token" comes back to the host's modal warning.
 */
import * as vscode from 'vscode';
import {
  type CloudName,
  InvalidResourceError,
  type ServiceResource,
  cloudNameFor,
  parseOtherResource,
  parseServiceUrl,
  servicesFor,
} from '../../azure/services';
import { usageError } from '../../core/errors';
import type { Session } from '../../session/session';
import { type WebviewPage } from '../webviews/panel';
import { openTokenInspector } from '../webviews/tokenInspector';
import { refusalStateFor, tokenStateFor } from './tokenState';

export const GET_TOKEN_COMMAND = 'vmIdentity.getToken';

export interface GetTokenDeps {
  session: Session;
  extensionUri: vscode.Uri;
  /** The host side of Copy token (the existing modal warning, then the clipboard). */
  copyToken: (resource: string) => Promise<void>;
  log: { info(message: string): void };
}

type ServicePick = vscode.QuickPickItem & { service?: ServiceResource; other?: true };

export async function getTokenFor(deps: GetTokenDeps, preset?: string): Promise<WebviewPage | undefined> {
  const { session } = deps;
  if (session.state.status !== 'signedIn') {
    throw usageError(
      vscode.l10n.t('Not signed in.'),
      vscode.l10n.t('Run "VM Identity: Sign in with VM identity" first.'),
    );
  }
  const cloud = cloudNameFor(session.state.snapshot.cloud.name);
  const resource = preset ?? (await pickResource(cloud));
  if (!resource) return undefined;
  deps.log.info(`token requested for ${resource}`);
  let state;
  try {
    const token = await session.accessToken(resource);
    state = tokenStateFor(resource, token, Date.now());
  } catch (e) {
    state = refusalStateFor(resource, e);
  }
  return openTokenInspector({ extensionUri: deps.extensionUri, copyToken: deps.copyToken }, state);
}

async function pickResource(cloud: CloudName): Promise<string | undefined> {
  const items: ServicePick[] = servicesFor(cloud).map((service) => ({
    label: service.label,
    description: service.resource[cloud] ?? vscode.l10n.t('asks for the URL'),
    service,
  }));
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: vscode.l10n.t('Other…'), description: vscode.l10n.t('an https URI or an application ID'), other: true },
  );
  const pick = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Get access token for…'),
    placeHolder: vscode.l10n.t('Which Azure service? (resource IDs for {0})', cloud),
    matchOnDescription: true,
  });
  if (!pick) return undefined;
  const service = pick.service;
  if (service && !service.needsUrl) return service.resource[cloud];
  const validate = (v: string) => {
    try {
      if (service) parseServiceUrl(service, cloud, v);
      else parseOtherResource(v);
      return undefined;
    } catch (e) {
      return e instanceof InvalidResourceError ? e.message : String(e);
    }
  };
  const raw = await vscode.window.showInputBox({
    title: service ? service.label : vscode.l10n.t('Other resource'),
    prompt: service?.needsUrl?.prompt ?? vscode.l10n.t('The resource (App ID URI) or the application ID of the API'),
    placeHolder: service ? `https://mycluster.westeurope${service.needsUrl?.hostSuffix[cloud] ?? ''}` : 'https://…',
    ignoreFocusOut: true,
    validateInput: validate,
  });
  if (raw === undefined) return undefined;
  return service ? parseServiceUrl(service, cloud, raw) : parseOtherResource(raw);
}
