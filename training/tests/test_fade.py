"""FADE fog density (hazeless/fade.py) and evaluate.py's real-haze section."""
import os

import numpy as np
import pytest
from PIL import Image
from scipy.signal import convolve2d

from conftest import TRAINING
from evaluate import (
    REAL_SETS, fade_params, load, pairs, photos, read_pair, real_haze, real_haze_lines, really_clear, score, sots_fade,
    through_app, unchanged,
)
from hazeless import fade

SETS = [name for name, path in fade.PARAMS.items() if os.path.exists(path)]


def small(img: np.ndarray, side: int = 320) -> np.ndarray:
    pic = Image.fromarray(img)
    scale = side / max(pic.size)
    return np.asarray(pic.resize((round(pic.size[0] * scale), round(pic.size[1] * scale)), Image.BOX))


def hazed(clear: np.ndarray, t: float, airlight: float = 0.85) -> np.ndarray:
    return (np.clip(clear / 255.0 * t + airlight * (1 - t), 0, 1) * 255 + 0.5).astype(np.uint8)


@pytest.mark.parametrize("name", ["published", "fitted"])
def test_the_parameters_load_as_two_gaussians_with_fog_brightening_the_dark_channel(name: str) -> None:
    if name not in SETS:
        pytest.fail(f"{fade.PARAMS[name]} is missing: run training/fit_fade.py")
    p = fade.load_params(name)
    for mu, cov in ((p.fogfree_mu, p.fogfree_cov), (p.foggy_mu, p.foggy_cov)):
        assert mu.shape == (len(fade.FEATURES),) and cov.shape == (len(fade.FEATURES),) * 2
        assert np.allclose(cov, cov.T) and np.linalg.eigvalsh(cov).min() > 0
    dark, sharp = fade.FEATURES.index("dark_channel"), fade.FEATURES.index("sharpness")
    assert p.foggy_mu[dark] > p.fogfree_mu[dark] and p.foggy_mu[sharp] < p.fogfree_mu[sharp]


@pytest.mark.parametrize("name", SETS)
def test_haze_raises_the_density_and_denser_haze_raises_it_more(name: str) -> None:
    params = fade.load_params(name)
    for hazy_path, clear_path in pairs("sots-outdoor")[:3]:
        hazy, clear = read_pair(hazy_path, clear_path)
        clear, hazy = small(clear), small(hazy)
        d_clear, d_light, d_dense = (fade.density(img, params) for img in (clear, hazed(clear, 0.7), hazed(clear, 0.3)))
        assert d_clear < d_light < d_dense
        # SOTS's own hazy version of the scene scores above its clear image.
        assert fade.density(hazy, params) > d_clear


def test_a_flat_grey_photo_is_foggier_than_a_textured_colourful_one() -> None:
    rng = np.random.default_rng(0)
    texture = (rng.random((64, 96, 3)) * 255).astype(np.uint8)
    grey = np.full((64, 96, 3), 200, np.uint8) + (rng.random((64, 96, 1)) * 4).astype(np.uint8)
    params = fade.load_params("published")
    assert fade.density(grey, params) > 2 * fade.density(texture, params)


def test_the_contrast_filter_is_aligned_as_matlab_conv2_same() -> None:
    # For the 20-tap (even) kernel, conv2(x, k, 'same') starts 10 samples into the full convolution.
    x = np.random.default_rng(1).random((17, 33))
    k = fade._contrast_kernel()
    assert k.size == 20
    np.testing.assert_allclose(fade._convolve_same(x, k, 1), convolve2d(x, k[None, :])[:, 10:43], atol=1e-12)
    np.testing.assert_allclose(fade._convolve_same(x, k, 0), convolve2d(x, k[:, None])[10:27], atol=1e-12)


def test_the_real_haze_section_scores_input_and_model_and_reads_in_the_readme() -> None:
    model, params, _ = load(os.path.join(TRAINING, "checkpoints", "hazeless-v1.pt"))
    ours = through_app(model, params, {"strength": 100.0, "protect": 25.0})
    gaussians = fade_params()
    two = photos(REAL_SETS["real"])[:2]
    report = real_haze({"model": ours}, two, gaussians)
    assert report["images"] == 2 and set(report["photos"]) == {os.path.basename(p) for p in two}
    for scores in report["photos"].values():  # dehazing a hazy photo lowers its fog density
        assert scores["model"]["published"] < scores["input"]["published"]
    assert report["fade"]["model"]["published"] == pytest.approx(np.mean([s["model"]["published"] for s in report["photos"].values()]))
    report.pop("photos")
    clear = really_clear(limit=1)
    outdoor, outputs = pairs("sots-outdoor")[:2], {}
    score(ours, outdoor, outputs)
    v = {
        "realHaze": {"real": report},
        "sotsFade": sots_fade(outputs, outdoor, gaussians),
        "reallyClear": {name: unchanged(ours, paths) for name, paths in clear.items()},
    }
    text = "\n".join(real_haze_lines("hazeless-v1", v))
    row = next(line for line in text.splitlines() if line.startswith("| `real/` (2)"))
    assert f"{report['fade']['input']['published']:.2f}" in row and f"{report['fade']['model']['published']:.2f}" in row
    assert "2 of SOTS's clear" not in text and "- 1 of SOTS's clear images" in text
