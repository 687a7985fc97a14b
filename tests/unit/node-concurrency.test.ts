/** How many photos are exported at once (node/concurrency.ts) and the pool that applies it (node/photo-pool.ts). */
import { describe, expect, it } from 'vitest';
import { admits, availableMemory, photoBytes, planConcurrency, type PhotoHeader } from '../../node/concurrency';
import { runPool } from '../../node/photo-pool';

const GB = 2 ** 30;
const jpeg = (megapixels: number): PhotoHeader => {
  const height = Math.round(Math.sqrt((megapixels * 1e6 * 3) / 4));
  return { width: Math.round((height * 4) / 3), height, channels: 3, bitDepth: 8 };
};

describe('the rule', () => {
  it('runs one photo per core by default, never more than there are photos, and splits the network threads', () => {
    expect(planConcurrency({ cores: 8, availableBytes: 16 * GB }, { photos: 100 })).toMatchObject({ jobs: 8, threadsPerPhoto: 1 });
    expect(planConcurrency({ cores: 8, availableBytes: 16 * GB }, { photos: 3 })).toMatchObject({ jobs: 3, threadsPerPhoto: 2 });
    expect(planConcurrency({ cores: 8, availableBytes: 16 * GB }, { photos: 1 })).toMatchObject({ jobs: 1, threadsPerPhoto: 8 });
    expect(planConcurrency({ cores: 2, availableBytes: 16 * GB }, { photos: 8, jobs: 1 })).toMatchObject({ jobs: 1, threadsPerPhoto: 2 });
    expect(planConcurrency({ cores: 2, availableBytes: 16 * GB }, { photos: 8, jobs: 4 })).toMatchObject({ jobs: 4, threadsPerPhoto: 1 });
  });

  it('a photo needs the memory of the format it is written in: AVIF most, PNG and TIFF least', () => {
    const mb = (format: 'jpeg' | 'webp' | 'avif' | 'png' | 'tiff'): number => photoBytes(jpeg(12), format) / 12e6;
    // Measured (bytes per pixel of 8-bit RGB): AVIF 39-40, WebP 17.7, JPEG 14.8-16.3, PNG 5.4.
    expect(mb('avif')).toBeGreaterThanOrEqual(40);
    expect(mb('webp')).toBeGreaterThanOrEqual(17.7);
    expect(mb('jpeg')).toBeGreaterThanOrEqual(16.3);
    expect(mb('png')).toBeGreaterThanOrEqual(5.4);
    expect(mb('png')).toBeLessThan(mb('jpeg'));
  });

  it('a 16-bit or RGBA photo needs more memory than an 8-bit RGB one of the same size', () => {
    const rgb = photoBytes(jpeg(24), 'jpeg');
    expect(Math.abs(photoBytes({ ...jpeg(24), bitDepth: 16 }, 'jpeg') - 2 * rgb)).toBeLessThanOrEqual(1);
    expect(photoBytes({ ...jpeg(24), channels: 4 }, 'jpeg')).toBeGreaterThan(rgb);
    // About 5 copies of the decoded pixels (measured: 15 bytes per pixel for a JPEG written as
    // JPEG): 24 MP of 8-bit RGB is a few hundred MB, not GBs.
    expect(rgb / 2 ** 20).toBeGreaterThan(24 * 14);
    expect(rgb / 2 ** 20).toBeLessThan(24 * 18);
  });

  it('with 3 GB available on 8 cores, eight 12 MP photos run together but a 100 MP photo runs alone', () => {
    const plan = planConcurrency({ cores: 8, availableBytes: 3 * GB }, { photos: 16 });
    const small = photoBytes(jpeg(12), 'jpeg');
    const big = photoBytes(jpeg(100), 'jpeg');
    const eightSmall = Array<number>(7).fill(small);
    expect(admits(plan, eightSmall, small)).toBe(true);
    expect(admits(plan, [...eightSmall, small], small)).toBe(false); // the ninth waits for a core
    expect(admits(plan, [], big)).toBe(true); // alone, even when it needs more than the budget
    expect(admits(plan, [small], big)).toBe(false);
    expect(admits(plan, [big], small)).toBe(false);
  });
});

