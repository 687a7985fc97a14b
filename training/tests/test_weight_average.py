"""The moving average of the weights (config `ema`): its arithmetic, and ema.pt beside last.pt."""
import os
import subprocess
import sys

import torch

from conftest import SHARED, TRAINING
from hazeless.checkpoint import load_model
from train import WeightAverage


def test_the_average_follows_the_weights_with_a_decay_that_ramps_up() -> None:
    net = torch.nn.Linear(1, 1, bias=False)
    with torch.no_grad():
        net.weight.fill_(0.0)
    average = WeightAverage(net, decay=0.9)
    expected = 0.0
    for n, value in enumerate([1.0, 2.0, 3.0, 4.0], start=1):
        with torch.no_grad():
            net.weight.fill_(value)
        average.update(net)
        d = min(0.9, (1 + n) / (10 + n))
        expected = d * expected + (1 - d) * value
        assert abs(float(average.state["weight"]) - expected) < 1e-6
    # It lags the weights without standing still at the start.
    assert 0.0 < expected < 4.0


def _train(tmp_path, steps: int, *flags: str) -> None:
    env = dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2"))
    config = tmp_path / "ema.json"
    config.write_text('{"ema": 0.5, "net_sizes": [64], "hr_factors": [1.0]}')
    run = subprocess.run(
        [sys.executable, os.path.join(TRAINING, "train.py"), "--config", str(config), "--run", "ema", "--runs-dir", str(tmp_path),
         "--steps", str(steps), "--batch", "2", "--max-photos", "4", "--data", os.path.join(SHARED, "train"), "--device", "cpu", *flags],
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]


def test_a_run_with_an_average_writes_ema_pt_that_loads_as_a_model(tmp_path) -> None:
    _train(tmp_path, 4)
    last = torch.load(tmp_path / "ema" / "last.pt", map_location="cpu", weights_only=False)
    ema = torch.load(tmp_path / "ema" / "ema.pt", map_location="cpu", weights_only=False)
    assert ema["step"] == last["step"] == 4 and ema["averaged_weights"] == "ema 0.5" and last["ema_updates"] == 4
    key = "t_head.weight"
    assert torch.equal(ema["model_fp32"][key], last["ema_fp32"][key])
    assert not torch.equal(ema["model_fp32"][key], last["model_fp32"][key])
    model, _, _ = load_model(str(tmp_path / "ema" / "ema.pt"))
    t, a = model(torch.rand(1, 3, 64, 64))
    assert t.shape == (1, 1, 64, 64) and a.shape == (1, 3)

    # Resumed mid-phase, the average goes on rather than starting again from the live weights.
    _train(tmp_path, 6, "--resume", str(tmp_path / "ema" / "last.pt"))
    resumed = torch.load(tmp_path / "ema" / "last.pt", map_location="cpu", weights_only=False)
    assert resumed["step"] == 6 and resumed["ema_updates"] == 6
