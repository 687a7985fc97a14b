"""Samples per second of the two ways train.py makes batches, on one device:

    /usr/bin/python3 training/bench_synthesis.py [--device cuda] [--data .device-pack/train] [--batch 48 --size 384]

"samples" is data.make_batch (one sample at a time on the CPU, in one process; workers multiply it
by at most the cores they get), "device" is batch_synthesis.make_batch_on_device on --device. Run it
first on a lent GPU: it says whether training there will wait for its batches.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hazeless.batch_synthesis import DeviceSet, make_batch_on_device  # noqa: E402
from hazeless.data import TrainingSet, make_batch, manifest_sampling  # noqa: E402
from train import DEFAULTS  # noqa: E402

SAMPLING = manifest_sampling(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "models", "hazeless-v1.json"))


def rate(make, batch: int, batches: int, sync) -> float:
    make()  # warm-up: first-call allocations and kernel selection
    sync()
    start = time.perf_counter()
    for _ in range(batches):
        make()
    sync()
    return batch * batches / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--data", default=DEFAULTS["data"])
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--size", type=int, default=384, help="crop side (train.py: network size times hr factor)")
    ap.add_argument("--batches", type=int, default=5)
    ap.add_argument("--max-photos", type=int, default=200)
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    device = torch.device(args.device)
    data = TrainingSet(args.data, max_photos=args.max_photos)
    on = DeviceSet(data, device)
    rng = random.Random(1)

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    per_sample = rate(lambda: make_batch(data, args.batch, args.size, rng, SAMPLING), args.batch, args.batches, lambda: None)
    batched = rate(lambda: make_batch_on_device(on, args.batch, args.size, rng, SAMPLING), args.batch, args.batches, sync)
    print(f"batch {args.batch} at {args.size}x{args.size}, {torch.get_num_threads()} CPU threads, device {device}")
    print(f"samples (CPU, one process): {per_sample:8.1f} samples/s")
    print(f"device ({device}):{' ' * max(0, 13 - len(str(device)))}{batched:8.1f} samples/s  ({batched / per_sample:.2f}x)")


if __name__ == "__main__":
    main()
