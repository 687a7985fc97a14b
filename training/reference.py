"""PyTorch reference outputs for the parity tests of the ONNX graph and the TypeScript engine.

    /usr/bin/python3 training/reference.py --id hazeless-v1 --image photo.png --out DIR

Reads an 8-bit RGB PNG (so both sides decode identical pixels) and writes little-endian float32
files to DIR, with meta.json giving their shapes:
  net_input.f32     the area-downscaled, padded network input (1x3xHpxWp)
  transmission.f32  the network's t on the padded input (1x1xHpxWp)
  airlight.f32      the network's A (3)
  airlight_used.f32 A as the reconstruction uses it, after the manifest's airlight floor (3)
  t_full.f32        t after the guided-filter upsampling (HxW)
  dehazed.f32       J clamped to [0,1] (HxWx3, interleaved)
  adjusted.f32      the same with the sliders of --adjusted STRENGTH PROTECT (default 70 80)
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from evaluate import load  # noqa: E402
from hazeless.recon import area_resize, dehaze, network_size, pad_to_multiple  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--id", default="hazeless-v1")
    ap.add_argument("--checkpoint")
    ap.add_argument("--image", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--adjusted", nargs=2, type=float, default=[70, 80], metavar=("STRENGTH", "PROTECT"))
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    model, params, _ = load(args.checkpoint or os.path.join(HERE, "checkpoints", f"{args.id}.pt"))
    img = np.asarray(Image.open(args.image).convert("RGB")).astype(np.float32) / 255.0
    x = torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()
    h, w = x.shape[-2:]
    lr = area_resize(x, network_size(h, w, params.max_side))
    padded = pad_to_multiple(lr, params.multiple)
    with torch.no_grad():
        t_pad, a = model(padded)
    j, t_full, airlight = dehaze(model, x, params)
    j_adjusted = dehaze(model, x, params, strength=args.adjusted[0], protect=args.adjusted[1])[0]
    os.makedirs(args.out, exist_ok=True)

    def dump(name: str, t: torch.Tensor) -> list:
        arr = t.detach().contiguous().numpy().astype("<f4")
        arr.tofile(os.path.join(args.out, name))
        return list(arr.shape)

    meta = {
        "net_input": dump("net_input.f32", padded),
        "transmission": dump("transmission.f32", t_pad),
        "airlight": dump("airlight.f32", a.reshape(3)),
        "airlight_used": dump("airlight_used.f32", airlight.reshape(3)),
        "t_full": dump("t_full.f32", t_full[0, 0]),
        "dehazed": dump("dehazed.f32", j[0].permute(1, 2, 0)),
        "adjusted": dump("adjusted.f32", j_adjusted[0].permute(1, 2, 0)),
        "adjusted_sliders": {"strength": args.adjusted[0], "protect": args.adjusted[1]},
        "network_size": list(lr.shape[-2:]),
    }
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f)


if __name__ == "__main__":
    main()
