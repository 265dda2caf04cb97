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
    expect(dockerfile).toMatch(/^ARG RUNTIME_IMAGE=node:24[\w.-]*-trixie-slim$/m); // uWS's Node 24 binary needs glibc ≥ 2.38
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
    const runs = dockerfile
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((l) => l.startsWith('RUN '))
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
    for (const [name, objs] of rendered) {
      const [dep] = byKind(objs, 'Deployment');
      const pod = dep!.spec.template.spec;
      const c = pod.containers[0];
      const deadline = Number(c.args[c.args.indexOf('--shutdown-deadline') + 1]);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(deadline + c.lifecycle.preStop.sleep.seconds);
      expect(c.args).toEqual(expect.arrayContaining(['--host', '0.0.0.0', '--require-auth']));
      expect([c.readinessProbe.httpGet.path, c.livenessProbe.httpGet.path, c.startupProbe.httpGet.path]).toEqual(['/readyz', '/healthz', '/healthz']);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      // The one exception: managed Prometheus reads its scrape config from kube-system.
      expect(objs.filter((o) => o.kind !== 'Namespace' && o.metadata?.namespace !== 'recs').map((o) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`)).toEqual(
        name === 'aks' ? ['ConfigMap/kube-system/ama-metrics-prometheus-config'] : [],
      );
      expect(byKind(objs, 'Secret')).toEqual([]);
      const [job] = named(objs, 'Job', 'recs-score');
      expect(job!.spec.completionMode).toBe('Indexed');
      expect(byKind(objs, 'CronJob')).toHaveLength(1);
    }
  });

  it("jobs run the image's retrain and score commands; score shards match the completions", () => {
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

  it('the aks overlay loads the store in shards: an Indexed Job of `load --shard`, suspended, with the workload identity', () => {
    const job = named(rendered.get('aks')!, 'Job', 'recs-load')[0]!.spec;
    expect([job.completionMode, job.suspend]).toEqual(['Indexed', true]);
    const c = job.template.spec.containers[0];
    expect(c.args[0]).toBe('load');
    expect(c.args[c.args.indexOf('--shard') + 1]).toBe('$(JOB_COMPLETION_INDEX)');
    expect(Number(c.args[c.args.indexOf('--shards') + 1])).toBe(job.completions);
    expect(job.template.metadata.labels['azure.workload.identity/use']).toBe('true');
    expect(named(rendered.get('local')!, 'Job', 'recs-load')).toEqual([]); // the embedded store is not loaded
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
    expect((byKind(aks, 'ConfigMap').find((c) => c.metadata?.name === 'recs-config') as any).data.RECS_STORE).toBe('cosmos');
    expect(byKind(aks, 'PersistentVolumeClaim')[0]!.spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it('aks: the retrain job loads the store, follows the registry and reads the event store the Deployment reads', () => {
    const aks = rendered.get('aks')!;
    const config = (byKind(aks, 'ConfigMap').find((c) => c.metadata?.name === 'recs-config') as any).data;
    const dep = byKind(aks, 'Deployment')[0]!.spec.template.spec.containers[0];
    const cron = byKind(aks, 'CronJob')[0]!.spec.jobTemplate.spec.template.spec.containers[0];
    // One ConfigMap feeds both; the CronJob names the store it loads explicitly, the one the servers read.
    expect(dep.envFrom).toEqual([{ configMapRef: { name: 'recs-config' } }]);
    expect(cron.envFrom).toEqual(dep.envFrom);
    expect(dep.env ?? []).toEqual([]);
    expect(cron.env ?? []).toEqual([]);
    expect(cron.args[cron.args.indexOf('--load') + 1]).toBe(config.RECS_STORE);
    expect(config).toMatchObject({ RECS_STORE: 'cosmos', RECS_EVENTS_STORE: 'cosmos', RECS_REGISTRY: expect.stringMatching(/^blob:\/\//) });
    for (const c of [dep, cron]) for (const flag of ['--store', '--registry', '--events-db', '--events', '--events-store', '--no-events', '--no-load']) expect(c.args).not.toContain(flag);
  });

  it('the deployment rules catch the AKS mistakes they are for (events in SQLite on Azure Files, a retrain that loads nothing)', async () => {
    const aks = () => structuredClone(rendered.get('aks')!);
    const withoutEvents = aks();
    delete (byKind(withoutEvents, 'ConfigMap').find((c) => c.metadata?.name === 'recs-config') as any).data.RECS_EVENTS_STORE;
    const errors = (await validateObjects(withoutEvents)).join('\n');
    expect(errors).toContain('Deployment/recs-api: the SQLite event store /data/events.sqlite is on volume data (PersistentVolumeClaim recs-models, ReadWriteMany)');
    expect(errors).toContain('CronJob/recs-retrain: the SQLite event store /data/events.sqlite');
    const noLoad = aks();
    const args: string[] = byKind(noLoad, 'CronJob')[0]!.spec.jobTemplate.spec.template.spec.containers[0].args;
    args.splice(args.indexOf('--load'), 2, '--no-load');
    expect((await validateObjects(noLoad)).join('\n')).toContain('CronJob/recs-retrain: retrain loads no store but Deployment/recs-api serves from cosmos');
  });

  it('aks: HTTPS ingress speaking HTTP/1.1 to the pods; managed Prometheus scrapes the API pods', () => {
    const aks = rendered.get('aks')!;
    const [ing] = byKind(aks, 'Ingress') as any[];
    expect(ing.spec.tls[0].hosts).toEqual([ing.spec.rules[0].host]);
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/proxy-http-version']).toBe('1.1');
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/backend-protocol']).toBe('HTTP');
    const svc = byKind(aks, 'Service')[0]!;
    const paths = ing.spec.rules[0].http.paths;
    for (const p of paths) expect(p.backend.service).toEqual({ name: svc.metadata!.name, port: { name: svc.spec.ports[0].name } });
    // The ingress's matching: Exact paths, and Prefix paths by whole path elements.
    const routed = (url: string) =>
      paths.some((p: any) => (p.pathType === 'Exact' ? url === p.path : url === p.path.replace(/\/$/, '') || url.startsWith(p.path.endsWith('/') ? p.path : `${p.path}/`)));
    for (const url of ['/', '/demo.js', '/demo/model.bin', '/demo/als-simd.wasm', '/v1/users/7/recommendations', '/v1/events', '/readyz', '/openapi.json']) expect(routed(url), url).toBe(true);
    expect(routed('/metrics')).toBe(false); // scraped in-cluster, never public
    const [scrape] = parseYaml((byKind(aks, 'ConfigMap').find((c) => c.metadata?.name === 'ama-metrics-prometheus-config') as any).data['prometheus-config']) as any[];
    const job = scrape.scrape_configs.find((j: any) => j.job_name === 'recs-api');
    const pod = byKind(aks, 'Deployment')[0]!.spec.template;
    const meta: Record<string, string> = {
      __meta_kubernetes_namespace: 'recs',
      ...Object.fromEntries(Object.entries(pod.metadata.labels).map(([k, v]) => [`__meta_kubernetes_pod_label_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, String(v)])),
      ...Object.fromEntries(Object.entries(pod.metadata.annotations).map(([k, v]) => [`__meta_kubernetes_pod_annotation_${k.replace(/[^a-zA-Z0-9_]/g, '_')}`, String(v)])),
    };
    // Prometheus' keep rules (anchored regexes over the joined source labels) select the API pods.
    for (const r of job.relabel_configs.filter((x: any) => x.action === 'keep')) expect(new RegExp(`^(?:${r.regex})$`).test(r.source_labels.map((l: string) => meta[l] ?? '').join(';'))).toBe(true);
    expect(job.kubernetes_sd_configs[0].namespaces.names).toEqual(['recs']);
    expect(job.relabel_configs.map((r: any) => r.target_label)).toEqual(expect.arrayContaining(['namespace', 'pod', '__address__', '__metrics_path__']));
  });
});

