"""Real hazy photos without ground truth (`train/real-hazy`), taught from a teacher's outputs.

The synthetic pairs teach the network what haze looks like in our synthesis; real fog (dense,
white, over whole scenes) is often read as a clear, pale scene. A second, small batch of real hazy
crops goes through the network and the reconstruction each step, and its J is drawn towards the J
of a teacher network that removes more real haze (self-training on filtered stronger outputs):
only crops where the teacher's mean t is below the student's count, so the term never asks for
less haze removal than the student already does.
"""
from __future__ import annotations

import glob
import os
import random
from typing import List

import torch

from .data import _geometric, _load_rgb, _random_crop
from .model import HazeNet
from .recon import ReconParams, recover, upsample_transmission

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


def dehaze(model: HazeNet, hazy: torch.Tensor, params: ReconParams):
    """t, A and J (the reconstruction at network size) for a batch of crops."""
    t, a = model(hazy)
    return t, a, recover(hazy, upsample_transmission(hazy, t, hazy, params), a, params.t0)


def teacher_loss(student: HazeNet, teacher: HazeNet, hazy: torch.Tensor, params: ReconParams) -> torch.Tensor:
    """Mean absolute difference between the student's J and the teacher's (clamped to 0..1), over
    the crops where the teacher removes more haze (module docstring); 0 where there is none."""
    with torch.no_grad():
        tt, _, tj = dehaze(teacher, hazy, params)
    st, _, sj = dehaze(student, hazy, params)
    stronger = (tt.mean(dim=(1, 2, 3)) < st.detach().mean(dim=(1, 2, 3))).float()
    per_crop = (sj - tj.clamp(0, 1)).abs().mean(dim=(1, 2, 3))
    return (stronger * per_crop).sum() / stronger.sum().clamp(min=1.0)
