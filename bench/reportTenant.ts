/** BENCHMARKS.md, section 6 (the realistic tenant): its headline line, its tables and its targets. */
import { kb, median, ms, PAGE_SIZE, range, ratio, RUNS, SIZES, TENANT_TARGETS, verdict } from './config';
import { type Tenant, type TenantTool, TENANT_TOOLS } from './measureTenant';

const LABEL: Record<TenantTool, string> = {
  cold: 'CLI cold (empty cache)',
  warm: 'CLI warm (role names remembered)',
  sdk: 'SDK peer (`bench/sdk-peer-tenant.mjs`)',
};

export function tenantHeadline(t: Tenant): string {
  const r = (x: number[]) => ratio(median(x));
  return `- Realistic tenant (${t.subscriptions} subscriptions, ${t.builtInRoles} built-in roles, ARM at ${t.latency} ms per request): CLI cold **${r(t.ratios.cold)}** and warm **${r(t.ratios.warm)}** the SDK's time; a cold CLI job downloads **${kb(t.jobs.cold.bytes)}**, the SDK's **${kb(t.jobs.sdk.bytes)}**.`;
}

export function tenantSection(t: Tenant, nodeMs: number): string[] {
  const L: string[] = [];
  L.push('## 6. Realistic tenant', '');
  L.push(
    `The emulator's default dataset: the system identity holds roles in **${t.subscriptions} subscriptions** (${t.expectedCount} distinct role assignments, management-group ones seen from both), each subscription's role-definition catalog holds **${t.builtInRoles} built-in roles** plus the custom ones, ARM and Graph answer after **${t.latency} ms** per request plus ${t.armMsPerKb} ms per KB of body (the emulator's estimate of ARM's generation time: a big list is slow), IMDS at once, ${PAGE_SIZE} items per ARM page.`,
  );
  L.push(
    '- **CLI**: `node dist/cli.js roles --json` (every subscription: `GET /subscriptions` ‖ token, then per subscription the role and deny assignments with `assignedTo`, then only the role definitions the assignments name, by id, in parallel). **Cold**: a new, empty `XDG_CACHE_HOME` per run. **Warm**: one untimed priming run fills a directory, every timed warm run reuses it (built-in role names are read from `$XDG_CACHE_HOME/vm-identity/role-names.json`; custom roles are read again).',
  );
  L.push(
    '- **SDK peer**: `node bench/sdk-peer-tenant.mjs`: `ManagedIdentityCredential.getToken` (for the oid) ‖ `SubscriptionClient.subscriptions.list()` (@azure/arm-resources-subscriptions); then per subscription, all in parallel, `roleAssignments.listForScope("subscriptions/{id}", {filter: "assignedTo(\'{oid}\')"})` ‖ `roleDefinitions.list("subscriptions/{id}")` for the names, as `az role assignment list` fills in role names (azure-cli role/custom.py); `for await` over every page; assignments printed once.',
  );
  L.push(
    `- Whole-process wall time, spawn → exit, ${RUNS} timed runs of each after one untimed warm-up each, the three interleaved in rotating order; ratios are pair-by-pair (each CLI run against the SDK run of the same round). Bytes = response body bytes of ARM, Graph and IMDS for one job, from the emulator's request log (uncompressed: the emulator does not gzip).`,
    '',
  );
  L.push(
    '| tool | median (range) ms | / SDK (pairwise median) | bytes per job (ARM / IMDS) | largest response | requests | stages (all / ARM) | same assignment ids |',
  );
  L.push('|:--|--:|--:|--:|:--|--:|--:|:--|');
  for (const tool of TENANT_TOOLS) {
    const j = t.jobs[tool];
    const r = tool === 'sdk' ? '1×' : `**${ratio(median(t.ratios[tool]))}**`;
    const ids =
      t.idsCount[tool] === t.expectedCount && t.idsMatch
        ? `yes: ${t.idsCount[tool]} = expected ${t.expectedCount}`
        : `${t.idsMatch ? '' : '**NO** '}${t.idsCount[tool]} (expected ${t.expectedCount})`;
    L.push(
      `| ${LABEL[tool]} | ${ms(median(t.times[tool]))} (${range(t.times[tool])}) | ${r} | **${kb(j.bytes)}** (${kb(j.bytesByService.arm ?? 0)} / ${kb(j.bytesByService.imds ?? 0)}) | ${j.largest.endpoint}: ${kb(j.largest.bytes)} | ${Object.values(j.counts).reduce((a, b) => a + b, 0)} | ${j.stages} / ${j.armStages} | ${ids} |`,
    );
  }
  L.push('');
  L.push(
    `Both tools' outputs list the same assignment ids as the emulator's expected view (\`expectedView\`, every subscription): **${t.idsMatch ? 'yes' : 'NO'}**; the same role name for every assignment: **${t.namesMatch ? 'yes' : 'NO'}**.`,
    '',
  );
  L.push("Requests per job, by endpoint (from the emulator's log):", '');
  const endpoints = [...new Set(TENANT_TOOLS.flatMap((tool) => Object.keys(t.jobs[tool].counts)))].sort();
  L.push(
    `| endpoint | ${TENANT_TOOLS.map((tool) => LABEL[tool]).join(' | ')} |`,
    `|---|${TENANT_TOOLS.map(() => '--:').join('|')}|`,
  );
  for (const e of endpoints)
    L.push(`| ${e} | ${TENANT_TOOLS.map((tool) => String(t.jobs[tool].counts[e] ?? 0)).join(' | ')} |`);
  L.push('');
  L.push(
    `Network limit of each tool (\`node -e 0\` = ${ms(nodeMs)} ms + ARM stages × ${t.latency} ms): ${TENANT_TOOLS.map((tool) => `${LABEL[tool]} ${ms(nodeMs + t.jobs[tool].armStages * t.latency)} ms (measured ${ratio(median(t.times[tool]) / (nodeMs + t.jobs[tool].armStages * t.latency))} of it)`).join('; ')}. The SDK's limit leaves out the size-proportional time of its catalog pages.`,
    '',
  );
  return L;
}