describe('Grafana dashboard (k8s/monitoring/grafana-dashboard.json)', () => {
  const dash = JSON.parse(readFileSync(join(root, 'k8s', 'monitoring', 'grafana-dashboard.json'), 'utf8'));
  const exprs: string[] = dash.panels.flatMap((p: any) => (p.targets ?? []).map((t: any) => t.expr));

  it('charts request rate, p50/p99, fallback and degraded rates, fold-in lag and the model version', () => {
    const titles = dash.panels.map((p: any) => p.title).join(' | ');
    for (const t of ['Requests/s', 'p50', 'p99', 'Fallback', 'Degraded', 'Fold-in lag', 'Model version']) expect(titles).toContain(t);
  });

  it('queries only series the server exports', () => {
    const exported = new Set([...readFileSync(join(root, 'ts', 'serve', 'metrics.ts'), 'utf8').matchAll(/(recs_[a-z_]+)/g)].map((m) => m[1]!));
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(recs_[a-z_]+)/g)].map((m) => m[1]!)));
    expect(used.size).toBeGreaterThan(5);
    for (const m of used) expect(exported.has(m) || exported.has(m.replace(/_(bucket|count|sum)$/, '')), m).toBe(true);
  });
});

describe('CI', () => {
  it('runs the container image check (scripts/validate-image.sh) and installs kustomize', () => {
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    expect(ci).toMatch(/^bash scripts\/validate-image\.sh$/m);
    expect(ci).toMatch(/^export KUSTOMIZE=/m);
  });

  it('runs the Node the image is built on (Node 24 LTS; Node 22 where glibc is older than 2.38), first on PATH, with its headers for node-gyp', () => {
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    const version = /^NODE_LTS=(\d+\.\d+\.\d+)$/m.exec(ci)?.[1];
    expect(version?.split('.')[0]).toBe('24');
    expect(/^NODE_FALLBACK=(\d+)\./m.exec(ci)?.[1]).toBe('22'); // machines with glibc < 2.38
    expect(dockerfile).toContain(`ARG NODE_IMAGE=node:${version}-bookworm\n`);
    expect(dockerfile).toContain(`ARG RUNTIME_IMAGE=node:${version}-trixie-slim\n`);
    expect(ci).toMatch(/^export PATH="\$NODE_HOME\/bin:\$PATH" npm_config_nodedir="\$NODE_HOME"$/m);
    const engines = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).engines.node as string;
    expect(engines).toBe('>=22.12 <23 || >=24');
  });
});

describe('k8s/broken', () => {
  const dir = join(root, 'k8s', 'broken');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  it('covers wrong type, unknown field, missing required field, selector mismatch, the deployment rules', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'wrong-type.yaml',
        'unknown-field.yaml',
        'missing-required.yaml',
        'selector-mismatch.yaml',
        'shards-mismatch.yaml',
        'sqlite-on-shared-volume.yaml',
        'retrain-loads-no-store.yaml',
        'retrain-other-event-store.yaml',
      ]),
    );
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
