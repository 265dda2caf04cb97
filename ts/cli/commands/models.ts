// The `models` command: inspect and manage the model registry (a local directory, or Azure Blob
// Storage mirrored into it) — list versions with their states, show one manifest, promote a
// candidate through the quality gate (or --force past it), roll back to the previous active
// version, and delete old versions.

import { DEFAULT_TOLERANCE, GATE_METRIC, promoteWithGate } from '../../model/lifecycle/gate.js';
import { registryFromEnv } from '../../model/registry/config.js';
import { openRegistry } from '../../model/registry/open.js';
import { flag, group, num } from '../../options/index.js';
import { defineCommand, UsageError } from '../command.js';
import { registryGroup } from '../option-groups.js';
import { LEGACY_PARTS } from '../../model/algorithms/parts.js';

const options = group('Options', {
  json: flag({ help: 'print as JSON (list, show)' }),
  force: flag({ help: 'promote without the gate (promote)' }),
  tolerance: num({ metavar: 'X', min: 0, default: DEFAULT_TOLERANCE, help: `how far below the active model's ${GATE_METRIC} a version may be (promote)` }),
  keep: num({ metavar: 'N', integer: true, min: 0, help: 'versions gc keeps (gc; required)' }),
});

const REGISTRY = registryGroup({
  modelsDir: '; the local cache of a blob registry',
  registry: "Changes to a blob registry are conditional on the pointer's ETag: when another writer moved it meanwhile, the command reruns on the new state.",
});

const SUBCOMMANDS = ['list', 'show', 'promote', 'rollback', 'gc'] as const;

