"""Averaging checkpoints of one run gives the mean weights and keeps the last one's state."""
import pytest
import torch

from average import average
from hazeless.model import BASE_BLOCKS, HazeNet


def _checkpoint(path, step: int, seed: int, widths=(8, 8, 8, 8), blocks=BASE_BLOCKS) -> dict:
    torch.manual_seed(seed)
    state = HazeNet(widths, blocks=blocks).state_dict()
    config = {"widths": list(widths), "seed": seed, "blocks": list(blocks)}
    ckpt = {"model_fp32": state, "step": step, "config": config, "optimizer": {"step": step}}
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


def test_a_grown_network_averages_with_the_one_it_grew_from(tmp_path) -> None:
    small = _checkpoint(tmp_path / "small.pt", 100, 1)
    grown = _checkpoint(tmp_path / "grown.pt", 90, 2, blocks=(2, 3))
    new_c2 = [k for k in grown["model_fp32"] if k.startswith(("enc3.2.", "enc4.3.")) and ".c2." in k]
    for key in new_c2:  # as if trained: the new blocks no longer the identity
        grown["model_fp32"][key] = torch.randn_like(grown["model_fp32"][key])
    torch.save(grown, tmp_path / "grown.pt")
    out = average([str(tmp_path / "small.pt"), str(tmp_path / "grown.pt")])
    assert out["config"]["blocks"] == [2, 3] and out["step"] == 90  # the deepest network's state
    mean, g = out["model_fp32"], grown["model_fp32"]
    key = "enc1.0.0.weight"
    assert torch.allclose(mean[key], (small["model_fp32"][key] + g[key]) / 2)
    for key in new_c2:  # the small network's identity blocks count as zeros
        assert torch.allclose(mean[key], g[key] / 2)
    assert torch.equal(mean["enc4.3.c1.weight"], g["enc4.3.c1.weight"])
    HazeNet((8, 8, 8, 8), blocks=(2, 3)).load_state_dict(mean)


def test_the_small_network_is_the_grown_one_with_identity_blocks(tmp_path) -> None:
    _checkpoint(tmp_path / "a.pt", 100, 1)
    _checkpoint(tmp_path / "b.pt", 200, 2)
    _checkpoint(tmp_path / "g.pt", 300, 3, blocks=(2, 3))  # new blocks untrained: the identity
    three = average([str(tmp_path / p) for p in ("a.pt", "b.pt", "g.pt")])
    two = average([str(tmp_path / p) for p in ("a.pt", "b.pt")])
    x = torch.rand(1, 3, 64, 48)
    grown_net = HazeNet((8, 8, 8, 8), blocks=(2, 3)).eval()
    grown_net.load_state_dict(three["model_fp32"])
    # The mean of three networks, one of them grown but still computing the small function...
    g = torch.load(tmp_path / "g.pt", weights_only=False)["model_fp32"]
    shared = {k: (2 * two["model_fp32"][k] + g[k]) / 3 for k in two["model_fp32"] if two["model_fp32"][k].is_floating_point()}
    expected = HazeNet((8, 8, 8, 8)).eval()
    expected.load_state_dict({**two["model_fp32"], **shared})
    with torch.no_grad():
        t_grown, a_grown = grown_net(x)
        t_expected, a_expected = expected(x)
    # ...computes what the mean of their shared weights computes, its extra blocks still the identity.
    assert torch.allclose(t_grown, t_expected, atol=1e-6) and torch.allclose(a_grown, a_expected, atol=1e-6)
