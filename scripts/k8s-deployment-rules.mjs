// Owns the rules about how the rendered deployment fits together (used by validate-k8s.mjs):
// - the SQLite event store never sits on a volume that several pods or nodes share over the network
//   (ReadWriteMany/ReadOnlyMany claims, Azure Files, NFS): SQLite's locks and WAL do not work there;
// - a retrain job loads the store the API Deployment reads, pulls and pushes the registry it follows,
//   and merges the event store it writes (the same kind, account, database and container, or the same
//   SQLite file on the same claim).
// Each workload's settings are resolved as the CLI resolves them: the flag, else the environment
// (env and envFrom ConfigMaps of the rendered set), else the CLI's default.
import { posix } from 'node:path';

const SHARED_MODES = ['ReadWriteMany', 'ReadOnlyMany'];
const NETWORK_VOLUMES = ['azureFile', 'nfs', 'cephfs', 'glusterfs', 'quobyte'];
const FILE_CSI = /file\.csi\.azure\.com|nfs|efs|filestore/i;
const FILE_CLASS = /azurefile|nfs|files?$/i;

/** The value of `--flag V` or `--flag=V` in args. */
export function argValue(args, flag) {
  const i = args.indexOf(flag);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${flag}=`))?.slice(flag.length + 1);
}

/** The container's environment: its envFrom ConfigMaps (in order), then its env values. */
function containerEnv(c, objs) {
  const env = {};
  const configMap = (name) => objs.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === name)?.data ?? {};
  for (const f of c.envFrom ?? []) {
    if (!f.configMapRef) continue;
    for (const [k, v] of Object.entries(configMap(f.configMapRef.name))) env[`${f.prefix ?? ''}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.valueFrom?.configMapKeyRef) env[e.name] = configMap(e.valueFrom.configMapKeyRef.name)[e.valueFrom.configMapKeyRef.key];
  }
  return env;
}

/** Deployments, Jobs and CronJobs, one entry per container, with their resolved arguments and environment. */
function workloads(objs) {
  const out = [];
  for (const o of objs) {
    const pod = o.kind === 'Deployment' || o.kind === 'Job' ? o.spec?.template?.spec : o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : undefined;
    if (!pod) continue;
    for (const c of pod.containers ?? []) {
      const args = (c.args ?? []).map(String);
      out.push({ id: `${o.kind}/${o.metadata?.name}`, kind: o.kind, pod, container: c, args, command: args[0], env: containerEnv(c, objs), workingDir: c.workingDir ?? '/app' });
    }
  }
  return out;
}

