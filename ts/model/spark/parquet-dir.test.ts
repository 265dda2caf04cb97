import { describe, expect, it } from 'vitest';
import type { FileMetaData } from 'hyparquet';
import { sliceRanges, type ParquetPart } from './parquet-dir.js';

const part = (groups: Array<{ rows: number; indexed: boolean }>): ParquetPart =>
  ({
    path: 'x.parquet',
    rows: groups.reduce((n, g) => n + g.rows, 0),
    metadata: {
      row_groups: groups.map((g) => ({ num_rows: BigInt(g.rows), columns: [{ offset_index_offset: g.indexed ? 4n : undefined }, { offset_index_offset: g.indexed ? 9n : undefined }] })),
    } as unknown as FileMetaData,
  }) as ParquetPart;

describe('sliceRanges', () => {
  it('slices row groups that have page offset indexes, never across a row group', () => {
    expect(
      sliceRanges(
        part([
          { rows: 10, indexed: true },
          { rows: 5, indexed: true },
        ]),
        4,
      ),
    ).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
      [10, 14],
      [14, 15],
    ]);
  });

  it('reads a row group without offset indexes whole (a slice would decode the whole chunk again)', () => {
    expect(
      sliceRanges(
        part([
          { rows: 10, indexed: false },
          { rows: 6, indexed: true },
        ]),
        4,
      ),
    ).toEqual([
      [0, 10],
      [10, 14],
      [14, 16],
    ]);
  });
});
