"""Average the weights of several checkpoints of one network (the tail of a cosine schedule, or
runs that went on from one start).

    /usr/bin/python3 training/average.py --out training/runs/v1p5/averaged.pt a.pt b.pt c.pt

Checkpoints saved a few minutes apart near the end of a run sit around the same minimum; their mean
is usually a little better than any one of them (stochastic weight averaging). The result keeps
the last checkpoint's optimizer, step and config, so it exports, evaluates and resumes like any
other, and records which steps went into it and the seed of each one's config (each phase's
config has its own seed, so the seeds say which configs the weights came from).

A network grown by residual blocks (`blocks` in its config) can be averaged with the network it
grew from: the smaller one counts as the grown one whose extra blocks are the identity (their
second convolution zero, their first whatever the grown ones hold), which is what it computes.
"""
from __future__ import annotations

import argparse
from typing import List, Tuple

import torch

from hazeless.model import BASE_BLOCKS


def blocks_of(ckpt: dict) -> Tuple[int, ...]:
    return tuple(ckpt["config"].get("blocks", BASE_BLOCKS))


def average(paths: List[str]) -> dict:
    ckpts = [torch.load(p, map_location="cpu", weights_only=False) for p in paths]
    ckpts.sort(key=lambda c: (blocks_of(c), c["step"]))
    widths = {tuple(c["config"]["widths"]) for c in ckpts}
    deepest = blocks_of(ckpts[-1])
    if len(widths) != 1 or any(b > d for c in ckpts for b, d in zip(blocks_of(c), deepest)):
        raise SystemExit(f"checkpoints of different networks: {[(c['config']['widths'], blocks_of(c)) for c in ckpts]}")
    last = dict(ckpts[-1])
    mean = {}
    for key, value in last["model_fp32"].items():
        held = [c["model_fp32"][key] for c in ckpts if key in c["model_fp32"]]
        if not value.is_floating_point():
            mean[key] = value
        elif len(held) == len(ckpts) or ".c1." in key:
            mean[key] = sum(held) / len(held)
        elif ".c2." in key:
            mean[key] = sum(held) / len(ckpts)  # the identity blocks' zeros count too
        else:
            raise SystemExit(f"{key} is missing from a checkpoint and is not part of a residual block")
    last["model_fp32"] = mean
    last["model"] = {k: v.half() if v.is_floating_point() else v for k, v in mean.items()}
    last["averaged_from"] = [c["step"] for c in ckpts]
    last["averaged_seeds"] = [c["config"].get("seed") for c in ckpts]
    return last


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("checkpoints", nargs="+")
    args = ap.parse_args()
    result = average(args.checkpoints)
    torch.save(result, args.out)
    print(f"averaged steps {result['averaged_from']} -> {args.out}")


if __name__ == "__main__":
    main()
