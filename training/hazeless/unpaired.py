"""Real hazy photos without ground truth (`train/real-hazy`), and the losses that need none.

The synthetic pairs teach the network what haze looks like in our synthesis; real fog (dense,
white, over whole scenes) is often read as a clear, pale scene. A second, small batch of real
hazy crops goes through the network and the reconstruction each step, with two terms on its J:

- the dark channel prior as a loss (PSD, Chen et al. CVPR 2021): in a haze-free scene most local
  patches hold a pixel near black in some channel, so J's dark channel above `margin` is haze
  left in. Sky-like areas (bright and flat, `recon.protect_mask`) are left out: there I is near
  the airlight whatever t is, and the prior does not hold for sky.
- shadows kept: J below black is detail the reconstruction clips away (crushed shadows), which
  the prior alone would reward.
"""
from __future__ import annotations

import glob
import os
import random
from typing import List

import torch
import torch.nn.functional as F

from .data import _geometric, _load_rgb, _random_crop
from .recon import ReconParams, protect_mask

REAL_HAZY_FOLDER = "real-hazy"
PHOTO_EXTENSIONS = ("jpg", "jpeg", "png")  # the folder also holds its SOURCES.tsv


class RealHazySet:
    def __init__(self, root: str, max_side: int = 640) -> None:
        paths = sorted(p for ext in PHOTO_EXTENSIONS for p in glob.glob(os.path.join(root, REAL_HAZY_FOLDER, f"*.{ext}")))
        self.photos: List[torch.Tensor] = [_load_rgb(p, max_side) for p in paths]
        if not self.photos:
            raise FileNotFoundError(f"no real hazy photos under {root}/{REAL_HAZY_FOLDER}")


def real_hazy_batch(data: RealHazySet, batch: int, size: int, rng: random.Random) -> torch.Tensor:
    """Square crops, most of them the whole scene (as the app shows the network the photo), in 0..1."""
    crops = []
    for _ in range(batch):
        crop, _ = _random_crop(rng.choice(data.photos), None, size, rng, whole=rng.random() < 0.7)
        (crop,) = _geometric([crop], rng)
        crops.append(crop / 255.0)
    return torch.stack(crops)


def dark_channel(img: torch.Tensor, patch: int) -> torch.Tensor:
    """Min over the channels and a patch x patch window (He et al.). Nx3xHxW -> Nx1xHxW."""
    m = img.min(dim=1, keepdim=True).values
    return -F.max_pool2d(-m, patch, stride=1, padding=patch // 2)


def dark_channel_loss(j: torch.Tensor, hazy: torch.Tensor, airlight: torch.Tensor, params: ReconParams, patch: int, margin: float) -> torch.Tensor:
    """Haze left in J, outside sky-like areas (module docstring)."""
    not_sky = 1 - protect_mask(hazy, airlight, params).detach()
    left = F.relu(dark_channel(j, patch) - margin)
    return (not_sky * left).sum() / not_sky.sum().clamp(min=1.0)


def crushed_shadows(j: torch.Tensor) -> torch.Tensor:
    """How far J falls below black, on average."""
    return F.relu(-j).mean()
