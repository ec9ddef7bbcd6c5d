import * as assert from 'node:assert/strict';
import { interpretProbe, parse403, planProbe, authorizationHeader } from '../../../src/access';

const S = '/subscriptions/225e02bc-43d0-43d1-a01a-17e584a4ef69';
// Real texts (identifiers as published), sources in src/access/errorText.ts.
const cases: [string, string, Record<string, unknown>][] = [
  [
    'ARM AuthorizationFailed (Azure/ARO-RP#66)',
    `{"error":{"code":"AuthorizationFailed","message":"The client 'b9bc1545-a684-4e50-9a4d-2e2ee90bed6a' with object id 'b9bc1545-a684-4e50-9a4d-2e2ee90bed6a' does not have authorization to perform action 'Microsoft.Storage/storageAccounts/write' over scope '${S}/resourcegroups/aro-6hwuovvq/providers/Microsoft.Storage/storageAccounts/clusterixgbq' or the scope is invalid. If access was recently granted, please refresh your credentials."}}`,
    {
      source: 'arm',
      action: 'Microsoft.Storage/storageAccounts/write',
      scope: `${S}/resourcegroups/aro-6hwuovvq/providers/Microsoft.Storage/storageAccounts/clusterixgbq`,
      callerObjectId: 'b9bc1545-a684-4e50-9a4d-2e2ee90bed6a',
      plane: 'control',
    },
  ],
  [
    'Key Vault RBAC, JSON-escaped (format of piyushsachdeva/Terraform_AKS#2, values of microsoft/aoai-api-simulator#18)',
    String.raw`Status=403 Code="Forbidden" Message="Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\nCaller: appid=04b07795-8ddb-461a-bbee-02f9e1bf7b46;oid=207e277f-a838-4c61-940a-950b06cd1cc8;iss=https://sts.windows.net/43dc75e3-499a-40cd-891a-ba9f8e445365/\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\nResource: '/subscriptions/f95180d7-b5fc-49c8-a9a7-5b3ee0d8ffc6/resourcegroups/aoaisim/providers/microsoft.keyvault/vaults/aoaisimdevsl2/secrets/app-insights-connection-string'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: aoaisimdevsl2;location=canadacentral\r\n" InnerError={"code":"ForbiddenByRbac"}`,
    {
      source: 'keyVaultRbac',
      code: 'ForbiddenByRbac',
      action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      callerObjectId: '207e277f-a838-4c61-940a-950b06cd1cc8',
      callerAppId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46',
      vaultName: 'aoaisimdevsl2',
      denyAssignmentId: undefined,
      scope:
        '/subscriptions/f95180d7-b5fc-49c8-a9a7-5b3ee0d8ffc6/resourcegroups/aoaisim/providers/microsoft.keyvault/vaults/aoaisimdevsl2/secrets/app-insights-connection-string',
    },
  ],
  [
    'Key Vault access policy (AKS Istio troubleshooting doc; its <appid>/<oid> placeholders filled)',
    `Status=403 Code="Forbidden" Message="The user, group or application 'appid=0a0b0c0d-1111-2222-3333-444444444444;oid=5a5b5c5d-1111-2222-3333-444444444444;iss=https://sts.windows.net/x/' does not have secrets get permission on key vault 'MyAzureKeyVault;location=eastus'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287" InnerError={"code":"AccessDenied"}`,
    {
      source: 'keyVaultAccessPolicy',
      action: 'Microsoft.KeyVault/vaults/secrets/getSecret/action',
      vaultName: 'MyAzureKeyVault',
      callerObjectId: '5a5b5c5d-1111-2222-3333-444444444444',
    },
  ],
  [
    'Storage XML AuthorizationFailure (CDCgov/prime-reportstream#12209)',
    '<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthorizationFailure</Code><Message>This request is not authorized to perform this operation.\nRequestId:eac84bcc-f01e-0034-433b-1623fc000000\nTime:2023-11-13T14:13:17.7458151Z</Message></Error>',
    { source: 'storage', code: 'AuthorizationFailure', plane: 'data' },
  ],
  [
    'Storage JSON AuthorizationPermissionMismatch (microsoft/AzureStorageExplorer#6889)',
    '{"name":"RestError","code":"AuthorizationPermissionMismatch","statusCode":403,"request":{"url":"https://covid09suks.blob.core.windows.net/?comp=list&include=metadata"}}',
    { source: 'storage', code: 'AuthorizationPermissionMismatch', storageAccount: 'covid09suks' },
  ],
  [
    'Cosmos DB RBAC (Azure/azure-cosmos-dotnet-v3#2891)',
    'Response status code does not indicate success: Forbidden (403); Substatus: 5301; Reason: (Request blocked by Auth acct : Request is blocked because principal [3f2a0b1c-1111-2222-3333-444444444444] does not have required RBAC permissions to perform action [Microsoft.DocumentDB/databaseAccounts/readMetadata] on resource [/]. Learn more: https://aka.ms/cosmos-native-rbac.',
    {
      source: 'cosmosDb',
      action: 'Microsoft.DocumentDB/databaseAccounts/readMetadata',
      cosmosResource: '/',
      callerObjectId: '3f2a0b1c-1111-2222-3333-444444444444',
    },
  ],
  [
    'Graph (microsoftgraph/python-sample-auth#12)',
    "{'error': {'code': 'Authorization_RequestDenied', 'message': 'Insufficient privileges to complete the operation.'}}",
    { source: 'graph', code: 'Authorization_RequestDenied' },
  ],
];

