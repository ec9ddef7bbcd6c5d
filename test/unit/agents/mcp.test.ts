/**
 * `vm-identity mcp` as an agent host runs it: the bundled CLI spawned with stdio, spoken to with the MCP SDK's own
 * client (real JSON-RPC over pipes), against the emulator on loopback. Every tool result is scanned for tokens.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { looksLikeToken } from '../../../src/agents/scrub';
import { TOOLS } from '../../../src/agents/tools';
import { type Emulator, expectedView, startEmulator } from '../../emulator';
import { recordCase } from '../../support/cases';
import { CLI } from '../../support/spawnCli';

const BLOB_READ = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read';
const BLOB_WRITE = 'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write';
const ACCOUNT_READ = 'Microsoft.Storage/storageAccounts/read';
const LIST_KEYS = 'Microsoft.Storage/storageAccounts/listKeys/action';

type CallResult = { content: Array<{ type: string; text?: string }>; isError?: boolean };

describe('vm-identity mcp (stdio, the SDK client, against the emulator)', function () {
  this.timeout(60_000);
  let emu: Emulator;
  let client: Client;
  let stderr = '';
  const results: string[] = [];

  async function call(name: string, args: Record<string, unknown> = {}): Promise<{ text: string; isError: boolean }> {
    const r = (await client.callTool({ name, arguments: args })) as CallResult;
    const text = r.content.map((c) => c.text ?? '').join('\n');
    results.push(text);
    return { text, isError: r.isError === true };
  }

  before(async () => {
    if (!fs.existsSync(CLI)) throw new Error('dist/cli.js is missing: run `npm run build` first');
    emu = await startEmulator({
      dataset: { assignments: 12 },
      listen: [
        { host: '127.0.0.1', port: 0 },
        { host: '127.0.0.1', port: 0, tls: true },
      ],
    });
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k, v]) => v !== undefined && !/^(https?_proxy|no_proxy|AZURE_|IDENTITY_|MSI_|IMDS_|VM_IDENTITY_)/i.test(k),
      ),
    ) as Record<string, string>;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp'],
      env: {
        ...clean,
        AZURE_POD_IDENTITY_AUTHORITY_HOST: emu.httpUrl!,
        VM_IDENTITY_ARM_ENDPOINT: emu.httpsUrl!,
        VM_IDENTITY_GRAPH_ENDPOINT: emu.httpsUrl!,
        NODE_EXTRA_CA_CERTS: emu.caCertPath!,
        HOME: fs.mkdtempSync('/tmp/vmid-mcp-home-'),
      },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d) => (stderr += d));
    client = new Client({ name: 'vmid-test', version: '0.0.0' });
    await client.connect(transport);
  });

  after(async () => {
    await client?.close();
    await emu?.close();
  });

  it('initialize names the server; tools/list gives exactly the four read-only tools, no token tool', async () => {
    assert.equal(client.getServerVersion()?.name, 'vm-identity');
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name).sort(), [
      'vm-identity_checkAccess',
      'vm-identity_diagnose',
      'vm-identity_roles',
      'vm-identity_whoami',
    ]);
    assert.deepEqual(tools.map((t) => t.name).sort(), TOOLS.map((t) => t.name).sort());
    const check = tools.find((t) => t.name === 'vm-identity_checkAccess');
    assert.deepEqual(check?.inputSchema.required, ['resourceId', 'action']);
    for (const t of tools) {
      assert.equal(t.annotations?.readOnlyHint, true, t.name);
      assert.equal(t.inputSchema.type, 'object');
      assert.ok(!/token/i.test(t.name), `${t.name} is not a token tool`);
    }
    recordCase({
      area: 'agents',
      name: 'MCP tools/list',
      expected: 'four read-only tools, none returns a token',
      observed: tools.map((t) => t.name).join(', '),
      pass: true,
    });
  });

  it('tools/call whoami: the principal, client, tenant and VM of the emulator', async () => {
    const d = emu.dataset;
    const { text, isError } = await call('vm-identity_whoami');
    assert.equal(isError, false, text);
    for (const v of [
      d.systemIdentity.principalId,
      d.systemIdentity.clientId,
      d.tenantId,
      d.vm.name,
      d.resourceGroupName,
      d.subscriptionId,
    ]) {
      assert.ok(text.includes(v), `whoami names ${v}:\n${text}`);
    }
    assert.ok(text.includes(`VM resource ID: ${emu.state().vm.resourceId}`), text);
    assert.ok(
      emu.requests.some((r) => r.service === 'imds' && r.endpoint === 'imds-token'),
      'a real token request went to IMDS',
    );
  });

  it('tools/call roles: every assignment, and the filters narrow them', async () => {
    const me = emu.dataset.systemIdentity.principalId;
    // Each assignment once, whichever subscriptions listed it (management-group ones show in several).
    const seen = new Map(
      expectedView(emu.dataset, me)
        .subscriptions.flatMap((x) => x.assignments)
        .map((a) => [a.id.toLowerCase(), a]),
    );
    const expected = [...seen.values()];
    const all = await call('vm-identity_roles');
    assert.equal(all.isError, false, all.text);
    assert.match(all.text, new RegExp(`^${expected.length} role assignment\\(s\\) of principal ${me}`));
    assert.equal(all.text.split('\n').filter((l) => l.startsWith('- ')).length, expected.length);
    for (const a of expected) assert.ok(all.text.includes(` at ${a.scope} (`), `roles shows the scope ${a.scope}`);
    const rg = `/subscriptions/${emu.dataset.subscriptionId}/resourceGroups/${emu.dataset.resourceGroupName}`;
    const narrowed = await call('vm-identity_roles', { scopePrefix: rg });
    const lines = narrowed.text.split('\n').filter((l) => l.startsWith('- '));
    const applies = expected.filter(
      (a) =>
        a.scope.toLowerCase().startsWith(rg.toLowerCase()) ||
        `${rg.toLowerCase()}/`.startsWith(`${a.scope.toLowerCase()}/`),
    );
    assert.equal(lines.length, applies.length, narrowed.text);
    const bad = await call('vm-identity_roles', { scope: rg });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /Unknown input "scope"/);
  });

  it('tools/call roles when ARM answers 403: an error answer with the fix, not a crash', async () => {
    emu.configure({ armReadable: { [emu.dataset.systemIdentity.principalId]: false } });
    try {
      const r = await call('vm-identity_roles');
      assert.match(r.text, /could not be read/);
      assert.match(r.text, /Fix: /);
    } finally {
      emu.configure({ armReadable: { [emu.dataset.systemIdentity.principalId]: true } });
    }
  });

  it('tools/call diagnose: the live probe runs, the identity and ARM checks pass against the emulator', async () => {
    emu.resetLog();
    const r = await call('vm-identity_diagnose');
    assert.equal(r.isError, false, r.text);
    const status = (id: string) =>
      new RegExp(`^\\[(PASS|WARN|FAIL|SKIP)\\] .* \\(${id.replace('.', '\\.')}\\)$`, 'm').exec(r.text)?.[1];
    const ids = ['identity.endpoint', 'identity.enabled', 'arm.reachable', 'arm.roleAssignments', 'graph.displayName'];
    for (const id of ids) assert.equal(status(id), 'PASS', `${id} in:\n${r.text}`);
    assert.ok(r.text.includes(emu.dataset.subscriptionId), 'the role check names the subscription it read');
    assert.ok(
      emu.requests.some((q) => q.service === 'imds' && q.endpoint === 'imds-token'),
      'diagnose asked the identity endpoint for a token',
    );
    recordCase({
      area: 'agents',
      name: 'MCP diagnose (live probe)',
      expected: 'identity, ARM and Graph checks PASS against the emulator',
      observed: ids.map((id) => `${id} ${status(id)}`).join(', '),
      pass: true,
    });
  });

  describe('tools/call checkAccess: the same verdict as the emulator computes from its dataset', () => {
    const HEADLINE = { allowed: 'Allowed', denied: 'Denied', notGranted: 'Not granted', conditional: 'Conditional' };
    interface Expected {
      verdict: keyof typeof HEADLINE;
      grantedBy: string[];
      deniedBy: string[];
      permissions: Array<{ assignmentId: string; roleName: string }>;
    }
    async function expectedAccess(scope: string, action: string, plane: 'control' | 'data'): Promise<Expected> {
      const principalId = emu.dataset.systemIdentity.principalId;
      const q = new URLSearchParams({ principalId, scope, action, plane });
      const reply = await fetch(`${emu.httpUrl}/_emulator/expected-access?${q}`);
      assert.equal(reply.status, 200);
      return (await reply.json()) as Expected;
    }
    const cases: Array<[string, () => string, string, 'control' | 'data', boolean]> = [
      ['allowed via a nested group', () => emu.dataset.shared.storageAccount, BLOB_READ, 'data', true],
      ['denied by a deny assignment', () => emu.dataset.shared.storageAccount, BLOB_WRITE, 'data', true],
      [
        'plane looked up from the provider operations',
        () => emu.dataset.shared.storageAccount,
        ACCOUNT_READ,
        'control',
        false,
      ],
      ['not granted: the fix names a role', () => emu.dataset.shared.storageAccount, LIST_KEYS, 'control', true],
    ];
    for (const [name, scopeOf, action, plane, givePlane] of cases) {
      it(name, async () => {
        const scope = scopeOf();
        const r = await call('vm-identity_checkAccess', { resourceId: scope, action, ...(givePlane ? { plane } : {}) });
        assert.equal(r.isError, false, r.text);
        const e = await expectedAccess(scope, action, plane);
        const [headline] = r.text.split('\n');
        assert.ok(headline.startsWith(`${HEADLINE[e.verdict]}: ${action} (${plane} plane)`), `${e.verdict}: ${r.text}`);
        const granted = [...r.text.matchAll(/^ {2}(?:conditionally )?granted by (.+?) \(/gm)].map((m) => m[1]).sort();
        const roleOf = new Map(e.permissions.map((p) => [p.assignmentId.toLowerCase(), p.roleName]));
        assert.deepEqual(granted, e.grantedBy.map((id) => roleOf.get(id.toLowerCase())).sort(), r.text);
        assert.equal([...r.text.matchAll(/^ {2}denied by deny assignment /gm)].length, e.deniedBy.length, r.text);
        if (name.startsWith('not granted')) assert.equal(e.verdict, 'notGranted');
        if (e.verdict === 'notGranted') assert.match(r.text, /^Fix: .*\n {2}az role assignment create /m);
        recordCase({
          area: 'agents',
          name: `MCP checkAccess: ${name}`,
          expected: `${e.verdict} (emulator), granted by ${e.grantedBy.length}, denied by ${e.deniedBy.length}`,
          observed: `${headline.split(':')[0]}; granted by ${granted.length}`,
          pass: true,
        });
      });
    }

    it('bad input is an error answer the model can correct', async () => {
      const missing = await call('vm-identity_checkAccess', { resourceId: emu.dataset.scopes.vm });
      assert.equal(missing.isError, true);
      assert.match(missing.text, /^Invalid input: action is required/);
      const wildcard = await call('vm-identity_checkAccess', { resourceId: emu.dataset.scopes.vm, action: '*/read' });
      assert.equal(wildcard.isError, true);
      assert.match(wildcard.text, /^Invalid input \(action\): /);
    });
  });

  it('an unknown tool is an error answer', async () => {
    const r = await call('vm-identity_token');
    assert.equal(r.isError, true);
  });
  // Last (nested describes run after the outer its): every result above, checkAccess's included.
  describe('token scan', () => {
    it('no tool result and nothing on stderr holds a token the emulator issued, or anything token-shaped', () => {
      assert.ok(emu.issuedTokens.length > 0, 'the emulator issued tokens');
      const everything = [...results, stderr];
      for (const text of everything) {
        for (const t of emu.issuedTokens) assert.ok(!text.includes(t), 'an issued token leaked');
        assert.ok(!looksLikeToken(text), `token-shaped text: ${text.slice(0, 200)}`);
      }
      recordCase({
        area: 'agents',
        name: 'MCP token scan',
        expected: 'no token in any tool result or log',
        observed: `${results.length} results scanned, ${emu.issuedTokens.length} tokens issued, none found`,
        pass: true,
      });
    });
  });
});
