"""Side-by-side pictures (hazy | model | dark channel prior | haze map) of the real hazy photos,
for looking at halos, sky noise and colour casts. Writes PNGs to --out (not into the repo).

    /usr/bin/python3 training/compare_real.py --id hazeless-v1 --out /tmp/real-compare
"""
from __future__ import annotations

import argparse
import glob
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from evaluate import HERE, dark_channel_prior, default_sliders, load, read, to_tensor, to_uint8  # noqa: E402
from hazeless.recon import dehaze  # noqa: E402

REAL = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "real"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--id", default="hazeless-v1")
    ap.add_argument("--checkpoint")
    ap.add_argument("--out", default="/tmp/real-compare")
    ap.add_argument("--width", type=int, default=480, help="width of each panel")
    ap.add_argument("--only", nargs="*", help="file names to include")
    ap.add_argument("--protect", type=float, help="protect slider (default: the manifest's default)")
    ap.add_argument("--max-side", type=int, help="network long side for --checkpoint (as export.py --max-side would ship it)")
    ap.add_argument("--t0", type=float, help="t0 for --checkpoint (as export.py --t0 would ship it)")
    args = ap.parse_args()
    model, params, _ = load(args.checkpoint or os.path.join(HERE, "checkpoints", f"{args.id}.pt"), args.max_side, args.t0)
    protect = default_sliders(args.id)["protect"] if args.protect is None else args.protect
    os.makedirs(args.out, exist_ok=True)
    for path in sorted(glob.glob(os.path.join(REAL, "*"))):
        name = os.path.basename(path)
        if args.only and name not in args.only:
            continue
        x = to_tensor(read(path))
        j, t, a = dehaze(model, x, params, protect=protect)
        panels = [to_uint8(x), to_uint8(j), to_uint8(dark_channel_prior(x)), to_uint8(t.expand(-1, 3, -1, -1))]
        h = round(panels[0].shape[0] * args.width / panels[0].shape[1])
        row = np.concatenate([np.asarray(Image.fromarray(p).resize((args.width, h), Image.BOX)) for p in panels], axis=1)
        Image.fromarray(row).save(os.path.join(args.out, os.path.splitext(name)[0] + ".png"))
        print(name, "A =", [round(float(v), 3) for v in a.reshape(3)], "t mean", round(float(t.mean()), 3))


if __name__ == "__main__":
    main()
