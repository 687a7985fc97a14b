"""Loading a checkpoint (a training checkpoint or the exported fp32 weights) into a HazeNet."""
from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import torch

from .model import HazeNet


def load_model(
    path: str,
    max_side: Optional[int] = None,
    t0: Optional[float] = None,
    detail_epsilon: Optional[float] = None,
    airlight_cap: Optional[bool] = None,
    airlight_floor: Optional[float] = None,
) -> Tuple[HazeNet, Dict[str, Any], Dict[str, Any]]:
    """The model and its config; max_side, t0, detail_epsilon and airlight_floor (the share of
    the airlight floor) replace the reconstruction's and airlight_cap the network's (as the app
    will run it: what a model ships with is chosen at export)."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    cfg = ckpt["config"]
    overrides = {k: v for k, v in (("max_side", max_side), ("t0", t0)) if v}
    if detail_epsilon is not None:
        overrides["detail_epsilon"] = detail_epsilon
    if airlight_floor is not None:
        overrides["airlight_floor_share"] = airlight_floor
    if overrides:
        cfg = dict(cfg, recon=dict(cfg["recon"], **overrides))
    if airlight_cap is not None:
        cfg = dict(cfg, airlight_cap=airlight_cap)
    model = HazeNet.from_config(cfg)
    state = ckpt.get("model_fp32") or {k: v.float() for k, v in ckpt["model"].items()}
    model.load_state_dict(state)
    model.eval()
    return model, cfg, ckpt
