"""Training batches made whole on the training device: the same haze as `data.make_sample`, drawn
from the same distributions, with each step done once for the batch instead of once per sample.

On the first GPU runs the GPU was 10 to 30% busy: 7 CPU workers per run, making samples one by
one (each about 50 ms of small tensor operations and a PIL JPEG), delivered about 200 samples/s.
Here only the random crops and the smooth random fields (a handful of operations each) are made
per sample; the photometric jitter, depth proxies, haze, noise and JPEG (`hazeless.jpeg`) run on
the whole batch on the device the photos were moved to (`DeviceSet`), in the training process.

The scalars are drawn from the run's `random.Random`, and the noise from a device generator
seeded from it, so a run replays from its checkpoint's streams as one without workers does. The
draws come in another order than `make_sample`'s, so the two give different samples of the same
distributions (`tests/test_batch_synthesis.py` compares them).
"""
from __future__ import annotations

import math
import random
from typing import List, Tuple

import torch
import torch.nn.functional as F

from .data import (
    BRIGHT_QUANTILE,
    CLEAR_PROB,
    Sampling,
    TrainingSet,
    _airlight,
    _geometric,
    _random_crop,
    below_bright,
    edge_aware,
    edge_aware_radius,
    sky_mask,
)
from .jpeg import jpeg_roundtrip
from .recon import grey


class DeviceSet:
    """The training photos (8-bit) and Middlebury scenes (8-bit photo, float depth) on one device."""

    def __init__(self, data: TrainingSet, device: torch.device) -> None:
        self.device = device
        self.photos = [p.to(device) for p in data.photos]
        self.depth_scenes = [(img.to(device), dep.to(device)) for img, dep in data.depth_scenes]


def _column(values: List[float], device: torch.device) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float32, device=device).reshape(-1, 1, 1, 1)


def _normalise(x: torch.Tensor) -> torch.Tensor:
    lo = x.amin(dim=(1, 2, 3), keepdim=True)
    hi = x.amax(dim=(1, 2, 3), keepdim=True)
    return (x - lo) / (hi - lo + 1e-6)


def _smooth_field(size: int, gen: torch.Generator, cells: int) -> torch.Tensor:
    """data._smooth_field on the device, for a square crop."""
    noise = torch.randn(1, 1, cells, cells, generator=gen, device=gen.device)
    return _normalise(F.interpolate(noise, size=(size, size), mode="bicubic", align_corners=False))[0]


def _crops(data: DeviceSet, batch: int, size: int, rng: random.Random, sampling: Sampling) -> Tuple[torch.Tensor, torch.Tensor, List[bool]]:
    """Photos and their measured depth (zeros where a photo has none), cropped, scaled and turned
    as make_sample does."""
    clears, depths, measured = [], [], []
    for _ in range(batch):
        use_depth = bool(data.depth_scenes) and rng.random() < 0.2
        whole = sampling.whole_scene_prob > 0 and rng.random() < sampling.whole_scene_prob
        if use_depth:
            img, dep = rng.choice(data.depth_scenes)
            clear, depth = _random_crop(img, dep, size, rng, whole)
            assert depth is not None
            clear, depth = _geometric([clear, _normalise(depth[None])[0]], rng)
        else:
            clear, _ = _random_crop(rng.choice(data.photos), None, size, rng, whole)
            (clear,) = _geometric([clear], rng)
            depth = torch.zeros(1, size, size, device=clear.device)
        clears.append(clear)
        depths.append(depth)
        measured.append(use_depth)
    return torch.stack(clears) / 255.0, torch.stack(depths), measured


def _photometric(clear: torch.Tensor, rng: random.Random) -> torch.Tensor:
    n, dev = clear.shape[0], clear.device
    exposure, gains, gamma, sat = [], [], [], []
    for _ in range(n):
        exposure.append(rng.uniform(0.8, 1.15))
        gains.append([rng.uniform(0.95, 1.05) for _ in range(3)])
        gamma.append(rng.uniform(0.85, 1.2))
        sat.append(rng.uniform(0.8, 1.2))
    c = clear * _column(exposure, dev) * torch.tensor(gains, device=dev).reshape(n, 3, 1, 1)
    c = c.clamp(0, 1) ** _column(gamma, dev)
    g = grey(c)
    return (g + (c - g) * _column(sat, dev)).clamp(0, 1)


