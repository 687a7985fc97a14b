"""Training through the airlight floor (config `airlight_floor`): finite gradients whether or not
the floor acts, and a run whose losses and weights stay finite."""
import math
import os
import re
import subprocess
import sys

import torch

from conftest import SHARED, TRAINING
from hazeless.recon import airlight_floor


def test_gradients_are_finite_when_the_floor_acts_and_when_no_window_counts() -> None:
    torch.manual_seed(0)
    img = torch.rand(2, 3, 40, 40) * 0.3 + 0.7
    for t_min, acts in ((0.2, True), (0.97, False)):
        t = (torch.rand(2, 1, 40, 40) * 0.3 + t_min).clamp(max=1).requires_grad_()
        a = torch.tensor([[0.7, 0.7, 0.72], [0.99, 0.99, 0.99]], requires_grad=True)
        out = airlight_floor(img, t, a, 0.001, 0.95, 3)
        out.sum().backward()
        assert bool(torch.isfinite(t.grad).all()) and bool(torch.isfinite(a.grad).all())
        # The dark airlight is raised only where hazy windows count; the white one never.
        assert bool((out[0] > a[0] + 0.05).all()) == acts
        assert torch.allclose(out[1], a[1])


def test_a_run_through_the_floor_keeps_finite_losses(tmp_path) -> None:
    config = tmp_path / "floor.json"
    config.write_text('{"airlight_floor": 0.001, "airlight_cap": true, "net_sizes": [64], "hr_factors": [1.0], "log_every": 1}')
    run = subprocess.run(
        [sys.executable, os.path.join(TRAINING, "train.py"), "--config", str(config), "--run", "floor", "--runs-dir", str(tmp_path),
         "--steps", "4", "--batch", "4", "--max-photos", "4", "--data", os.path.join(SHARED, "train"), "--device", "cpu"],
        capture_output=True, text=True, env=dict(os.environ, OMP_NUM_THREADS=os.environ.get("OMP_NUM_THREADS", "2")), timeout=600,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    losses = [float(v) for v in re.findall(r"\bloss (\S+)", run.stdout)]
    assert len(losses) == 4 and all(math.isfinite(v) for v in losses)
    last = torch.load(tmp_path / "floor" / "last.pt", map_location="cpu", weights_only=False)
    assert all(bool(torch.isfinite(v).all()) for v in last["model_fp32"].values())