describe('the memory available', () => {
  it("is the machine's, or in a container with a memory limit that limit less what the process holds", () => {
    // A container limited to 1.5 GB on a machine with 22 GB free: os.freemem() says 22 GB.
    expect(availableMemory(22 * GB, 1.5 * GB, 0.25 * GB)).toBe(1.25 * GB);
    expect(availableMemory(1 * GB, 1.5 * GB, 0.25 * GB)).toBe(1 * GB);
    // No limit: undefined (older node), 0, or a number beyond any machine's memory (cgroup v1's "unlimited").
    for (const none of [undefined, 0, 2 ** 63]) expect(availableMemory(22 * GB, none, 0.25 * GB)).toBe(22 * GB);
    // Seven 12 MP photos and a 100 MP one on 8 cores, in that container: one at a time once the budget is full.
    const plan = planConcurrency({ cores: 8, availableBytes: availableMemory(22 * GB, 2.5 * GB, 0.25 * GB) }, { photos: 8 });
    expect(admits(plan, [photoBytes(jpeg(12), 'jpeg')], photoBytes(jpeg(100), 'jpeg'))).toBe(false);
    expect(admits(plan, Array<number>(6).fill(photoBytes(jpeg(12), 'jpeg')), photoBytes(jpeg(12), 'jpeg'))).toBe(false);
  });
});

describe('the pool', () => {
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  /** Runs sizes (bytes) through the pool and records which items were in flight together. */
  async function simulate(sizes: number[], plan: { jobs: number; budgetBytes: number }, stopAfter = Infinity) {
    const running = new Set<number>();
    const together: number[][] = [];
    const lanes: number[] = [];
    const order: number[] = [];
    let finished = 0;
    const started = await runPool(
      sizes.map((_, i) => i),
      {
        plan,
        bytes: async (i) => sizes[i],
        mayStart: () => finished < stopAfter,
        run: async (i, lane) => {
          expect(lanes[lane]).toBeUndefined();
          lanes[lane] = i;
          order.push(i);
          running.add(i);
          together.push([...running].sort((a, b) => a - b));
          await sleep(5 + (i % 3) * 3);
          running.delete(i);
          delete lanes[lane];
          finished++;
        },
      },
    );
    return { started, together, order };
  }

  it('starts photos in order, never more at once than jobs, and a too-big photo with nothing beside it', async () => {
    const small = photoBytes(jpeg(12), 'jpeg');
    const big = photoBytes(jpeg(100), 'jpeg');
    const sizes = [small, small, small, big, small, small, small];
    const { started, together, order } = await simulate(sizes, { jobs: 3, budgetBytes: 4 * small });
    expect(started).toBe(sizes.length);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Math.max(...together.map((t) => t.length))).toBe(3);
    for (const t of together) if (t.includes(3)) expect(t).toEqual([3]);
  });

  it('once told to stop, starts nothing more and lets the photos in flight finish', async () => {
    const { started, together } = await simulate(Array<number>(10).fill(1), { jobs: 2, budgetBytes: 100 }, 3);
    expect(started).toBeGreaterThanOrEqual(3);
    expect(started).toBeLessThanOrEqual(4);
    expect(together.length).toBe(started);
  });

  it('a failing item is reported after the others in flight have finished', async () => {
    let finished = 0;
    const run = runPool([0, 1, 2], {
      plan: { jobs: 2, budgetBytes: 100 },
      bytes: async () => 1,
      mayStart: () => true,
      run: async (i) => {
        if (i === 0) throw new Error('boom');
        await sleep(10);
        finished++;
      },
    });
    await expect(run).rejects.toThrow('boom');
    expect(finished).toBe(1);
  });
});