def _proxy_depth(clear: torch.Tensor, rng: random.Random, sampling: Sampling, gen: torch.Generator) -> torch.Tensor:
    """data._proxy_depth for each photo of the batch (Nx3xSxS -> Nx1xSxS)."""
    n, _, size, _ = clear.shape
    dev = clear.device
    y = torch.linspace(0, 1, size, device=dev).reshape(1, 1, size, 1)
    x = torch.linspace(-1, 1, size, device=dev).reshape(1, 1, 1, size)
    horizon, tilt, power, fields, mixes = [], [], [], [], []
    edges: List[Tuple[int, float]] = []
    skies: List[float] = []  # per photo: -1 no sky, 0 sky pushed far, >0 a near sky at that depth share
    for _ in range(n):
        horizon.append(rng.uniform(-0.2, 0.6))
        tilt.append(rng.uniform(-0.3, 0.3))
        power.append(rng.uniform(0.5, 2.0))
        kind = rng.random()
        if kind < 0.3:
            mixes.append(1.0)
            fields.append(torch.zeros(1, size, size, device=dev))
        else:
            mixes.append(0.0 if kind < 0.55 else rng.uniform(0.3, 0.8))
            fields.append(_smooth_field(size, gen, rng.randint(2, 8)))
        edges.append(edge_aware_radius(size, rng) if rng.random() < 0.6 else (0, 0.0))
        sky = -1.0
        if rng.random() < 0.8:
            sky = 0.0
            if sampling.near_sky_prob > 0 and rng.random() < sampling.near_sky_prob:
                sky = rng.uniform(0.4, 0.9)
        skies.append(sky)
    vertical = ((1.0 - y - _column(horizon, dev) * 0.5 + _column(tilt, dev) * x * 0.3).clamp(0, 1)) ** _column(power, dev)
    mix = _column(mixes, dev)
    depth = mix * vertical + (1 - mix) * torch.stack(fields)
    for r, eps in sorted(set(e for e in edges if e[0])):
        idx = torch.tensor([i for i, e in enumerate(edges) if e == (r, eps)], device=dev)
        depth[idx] = edge_aware(depth[idx], clear[idx], r, eps)
    sky = sky_mask(clear)
    near = _column([max(s, 0.0) for s in skies], dev)
    pushed = torch.where(near > 0, depth * (1 - sky * near), torch.maximum(depth, sky))
    depth = torch.where(_column(skies, dev) >= 0, pushed, depth)
    return _normalise(depth)


def _airlights(clear: torch.Tensor, rng: random.Random, sampling: Sampling) -> torch.Tensor:
    n = clear.shape[0]
    # In chunks: torch.quantile takes at most 2^24 values at a time.
    flat = grey(clear).flatten(1)
    rows = max(1, (1 << 24) // flat.shape[1])
    bright = torch.cat([torch.quantile(part, BRIGHT_QUANTILE, dim=1) for part in flat.split(rows)]).tolist()
    out = []
    for i in range(n):
        a = _airlight(rng, sampling)
        if sampling.bright_scene_prob > 0 and rng.random() < sampling.bright_scene_prob:
            a = below_bright(a, bright[i], rng)
        out.append(a)
    return torch.stack(out).to(clear.device)


def _transmission(depth: torch.Tensor, rng: random.Random, sampling: Sampling, gen: torch.Generator) -> torch.Tensor:
    """make_sample's haze: a far transmission, a nearest point at a share of the far distance,
    sometimes patchy density; some inputs haze-free."""
    n, _, size, _ = depth.shape
    dev = depth.device
    haze = sampling.haze
    near, beta, patch = [], [], []
    for _ in range(n):
        if rng.random() < CLEAR_PROB:
            near.append(0.0)
            beta.append(0.0)
            patch.append(None)
            continue
        if rng.random() < haze.moderate_prob:
            t_far = rng.uniform(haze.moderate_min, haze.moderate_max)
        else:
            t_far = math.exp(rng.uniform(math.log(haze.t_far_min), math.log(haze.t_far_max)))
        near.append(rng.uniform(0.0, haze.near_max))
        beta.append(-math.log(t_far))
        patch.append(_smooth_field(size, gen, rng.randint(2, 5)) if rng.random() < 0.25 else None)
    density = torch.stack([0.5 + p if p is not None else torch.ones(1, size, size, device=dev) for p in patch])
    d = _column(near, dev) + (1 - _column(near, dev)) * depth
    return torch.exp(-_column(beta, dev) * density * d)


def _degrade(hazy: torch.Tensor, rng: random.Random, gen: torch.Generator) -> torch.Tensor:
    """data._degrade for the batch: signal-dependent noise, 8 bits, JPEG at quality 55 to 95."""
    n, dev = hazy.shape[0], hazy.device
    sigma, quality = [], []
    for _ in range(n):
        sigma.append(rng.uniform(0.002, 0.02) if rng.random() < 0.6 else 0.0)
        quality.append(rng.randint(55, 95) if rng.random() < 0.6 else 0)
    noise = torch.randn(hazy.shape, generator=gen, device=dev)
    hazy = hazy + noise * (_column(sigma, dev) * (0.3 + hazy).sqrt())
    hazy = (hazy.clamp(0, 1) * 255).round()
    idx = [i for i, q in enumerate(quality) if q]
    if idx:
        at = torch.tensor(idx, device=dev)
        hazy[at] = jpeg_roundtrip(hazy[at], torch.tensor([quality[i] for i in idx], device=dev))
    return hazy / 255.0


def make_batch_on_device(
    data: DeviceSet, batch: int, size: int, rng: random.Random, sampling: Sampling = Sampling()
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """(hazy, clear, t, airlight) like data.make_batch, on data's device."""
    gen = torch.Generator(device=data.device)
    gen.manual_seed(rng.randrange(1 << 62))
    clear, depth, measured = _crops(data, batch, size, rng, sampling)
    clear = _photometric(clear, rng)
    proxied = [i for i, m in enumerate(measured) if not m]
    if proxied:
        at = torch.tensor(proxied, device=clear.device)
        depth[at] = _proxy_depth(clear[at], rng, sampling, gen)
    airlight = _airlights(clear, rng, sampling)
    t = _transmission(depth, rng, sampling, gen)
    hazy = clear * t + airlight.reshape(-1, 3, 1, 1) * (1 - t)
    return _degrade(hazy, rng, gen), clear, t, airlight
