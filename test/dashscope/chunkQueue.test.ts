import { describe, expect, it } from 'vitest';
import { ChunkQueue } from '../../src/dashscope/realtime/chunkQueue.ts';

describe('ChunkQueue watermarks', () => {
  it('asks the producer to pause past high and to resume once drained to low, once each', async () => {
    const pressure: boolean[] = [];
    const queue = new ChunkQueue<Buffer>({
      high: 10,
      low: 4,
      weigh: (b) => b.length,
      onPressure: (full) => pressure.push(full),
    });
    for (let i = 0; i < 4; i++) queue.push(Buffer.alloc(3)); // 12 > 10
    expect(pressure).toEqual([true]);
    expect(queue.size).toBe(12);
    await queue.next(); // 9
    await queue.next(); // 6
    expect(pressure).toEqual([true]);
    await queue.next(); // 3 ≤ 4
    expect(pressure).toEqual([true, false]);
    queue.end();
    expect(await queue.next()).toHaveLength(3);
    expect(await queue.next()).toBeUndefined();
  });

  it('does not count an item handed straight to a waiting reader', async () => {
    const pressure: boolean[] = [];
    const queue = new ChunkQueue<Buffer>({
      high: 1,
      low: 0,
      weigh: (b) => b.length,
      onPressure: (f) => pressure.push(f),
    });
    const pending = queue.next();
    queue.push(Buffer.alloc(5));
    expect(await pending).toHaveLength(5);
    expect(queue.size).toBe(0);
    expect(pressure).toEqual([]);
  });
});
