/**
 * `vm-identity mcp`: a Model Context Protocol server on stdio (https://modelcontextprotocol.io/specification,
 * transports: newline-delimited JSON-RPC on stdin/stdout) for any agent on this machine. It serves the tools of
 * src/agents/tools.ts, read-only, each call a fresh read as the VM identity; no tool returns a token, and every
 * answer passes the token scrubber. stdout carries the protocol only: logs (tokens never) go to stderr.
 */
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { getProxyForUrl } from 'proxy-from-env';
import { type ToolAnswer, type ToolBackend, answerTool } from '../agents/answers';
import { TOOLS, toolNamed } from '../agents/tools';
import { type IdentityService, checkAccessForTool } from '../azure';
import { isVmIdentityError } from '../core/errors';
import type { Logger } from '../core/log';
import type { AgentFor } from '../core/proxiedHttp';
import { runDoctor } from '../doctor/run';
import type { IdentitySelector, ManagedIdentityClient } from '../identity';

/** The version the server reports in `initialize` (package.json's, replaced by esbuild when bundled). */
const VERSION = '0.1.0';

export interface McpDeps {
  service: IdentityService;
  selector: IdentitySelector;
  env: NodeJS.ProcessEnv;
  /** Diagnose's own client and service (a shorter deadline, as `vm-identity doctor` uses). */
  diagnose: { client: ManagedIdentityClient; service: IdentityService };
  agentFor?: AgentFor;
  logger?: Logger;
}

/** Each call reads afresh (tokens come from the identity client's cache, single flight). */
function cliBackend(deps: McpDeps): ToolBackend {
  return {
    async snapshot(needs, signal) {
      try {
        const snapshot = await deps.service.snapshot(deps.selector, { displayName: true, roles: needs.roles }, signal);
        return { status: 'ok', snapshot };
      } catch (e) {
        if (!isVmIdentityError(e)) throw e;
        return { status: 'unavailable', reason: `No VM identity here: ${e.message}\nFix: ${e.fix}` };
      }
    },
    // The same checks as `vm-identity doctor`, with the live probe.
    diagnose: () =>
      runDoctor({
        env: deps.env,
        client: deps.diagnose.client,
        selector: deps.selector,
        instanceMetadata: () => deps.diagnose.service.instanceMetadata(),
        agentFor: deps.agentFor,
        proxyFor: (url) => getProxyForUrl(url.href) || undefined,
        graph: true,
        logger: deps.logger,
      }),
    // A fresh snapshot per call; the access context holds the ARM token inside its reader and never returns it.
    async checkAccess(question, signal) {
      const snapshot = await deps.service.snapshot(deps.selector, {}, signal);
      return checkAccessForTool(await deps.service.accessContext(snapshot, signal), question, signal);
    },
  };
}

function createMcpServer(backend: ToolBackend): Server {
  const server = new Server(
    { name: 'vm-identity', version: VERSION },
    {
      capabilities: { tools: {} },
      instructions:
        "Read-only facts about this machine's Azure managed identity: who it is, its role assignments, and why " +
        'sign-in or Azure calls fail here. No tool returns a token.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.map((t) => ({
      name: t.name,
      title: t.displayName,
      description: t.modelDescription,
      inputSchema: t.inputSchema,
      annotations: {
        title: t.displayName,
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: t.readsArm,
      },
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = toolNamed(request.params.name);
    const answer: ToolAnswer = tool
      ? await answerTool(tool.name, request.params.arguments ?? {}, backend, extra.signal)
      : {
          text: `Unknown tool "${request.params.name}". Tools: ${TOOLS.map((t) => t.name).join(', ')}.`,
          isError: true,
        };
    return { content: [{ type: 'text' as const, text: answer.text }], isError: answer.isError };
  });
  return server;
}

/** Serves until stdin closes (the agent host ends the session). */
export async function serveMcp(deps: McpDeps): Promise<void> {
  const server = createMcpServer(cliBackend(deps));
  const closed = new Promise<void>((resolve) => (server.onclose = resolve));
  await server.connect(new StdioServerTransport());
  process.stdin.once('end', () => void server.close());
  await closed;
}
