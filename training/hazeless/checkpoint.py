"""Loading a checkpoint (a training checkpoint or the exported fp32 weights) into a HazeNet."""
from __future__ import annotations

from typing import Any, Dict, Tuple

import torch

from .model import HazeNet


def load_model(path: str) -> Tuple[HazeNet, Dict[str, Any], Dict[str, Any]]:
    ckpt = torch.load(path, map_location="cpu")
    cfg = ckpt["config"]
    model = HazeNet(tuple(cfg["widths"]), cfg.get("a_corr_scale", 0.1))
    state = ckpt.get("model_fp32") or {k: v.float() for k, v in ckpt["model"].items()}
    model.load_state_dict(state)
    model.eval()
    return model, cfg, ckpt
