"""The losses on real hazy photos: the dark channel loss sees haze left in J and not sky, the
shadow term sees J below black, and the screen drops clean photos that hold haze of their own."""
import os
import random

import pytest
import torch

from conftest import SHARED
from hazeless.data import TrainingSet
from hazeless.fade import looks_haze_free
from hazeless.recon import ReconParams
from hazeless.unpaired import RealHazySet, crushed_shadows, dark_channel, dark_channel_loss, real_hazy_batch

TRAIN = os.path.join(SHARED, "train")
PARAMS = ReconParams()
AIRLIGHT = torch.tensor([[0.85, 0.85, 0.85]])


def textured(seed: int, size: int = 64) -> torch.Tensor:
    """A clear scene: coloured texture with near-black pixels in every neighbourhood."""
    g = torch.Generator().manual_seed(seed)
    return torch.rand(1, 3, size, size, generator=g) * torch.tensor([0.9, 0.7, 0.5]).reshape(1, 3, 1, 1)


def test_dark_channel_is_the_local_minimum_over_channels() -> None:
    img = torch.ones(1, 3, 9, 9)
    img[0, 1, 4, 4] = 0.2
    d = dark_channel(img, 3)
    assert float(d[0, 0, 4, 4]) == pytest.approx(0.2)
    assert float(d[0, 0, 3, 5]) == pytest.approx(0.2)
    assert float(d[0, 0, 0, 0]) == 1.0


def test_dark_channel_loss_sees_haze_left_in_the_result() -> None:
    clear = textured(1)
    hazy = clear * 0.4 + AIRLIGHT.reshape(1, 3, 1, 1) * 0.6
    assert float(dark_channel_loss(clear, hazy, AIRLIGHT, PARAMS, 9, 0.05)) == 0.0
    assert float(dark_channel_loss(hazy, hazy, AIRLIGHT, PARAMS, 9, 0.05)) > 0.3


def test_dark_channel_loss_leaves_out_sky() -> None:
    # A flat bright area at the airlight's level is sky-like: its J is not held to the prior.
    sky = torch.full((1, 3, 64, 64), 0.84)
    assert float(dark_channel_loss(sky, sky, AIRLIGHT, PARAMS, 9, 0.05)) < 0.01


def test_crushed_shadows_measure_j_below_black() -> None:
    j = torch.zeros(1, 3, 4, 4)
    assert float(crushed_shadows(j)) == 0.0
    j[0, 0, 0, 0] = -0.48
    assert float(crushed_shadows(j)) == pytest.approx(0.01)


def test_real_hazy_batches_come_from_the_real_photos() -> None:
    real = RealHazySet(TRAIN)
    assert len(real.photos) == 40
    batch = real_hazy_batch(real, 3, 64, random.Random(2))
    assert batch.shape == (3, 3, 64, 64)
    assert 0.0 <= float(batch.min()) and float(batch.max()) <= 1.0


def test_the_screen_keeps_only_haze_free_clean_photos() -> None:
    every = TrainingSet(TRAIN, max_photos=30)
    kept = TrainingSet(TRAIN, max_photos=30, haze_free_only=True)
    assert 0 < len(kept.photos) < len(every.photos)
    assert all(looks_haze_free(p.permute(1, 2, 0).numpy()) for p in kept.photos)
