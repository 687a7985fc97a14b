"""A network grown by residual blocks starts as the trained one; worker processes make batches
train.py can use, each worker its own reproducible stream."""
import random

import torch

from conftest import SHARED
from hazeless.data import TrainingSet
from hazeless.model import HazeNet
from hazeless.stream import batch_loader, pick_sizes

CFG = {
    "batch": 2, "net_sizes": [64], "hr_factors": [1.0, 1.5], "airlight_min": 0.6, "airlight_uniform_prob": 0.5,
    "haze": {"moderate_prob": 0.5}, "whole_scene_prob": 0.5,
}


def test_grown_network_starts_as_the_trained_one_and_can_learn() -> None:
    torch.manual_seed(0)
    trained = HazeNet((8, 8, 16, 16))
    grown = HazeNet((8, 8, 16, 16), blocks=(3, 4))
    missing, unexpected = grown.load_state_dict(trained.state_dict(), strict=False)
    assert not unexpected and {k.rsplit(".", 2)[0] for k in missing} == {"enc3.2", "enc3.3", "enc4.3", "enc4.4"}
    x = torch.rand(2, 3, 64, 96)
    with torch.no_grad():
        (t0, a0), (t1, a1) = trained(x), grown(x)
    assert torch.equal(t0, t1) and torch.equal(a0, a1)
    t, _ = grown(x)
    t.mean().backward()
    assert grown.enc4[4].c2.weight.grad.abs().sum() > 0  # the new block is not stuck at identity


def test_worker_batches_have_the_shapes_and_ranges_training_expects() -> None:
    data = TrainingSet(f"{SHARED}/train", max_photos=4)
    stream = batch_loader(data, CFG, seed=5, workers=2, device=torch.device("cpu"))
    seen = set()
    for _ in range(4):
        hazy, clear, t, a, net = next(stream)
        assert net == 64 and hazy.dtype == clear.dtype == t.dtype == torch.float32
        size = hazy.shape[-1]
        seen.add(size)
        assert hazy.shape == clear.shape == (2, 3, size, size) and t.shape == (2, 1, size, size) and a.shape == (2, 3)
        assert 0 <= float(hazy.min()) and float(hazy.max()) <= 1 and 0 < float(t.min()) and float(t.max()) <= 1
        assert torch.equal(hazy * 255, (hazy * 255).round())  # 8-bit, as real photos
    assert seen <= {64, 96}
    assert pick_sizes(CFG, random.Random(1)) == pick_sizes(CFG, random.Random(1))
