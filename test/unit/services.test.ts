import * as assert from 'node:assert/strict';
import {
  cloudNameFor,
  InvalidResourceError,
  parseOtherResource,
  parseServiceUrl,
  resourceFor,
  SERVICES,
  servicesFor,
  type CloudName,
} from '../../src/azure/services';

describe('Azure services and their resource IDs', () => {
  const rows: Array<[string, CloudName, string | undefined]> = [
    ['arm', 'AzureCloud', 'https://management.azure.com/'],
    ['arm', 'AzureUSGovernment', 'https://management.usgovcloudapi.net/'],
    ['arm', 'AzureChinaCloud', 'https://management.chinacloudapi.cn/'],
    ['keyVault', 'AzureCloud', 'https://vault.azure.net'],
    ['keyVault', 'AzureUSGovernment', 'https://vault.usgovcloudapi.net'],
    ['keyVault', 'AzureChinaCloud', 'https://vault.azure.cn'],
    ['storage', 'AzureChinaCloud', 'https://storage.azure.com/'],
    ['sql', 'AzureUSGovernment', 'https://database.usgovcloudapi.net/'],
    ['sql', 'AzureChinaCloud', 'https://database.chinacloudapi.cn/'],
    ['ossrdbms', 'AzureCloud', 'https://ossrdbms-aad.database.windows.net'],
    ['ossrdbms', 'AzureChinaCloud', 'https://ossrdbms-aad.database.chinacloudapi.cn'],
    ['eventHubs', 'AzureUSGovernment', 'https://eventhubs.azure.net'],
    ['serviceBus', 'AzureCloud', 'https://servicebus.azure.net'],
    ['cosmosDb', 'AzureUSGovernment', 'https://cosmos.azure.us'],
    ['graph', 'AzureUSGovernment', 'https://graph.microsoft.us/'],
    ['graph', 'AzureChinaCloud', 'https://microsoftgraph.chinacloudapi.cn/'],
    ['logAnalytics', 'AzureChinaCloud', 'https://api.loganalytics.azure.cn'],
    ['cognitiveServices', 'AzureUSGovernment', 'https://cognitiveservices.azure.us'],
    ['azureDevOps', 'AzureCloud', '499b84ac-1321-427f-aa17-267ca6975798'],
    ['azureDevOps', 'AzureChinaCloud', undefined],
    ['noSuchService', 'AzureCloud', undefined],
  ];
  for (const [id, cloud, expected] of rows) {
    it(`${id} in ${cloud} → ${expected ?? 'not offered'}`, () => {
      assert.equal(resourceFor(id, cloud), expected);
    });
  }

  it('every row cites an https doc and every listed resource validates as "Other…" input', () => {
    for (const s of SERVICES) {
      assert.match(s.doc, /^https:\/\//, s.id);
      for (const value of Object.values(s.resource)) assert.equal(parseOtherResource(value!), value);
    }
  });

  it('maps IMDS and az cloud names, unknown → public', () => {
    assert.equal(cloudNameFor('AZUREPUBLICCLOUD'), 'AzureCloud');
    assert.equal(cloudNameFor('AzureUSGovernmentCloud'), 'AzureUSGovernment');
    assert.equal(cloudNameFor('azurechinacloud'), 'AzureChinaCloud');
    assert.equal(cloudNameFor('AzureStackCloud'), 'AzureCloud');
    assert.equal(cloudNameFor(undefined), 'AzureCloud');
  });

  it('offers Azure DevOps only in the public cloud, Data Explorer everywhere', () => {
    assert.ok(servicesFor('AzureCloud').some((s) => s.id === 'azureDevOps'));
    assert.ok(!servicesFor('AzureChinaCloud').some((s) => s.id === 'azureDevOps'));
    assert.ok(servicesFor('AzureUSGovernment').some((s) => s.id === 'dataExplorer'));
  });
});

describe('"Other…" resource input', () => {
  const good: Array<[string, string]> = [
    ['https://vault.azure.net', 'https://vault.azure.net'],
    ['  https://storage.azure.com/  ', 'https://storage.azure.com/'],
    ['https://management.azure.com/.default', 'https://management.azure.com'],
    ['499B84AC-1321-427F-AA17-267CA6975798', '499b84ac-1321-427f-aa17-267ca6975798'],
  ];
  for (const [input, expected] of good) {
    it(`accepts ${JSON.stringify(input)}`, () => assert.equal(parseOtherResource(input), expected));
  }

  const bad: Array<[string, InvalidResourceError['reason']]> = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['vault.azure.net', 'notUriOrGuid'],
    ['499b84ac-1321-427f-aa17', 'notUriOrGuid'],
    ['http://vault.azure.net', 'notHttps'],
    ['api://my-app', 'notHttps'],
    ['https://user:pw@vault.azure.net', 'hasCredentials'],
    ['https://vault.azure.net/?x=1', 'hasQuery'],
    ['https://vault.azure.net/#frag', 'hasQuery'],
  ];
  for (const [input, reason] of bad) {
    it(`refuses ${JSON.stringify(input)} (${reason}) with a readable message`, () => {
      assert.throws(
        () => parseOtherResource(input),
        (e: unknown) => {
          assert.ok(e instanceof InvalidResourceError);
          assert.equal(e.reason, reason);
          assert.ok(e.message.length > 10);
          return true;
        },
      );
    });
  }

  it("Data Explorer wants a cluster URL on the cloud's kusto suffix", () => {
    const adx = SERVICES.find((s) => s.id === 'dataExplorer')!;
    assert.equal(
      parseServiceUrl(adx, 'AzureCloud', 'https://MyCluster.westeurope.kusto.windows.net/'),
      'https://mycluster.westeurope.kusto.windows.net',
    );
    assert.throws(
      () => parseServiceUrl(adx, 'AzureUSGovernment', 'https://c.westeurope.kusto.windows.net'),
      (e: unknown) => e instanceof InvalidResourceError && e.reason === 'wrongHost',
    );
  });
});
