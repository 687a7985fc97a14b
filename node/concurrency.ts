import os from 'node:os';
import type { ImageFormat } from '../common/formats/index';

/**
 * How many photos are exported at once: the one home of that rule, for the command line and the
 * desktop export. Pure functions of the machine's figures, so the rule itself can be tested.
 *
 * Per photo the work is mostly single-threaded (the JS reconstruction; libvips and onnxruntime
 * add a little parallelism of their own), so one photo per core keeps every core busy. Memory
 * then limits how many may be open together: photos are admitted in order while the bytes they
 * need fit the budget, and a photo bigger than the whole budget still runs, alone.
 */

/**
 * Working memory of one photo, in copies of its decoded pixels, by the format it is written in:
 * the decoded photo (rendered in place), libvips' copy of it while encoding, and the encoder's own
 * buffers. Measured as the peak RSS a photo adds to the command, one photo at a time, in bytes per
 * pixel of 8-bit RGB photos of 12-100 MP: JPEG at the default quality 14.8-16.3 (from quality 90
 * colour is kept at full resolution, and libjpeg holds the whole image's coefficients), WebP 17.7,
 * AVIF 39-40, PNG 5.4; 16-bit photos (whose decoded pixels count twice) 6.5-12.3 to PNG or TIFF,
 * 45 to AVIF. Rounded up: too high only runs fewer photos at once, too low can exhaust memory.
 */
const WORKING_COPIES: Readonly<Record<ImageFormat, number>> = { jpeg: 5.5, webp: 6, avif: 14, png: 4.5, tiff: 4.5 };
/** Share of the memory available at the start of a batch that its photos may take together. */
const MEMORY_SHARE = 0.5;

/** What the header says about a photo, before it is decoded. */
export interface PhotoHeader {
  width: number;
  height: number;
  channels: number;
  /** Bits per sample of the decoded pixels (8 or 16). */
  bitDepth: number;
}

export interface MachineFigures {
  /** Cores the process may use (os.availableParallelism()). */
  cores: number;
  /** Bytes of memory available now to this process (availableMemory). */
  availableBytes: number;
}

export interface ConcurrencyPlan {
  /** At most this many photos at once. */
  jobs: number;
  /** Bytes the photos in flight may take together (one photo may exceed it, alone). */
  budgetBytes: number;
  /** onnxruntime intra-op threads per photo, so that `jobs` networks do not oversubscribe the cores. */
  threadsPerPhoto: number;
}

/** Bytes one photo needs while it is being exported as `format`. */
export function photoBytes(h: PhotoHeader, format: ImageFormat): number {
  return Math.ceil(h.width * h.height * h.channels * (h.bitDepth > 8 ? 2 : 1) * WORKING_COPIES[format]);
}

/**
 * The plan for a batch of `photos`: `jobs` as asked (--jobs), or one photo per core, and never
 * more than there are photos (one photo alone gets every core for its network).
 */
export function planConcurrency(machine: MachineFigures, batch: { photos: number; jobs?: number }): ConcurrencyPlan {
  const cores = Math.max(1, Math.floor(machine.cores));
  const jobs = Math.max(1, Math.min(Math.floor(batch.jobs ?? cores), batch.photos));
  return {
    jobs,
    budgetBytes: Math.max(0, machine.availableBytes * MEMORY_SHARE),
    threadsPerPhoto: Math.max(1, Math.floor(cores / jobs)),
  };
}

/** This machine's figures, now. */
export function machineFigures(): MachineFigures {
  return {
    cores: os.availableParallelism(),
    availableBytes: availableMemory(os.freemem(), process.constrainedMemory?.(), process.memoryUsage.rss()),
  };
}

/**
 * Memory available to this process: the machine's (`free`, MemAvailable on Linux), and in a
 * container or a service with a memory limit (`limit`, process.constrainedMemory(): the cgroup's;
 * undefined, 0 or beyond the machine's memory where there is none) no more than that limit less
 * what the process already holds (`rss`): beyond it the process is killed, whatever the machine has.
 */
export function availableMemory(free: number, limit: number | undefined, rss: number): number {
  const limited = limit !== undefined && limit > 0 && limit < os.totalmem();
  return limited ? Math.max(0, Math.min(free, limit - rss)) : free;
}

/**
 * Whether a photo needing `bytes` may start next to the photos in flight (`inFlight`: the bytes
 * of each). Nothing running: always (a photo too big for the budget runs alone).
 */
export function admits(plan: Pick<ConcurrencyPlan, 'jobs' | 'budgetBytes'>, inFlight: readonly number[], bytes: number): boolean {
  if (inFlight.length === 0) return true;
  if (inFlight.length >= plan.jobs) return false;
  return inFlight.reduce((a, b) => a + b, 0) + bytes <= plan.budgetBytes;
}
