"""evaluate.py --airlight: the airlight's error and the score with the true one, on SOTS outdoor."""
import os

import torch

from conftest import TRAINING
from evaluate import GivenAirlight, airlight_report, load, pairs, score, true_airlight
from hazeless.recon import dehaze

SLIDERS = {"strength": 100.0, "protect": 25.0}


def test_the_true_airlight_is_read_from_the_file_name() -> None:
    assert true_airlight("/x/sots-outdoor/hazy/0006_0.85_0.08.jpg") == 0.85
    assert true_airlight("0393_1_0.2.jpg") == 1.0


def test_the_report_measures_the_airlight_against_the_truth() -> None:
    model, params, _ = load(os.path.join(TRAINING, "checkpoints", "hazeless-v1.pt"), 256, 0.1)
    item = pairs("sots-outdoor")[0]
    level = true_airlight(item[0])
    exact = GivenAirlight(model, level)
    x = torch.rand(1, 3, 64, 64)
    with torch.no_grad():
        t, a = exact(x)
        assert torch.equal(t, model(x)[0]) and torch.all(a == level)
    # A network whose airlight is the truth has no airlight error, and scores what it scores.
    report = airlight_report(exact, params, [item], SLIDERS)
    assert abs(report["bias"]) < 1e-6 and report["mean_error"] < 1e-6
    own = score(lambda img: dehaze(exact, img, params, SLIDERS["strength"], SLIDERS["protect"])[0], [item])["psnr"]
    assert abs(report["psnr_true_airlight"] - own) < 1e-9
    # The shipped network's own airlight on this scene is measurably off.
    shipped = airlight_report(model, params, [item], SLIDERS)
    assert shipped["mean_error"] > 0.005


def test_the_report_splits_bright_scenes_from_the_rest() -> None:
    model, params, _ = load(os.path.join(TRAINING, "checkpoints", "hazeless-v1.pt"), 256, 0.1)
    items = pairs("sots-outdoor")[:6]
    report = airlight_report(model, params, items, SLIDERS)
    groups = [report[k] for k in ("bright_scenes", "other_scenes") if k in report]
    assert sum(g["images"] for g in groups) == report["images"] == 6
    # The groups are a partition: their image-weighted means are the whole set's.
    for key in ("bias", "psnr", "psnr_true_airlight"):
        assert abs(sum(g[key] * g["images"] for g in groups) / 6 - report[key]) < 1e-9
    own = score(lambda img: dehaze(model, img, params, SLIDERS["strength"], SLIDERS["protect"])[0], items)["psnr"]
    assert abs(report["psnr"] - own) < 1e-9
