#!/usr/bin/env node
/**
 * The official-SDK peer of `vm-identity roles --json` on a realistic tenant (issue 9 Build 7): every
 * subscription the identity can see, role names from each subscription's role-definition catalog, as
 * `az role assignment list` does it (azure-cli src/azure-cli/azure/cli/command_modules/role/custom.py,
 * list_role_assignments: "fill in role names" lists `definitions_client.list(scope='/subscriptions/' + sub)`
 * once per run, i.e. per subscription) and as the SDK docs show (list, then `for await` over every page):
 *
 *   1. token (ManagedIdentityCredential; its oid is the assignee) ‖ SubscriptionClient.subscriptions.list()
 *   2. per subscription, all in parallel: AuthorizationManagementClient.roleAssignments.listForScope(
 *      "subscriptions/{id}", {filter: "assignedTo('{oid}')"}) ‖ roleDefinitions.list("subscriptions/{id}")
 *   3. assignments seen from several subscriptions (management-group ones) printed once
 *
 * Role names are matched by the role definition's GUID (the last segment of its id), since an assignment
 * made at a management group names its role without the subscription prefix. Prints the same JSON item
 * shape as the CLI's role assignments (id, roleName, roleDefinitionId, scope, principalId, principalType).
 *
 * Environment (set by bench/processes.ts, pointing at the emulator on 127.0.0.1): see bench/sdk-peer.mjs.
 */
import { ManagedIdentityCredential } from '@azure/identity';
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';

const ARM = process.env.BENCH_ARM_ENDPOINT || 'https://management.azure.com';
// The audience stays the public ARM one even though requests go to the emulator's URL.
const ARM_SCOPE = 'https://management.azure.com/.default';
const clientOptions = { endpoint: ARM, $host: ARM, credentialScopes: [ARM_SCOPE] };

async function collect(pages) {
  const out = [];
  for await (const item of pages) out.push(item);
  return out;
}

const claimsOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
const guidOf = (id) => id.slice(id.lastIndexOf('/') + 1).toLowerCase();

async function subscriptionJob(credential, subscriptionId, oid) {
  const client = new AuthorizationManagementClient(credential, subscriptionId, clientOptions);
  const scope = `subscriptions/${subscriptionId}`;
  const [assignments, definitions] = await Promise.all([
    collect(client.roleAssignments.listForScope(scope, { filter: `assignedTo('${oid}')` })),
    collect(client.roleDefinitions.list(scope)),
  ]);
  const roleName = new Map(definitions.map((d) => [guidOf(d.id), d.roleName]));
  return assignments.map((a) => ({
    id: a.id,
    roleName: roleName.get(guidOf(a.roleDefinitionId)),
    roleDefinitionId: a.roleDefinitionId,
    scope: a.scope,
    principalId: a.principalId,
    principalType: a.principalType,
  }));
}

async function main() {
  const credential = new ManagedIdentityCredential();
  const subscriptionClient = new SubscriptionClient(credential, clientOptions);
  const [accessToken, subscriptions] = await Promise.all([
    credential.getToken(ARM_SCOPE),
    collect(subscriptionClient.subscriptions.list()),
  ]);
  const { oid } = claimsOf(accessToken.token);
  const perSubscription = await Promise.all(
    subscriptions.map((s) => subscriptionJob(credential, s.subscriptionId, oid)),
  );
  const byId = new Map();
  for (const item of perSubscription.flat())
    if (!byId.has(item.id.toLowerCase())) byId.set(item.id.toLowerCase(), item);
  process.stdout.write(`${JSON.stringify([...byId.values()], null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`sdk-peer-tenant: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
