/** The tool definitions, the manifest that declares them, and the token scrubber every answer passes. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { looksLikeToken, scrubTokens } from '../../../src/agents/scrub';
import { TOOLS, ToolInputError, parseCheckAccessInput, parseRolesInput } from '../../../src/agents/tools';
import { filterRoles } from '../../../src/agents/answers';
import type { RoleAssignmentDetail } from '../../../src/azure';

const ROOT = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const nls = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.nls.json'), 'utf8')) as Record<string, string>;
const localized = (s: string) => s.replace(/^%(.+)%$/, (_, k: string) => nls[k] ?? `<missing ${k}>`);

describe('agent tools', () => {
  it('package.json declares exactly the shared definitions (names, references, descriptions, schemas)', () => {
    const declared = pkg.contributes.languageModelTools as Array<Record<string, unknown>>;
    assert.deepEqual(
      declared.map((t) => ({
        name: t.name,
        toolReferenceName: t.toolReferenceName,
        displayName: localized(String(t.displayName)),
        userDescription: localized(String(t.userDescription)),
        modelDescription: localized(String(t.modelDescription)),
        inputSchema: t.inputSchema,
        canBeReferencedInPrompt: t.canBeReferencedInPrompt,
      })),
      TOOLS.map((t) => ({
        name: t.name,
        toolReferenceName: t.toolReferenceName,
        displayName: t.displayName,
        userDescription: t.userDescription,
        modelDescription: t.modelDescription,
        inputSchema: t.inputSchema,
        canBeReferencedInPrompt: true,
      })),
    );
    assert.deepEqual(pkg.contributes.authentication, [
      { id: 'vm-identity', label: '%authentication.vmIdentity.label%' },
    ]);
  });

  it('every tool that reads ARM has a confirmation; none is about tokens', () => {
    for (const t of TOOLS) {
      assert.equal(!!t.confirmation, t.readsArm, t.name);
      assert.ok(!/token/i.test(t.name), t.name);
      assert.match(t.modelDescription, /Returns no token/);
    }
  });

  it('roles input: the two optional strings, anything else a readable error', () => {
    assert.deepEqual(parseRolesInput(undefined), {});
    assert.deepEqual(parseRolesInput({ scopePrefix: ' /subscriptions/x ', roleName: '' }), {
      scopePrefix: '/subscriptions/x',
    });
    assert.throws(() => parseRolesInput({ roleName: 3 }), ToolInputError);
    assert.throws(() => parseRolesInput({ scope: 'x' }), /Unknown input "scope"/);
    assert.throws(() => parseRolesInput([]), ToolInputError);
  });

  it('checkAccess input: resourceId and action required, plane control|data, anything else a readable error', () => {
    const id = '/subscriptions/s/resourceGroups/rg';
    assert.deepEqual(parseCheckAccessInput({ resourceId: ` ${id} `, action: 'a/read', plane: '' }), {
      resourceId: id,
      action: 'a/read',
    });
    assert.deepEqual(parseCheckAccessInput({ resourceId: id, action: 'a/read', plane: 'data' }).plane, 'data');
    assert.throws(() => parseCheckAccessInput({ action: 'a/read' }), /resourceId is required/);
    assert.throws(() => parseCheckAccessInput({ resourceId: id, action: ' ' }), /action is required/);
    assert.throws(() => parseCheckAccessInput({ resourceId: id, action: 'a', plane: 'both' }), /plane must be/);
    assert.throws(() => parseCheckAccessInput({ resourceId: id, action: 'a', token: 'x' }), /Unknown input "token"/);
    assert.throws(() => parseCheckAccessInput(undefined), ToolInputError);
  });

  it('the scope filter keeps assignments at, below and above the scope; the role filter is a substring', () => {
    const r = (roleName: string, scope: string) => ({ roleName, scope }) as RoleAssignmentDetail;
    const roles = [
      r('Reader', '/subscriptions/s'),
      r('Contributor', '/subscriptions/s/resourceGroups/rg'),
      r('Key Vault Secrets User', '/subscriptions/s/resourceGroups/rg/providers/x/vaults/v'),
      r('Owner', '/subscriptions/s/resourceGroups/rg2'),
      r('Root', '/'),
    ];
    const names = (f: Parameters<typeof filterRoles>[1]) => filterRoles(roles, f).map((x) => x.roleName);
    assert.deepEqual(names({ scopePrefix: '/subscriptions/S/resourceGroups/rg' }), [
      'Reader',
      'Contributor',
      'Key Vault Secrets User',
      'Root',
    ]);
    assert.deepEqual(names({ roleName: 'key vault' }), ['Key Vault Secrets User']);
  });

  it('the scrubber removes JWTs, bearer values, opaque runs and secrets in URLs, and keeps resource IDs', () => {
    const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2lnbmF0dXJl';
    const opaque = 'A'.repeat(40) + '_-' + 'b'.repeat(60);
    const id =
      '/subscriptions/0000/resourceGroups/rg-a-very-long-resource-group-name-indeed/providers/Microsoft.Compute/virtualMachines/vm-with-a-long-name-0123456789';
    const text = `token ${jwt} header Bearer abc.def key ${opaque} proxy http://u:p@host:8080 sas ?sig=abc%2F id ${id}`;
    const out = scrubTokens(text);
    assert.ok(!out.includes(jwt) && !out.includes(opaque) && !out.includes('u:p@') && !out.includes('sig=abc'), out);
    assert.ok(out.includes(id), 'resource IDs stay');
    assert.equal(looksLikeToken(out), false);
    assert.equal(looksLikeToken(text), true);
  });
});
