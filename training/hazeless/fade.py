"""FADE, the fog density of a photo without a reference (Choi, You and Bovik, "Referenceless
Prediction of Perceptual Fog Density and Perceptual Image Defogging", IEEE TIP 24(11), 2015).

The photo is cut into 8x8 patches; each patch gets twelve "fog-aware" statistics, log(1 + f):

     0  variance of the MSCN coefficients (local contrast normalised by a 7x7 Gaussian, sigma 7/6)
     1  variance of the non-negative products of vertically adjacent MSCN coefficients
     2  variance of the non-positive products
     3  mean local standard deviation (sharpness)
     4  mean coefficient of variation of that deviation (sigma / mu)
   5-7  mean contrast energy of grey, yellow-blue and red-green (Groen et al.'s filter bank)
     8  entropy of the grey levels
     9  mean dark channel (the darkest of R, G, B, per pixel)
    10  mean saturation (HSV)
    11  colourfulness (spread and mean of red-green and yellow-blue)

Each patch is compared, by a Mahalanobis-like distance, with two multivariate Gaussians fitted
to corpora of fog-free and of foggy photos: D_f from the fog-free one, D_ff from the foggy one,
each averaged over the patches, and the density is D_f / (D_ff + 1): lower is clearer.

Everything here follows the LIVE release (FADE.m, CE.m, 2015) step for step, including its
quirks, so that the published parameters give the published numbers: grey levels rounded as
MATLAB's rgb2gray rounds them, sample variances (N - 1), a patch's own "covariance" being the
variance across its twelve features added to every entry of the corpus covariance, and patches
with an undefined feature left out of the means. Which Gaussians are used is a parameter set
(`load_params`): `published`, the release's own (`fade_published.json`), or `fitted`, the
project's equivalent (`fade_fitted.json`, made by `training/fit_fade.py`).
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np
from scipy import ndimage

PATCH = 8
FEATURES = (
    "mscn_var", "mscn_pair_pos_var", "mscn_pair_neg_var", "sharpness", "sharpness_cv",
    "ce_grey", "ce_yb", "ce_rg", "entropy", "dark_channel", "saturation", "colourfulness",
)
HERE = os.path.dirname(os.path.abspath(__file__))
PARAMS = {"published": os.path.join(HERE, "fade_published.json"), "fitted": os.path.join(HERE, "fade_fitted.json")}


@dataclass(frozen=True)
class Gaussians:
    """The fog-free and foggy multivariate Gaussians over the twelve log features."""
    fogfree_mu: np.ndarray
    fogfree_cov: np.ndarray
    foggy_mu: np.ndarray
    foggy_cov: np.ndarray


def load_params(name: str = "published") -> Gaussians:
    with open(PARAMS.get(name, name)) as f:
        p = json.load(f)
    return Gaussians(*(np.asarray(p[k], dtype=np.float64) for k in ("fogfree_mu", "fogfree_cov", "foggy_mu", "foggy_cov")))


def _patches(x: np.ndarray) -> np.ndarray:
    """An HxW map (H, W multiples of PATCH) as one row of 64 values per patch."""
    h, w = x.shape
    return x.reshape(h // PATCH, PATCH, w // PATCH, PATCH).transpose(0, 2, 1, 3).reshape(-1, PATCH * PATCH)


def _sample_var(rows: np.ndarray) -> np.ndarray:
    """Variance along each row over its finite values, N - 1 in the denominator; 0 for a single
    value and NaN for none (as MATLAB's nanvar)."""
    ok = np.isfinite(rows)
    n = ok.sum(axis=1)
    mean = np.where(ok, rows, 0.0).sum(axis=1) / np.maximum(n, 1)
    ss = np.where(ok, rows - mean[:, None], 0.0) ** 2
    out = np.full(rows.shape[0], np.nan)
    out[n == 1] = 0.0
    many = n > 1
    out[many] = ss.sum(axis=1)[many] / (n[many] - 1)
    return out


def _gaussian_window(size: int, sigma: float) -> np.ndarray:
    r = (size - 1) / 2
    y, x = np.mgrid[-r : r + 1, -r : r + 1]
    g = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    g[g < np.finfo(float).eps * g.max()] = 0
    return g / g.sum()


def _contrast_kernel() -> np.ndarray:
    """CE.m's 20-tap second derivative of a Gaussian (sigma 3.25 px, taps -9.75..9.25)."""
    sigma = 3.25
    x = np.arange(-3 * sigma, 3 * sigma + 1e-9, 1.0)
    g = np.exp(-(x * x) / (2 * sigma * sigma)) / (np.sqrt(2 * np.pi) * sigma)
    g /= g.sum()
    k = (x * x / sigma**4 - 1 / sigma**2) * g
    k -= k.sum() / k.size
    return k / np.sum(0.5 * x * x * k)


def _convolve_same(x: np.ndarray, k: np.ndarray, axis: int) -> np.ndarray:
    """MATLAB's conv2(x, k, 'same') along one axis: zeros beyond the edges, and for an
    even-length kernel the output starts len(k)//2 samples into the full convolution."""
    n, m = x.shape[axis], k.size
    pad = [(0, 0), (0, 0)]
    pad[axis] = (m - 1 - m // 2, m // 2)
    xp = np.pad(x, pad)
    out = np.zeros_like(x)
    for i, w in enumerate(k):  # out[j] = sum_i k[i] x[j + m//2 - i]
        start = m - 1 - i
        out += w * (xp[start : start + n] if axis == 0 else xp[:, start : start + n])
    return out


def _edge_copy(x: np.ndarray, b: int) -> np.ndarray:
    """CE.m's border_in: the first b/2 and last b/2 rows, then columns, copied outside (not mirrored)."""
    h = b // 2
    x = np.concatenate([x[:h], x, x[-h:]], axis=0)
    return np.concatenate([x[:, :h], x, x[:, -h:]], axis=1)


def _contrast_energy(channel: np.ndarray, threshold: float) -> np.ndarray:
    k, b = _contrast_kernel(), 20
    padded = _edge_copy(channel, b)
    c = np.hypot(_convolve_same(padded, k, 1), _convolve_same(padded, k, 0))[b // 2 : -(b // 2), b // 2 : -(b // 2)]
    top = c.max()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = c * top / (c + top * 0.1) - threshold
    return np.where(r > 1e-7, r, 0.0)


def features(rgb: np.ndarray) -> np.ndarray:
    """The twelve log features of each 8x8 patch of an 8-bit RGB photo (HxWx3 uint8), one row per
    patch. The photo is cropped to whole patches first, as the release does."""
    if rgb.dtype != np.uint8 or rgb.ndim != 3:
        raise ValueError("FADE takes an 8-bit RGB photo")
    h, w = rgb.shape[0] // PATCH * PATCH, rgb.shape[1] // PATCH * PATCH
    if h == 0 or w == 0:
        raise ValueError("FADE needs a photo of at least 8x8 pixels")
    img = rgb[:h, :w, :3].astype(np.float64)
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    grey = np.floor(0.298936021293775 * r + 0.587043074451121 * g + 0.114020904255103 * b + 0.5)

    window = _gaussian_window(7, 7 / 6)
    mu = ndimage.correlate(grey, window, mode="nearest")
    sigma = np.sqrt(np.abs(ndimage.correlate(grey * grey, window, mode="nearest") - mu * mu))
    mscn = (grey - mu) / (sigma + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = sigma / mu
    pair = mscn * np.roll(mscn, 1, axis=0)  # each coefficient times the one above (wrapping)
    rg, yb = r - g, 0.5 * (r + g) - b

    ce_grey = _contrast_energy(0.299 * r + 0.587 * g + 0.114 * b, 9.225496406318721e-4 * 255)
    ce_yb = _contrast_energy(yb, 8.969246659629488e-4 * 255)
    ce_rg = _contrast_energy(rg, 2.069284034165411e-4 * 255)

    levels = _patches(grey).astype(np.int64)
    counts = np.zeros((levels.shape[0], 256))
    np.add.at(counts, (np.repeat(np.arange(levels.shape[0]), levels.shape[1]), levels.ravel()), 1)
    p = counts / levels.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        entropy = -np.sum(np.where(p > 0, p * np.log2(p), 0.0), axis=1)

    top = img.max(axis=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        saturation = np.where(top > 0, (top - img.min(axis=2)) / top, 0.0)
    prg, pyb = _patches(rg), _patches(yb)
    colourfulness = np.hypot(prg.std(axis=1, ddof=1), pyb.std(axis=1, ddof=1)) + 0.3 * np.hypot(prg.mean(axis=1), pyb.mean(axis=1))

    f = np.stack([
        _sample_var(_patches(mscn)),
        _sample_var(_patches(np.where(pair < 0, np.nan, pair))),
        _sample_var(_patches(np.where(pair > 0, np.nan, pair))),
        _patches(sigma).mean(axis=1),
        _patches(cv).mean(axis=1),
        _patches(ce_grey).mean(axis=1),
        _patches(ce_yb).mean(axis=1),
        _patches(ce_rg).mean(axis=1),
        entropy,
        _patches(img.min(axis=2) / 255).mean(axis=1),
        _patches(saturation).mean(axis=1),
        colourfulness,
    ], axis=1)
    with np.errstate(invalid="ignore"):
        return np.log1p(f)


def _distances(feat: np.ndarray, mu: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Each patch's distance to one Gaussian: sqrt(d ((v + C) / 2)^-1 d'), d the difference of
    the means and v the patch's variance across its own features, added to every entry of C."""
    spread = _sample_var(feat)
    d = mu[None, :] - feat
    good = np.isfinite(d).all(axis=1) & np.isfinite(spread)
    out = np.full(feat.shape[0], np.nan)
    mats = (spread[good, None, None] + cov[None]) / 2
    solved = np.linalg.solve(mats, d[good][..., None])[..., 0]
    out[good] = np.sqrt(np.maximum(np.einsum("ij,ij->i", d[good], solved), 0.0))
    return out


def density_of_features(feat: np.ndarray, params: Gaussians) -> float:
    fogfree = _distances(feat, params.fogfree_mu, params.fogfree_cov)
    foggy = _distances(feat, params.foggy_mu, params.foggy_cov)
    return float(np.nanmean(fogfree) / (np.nanmean(foggy) + 1))


def density(rgb: np.ndarray, params: Gaussians) -> float:
    """FADE of an 8-bit RGB photo (HxWx3 uint8) at its own size: lower is clearer."""
    return density_of_features(features(rgb), params)


def densities(rgb: np.ndarray, sets: Dict[str, Gaussians]) -> Dict[str, float]:
    """FADE under several parameter sets, the features computed once."""
    feat = features(rgb)
    return {name: density_of_features(feat, p) for name, p in sets.items()}


# A photo shows no aerial haze when the median of its dark channel (the least of R, G and B over
# 15x15 pixels, at the photo's own size) is at most 25/255: He et al. found 90% of a haze-free
# photo's dark channel below that level. Photos of white or bright things fail it too; the rule
# picks clear photos, it does not find all of them.
DARK_WINDOW = 15
DARK_MEDIAN_MAX = 25 / 255


def looks_haze_free(rgb: np.ndarray) -> bool:
    dark = ndimage.minimum_filter(rgb.min(axis=2) / 255.0, size=DARK_WINDOW)
    return float(np.median(dark)) <= DARK_MEDIAN_MAX


def fit(feats: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Mean and covariance (N - 1) of feature rows, those with an undefined feature left out."""
    feats = feats[np.isfinite(feats).all(axis=1)]
    return feats.mean(axis=0), np.cov(feats, rowvar=False)
