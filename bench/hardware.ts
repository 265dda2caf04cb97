// Owns the description of the machine a benchmark ran on, printed beside every result.

import { cpus, totalmem } from 'node:os';

export interface Hardware {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
}

export function hardware(): Hardware {
  const c = cpus();
  return {
    cpu: c[0]?.model.trim() ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export function describeHardware(h: Hardware): string {
  return `${h.cpu}, ${h.cores} cores, ${h.memoryGiB} GiB, Node ${h.node}, ${h.platform}`;
}