export function tenantTargets(t: Tenant, nodeMs: number): string[] {
  const L: string[] = [];
  const sdk = median(t.times.sdk);
  for (const tool of ['cold', 'warm'] as const) {
    const goal = TENANT_TARGETS[tool];
    const v = median(t.ratios[tool]);
    let why = '';
    if (v > goal) {
      const need = goal * sdk;
      const stages = t.jobs[tool].armStages;
      const floor = nodeMs + stages * t.latency;
      why = `\n  Why: within ${goal}× the CLI must finish in ${ms(need)} ms. Node's own start (${ms(nodeMs)} ms) and its ${stages} ARM stages × ${t.latency} ms (from the emulator log: requests that must wait for an earlier answer) already take ${ms(floor)} ms = ${ratio(floor / sdk)} the SDK's time${floor > need ? ': the target is out of reach at this latency without fewer stages' : `, leaving ${ms(need - floor)} ms for its own work, which takes ${ms(median(t.times[tool]) - floor)} ms`}.`;
    }
    L.push(`- Realistic tenant, CLI ${tool} ≤ ${goal}× the SDK: ${ratio(v)}: ${verdict(v <= goal)}.${why}`);
  }
  const cold = t.jobs.cold.bytes;
  L.push(
    `- Realistic tenant, a cold CLI job downloads < ${kb(TENANT_TARGETS.coldBytes)} at ${SIZES.small} assignments (${t.expectedCount} distinct seen from its subscriptions): ${kb(cold)}: ${verdict(cold < TENANT_TARGETS.coldBytes)} (the SDK's job: ${kb(t.jobs.sdk.bytes)}).`,
  );
  return L;
}
