// Owns the deployment checks: the Dockerfile (dockerfile-utils lint, shellcheck of RUN lines, the
// image's contract) and the k8s/ manifests (every overlay renders and validates; every manifest in
// k8s/broken/ is rejected for its stated reason, so a validator that stops catching errors fails).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { findRenderer, overlays, parseYaml, render, root, validateObjects, type K8sObject } from '../../scripts/validate-k8s.mjs';

const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' }).status === 0;
// CI installs a pinned kustomize (.ci/run sets KUSTOMIZE); there a missing renderer fails instead of skipping.
const renderer = findRenderer();
const inCI = process.env.CI === 'true' || process.env.CI === '1';
if (!renderer && !inCI) console.warn('SKIPPED: rendering k8s overlays needs KUSTOMIZE=<kustomize binary>, kubectl or kustomize on PATH');
const shellcheck = has('shellcheck', ['--version']);
if (!shellcheck) console.warn('SKIPPED: shellcheck of the Dockerfile RUN lines (apt-get install -y shellcheck)');

const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const byKind = (objs: K8sObject[], kind: string) => objs.filter((o) => o.kind === kind);
/** The npm packages a module imports, following its relative imports (the image has production dependencies only). */
function packagesImportedBy(file: string, seen = new Set<string>(), out = new Set<string>()): string[] {
  if (seen.has(file)) return [...out];
  seen.add(file);
  for (const [, spec] of readFileSync(file, 'utf8').matchAll(/^(?:import|export)\s[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm)) {
    if (spec!.startsWith('.')) packagesImportedBy(join(file, '..', spec!.replace(/\.js$/, '.ts')), seen, out);
    else if (!spec!.startsWith('node:') && !spec!.endsWith('.json')) out.add(spec!.startsWith('@') ? spec!.split('/').slice(0, 2).join('/') : spec!.split('/')[0]!);
  }
  return [...out];
}
const named = (objs: K8sObject[], kind: string, name: string) => objs.filter((o) => o.kind === kind && o.metadata?.name === name);

describe('Dockerfile', () => {
  it('passes dockerfile-utils with no diagnostics', () => {
    expect(lintDockerfile(dockerfile).map((d) => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
  });

  it('keeps the contract: pinned overridable bases, non-root, healthcheck, exec-form entrypoint', () => {
    expect(dockerfile).toMatch(/^ARG RUNTIME_IMAGE=node:20[\w.-]*-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^FROM \$\{RUNTIME_IMAGE\} AS runtime$/m);
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n\s+CMD \["node", .*\/healthz/m);
    expect(dockerfile).toMatch(/^ENTRYPOINT \["node", "dist\/ts\/cli\/main.js"\]$/m);
    expect(dockerfile).toMatch(/^CMD \["serve", "--host", "0.0.0.0"/m);
    expect(dockerfile).toMatch(/pnpm install --frozen-lockfile/);
    expect(dockerfile).not.toMatch(/^# *syntax=|COPY --link|<<\w/m);
  });

  it.skipIf(!shellcheck)('has RUN lines that pass shellcheck', () => {
    // RUN flags (--mount=type=secret,...) are BuildKit's, not shell: strip them before shellcheck.
    const runs = dockerfile.replace(/\\\n/g, ' ').split('\n').filter((l) => l.startsWith('RUN '))
      .map((l) => l.slice(4).replace(/^\s*(--[a-z]+=\S+\s+)*/, ''));
    expect(runs.length).toBeGreaterThan(2);
    const file = join(mkdtempSync(join(tmpdir(), 'recs-sc-')), 'run.sh');
    writeFileSync(file, `#!/bin/sh\n${runs.join('\n')}\n`);
    const r = spawnSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
  });
});

it.runIf(inCI)('CI has a kustomize to render the overlays (KUSTOMIZE, kubectl or kustomize)', () => {
  expect(renderer, 'no kustomize: .ci/run installs one and sets KUSTOMIZE').not.toBeNull();
});

describe.skipIf(!renderer && !inCI)('k8s overlays', () => {
  const rendered = new Map(overlays().map((dir) => [basename(dir), parseYaml(render(dir))]));

  it('render to valid objects (schemas, unknown fields, cross-field rules)', async () => {
    expect([...rendered.keys()].sort()).toEqual(['aks', 'local']);
    for (const [name, objs] of rendered) expect({ name, errors: await validateObjects(objs) }).toEqual({ name, errors: [] });
  });

  it('drain: grace period exceeds preStop + shutdown deadline; probes and hardening are set', () => {
    for (const objs of rendered.values()) {
      const [dep] = byKind(objs, 'Deployment');
      const pod = dep!.spec.template.spec;
      const c = pod.containers[0];
      const deadline = Number(c.args[c.args.indexOf('--shutdown-deadline') + 1]);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(deadline + c.lifecycle.preStop.sleep.seconds);
      expect(c.args).toEqual(expect.arrayContaining(['--host', '0.0.0.0', '--require-auth']));
      expect([c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path, c.startupProbe.httpGet.path]).toEqual(['/readyz', '/healthz', '/healthz']);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(objs.every((o) => o.kind === 'Namespace' || o.metadata?.namespace === 'recs')).toBe(true);
      expect(byKind(objs, 'Secret')).toEqual([]);
      const [job] = named(objs, 'Job', 'recs-score');
      expect(job!.spec.completionMode).toBe('Indexed');
      expect(byKind(objs, 'CronJob')).toHaveLength(1);
    }
  });

  it('jobs run the image\'s retrain and score commands; score shards match the completions', () => {
    for (const objs of rendered.values()) {
      const cron = byKind(objs, 'CronJob')[0]!.spec.jobTemplate.spec.template.spec.containers[0];
      expect(cron.args.slice(0, 1)).toEqual(['retrain']);
      expect(cron.args).toEqual(expect.arrayContaining(['--models-dir', '/data/models']));
      const job = named(objs, 'Job', 'recs-score')[0]!.spec;
      const args: string[] = job.template.spec.containers[0].args;
      expect(args[0]).toBe('score');
      expect(args[args.indexOf('--shard') + 1]).toBe('$(JOB_COMPLETION_INDEX)');
      expect(Number(args[args.indexOf('--shards') + 1])).toBe(job.completions);
    }
  });

  it('the bench Job load-tests the Service from inside the cluster, suspended and bounded', () => {
    for (const objs of rendered.values()) {
      const [job] = named(objs, 'Job', 'recs-bench');
      const spec = job!.spec;
      expect(spec.suspend).toBe(true);
      expect(spec.backoffLimit).toBe(0);
      expect(spec.activeDeadlineSeconds).toBeGreaterThan(0);
      const c = spec.template.spec.containers[0];
      expect(c.command).toEqual(['node', 'dist/bench/load/cli.js']);
      const arg = (name: string) => c.args[c.args.indexOf(name) + 1];
      // the URL names the API's Service on its port, in the same namespace
      const [svc] = named(objs, 'Service', 'recs-api');
      const url = new URL(arg('--url'));
      expect(url.hostname).toBe(svc!.metadata!.name);
      expect(Number(url.port || 80)).toBe(svc!.spec.ports[0].port);
      // the key file is the API's own Secret item, the models dir the API's volume
      const dep = byKind(objs, 'Deployment')[0]!.spec.template.spec;
      const keyMount = c.volumeMounts.find((m: any) => arg('--api-key-file').startsWith(m.mountPath + '/'));
      const keyVolume = spec.template.spec.volumes.find((v: any) => v.name === keyMount.name);
      expect(keyVolume.secret).toEqual(dep.volumes.find((v: any) => v.secret).secret);
      expect(arg('--models-dir')).toBe('/data/models');
      expect(spec.template.spec.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim).toEqual(dep.volumes.find((v: any) => v.name === 'data').persistentVolumeClaim);
      expect(Number(arg('--duration'))).toBeLessThan(spec.activeDeadlineSeconds);
      expect(arg('--out').startsWith('/data/')).toBe(true); // the root filesystem is read-only
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      // the scenario exists and the compiled entry is what the image ships (dist/ from tsconfig.build.json)
      expect(readdirSync(join(root, 'bench', 'scenarios'))).toContain(`${arg('--scenario')}.json`);
      const deps = Object.keys(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).dependencies);
      expect(packagesImportedBy(join(root, 'bench', 'load', 'cli.ts')).filter((p) => !deps.includes(p))).toEqual([]); // no dev dependency: the image has none
    }
  });

  it('aks HPA scales on CPU and on requests/s per pod (prometheus-adapter metric)', () => {
    const [hpa] = byKind(rendered.get('aks')!, 'HorizontalPodAutoscaler');
    expect(hpa!.spec.metrics.map((m: any) => m.type)).toEqual(['Resource', 'Pods']);
    expect(hpa!.spec.metrics[1].pods.metric.name).toBe('recs_http_requests_per_second');
    const readme = readFileSync(join(root, 'k8s', 'README.md'), 'utf8');
    expect(readme).toContain('as: "recs_http_requests_per_second"');
    expect(readme).toContain('recs_http_request_duration_seconds_count');
  });

  it('local: embedded store, one replica, no HPA; aks: Cosmos DB store, RWX models, HPA', () => {
    const local = rendered.get('local')!;
    const aks = rendered.get('aks')!;
    expect(byKind(local, 'Deployment')[0]!.spec.replicas).toBe(1);
    expect(byKind(local, 'HorizontalPodAutoscaler')).toEqual([]);
    expect((byKind(local, 'ConfigMap')[0] as any).data.RECS_STORE).toBe('embedded');
    expect(byKind(aks, 'HorizontalPodAutoscaler')).toHaveLength(1);
    expect((byKind(aks, 'ConfigMap')[0] as any).data.RECS_STORE).toBe('cosmos');
    expect(byKind(aks, 'PersistentVolumeClaim')[0]!.spec.accessModes).toEqual(['ReadWriteMany']);
  });
});

describe('CI', () => {
  it('runs the container image check (scripts/validate-image.sh) and installs kustomize', () => {
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^bash scripts\/validate-image\.sh$/m);
    expect(ci).toMatch(/^export KUSTOMIZE=/m);
  });
});

describe('k8s/broken', () => {
  const dir = join(root, 'k8s', 'broken');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('covers wrong type, unknown field, missing required field, selector mismatch', () => {
    expect(files).toEqual(expect.arrayContaining(['wrong-type.yaml', 'unknown-field.yaml', 'missing-required.yaml', 'selector-mismatch.yaml', 'shards-mismatch.yaml']));
  });

  it.each(files)('rejects %s for its stated reason', async (file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const expected = /^# expect: (.+)$/m.exec(text)?.[1];
    expect(expected, `${file} needs a "# expect: <reason>" line`).toBeTruthy();
    const errors = await validateObjects(parseYaml(text));
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toContain(expected);
  });
});
