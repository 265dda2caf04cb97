// `node dist/bench/stores.js`: bulk-load throughput per store. A synthetic top-k table (default
// 1M users × depth 10, built in memory) is loaded into a throwaway redis-server started here
// (pipelined SETs, count verification and pointer switch included), and a smaller one (default 2 000
// users) into @vercel/cosmosdb-server in process over HTTPS: that server is a test double whose
// full-scan storage bounds it, so its figure measures the loader's overhead, not Azure's. Prints
// users/s (and RU for Cosmos) and writes stores.json / stores.md to --out.
//
// Usage: node dist/bench/stores.js [--users 1000000] [--cosmos-users 2000] [--depth 10] [--out bench/results]

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { syntheticTable } from '../ts/store/load-table.js';
import { loadRedis } from '../ts/store/redis-load.js';
import { startRedis } from '../ts/store/testing/redis-server.js';
import { loadIntoCosmosDouble } from './cosmos-double.js';
import { describeHardware, hardware } from './hardware.js';
import { markdownTable, textTable } from './table.js';
import { packageRoot } from '../ts/util/package-root.js';

const ROOT = packageRoot();

interface Row {
  store: string;
  users: number;
  seconds: number;
  usersPerSec: number;
  requestCharge?: number;
  note: string;
}

async function benchRedis(users: number, depth: number): Promise<Row> {
  const table = syntheticTable('vbench', users, 50_000, depth);
  const server = await startRedis();
  const client = new Redis(server.url);
  try {
    const r = await loadRedis(client, table, { prefix: 'bench' });
    const mem = (await client.info('memory')).match(/used_memory_human:(\S+)/)?.[1] ?? '?';
    return { store: 'redis', users, seconds: r.seconds, usersPerSec: users / r.seconds, note: `redis-server ${(await client.info('server')).match(/redis_version:(\S+)/)?.[1]}, used memory ${mem}` };
  } finally {
    client.disconnect();
    await server.dispose();
  }
}

async function benchCosmos(users: number, depth: number): Promise<Row> {
  const r = await loadIntoCosmosDouble(syntheticTable('vbench', users, 50_000, depth));
  return {
    store: 'cosmos (emulator)',
    users,
    seconds: r.seconds,
    usersPerSec: users / r.seconds,
    requestCharge: r.requestCharge,
    note: '@vercel/cosmosdb-server in process (HTTPS, keep-alive): a test double, not Azure',
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      users: { type: 'string', default: '1000000' },
      'cosmos-users': { type: 'string', default: '2000' },
      depth: { type: 'string', default: '10' },
      out: { type: 'string', default: join(ROOT, 'bench', 'results') },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return console.log('node dist/bench/stores.js [--users 1000000] [--cosmos-users 2000] [--depth 10] [--out DIR]');
  const depth = Number(values.depth);
  const hw = hardware();
  console.log(`bench stores: ${describeHardware(hw)}`);
  const rows: Row[] = [];
  for (const [name, run] of [
    ['redis', () => benchRedis(Number(values.users), depth)],
    ['cosmos', () => benchCosmos(Number(values['cosmos-users']), depth)],
  ] as const) {
    console.log(`loading ${name}…`);
    const r = await run();
    console.log(`  ${r.users} users in ${r.seconds.toFixed(2)} s: ${Math.round(r.usersPerSec)} users/s${r.requestCharge !== undefined ? `, ${Math.round(r.requestCharge)} RU` : ''}`);
    rows.push(r);
  }
  const header = ['store', 'users', 'seconds', 'users/s', 'RU', 'note'];
  const cells = rows.map((r) => [
    r.store,
    r.users.toLocaleString('en-US'),
    r.seconds.toFixed(2),
    Math.round(r.usersPerSec).toLocaleString('en-US'),
    r.requestCharge === undefined ? '' : String(Math.round(r.requestCharge)),
    r.note,
  ]);
  console.log('\n' + textTable(header, cells));
  mkdirSync(values.out, { recursive: true });
  writeFileSync(join(values.out, 'stores.json'), JSON.stringify({ date: new Date().toISOString(), hardware: hw, depth, rows }, null, 2));
  writeFileSync(
    join(values.out, 'stores.md'),
    `Hardware: ${describeHardware(hw)}\n\nBulk load, synthetic top-${depth} table, verification and pointer switch included.\n\n${markdownTable(header, cells)}\n`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