describe('parse403', () => {
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const parsed = parse403(text);
      assert.ok(parsed, 'recognised');
      for (const [k, v] of Object.entries(expected))
        assert.equal((parsed as unknown as Record<string, unknown>)[k], v, k);
    });
  }
  it('unknown text → undefined; huge input is bounded', () => {
    assert.equal(parse403('502 Bad Gateway'), undefined);
    assert.equal(parse403('x'.repeat(5_000_000)), undefined);
  });
});

describe('data-plane probes', () => {
  it('plans read-only requests with the right audience and no Authorization header', () => {
    const kv = planProbe('keyVaultSecrets', 'https://kv-app.vault.azure.net/');
    assert.equal(kv.url, 'https://kv-app.vault.azure.net/secrets?api-version=7.4&maxresults=25');
    assert.equal(kv.audience, 'https://vault.azure.net');
    assert.equal(planProbe('keyVaultSecrets', 'https://kv.vault.azure.cn').audience, 'https://vault.azure.cn');
    const blob = planProbe('blobContainers', 'https://stapp.blob.core.windows.net/');
    assert.equal(blob.url, 'https://stapp.blob.core.windows.net/?comp=list&maxresults=25');
    assert.equal(blob.audience, 'https://storage.azure.com');
    assert.ok(blob.headers['x-ms-version']);
    const cosmos = planProbe(
      'cosmosAccount',
      'https://acct.documents.azure.com:443/',
      new Date('2026-03-01T00:00:00Z'),
    );
    assert.equal(cosmos.headers['x-ms-date'], 'Sun, 01 Mar 2026 00:00:00 GMT');
    assert.equal(authorizationHeader(cosmos, 'T'), 'type%3Daad%26ver%3D1.0%26sig%3DT');
    for (const p of [kv, blob, cosmos])
      assert.ok(!Object.keys(p.headers).some((h) => h.toLowerCase() === 'authorization'));
    assert.throws(() => planProbe('blobContainers', 'http://stapp.blob.core.windows.net'), {
      name: 'ProbeTargetError',
    });
  });
  it('interprets answers in one line, counts only', () => {
    assert.equal(
      interpretProbe(
        'blobContainers',
        200,
        '<EnumerationResults><Containers><Container><Name>a</Name></Container><Container><Name>b</Name></Container></Containers></EnumerationResults>',
      ),
      'Blob storage answered 200: listed 2 containers (names not shown).',
    );
    assert.equal(
      interpretProbe('keyVaultSecrets', 200, '{"value":[{"id":"x"}]}'),
      'Key Vault answered 200: listed 1 secret (names not shown).',
    );
    assert.match(
      interpretProbe('blobContainers', 403, '<Error><Code>AuthorizationPermissionMismatch</Code></Error>'),
      /403 AuthorizationPermissionMismatch: .*Reader or Contributor give no blob data/,
    );
  });
});
