/** vmIdentity.cloud / --cloud / VM_IDENTITY_CLOUD: names, custom clouds, and every way it can be unusable. */
import * as assert from 'node:assert/strict';
import { parseCloudSetting } from '../../src/azure';
import { isVmIdentityError } from '../../src/core/errors';

const CUSTOM = {
  arm: 'https://management.airgap.example',
  graph: 'https://graph.airgap.example',
  portal: 'https://portal.airgap.example',
  audience: 'https://management.core.airgap.example/',
};

describe('the cloud setting', () => {
  it('unset or blank → none', () => {
    assert.equal(parseCloudSetting(undefined, 'vmIdentity.cloud'), undefined);
    assert.equal(parseCloudSetting('  ', 'vmIdentity.cloud'), undefined);
  });

  it('takes the Azure CLI names and the azEnvironment spellings', () => {
    assert.equal(parseCloudSetting('AzureCloud', 's')?.name, 'AzurePublicCloud');
    assert.equal(parseCloudSetting('AzureUSGovernment', 's')?.armResource, 'https://management.usgovcloudapi.net/');
    assert.equal(parseCloudSetting('azurechinacloud', 's')?.portal, 'https://portal.azure.cn');
  });

  it('takes a custom cloud as an object (the setting) or JSON (the CLI), audiences defaulting to the hosts', () => {
    const c = parseCloudSetting(CUSTOM, 'vmIdentity.cloud')!;
    assert.deepEqual(
      [c.name, c.arm, c.armResource, c.graph, c.graphResource, c.portal],
      ['Custom', CUSTOM.arm, CUSTOM.audience, CUSTOM.graph, `${CUSTOM.graph}/`, CUSTOM.portal],
    );
    const j = parseCloudSetting(JSON.stringify({ ...CUSTOM, audience: undefined }), '--cloud')!;
    assert.equal(j.armResource, `${CUSTOM.arm}/`);
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ['an unknown name', 'AzureGermanCloud', /"AzureGermanCloud", which is not a cloud/],
    ['"custom" without URLs', 'custom', /without its URLs/],
    ['broken JSON', '{"arm":', /not valid JSON/],
    ['a missing URL', { arm: CUSTOM.arm, graph: CUSTOM.graph }, /needs "portal"/],
    [
      'http to a network host',
      { ...CUSTOM, arm: 'http://management.airgap.example' },
      /"arm": http:\/\/management\.airgap\.example is not https/,
    ],
    ['not a URL', { ...CUSTOM, audience: 'management' }, /"audience": "management" is not a URL/],
    ['a number', 3, /a cloud name or an object/],
  ];
  for (const [name, value, message] of bad) {
    it(`refuses ${name}, naming the setting and saying what to write`, () => {
      assert.throws(
        () => parseCloudSetting(value, 'VM_IDENTITY_CLOUD'),
        (e: unknown) =>
          isVmIdentityError(e, 'usage') &&
          /^VM_IDENTITY_CLOUD /.test(e.message) &&
          message.test(e.message) &&
          /AzureUSGovernment/.test(e.fix),
      );
    });
  }

  it('allows plain http to loopback only (as the ARM overrides do: the token never crosses a network in the clear)', () => {
    assert.equal(parseCloudSetting({ ...CUSTOM, arm: 'http://127.0.0.1:8080' }, 's')?.arm, 'http://127.0.0.1:8080');
  });
});
