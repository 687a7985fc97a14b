"""evaluate.py's clear-photo report: the mean, the median and how many photos reach 32 dB."""
import numpy as np
import pytest
import torch

from evaluate import CLEAR_TARGET_DB, clear_unchanged, psnr

CEILING = psnr(np.zeros((2, 2, 3), np.uint8), np.zeros((2, 2, 3), np.uint8))


def test_a_photo_left_alone_scores_the_ceiling_and_counts_at_the_target() -> None:
    report = clear_unchanged(lambda img: img, ["sots-indoor"], 3)
    assert report["images"] == 3 and report["at_least_32db"] == 3
    assert report["median_psnr"] == report["min_psnr"] == CEILING


def test_a_visible_change_falls_below_the_target() -> None:
    # Darkening by a tenth moves bright 8-bit values by up to 25 levels: far below the target.
    report = clear_unchanged(lambda img: img * 0.9, ["sots-indoor"], 3)
    assert report["at_least_32db"] == 0
    assert report["min_psnr"] <= report["median_psnr"] < CLEAR_TARGET_DB
    assert report["psnr"] < CLEAR_TARGET_DB


def test_a_mix_is_counted_photo_by_photo() -> None:
    calls = {"n": 0}

    def every_other(img: torch.Tensor) -> torch.Tensor:
        calls["n"] += 1
        return img if calls["n"] % 2 else img * 0.9

    report = clear_unchanged(every_other, ["sots-indoor"], 3)
    assert report["at_least_32db"] == 2 and report["median_psnr"] == CEILING
    assert report["min_psnr"] < CLEAR_TARGET_DB


def test_sots_outdoor_is_split_by_whether_its_own_clear_image_is_haze_free() -> None:
    from evaluate import pairs, read_pair, score, truth_split_lines
    from hazeless.fade import looks_haze_free

    items = pairs("sots-outdoor")[:12]
    report = score(lambda img: img, items, by_truth=True)
    free, hazy = report["hazeFreeTruth"], report["hazyTruth"]
    expected_free = sum(looks_haze_free(read_pair(h, c)[1]) for h, c in items)
    assert free["images"] == expected_free and free["images"] + hazy["images"] == 12
    assert 0 < free["images"] < 12  # both kinds of ground truth are among the first twelve
    mean = (free["psnr"] * free["images"] + hazy["psnr"] * hazy["images"]) / 12
    assert mean == pytest.approx(report["psnr"])
    assert f"{free['psnr']:.2f} dB on the {free['images']} pairs" in "\n".join(truth_split_lines(report))
