"""Averaging checkpoints of one run gives the mean weights and keeps the last one's state."""
import pytest
import torch

from average import average
from hazeless.model import HazeNet


def _checkpoint(path, step: int, seed: int, widths=(8, 8, 8, 8)) -> dict:
    torch.manual_seed(seed)
    state = HazeNet(widths).state_dict()
    ckpt = {"model_fp32": state, "step": step, "config": {"widths": list(widths), "seed": seed}, "optimizer": {"step": step}}
    torch.save(ckpt, path)
    return ckpt


def test_mean_of_weights_with_the_last_state(tmp_path) -> None:
    a = _checkpoint(tmp_path / "a.pt", 100, 1)
    b = _checkpoint(tmp_path / "b.pt", 200, 2)
    out = average([str(tmp_path / "b.pt"), str(tmp_path / "a.pt")])
    assert out["averaged_from"] == [100, 200]
    assert out["averaged_seeds"] == [1, 2]  # which configs the weights came from, in step order
    assert out["step"] == 200 and out["optimizer"] == {"step": 200}
    key = "enc1.0.0.weight"
    assert torch.allclose(out["model_fp32"][key], (a["model_fp32"][key] + b["model_fp32"][key]) / 2)
    assert out["model"][key].dtype == torch.float16
    model = HazeNet((8, 8, 8, 8))
    model.load_state_dict(out["model_fp32"])  # a loadable network


def test_refuses_checkpoints_of_different_networks(tmp_path) -> None:
    _checkpoint(tmp_path / "a.pt", 100, 1)
    _checkpoint(tmp_path / "b.pt", 200, 2, widths=(8, 8, 8, 16))
    with pytest.raises(SystemExit):
        average([str(tmp_path / "a.pt"), str(tmp_path / "b.pt")])
