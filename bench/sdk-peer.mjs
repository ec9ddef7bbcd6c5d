#!/usr/bin/env node
/**
 * The official-SDK peer of `vm-identity roles --json`, written the way a careful SDK user would:
 *
 *   1. token (ManagedIdentityCredential) ‖ instance metadata (plain http GET to IMDS, `Metadata: true`)
 *   2. role assignments at the subscription with `$filter=assignedTo('{oid}')`
 *      (AuthorizationManagementClient.roleAssignments.listForScope, every page)
 *   3. role names: roleDefinitions.getById(...) once per distinct roleDefinitionId, all in parallel
 *
 * One process, no bundling (modules load from node_modules, as an SDK user runs them). Prints the same
 * JSON array shape as the CLI (id, roleName, roleDefinitionId, scope, principalId, principalType).
 *
 * Environment (all set by bench/run.ts, pointing at the emulator on 127.0.0.1):
 *   AZURE_POD_IDENTITY_AUTHORITY_HOST  IMDS base URL; @azure/identity (MSAL) uses it instead of
 *                                      169.254.169.254 and then sends no availability probe
 *   BENCH_ARM_ENDPOINT                 ARM base URL (https; the SDK refuses bearer tokens over http)
 *   NODE_EXTRA_CA_CERTS                the emulator's test CA
 */
import * as http from 'node:http';
import { ManagedIdentityCredential } from '@azure/identity';
import { AuthorizationManagementClient } from '@azure/arm-authorization';

const IMDS = process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST || 'http://169.254.169.254';
const ARM = process.env.BENCH_ARM_ENDPOINT || 'https://management.azure.com';
// The audience stays the public ARM one even though requests go to the emulator's URL:
// without credentialScopes the client would ask for `${endpoint}/.default`.
const ARM_SCOPE = 'https://management.azure.com/.default';

function instanceMetadata() {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${IMDS}/metadata/instance?api-version=2021-02-01`,
      { headers: { Metadata: 'true' } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          if (res.statusCode !== 200) return reject(new Error(`instance metadata: HTTP ${res.statusCode}`));
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
          } catch (e) {
            reject(e);
          }
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

function claimsOf(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

async function main() {
  const credential = new ManagedIdentityCredential();
  const [accessToken, metadata] = await Promise.all([credential.getToken(ARM_SCOPE), instanceMetadata()]);
  const { oid } = claimsOf(accessToken.token);
  const subscriptionId = metadata.compute.subscriptionId;

  const client = new AuthorizationManagementClient(credential, subscriptionId, {
    endpoint: ARM,
    $host: ARM,
    credentialScopes: [ARM_SCOPE],
  });
  const assignments = [];
  for await (const a of client.roleAssignments.listForScope(`subscriptions/${subscriptionId}`, {
    filter: `assignedTo('${oid}')`,
  })) {
    assignments.push(a);
  }
  const distinct = [...new Set(assignments.map((a) => a.roleDefinitionId))];
  const definitions = await Promise.all(distinct.map((id) => client.roleDefinitions.getById(id)));
  const roleName = new Map(distinct.map((id, i) => [id, definitions[i].roleName]));

  const out = assignments.map((a) => ({
    id: a.id,
    roleName: roleName.get(a.roleDefinitionId),
    roleDefinitionId: a.roleDefinitionId,
    scope: a.scope,
    principalId: a.principalId,
    principalType: a.principalType,
  }));
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}

main().catch((e) => {
  process.stderr.write(`sdk-peer: ${e?.stack ?? e}\n`);
  process.exitCode = 1;
});
