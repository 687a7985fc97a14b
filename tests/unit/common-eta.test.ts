import { describe, expect, it } from 'vitest';
import { BatchEta, formatDuration, photoFraction, secondsLeft } from '../../common/eta';

const MP = 1e6;

describe('time left in a batch', () => {
  it('is null before anything is done, and 0 once everything is', () => {
    expect(secondsLeft(30, [{ pixels: 12 * MP, done: 0 }, { pixels: 12 * MP, done: 0 }])).toBeNull();
    // Some progress, but too early for a rate worth showing.
    expect(secondsLeft(0.1, [{ pixels: 12 * MP, done: 0.5 }])).toBeNull();
    expect(secondsLeft(40, [{ pixels: 12 * MP, done: 1 }, { pixels: 24 * MP, done: 1 }])).toBe(0);
    expect(secondsLeft(0, [])).toBe(0);
  });

  it('weighs photos by their pixels, counting the one in progress by its fraction', () => {
    // 10 s for a 24 MP photo, a 12 MP one half done at 12.5 s: 30 MP in 12.5 s, 30 MP to go.
    const s = secondsLeft(12.5, [
      { pixels: 24 * MP, done: 1 },
      { pixels: 12 * MP, done: 0.5 },
      { pixels: 24 * MP, done: 0 },
    ]);
    expect(s).toBeCloseTo(12.5, 6);
    // The same progress with the big photo still to come takes longer than with a small one.
    const small = secondsLeft(12.5, [
      { pixels: 24 * MP, done: 1 },
      { pixels: 12 * MP, done: 0.5 },
      { pixels: 6 * MP, done: 0 },
    ]);
    expect(small).toBeLessThan(s!);
  });

  it('counts every lane: two photos at once halve the time left', () => {
    // Four 10 MP photos, 10 s each on a lane. Two lanes, 5 s in: both first photos half done,
    // so the batch ends at 20 s.
    const photos = [5, 5, 0, 0].map((d) => ({ pixels: 10 * MP, done: d / 10 }));
    expect(secondsLeft(5, photos)).toBeCloseTo(15, 6);
    // One lane, 5 s in: the first photo half done, so the batch ends at 40 s.
    const oneLane = [5, 0, 0, 0].map((d) => ({ pixels: 10 * MP, done: d / 10 }));
    expect(secondsLeft(5, oneLane)).toBeCloseTo(35, 6);
    // Unequal photos on two lanes: a 20 MP and a 10 MP one, 10 s in, at 1 MP/s each lane: the
    // small one is done and the big one half; 20 MP done in 10 s, 10 MP + a 10 MP photo left.
    const mixed = [
      { pixels: 20 * MP, done: 0.5 },
      { pixels: 10 * MP, done: 1 },
      { pixels: 10 * MP, done: 0 },
    ];
    expect(secondsLeft(10, mixed)).toBeCloseTo(10, 6);
  });

  it('counts a photo of unknown size as the average of the known ones', () => {
    const withUnknown = secondsLeft(10, [
      { pixels: 10 * MP, done: 1 },
      { pixels: 30 * MP, done: 0 },
      { pixels: null, done: 0 },
    ]);
    // 50 MP left (30 + the average, 20) at 1 MP/s.
    expect(withUnknown).toBeCloseTo(50, 6);
  });

  it('keeps the bookkeeping of a batch: skipped photos neither count as work done nor left', () => {
    let t = 1000;
    const eta = new BatchEta(3, () => t);
    expect(eta.secondsLeft()).toBeNull();
    eta.setPixels(0, 12 * MP);
    eta.drop(1); // its output name was taken: skipped at once
    t += 4000;
    eta.progress(0, 0.5);
    eta.setPixels(2, 12 * MP);
    // 6 MP in 4 s; 6 MP of photo 0 and 12 MP of photo 2 left.
    expect(eta.secondsLeft()).toBeCloseTo(12, 6);
    t += 4000;
    eta.finish(0);
    t += 8000;
    eta.finish(2);
    expect(eta.secondsLeft()).toBe(0);
  });

  it('leaves skipped photos out of the size that photos not read yet count as', () => {
    // A re-run over an album: 100 photos skipped (done before), 10 new ones of 12 MP whose
    // headers are not read yet, the first one half done after 5 s.
    let t = 0;
    const eta = new BatchEta(110, () => t);
    for (let i = 0; i < 100; i++) eta.drop(i);
    eta.setPixels(100, 12 * MP);
    t += 5000;
    eta.progress(100, 0.5);
    // 6 MP in 5 s; 6 MP + 9 x 12 MP left: 95 s (not the few seconds an average over the skips would give).
    expect(eta.secondsLeft()).toBeCloseTo(95, 6);
  });

  it('counts a failed photo by the work it did, not as a whole photo done', () => {
    let t = 0;
    const eta = new BatchEta(3, () => t);
    for (let i = 0; i < 3; i++) eta.setPixels(i, 12 * MP);
    t += 100;
    eta.fail(0); // unreadable: failed at once
    t += 10_000;
    eta.finish(1);
    // 12 MP in 10.1 s, 12 MP left: about 10 s (counting the failure as done would say 5).
    expect(eta.secondsLeft()).toBeCloseTo(10.1, 6);
  });

  it('once told that no photo starts any more, counts only the photos in progress', () => {
    // 30 photos of 12 MP, two at once; Ctrl-C once after 1 s, photo 0 half done and photo 1 just started.
    let t = 0;
    const eta = new BatchEta(30, () => t);
    for (let i = 0; i < 30; i++) eta.setPixels(i, 12 * MP);
    eta.start(0);
    eta.start(1);
    t += 1000;
    eta.progress(0, 0.5);
    eta.stopStarting();
    // 6 MP in 1 s; 6 MP of photo 0 and 12 MP of photo 1 left: 3 s (not the 59 s of the whole album).
    expect(eta.secondsLeft()).toBeCloseTo(3, 6);
  });

  it('never moves a photo back when a stage reports its sub-steps from 0 again', () => {
    let t = 0;
    const eta = new BatchEta(2, () => t);
    eta.setPixels(0, 12 * MP);
    eta.setPixels(1, 12 * MP);
    t += 4000;
    eta.progress(0, 0.4);
    const before = eta.secondsLeft();
    eta.progress(0, 0.1);
    expect(eta.secondsLeft()).toBe(before);
  });
});

describe('how far along a photo is', () => {
  it('moves forward through the stages, in engine and export stage names alike', () => {
    const engine = [
      photoFraction('decode', 0, 1),
      photoFraction('decode', 1, 1),
      photoFraction('downscale', 5, 10),
      photoFraction('network', 1, 1),
      photoFraction('guided-filter', 1, 1),
      photoFraction('render', 50, 100),
      photoFraction('encode', 0, 1),
      photoFraction('encode', 1, 1),
    ];
    expect([...engine].sort((a, b) => a - b)).toEqual(engine);
    expect(engine[0]).toBe(0);
    expect(engine.at(-1)).toBe(1);
    expect(photoFraction('estimate', 0, 1)).toBe(photoFraction('downscale', 0, 1));
    expect(photoFraction('estimate', 1, 1)).toBe(photoFraction('guided-filter', 1, 1));
    expect(photoFraction('render', 0, 0)).toBe(photoFraction('render', 0, 1));
  });
});

describe('durations for people', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(null)).toBe('estimating…');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3 * 3600 + 7 * 60)).toBe('3 h 07 min');
  });
});
