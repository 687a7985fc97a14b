"""Fit the project's own FADE Gaussians (`hazeless/fade_fitted.json`) on `train/` data only.

    OMP_NUM_THREADS=2 /usr/bin/python3 training/fit_fade.py      # about 10 minutes on 2 cores

FADE compares each patch with a Gaussian of fog-free photos and one of foggy photos. The release's
own pair (`fade_published.json`) is what papers report; this is an equivalent made from data the
project may train on, as a cross-check that does not depend on the release's corpus:

- Fog-free: the photos of `train/clean/` that show no aerial haze, by a rule fixed before any
  FADE figure was looked at (`fade.looks_haze_free`: the median of the photo's 15x15 dark channel
  is at most 25/255). It also drops photos of white or bright objects, which the rule cannot
  tell from haze.
- Foggy: dense haze synthesised over every photo of `train/clean/` by the training synthesis
  (`hazeless/data.py make_sample`: depth proxies, airlight prior, noise and JPEG), the photo's
  largest square at its own size, the farthest point's transmission 0.04 to 0.3, no Middlebury
  scenes. Not `train/real-hazy/`: FADE is reported on those photos, and a foggy Gaussian fitted
  to them would score them against themselves. The cost of this choice: the foggy side is the
  haze the network was trained to remove, so this measure leans towards what the training
  rewards, and the published pair stays the main figure.
- One vector per photo, the mean of its patches' features: the release's covariances are of the
  order of the spread of photo means, not of single patches (its sharpness variance is 0.11; on
  our clean photos it is 0.29 across photo means and 0.99 across patches).
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import random
import sys
from typing import List

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hazeless import fade  # noqa: E402
from hazeless.data import CLEAN_FOLDERS, HazeRanges, Sampling, make_sample  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLEAN = os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "train", "clean"))
DENSE = Sampling(whole_scene_prob=1.0, haze=HazeRanges(t_far_min=0.04, t_far_max=0.3, near_max=0.6))
SEED = 2015


class OnePhoto:
    """What make_sample reads of a TrainingSet, holding one photo (CxHxW uint8) and no depth."""

    def __init__(self, rgb: np.ndarray) -> None:
        self.photos = [torch.from_numpy(rgb.copy()).permute(2, 0, 1).contiguous()]
        self.depth_scenes: List = []


def dense_haze(rgb: np.ndarray, rng: random.Random) -> np.ndarray:
    s = make_sample(OnePhoto(rgb), min(rgb.shape[:2]), rng, clear_prob=0.0, sampling=DENSE)  # type: ignore[arg-type]
    return (s.hazy.permute(1, 2, 0).numpy() * 255 + 0.5).astype(np.uint8)


def photo_mean(rgb: np.ndarray) -> np.ndarray:
    f = fade.features(rgb)
    return f[np.isfinite(f).all(axis=1)].mean(axis=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=fade.PARAMS["fitted"])
    ap.add_argument("--limit", type=int, help="only every photo up to N (a quick try; not for the committed file)")
    args = ap.parse_args()
    paths = [p for folder in CLEAN_FOLDERS for p in sorted(glob.glob(os.path.join(CLEAN, folder, "*.jpg")))][: args.limit]
    rng = random.Random(SEED)
    fogfree, foggy = [], []
    for i, p in enumerate(paths):
        rgb = np.asarray(Image.open(p).convert("RGB"))
        if fade.looks_haze_free(rgb):
            fogfree.append(photo_mean(rgb))
        foggy.append(photo_mean(dense_haze(rgb, rng)))
        if i % 50 == 0:
            print(f"{i}/{len(paths)} photos, {len(fogfree)} fog-free", flush=True)
    free_mu, free_cov = fade.fit(np.array(fogfree))
    fog_mu, fog_cov = fade.fit(np.array(foggy))
    out = {
        "source": (
            f"training/fit_fade.py: fog-free {len(fogfree)} of the {len(paths)} photos of train/clean (median of the "
            f"{fade.DARK_WINDOW}x{fade.DARK_WINDOW} dark channel at most 25/255); foggy: dense synthetic haze (t far 0.04-0.3) over all "
            f"{len(paths)}, seed {SEED}; one vector per photo, the mean of its 8x8 patches' features"
        ),
        "fogfree_photos": len(fogfree),
        "foggy_photos": len(foggy),
        "fogfree_mu": free_mu.tolist(), "fogfree_cov": free_cov.tolist(),
        "foggy_mu": fog_mu.tolist(), "foggy_cov": fog_cov.tolist(),
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}: {len(fogfree)} fog-free and {len(foggy)} foggy photos")


if __name__ == "__main__":
    main()