/** The volume mounted at the longest prefix of `path`, and whether it is shared over the network. */
function volumeAt(w, path, objs) {
  const mount = (w.container.volumeMounts ?? [])
    .filter((m) => path === m.mountPath || path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`))
    .sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return null;
  const vol = (w.pod.volumes ?? []).find((v) => v.name === mount.name) ?? {};
  if (vol.persistentVolumeClaim) {
    const claim = vol.persistentVolumeClaim.claimName;
    const pvc = objs.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata?.name === claim);
    const modes = pvc?.spec?.accessModes ?? [];
    const mode = modes.find((m) => SHARED_MODES.includes(m));
    const cls = pvc?.spec?.storageClassName;
    const shared = mode ? `${mode}` : cls && FILE_CLASS.test(cls) ? `storage class ${cls}` : null;
    return { name: mount.name, key: `claim ${claim}`, source: `PersistentVolumeClaim ${claim}${shared ? `, ${shared}` : ''}`, shared };
  }
  const network = NETWORK_VOLUMES.find((t) => vol[t]) ?? (vol.csi && FILE_CSI.test(vol.csi.driver) ? `csi ${vol.csi.driver}` : undefined);
  return { name: mount.name, key: `volume ${mount.name} of ${w.id}`, source: network ?? Object.keys(vol).filter((k) => k !== 'name')[0] ?? 'volume', shared: network ?? null };
}

const modelsDirOf = (w) => posix.resolve(w.workingDir, argValue(w.args, '--models-dir') ?? w.env.RECS_MODELS_DIR ?? './models');

/** The event store a serve/train/retrain container uses (null: none), as ts/cli/events-db.ts resolves it. */
function eventStoreOf(w, objs) {
  const a = w.args;
  if (!['serve', 'retrain', 'train'].includes(w.command) || a.includes('--no-events')) return null;
  const flagPath = argValue(a, '--events-db') ?? argValue(a, '--events');
  if (w.command === 'train' && flagPath === undefined && argValue(a, '--events-store') === undefined) return null;
  const kind = argValue(a, '--events-store') ?? w.env.RECS_EVENTS_STORE ?? 'sqlite';
  if (kind === 'cosmos') {
    const e = w.env;
    return { kind, where: `cosmos ${e.RECS_COSMOS_ENDPOINT ?? '(no endpoint)'} ${e.RECS_COSMOS_DATABASE || 'recs'}/${e.RECS_EVENTS_COSMOS_CONTAINER || 'events'}` };
  }
  const envPath = w.command === 'train' ? undefined : w.env.RECS_EVENTS_DB;
  const path = posix.resolve(w.workingDir, flagPath ?? envPath ?? posix.join(modelsDirOf(w), '..', 'events.sqlite'));
  const volume = volumeAt(w, path, objs);
  return { kind: 'sqlite', path, volume, where: `sqlite ${path} on ${volume ? volume.key : 'the container filesystem'}` };
}

/** The remote store a serve container reads, or a retrain container loads before promoting (null: none). */
function storeOf(w) {
  const e = w.env;
  const kind =
    w.command === 'serve'
      ? (argValue(w.args, '--store') ?? e.RECS_STORE ?? 'embedded')
      : w.args.includes('--no-load')
        ? 'none'
        : (argValue(w.args, '--load') ?? (['redis', 'cosmos'].includes(e.RECS_STORE) ? e.RECS_STORE : 'none'));
  if (kind === 'cosmos') return { kind, where: `cosmos ${e.RECS_COSMOS_ENDPOINT ?? '(no endpoint)'} ${e.RECS_COSMOS_DATABASE || 'recs'}/${e.RECS_COSMOS_CONTAINER || 'recs'}` };
  if (kind === 'redis') return { kind, where: `redis ${e.RECS_REDIS_URL ?? '(no URL)'} prefix ${e.RECS_REDIS_PREFIX || 'recs'}` };
  return { kind, where: kind };
}

/** The registry a container follows: a blob location (with its account), or a local directory on a volume. */
function registryOf(w, objs) {
  const loc = argValue(w.args, '--registry') ?? w.env.RECS_REGISTRY ?? 'local';
  if (loc.startsWith('blob://')) return `${loc} at ${w.env.RECS_BLOB_ACCOUNT_URL ?? w.env.AZURE_STORAGE_CONNECTION_STRING ?? '(no account)'}`;
  const dir = modelsDirOf(w);
  const v = volumeAt(w, dir, objs);
  return `local ${dir} on ${v ? v.key : 'the container filesystem'}`;
}

/** "Kind/name: reason" for every workload that breaks the rules above. */
export function deploymentErrors(objs) {
  const out = [];
  const all = workloads(objs);
  for (const w of all) {
    const ev = eventStoreOf(w, objs);
    if (ev?.kind === 'sqlite' && ev.volume?.shared) {
      out.push(
        `${w.id}: the SQLite event store ${ev.path} is on volume ${ev.volume.name} (${ev.volume.source}), a file system shared over the network, where SQLite's locks and WAL do not work; keep events in Cosmos DB (RECS_EVENTS_STORE=cosmos)`,
      );
    }
  }
  const servers = all.filter((w) => w.kind === 'Deployment' && w.command === 'serve');
  for (const r of all.filter((w) => w.command === 'retrain')) {
    for (const s of servers) {
      const served = storeOf(s);
      const loaded = storeOf(r);
      if (served.kind !== 'embedded' && loaded.where !== served.where) {
        out.push(
          `${r.id}: retrain loads ${loaded.kind === 'none' ? 'no store' : loaded.where} but ${s.id} serves from ${served.where}; after a promotion every pod would answer from the popularity fallback (retrain --load ${served.kind}, same settings)`,
        );
      }
      const [rr, sr] = [registryOf(r, objs), registryOf(s, objs)];
      if (rr !== sr) out.push(`${r.id}: retrain publishes to the registry ${rr} but ${s.id} follows ${sr}`);
      const [re, se] = [eventStoreOf(r, objs), eventStoreOf(s, objs)];
      if (re && se && re.where !== se.where) out.push(`${r.id}: retrain reads the event store ${re.where} but ${s.id} writes ${se.where}`);
    }
  }
  return out;
}
