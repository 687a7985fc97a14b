"""Export a checkpoint to the app's model contract: models/<id>.onnx and models/<id>.json.

    /usr/bin/python3 training/export.py --checkpoint training/runs/v1/last.pt --id hazeless-v1

Also writes training/checkpoints/<id>.pt (the fp32 weights the ONNX graph was made from), which the
parity tests and the evaluation load as the PyTorch reference.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
from dataclasses import fields
from typing import Any, Dict

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hazeless.checkpoint import load_model  # noqa: E402
from hazeless.data import Sampling  # noqa: E402
from hazeless.model import HazeNet, count_macs, count_params  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def export_onnx(model: HazeNet, path: str) -> None:
    dummy = torch.rand(1, 3, 384, 512)
    torch.onnx.export(
        model,
        (dummy,),
        path,
        opset_version=17,
        input_names=["hazy"],
        output_names=["transmission", "airlight"],
        dynamic_axes={"hazy": {2: "H", 3: "W"}, "transmission": {2: "H", 3: "W"}},
        do_constant_folding=True,
    )


# What average.py records about the checkpoints it averaged, and the manifest's names for it.
AVERAGING_KEYS = {"averaged_from": "averagedFromSteps", "averaged_seeds": "averagedFromSeeds"}
CONFIG_KEYS = ("seed", "lr", "net_sizes", "hr_factors", "widths", "blocks", "loss", "a_corr_scale", "airlight_cap") + tuple(f.name for f in fields(Sampling))


def manifest_for(
    model_id: str, version: str, model: HazeNet, cfg: Dict[str, Any], ckpt: Dict[str, Any], onnx_path: str, protect: float = 0
) -> Dict[str, Any]:
    recon = cfg["recon"]
    return {
        "id": model_id,
        "version": version,
        "description": "Estimates haze transmission and airlight from a downscaled photo; the app reconstructs at full resolution.",
        "file": os.path.basename(onnx_path),
        "opset": 17,
        "input": {
            "name": "hazy",
            "layout": "NCHW",
            "shape": [1, 3, "H", "W"],
            "colorSpace": "sRGB",
            "range": [0, 1],
            "maxSide": recon["max_side"],
            "multiple": recon["multiple"],
            "resample": "area",
            "pad": "edge",
        },
        "outputs": {
            "transmission": {"name": "transmission", "shape": [1, 1, "H", "W"], "range": [0.02, 1]},
            "airlight": {"name": "airlight", "shape": [1, 3], "kind": "global"},
        },
        "reconstruction": {
            "t0": recon["t0"],
            "guide": "luma709",
            "guidedFilter": {"radiusFraction": recon["radius_fraction"], "radiusOf": "networkLongSide", "epsilon": recon["epsilon"]},
            # Detail whose local variance is below epsilon keeps its contrast instead of gaining 1/t (recon.base_layer).
            **({"detail": {"epsilon": recon["detail_epsilon"]}} if recon.get("detail_epsilon", 0) > 0 else {}),
            # A raised so that J <= 1 over all but this share of the guided filter's windows (recon.airlight_floor).
            **({"airlightFloor": {"share": recon["airlight_floor_share"], "maxTransmission": recon.get("airlight_floor_max_t", 0.95)}}
               if recon.get("airlight_floor_share", 0) > 0 else {}),
        },
        "defaults": {"strength": 100, "distance": 0, "protect": protect, "exposure": 0},
        "budget": {
            "parameters": count_params(model),
            "weightBytes": os.path.getsize(onnx_path),
            "macsAt512x384": count_macs(model, 384, 512),
        },
        "training": {
            "data": "shared/data/train: clean photos with synthetic haze from depth proxies, Middlebury depth scenes",
            "steps": ckpt["step"],
            "samples": ckpt.get("samples", 0),
            "batch": cfg["batch"],
            **{name: ckpt[key] for key, name in AVERAGING_KEYS.items() if key in ckpt},
            "config": {k: cfg[k] for k in CONFIG_KEYS if cfg.get(k) is not None},
            "exportedAt": datetime.date.today().isoformat(),
        },
        "validation": None,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--id", default="hazeless-v1")
    ap.add_argument("--version", default="1.0.0")
    ap.add_argument("--models", default=os.path.join(ROOT, "models"))
    ap.add_argument("--weights-out", default=None, help="default: training/checkpoints/<id>.pt")
    ap.add_argument("--max-side", type=int, help="network input long side for the app (default: the training config's)")
    ap.add_argument("--t0", type=float, help="lower bound of t in the reconstruction (default: the training config's)")
    ap.add_argument("--protect", type=float, default=0, help="the protect slider's default in the app (0..100)")
    ap.add_argument("--detail-epsilon", type=float, help="variance below which detail is not amplified (0: off; default: the training config's)")
    ap.add_argument("--airlight-cap", action="store_true", default=None,
                    help="bound the airlight by the brightest colour the network sees (default: the training config's)")
    ap.add_argument("--airlight-floor", type=float,
                    help="share of the windows allowed to come out brighter than white, for the airlight floor (0: off; default: the training config's)")
    args = ap.parse_args()

    model, cfg, ckpt = load_model(args.checkpoint, args.max_side, args.t0, args.detail_epsilon, args.airlight_cap, args.airlight_floor)
    os.makedirs(args.models, exist_ok=True)
    onnx_path = os.path.join(args.models, f"{args.id}.onnx")
    export_onnx(model, onnx_path)
    manifest_path = os.path.join(args.models, f"{args.id}.json")
    manifest = manifest_for(args.id, args.version, model, cfg, ckpt, onnx_path, args.protect)
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            old = json.load(f)
        # The old scores stand only for the same network, weights and reconstruction.
        same = all(old.get(k) == manifest[k] for k in ("defaults", "reconstruction", "budget"))
        trained = json.loads(json.dumps({k: manifest["training"][k] for k in ("steps", "config")}))
        if same and all(old.get("training", {}).get(k) == v for k, v in trained.items()):
            manifest["validation"] = old.get("validation")
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    weights_out = args.weights_out or os.path.join(HERE, "checkpoints", f"{args.id}.pt")
    os.makedirs(os.path.dirname(weights_out), exist_ok=True)
    kept = {k: ckpt[k] for k in AVERAGING_KEYS if k in ckpt}
    torch.save({"config": cfg, "step": ckpt["step"], "samples": ckpt.get("samples", 0), "model_fp32": model.state_dict(), **kept}, weights_out)
    print(f"wrote {onnx_path} ({os.path.getsize(onnx_path)} bytes), {manifest_path}, {weights_out}")


if __name__ == "__main__":
    main()
