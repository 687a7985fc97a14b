"""Pack ../shared/data/train into a small copy for a lent GPU machine, where only the checkout
travels (64 MiB in all): photos as JPEG q85 at most 640 px on the long side (what TrainingSet loads
anyway), Middlebury images at 700 px, their depth maps as they are. About 45 MB.

    /usr/bin/python3 training/pack_data.py                      # -> .device-pack/train (git-ignored)
"""
from __future__ import annotations

import argparse
import glob
import os
import shutil

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def resized(img: Image.Image, side: int) -> Image.Image:
    scale = min(1.0, side / max(img.size))
    return img if scale == 1 else img.resize((round(img.size[0] * scale), round(img.size[1] * scale)), Image.BOX)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", default=os.path.normpath(os.path.join(ROOT, "..", "shared", "data", "train")))
    ap.add_argument("--out", default=os.path.join(ROOT, ".device-pack", "train"))
    args = ap.parse_args()
    for path in glob.glob(os.path.join(args.src, "clean", "*", "*")):
        out = os.path.join(args.out, os.path.relpath(path, args.src))
        os.makedirs(os.path.dirname(out), exist_ok=True)
        resized(Image.open(path).convert("RGB"), 640).save(out, format="JPEG", quality=85)
    for scene in glob.glob(os.path.join(args.src, "depth", "middlebury", "*")):
        out = os.path.join(args.out, os.path.relpath(scene, args.src))
        os.makedirs(out, exist_ok=True)
        image = resized(Image.open(os.path.join(scene, "image.png")).convert("RGB"), 700)
        image.save(os.path.join(out, "image.jpg"), quality=90)
        shutil.copyfile(os.path.join(scene, "depth.png"), os.path.join(out, "depth.png"))
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(args.out) for f in fs)
    print(f"{args.out}: {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
