/**
 * The e2e phase of `bulwark verify`: on the apply phase's API server, once dist/<env> is applied,
 * verify finds the cluster as dist/ says (nothing missing, extra or drifted, Pod Security labels
 * live, every RBAC expectation answered as expected); then drift is introduced (a ConfigMap
 * edited, a NetworkPolicy deleted, an extra object with the platform's labels, a Pod Security
 * label removed) and verify reports each, exit 1.
 */
import * as fs from 'fs';
import * as path from 'path';
import { kubectl, PhaseContext } from './apply-phase';
import { DistObject } from './objects';
import { run, RunResult } from './util';

const ROOT = path.resolve(__dirname, '..');

export interface VerifyResult {
  readonly clean: string;
  readonly drifted: string;
}

/** verify of a copy of dist/<env> (its deployment report goes there, never into the repository's dist/). */
function verify(ctx: PhaseContext, dist: string): Promise<RunResult> {
  const copy = path.join(ctx.work, 'verify-dist');
  if (!fs.existsSync(path.join(copy, ctx.env))) fs.cpSync(path.join(dist, ctx.env), path.join(copy, ctx.env), { recursive: true });
  return run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'main.ts'), 'verify', '--env', ctx.env, '--out', copy,
    '--kubeconfig', ctx.cluster.kubeconfig], { env: { ...process.env, KUBECTL: ctx.kubectlBin, NO_COLOR: '1' }, timeoutMs: 300_000 });
}

const lastLine = (r: RunResult): string => r.stdout.trim().split('\n').pop() ?? '';

export async function verifyPhase(ctx: PhaseContext, dist: string, objects: readonly DistObject[]): Promise<VerifyResult> {
  const group = `${ctx.env} verify`;
  const clean = await verify(ctx, dist);
  ctx.t.check(group, 'bulwark verify after apply: exit 0, nothing missing, extra or drifted, no unexpected SubjectAccessReview',
    clean.code === 0 && / 0 missing, 0 extra, 0 drifted; pod security as dist\/ says; [1-9][0-9]* SubjectAccessReviews, 0 unexpected;/.test(lastLine(clean)),
    `${clean.stdout}${clean.stderr}`);

  const ns = objects.find((o) => o.object.kind === 'Namespace' && o.object.apiVersion === 'v1')!.object.metadata.name;
  // A value dist/ sets, changed by hand: a server-side apply of dist/ would set it back (a key added by hand would stay:
  // it is not the platform's field).
  const configMap = objects.find((o) => o.object.kind === 'ConfigMap' && o.object.metadata.namespace === ns
    && Object.keys((o.object.data as Record<string, string> | undefined) ?? {}).length > 0)!.object;
  const dataKey = Object.keys(configMap.data as Record<string, string>)[0];
  const patch = ['patch', 'configmap', configMap.metadata.name, '-n', ns, '--type', 'merge', '-p', JSON.stringify({ data: { [dataKey]: 'hand' } })];
  const policy = objects.find((o) => o.object.kind === 'NetworkPolicy' && o.object.metadata.namespace === ns)!.object;
  const edits = [
    await kubectl(ctx, patch),
    await kubectl(ctx, ['delete', 'networkpolicy', policy.metadata.name, '-n', ns]),
    await kubectl(ctx, ['create', 'configmap', 'hand-made', '-n', ns]),
    await kubectl(ctx, ['label', 'configmap', 'hand-made', '-n', ns, 'app.kubernetes.io/managed-by=bulwark']),
    await kubectl(ctx, ['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce-']),
  ];
  ctx.t.check(group, 'drift introduced by kubectl (patch, delete, create, label)', edits.every((e) => e.code === 0),
    edits.map((e) => `$ ${e.command}\n${e.stdout}${e.stderr}`).join('\n'));
  const drifted = await verify(ctx, dist);
  const out = drifted.stdout;
  ctx.t.check(group, 'bulwark verify after drift: exit 1', drifted.code === 1, `${out}${drifted.stderr}`);
  ctx.t.check(group, `the edited ConfigMap ${ns}/${configMap.metadata.name} is reported drifted`,
    out.includes(`drifted: ConfigMap/${ns}/${configMap.metadata.name}: `), out);
  ctx.t.check(group, `the deleted NetworkPolicy ${ns}/${policy.metadata.name} is reported missing`,
    out.includes(`missing: NetworkPolicy/${ns}/${policy.metadata.name}: not on the cluster`), out);
  const extra = out.includes(`extra: ConfigMap/${ns}/hand-made: `);
  ctx.t.check(group, 'the hand-made ConfigMap with the platform\'s labels is reported extra', extra, out);
  ctx.t.check(group, 'the removed Pod Security label is reported, and its Namespace drifted',
    out.includes(`pod security: Namespace/${ns}: pod-security.kubernetes.io/enforce is (none), dist/ says restricted`)
      && out.includes(`drifted: Namespace/${ns}: `), out);
  ctx.t.check(group, 'nothing else is reported', / 1 missing, 1 extra, 2 drifted; pod security 1 labels differ; [0-9]+ SubjectAccessReviews, 0 unexpected;/
    .test(lastLine(drifted)), out);
  return { clean: lastLine(clean), drifted: lastLine(drifted) };
}