export const modelsCommand = defineCommand({
  name: 'models',
  summary: 'list, show, promote (through the quality gate), roll back and gc model versions',
  about: `recs models — manage the model registry.

Usage:
  recs models list [--json]              every version, oldest first, with its state and ${GATE_METRIC}
  recs models show <version> [--json]    one version's manifest, state and gate history
  recs models promote <version> [--force] [--tolerance X]
                                         make a version active if it passes the quality gate:
                                         ${GATE_METRIC} ≥ the active model's − tolerance (default ${DEFAULT_TOLERANCE}) and
                                         above its popularity baseline. --force skips the gate.
                                         Checksums are always verified: a corrupt artifact is refused
                                         and the active model keeps serving.
  recs models rollback                   return to the previous active version
  recs models gc --keep N                delete all but the N newest versions (never the active
                                         or the previous active one)`,
  groups: [options, REGISTRY],
  positionals: true,
  async run(v, { positionals, given }) {
    const [sub, ...args] = positionals;
    if (sub === undefined) throw new UsageError(`a subcommand is required: ${SUBCOMMANDS.join(', ')}`);
    if (!(SUBCOMMANDS as readonly string[]).includes(sub)) throw new UsageError(`unknown subcommand "${sub}"; expected one of ${SUBCOMMANDS.join(', ')}`);
    const needsVersion = sub === 'show' || sub === 'promote';
    if (needsVersion && args.length !== 1) throw new UsageError(`models ${sub} takes one version, e.g. "recs models ${sub} v20261130-021533-1a2b3c"`);
    if (!needsVersion && args.length > 0) throw new UsageError(`models ${sub} takes no version; got "${args.join(' ')}"`);
    if (v.force && sub !== 'promote') throw new UsageError('--force goes with promote');
    if (v.json && sub !== 'list' && sub !== 'show') throw new UsageError('--json goes with list or show');
    if (given('tolerance') && sub !== 'promote') throw new UsageError('--tolerance goes with promote');
    if (v.keep !== undefined && sub !== 'gc') throw new UsageError('--keep goes with gc');
    const session = openRegistry(registryFromEnv(v.registry), v['models-dir']);
    const warn = () => session.warnings().forEach((w) => console.error(`warning: ${w}`));

    switch (sub) {
      case 'list': {
        const infos = await session.read((reg) => reg.infos());
        warn();
        if (v.json) {
          console.log(
            JSON.stringify(
              infos.map((i) => ({ version: i.version, state: i.state, createdAt: i.manifest.createdAt, metrics: i.manifest.metrics, baseline: i.manifest.baseline })),
              null,
              2,
            ),
          );
          return 0;
        }
        if (infos.length === 0) {
          console.log(`no model versions in ${session.description}`);
          return 0;
        }
        const w = Math.max(7, ...infos.map((i) => i.version.length));
        console.log(`${'version'.padEnd(w)}  state      ${GATE_METRIC.padEnd(8)}  baseline  created`);
        for (const i of infos) {
          const m = i.manifest.metrics[GATE_METRIC];
          const b = i.manifest.baseline[GATE_METRIC];
          console.log(
            `${i.version.padEnd(w)}  ${i.state.padEnd(9)}  ${(m === undefined ? '-' : m.toFixed(4)).padEnd(8)}  ${(b === undefined ? '-' : b.toFixed(4)).padEnd(8)}  ${i.manifest.createdAt}`,
          );
        }
        return 0;
      }
      case 'show': {
        const version = args[0]!;
        const { manifest, state, history } = await session.read((reg) => ({ manifest: reg.manifest(version), state: reg.state(version), history: reg.history().filter((e) => e.version === version) }));
        warn();
        if (v.json) {
          console.log(JSON.stringify({ ...manifest, state, history }, null, 2));
          return 0;
        }
        console.log(`version   ${manifest.version}\nstate     ${state}\ncreated   ${manifest.createdAt}\ncode      ${manifest.codeVersion}`);
        console.log(
          `data      ${manifest.data.source}: ${manifest.data.users} users, ${manifest.data.items} items, ${manifest.data.interactions} interactions (fingerprint ${manifest.data.fingerprint.slice(0, 12)})`,
        );
        console.log(`model     ${manifest.algorithm ?? 'als'}: ${(manifest.parts ?? LEGACY_PARTS).join(', ')}`);
        console.log(`params    ${JSON.stringify(manifest.params)}`);
        for (const [k, x] of Object.entries(manifest.metrics))
          console.log(`  ${k.padEnd(16)} ${x.toFixed(4)}${manifest.baseline[k] === undefined ? '' : `   (baseline ${manifest.baseline[k]!.toFixed(4)})`}`);
        for (const e of history) console.log(`${e.at}  ${e.action}${e.via ? ` (${e.via})` : ''}${e.reason ? `: ${e.reason}` : ''}`);
        return 0;
      }
      case 'promote': {
        const version = args[0]!;
        const tolerance = v.tolerance;
        const d = await session.change((reg) => (reg.activeVersion() === version ? null : { ...promoteWithGate(reg, version, { tolerance, force: v.force ?? false }), active: reg.activeVersion() }), {
          fetch: () => [version],
        });
        warn();
        if (d === null) {
          console.log(`${version} is already active`);
          return 0;
        }
        if (!d.promoted) {
          console.error(`gate refused ${version}: ${d.reason}\n${version} stays a candidate; the active version is still ${d.active ?? '(none)'}. Use --force to promote it anyway.`);
          return 1;
        }
        console.log(`promoted ${version}: ${d.reason}`);
        return 0;
      }
      case 'rollback': {
        const { from, to } = await session.change((reg) => ({ from: reg.activeVersion(), to: reg.rollback() }), { fetch: (reg) => [reg.previousActive()] });
        console.log(`rolled back from ${from} to ${to}`);
        return 0;
      }
      case 'gc': {
        const keep = v.keep;
        if (keep === undefined) throw new UsageError('gc needs --keep N');
        const deleted = await session.change((reg) => reg.gc(keep));
        console.log(deleted.length === 0 ? 'nothing to delete' : `deleted ${deleted.length}: ${deleted.join(', ')}`);
        return 0;
      }
    }
    return 2;
  },
});
