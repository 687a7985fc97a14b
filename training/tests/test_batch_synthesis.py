"""Batches made whole on the device (hazeless.batch_synthesis) draw the same haze as the per-sample
synthesis, follow the scattering model, replay from the run's random stream, and train."""
import os
import random
import re
import subprocess
import sys
from typing import Callable, List, Tuple

import pytest
import torch

from conftest import ROOT, SHARED, TRAINING
from hazeless.batch_synthesis import DeviceSet, _degrade as _degrade_batch, make_batch_on_device
from hazeless.data import TrainingSet, _degrade, make_batch, manifest_sampling
from hazeless.recon import grey

TRAIN = os.path.join(SHARED, "train")
SAMPLING = manifest_sampling(os.path.join(ROOT, "models", "hazeless-v1.json"))  # what the shipped model drew
Batch = Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]


@pytest.fixture(scope="module")
def data() -> TrainingSet:
    return TrainingSet(TRAIN, max_photos=60)


def test_batches_follow_the_haze_model(data: TrainingSet) -> None:
    hazy, clear, t, a = make_batch_on_device(DeviceSet(data, torch.device("cpu")), 16, 96, random.Random(4), SAMPLING)
    assert hazy.shape == clear.shape == (16, 3, 96, 96) and t.shape == (16, 1, 96, 96) and a.shape == (16, 3)
    assert float(t.min()) > 0 and float(t.max()) <= 1 and float(a.min()) > 0.2 and float(a.max()) <= 1  # dust goes down to 0.22
    assert bool(((hazy * 255 - (hazy * 255).round()).abs() < 1e-3).all())  # 8-bit, as a photo is
    ideal = clear * t + a.reshape(-1, 3, 1, 1) * (1 - t)
    # Only noise (sigma up to 0.02 at mid-grey) and JPEG separate the hazy input from the model.
    assert float((hazy - ideal).abs().flatten(1).mean(1).max()) < 0.04
    # The depth is not flat: the haze varies across most images.
    assert int((t.flatten(1).std(1) > 0.01).sum()) >= 10


def test_the_same_stream_replays_the_same_batch(data: TrainingSet) -> None:
    on = DeviceSet(data, torch.device("cpu"))
    a = make_batch_on_device(on, 6, 64, random.Random(9), SAMPLING)
    b = make_batch_on_device(on, 6, 64, random.Random(9), SAMPLING)
    assert all(torch.equal(x, y) for x, y in zip(a, b))


def _statistics(make: Callable[[random.Random], Batch], seed: int, batches: int) -> torch.Tensor:
    rng = random.Random(seed)
    torch.manual_seed(seed)
    rows: List[List[float]] = []
    for _ in range(batches):
        hazy, clear, t, a = make(rng)
        ideal = clear * t + a.reshape(-1, 3, 1, 1) * (1 - t)
        for i in range(hazy.shape[0]):
            rows.append([
                float(t[i].mean()), float(t[i].std()), float(t[i].min() > 0.999), float(grey(a[i].reshape(1, 3, 1, 1))),
                float(hazy[i].mean()), float((hazy[i] - ideal[i]).abs().mean() * 255), float(grey(clear[i:i + 1]).std()),
            ])
    return torch.tensor(rows)


def test_the_batched_synthesis_draws_what_the_per_sample_one_does(data: TrainingSet) -> None:
    on = DeviceSet(data, torch.device("cpu"))
    ours = _statistics(lambda rng: make_batch_on_device(on, 12, 48, rng, SAMPLING), 1, 80)
    theirs = _statistics(lambda rng: make_batch(data, 12, 48, rng, SAMPLING), 2, 80)
    names = ["mean t", "t's spread", "haze-free share", "airlight level", "hazy brightness", "noise and JPEG (8-bit)", "contrast"]
    for i, name in enumerate(names):
        error = ((ours[:, i].var() + theirs[:, i].var()) / len(ours)).sqrt()
        # 4 standard errors: a mistake in a stage (depth, airlight, haze, noise) moves one of these by more.
        assert abs(float(ours[:, i].mean() - theirs[:, i].mean())) < 4 * float(error) + 1e-3, name


def test_noise_and_jpeg_degrade_as_in_the_per_sample_synthesis() -> None:
    """On a smooth scene, where the noise is most of what the hazy side gains."""
    y, x = torch.meshgrid(torch.linspace(0, 1, 32), torch.linspace(0, 1, 32), indexing="ij")
    scene = torch.stack([0.3 + 0.4 * x, 0.5 + 0.2 * y, 0.6 - 0.3 * x * y])
    rng = random.Random(5)
    theirs = torch.stack([_degrade(scene, rng) for _ in range(400)])
    gen = torch.Generator().manual_seed(5)
    ours = _degrade_batch(scene[None].repeat(400, 1, 1, 1), random.Random(6), gen)
    spread = [float((d - scene).abs().flatten(1).mean(1).mean()) for d in (ours, theirs)]
    assert abs(spread[0] - spread[1]) < 0.1 * spread[1], spread


def test_a_run_trains_on_device_batches(tmp_path) -> None:
    run = subprocess.run(
        [sys.executable, os.path.join(TRAINING, "train.py"), "--run", "dev", "--runs-dir", str(tmp_path), "--synthesis", "device",
         "--steps", "3", "--batch", "4", "--max-photos", "4", "--data", TRAIN, "--device", "cpu"],
        capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2")), timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(re.findall(r"^step \d+/3 ", run.stdout, re.M)) == 3
    saved = torch.load(tmp_path / "dev" / "last.pt", map_location="cpu", weights_only=False)
    assert saved["config"]["synthesis"] == "device" and saved["step"] == 3
