"""Synthetic hazy/clear pairs made on the fly from `../shared/data/train`.

Haze follows the atmospheric scattering model I = J t + A (1 - t), t = exp(-beta d), with d from
Middlebury's measured depth or, for photos without depth, from depth proxies (smooth random fields,
vertical gradients, their blends, made edge-aware with the photo as guide, and bright flat regions
near the top pushed far as sky). The hazy side then gets sensor noise, 8-bit quantisation and JPEG
compression, because real photos have all three.
"""
from __future__ import annotations

import glob
import io
import json
import math
import os
import random
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .recon import area_resize, box_mean, grey

CLEAN_FOLDERS = ("bsd200", "bsd100", "sunhays80", "urban100", "imagenet")


@dataclass
class HazeRanges:
    """How dense the haze is and how it varies with depth. The defaults are the first model's:
    mostly dense far haze over a near-clear foreground. `moderate_prob` draws instead a far
    transmission uniform in [moderate_min, moderate_max], and `near_max` lets the nearest point sit
    close to the farthest: the fairly even, moderate haze of smoggy cities (SOTS-like scenes),
    where the airlight is never seen pure and has to be inferred."""
    t_far_min: float = 0.04
    t_far_max: float = 0.92
    moderate_prob: float = 0.0
    moderate_min: float = 0.3
    moderate_max: float = 0.85
    near_max: float = 0.6


@dataclass(frozen=True)
class Sampling:
    """What a run draws, beside the photos: the airlight prior, the haze, the crops. The training
    config keeps these as top-level keys (older checkpoints record them so)."""
    airlight_min: Optional[float] = None
    airlight_uniform_prob: float = 1.0
    haze: HazeRanges = field(default_factory=HazeRanges)
    whole_scene_prob: float = 0.0
    dust_airlight_prob: float = 0.0
    near_sky_prob: float = 0.0
    bright_scene_prob: float = 0.0

    @staticmethod
    def from_config(cfg: Dict[str, Any]) -> "Sampling":
        """The keys of `cfg` named like the fields; a missing one keeps the field's default."""
        kw = {f.name: cfg[f.name] for f in fields(Sampling) if f.name in cfg}
        if "haze" in kw:
            kw["haze"] = HazeRanges(**kw["haze"])
        return Sampling(**kw)


def manifest_sampling(manifest_path: str) -> Sampling:
    """What a shipped model was trained on, from its manifest's training.config."""
    with open(manifest_path) as f:
        return Sampling.from_config(json.load(f)["training"]["config"])


@dataclass
class Sample:
    clear: torch.Tensor    # 3xHxW, the target J
    hazy: torch.Tensor     # 3xHxW, degraded I at full crop resolution
    t: torch.Tensor        # 1xHxW, the true transmission
    airlight: torch.Tensor  # 3


def _load_rgb(path: str, max_side: int) -> torch.Tensor:
    img = Image.open(path).convert("RGB")
    scale = max_side / max(img.size)
    if scale < 1:
        img = img.resize((round(img.size[0] * scale), round(img.size[1] * scale)), Image.BOX)
    return torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).contiguous()


def _fill_depth(depth: np.ndarray) -> np.ndarray:
    """Fill unknown (0) depth by repeatedly taking the largest known neighbour (holes in stereo
    depth are mostly occlusions of the farther surface)."""
    d = torch.from_numpy(depth.astype(np.float32))[None, None]
    for _ in range(64):
        missing = d == 0
        if not bool(missing.any()):
            break
        grown = F.max_pool2d(d, 3, stride=1, padding=1)
        d = torch.where(missing, grown, d)
    return d[0, 0].numpy()


class TrainingSet:
    def __init__(self, root: str, max_side: int = 640, middlebury_side: int = 700, max_photos: Optional[int] = None) -> None:
        paths = [p for folder in CLEAN_FOLDERS for p in sorted(glob.glob(os.path.join(root, "clean", folder, "*")))]
        self.photos: List[torch.Tensor] = [_load_rgb(p, max_side) for p in paths[:max_photos]]
        self.depth_scenes: List[Tuple[torch.Tensor, torch.Tensor]] = []
        scenes = sorted(glob.glob(os.path.join(root, "depth", "middlebury", "*")))
        for scene in scenes[: max(1, max_photos // 4)] if max_photos else scenes:
            # image.png in the dataset; a packed copy for another machine may hold image.jpg.
            img = Image.open(sorted(glob.glob(os.path.join(scene, "image.*")))[0]).convert("RGB")
            dep = Image.open(os.path.join(scene, "depth.png"))
            scale = middlebury_side / max(img.size)
            size = (round(img.size[0] * scale), round(img.size[1] * scale))
            img = img.resize(size, Image.BOX)
            filled = _fill_depth(np.asarray(dep).astype(np.float32))
            dep_t = torch.from_numpy(filled)[None, None]
            dep_t = F.adaptive_avg_pool2d(dep_t, (size[1], size[0]))[0]
            self.depth_scenes.append((torch.from_numpy(np.asarray(img).copy()).permute(2, 0, 1).contiguous(), dep_t))
        if not self.photos:
            raise FileNotFoundError(f"no training photos under {root}/clean")


def _smooth_field(h: int, w: int, rng: random.Random, cells: Optional[int] = None) -> torch.Tensor:
    cells = cells or rng.randint(2, 8)
    ch = max(2, round(cells * h / max(h, w)))
    cw = max(2, round(cells * w / max(h, w)))
    noise = torch.randn(1, 1, ch, cw, generator=torch.Generator().manual_seed(rng.randrange(1 << 30)))
    field = F.interpolate(noise, size=(h, w), mode="bicubic", align_corners=False)[0]
    lo, hi = field.min(), field.max()
    return (field - lo) / (hi - lo + 1e-6)


def sky_mask(clear: torch.Tensor) -> torch.Tensor:
    """Bright, flat regions weighted towards the top: likely sky, so far away. Nx3xHxW -> Nx1xHxW."""
    g = grey(clear)
    mean = box_mean(g, 4)
    std = (box_mean(g * g, 4) - mean * mean).clamp(min=0).sqrt()
    h = clear.shape[2]
    top = torch.linspace(1.0, 0.0, h, device=clear.device).reshape(1, 1, h, 1).clamp(min=0) ** 0.5
    mask = torch.sigmoid((mean - 0.45) * 12) * torch.sigmoid((0.03 - std) * 150) * top
    return box_mean(mask, 3)


def _sky_mask(clear: torch.Tensor) -> torch.Tensor:
    return sky_mask(clear[None])[0]


def edge_aware(depth: torch.Tensor, clear: torch.Tensor, r: int, eps: float) -> torch.Tensor:
    """Depth (Nx1xHxW) through a guided filter with the photo's grey as guide, so that it follows
    the photo's edges."""
    guide = grey(clear)
    mi, mp = box_mean(guide, r), box_mean(depth, r)
    a = (box_mean(guide * depth, r) - mi * mp) / (box_mean(guide * guide, r) - mi * mi + eps)
    b = mp - a * mi
    return (box_mean(a, r) * guide + box_mean(b, r)).clamp(0, 1)


def edge_aware_radius(width: int, rng: random.Random) -> Tuple[int, float]:
    return max(2, width // rng.choice([8, 16, 32])), rng.choice([1e-3, 1e-2])


def _edge_aware(depth: torch.Tensor, clear: torch.Tensor, rng: random.Random) -> torch.Tensor:
    r, eps = edge_aware_radius(clear.shape[-1], rng)
    return edge_aware(depth[None], clear[None], r, eps)[0]


def _proxy_depth(clear: torch.Tensor, rng: random.Random, sampling: Sampling = Sampling()) -> torch.Tensor:
    _, h, w = clear.shape
    y = torch.linspace(0, 1, h).reshape(1, h, 1).expand(1, h, w)
    x = torch.linspace(-1, 1, w).reshape(1, 1, w).expand(1, h, w)
    horizon = rng.uniform(-0.2, 0.6)
    tilt = rng.uniform(-0.3, 0.3)
    vertical = ((1.0 - y - horizon * 0.5 + tilt * x * 0.3).clamp(0, 1)) ** rng.uniform(0.5, 2.0)
    kind = rng.random()
    if kind < 0.3:
        depth = vertical
    elif kind < 0.55:
        depth = _smooth_field(h, w, rng)
    else:
        mix = rng.uniform(0.3, 0.8)
        depth = mix * vertical + (1 - mix) * _smooth_field(h, w, rng)
    if rng.random() < 0.6:
        depth = _edge_aware(depth, clear, rng)
    if rng.random() < 0.8:
        sky = _sky_mask(clear)
        # No draw when off, so that configs without near skies replay their old samples.
        if sampling.near_sky_prob > 0 and rng.random() < sampling.near_sky_prob:
            # A bright sky or cloud bank nearer than the haze's far end (overcast and smoggy skies,
            # sunlit clouds): it stays brighter than the airlight, so the airlight has to be read
            # from where distant objects converge, not from the brightest region.
            depth = depth * (1 - sky * rng.uniform(0.4, 0.9))
        else:
            depth = torch.maximum(depth, sky)
    lo, hi = depth.min(), depth.max()
    return (depth - lo) / (hi - lo + 1e-6)


def _random_crop(
    img: torch.Tensor, extra: Optional[torch.Tensor], size: int, rng: random.Random, whole: bool = False
) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """A square crop at a random scale; with `whole`, the largest square of the photo, so the
    network sees the whole scene as it will in the app (sky, distance and foreground together)."""
    _, h, w = img.shape
    smin = size / min(h, w)
    scale = math.exp(rng.uniform(math.log(smin), math.log(max(smin, 1.0)))) if smin < 1 else smin
    region = min(h, w) if whole else min(min(h, w), max(1, round(size / scale)))
    top = rng.randint(0, h - region)
    left = rng.randint(0, w - region)
    crop = img[:, top:top + region, left:left + region].float()[None]
    crop = F.adaptive_avg_pool2d(crop, size) if region >= size else F.interpolate(crop, size=(size, size), mode="bilinear", align_corners=False)
    out_extra = None
    if extra is not None:
        e = extra[:, top:top + region, left:left + region][None]
        out_extra = (F.adaptive_avg_pool2d(e, size) if region >= size else F.interpolate(e, size=(size, size), mode="bilinear", align_corners=False))[0]
    return crop[0], out_extra


def _geometric(tensors: List[torch.Tensor], rng: random.Random) -> List[torch.Tensor]:
    k = rng.choice([0, 0, 0, 1, 3]) if rng.random() < 0.3 else 0  # mostly upright: skies are up
    flip = rng.random() < 0.5
    out = []
    for t in tensors:
        if flip:
            t = torch.flip(t, dims=[2])
        if k:
            t = torch.rot90(t, k, dims=[1, 2])
        out.append(t)
    return out


def _photometric(clear: torch.Tensor, rng: random.Random) -> torch.Tensor:
    c = clear * rng.uniform(0.8, 1.15)
    c = c * torch.tensor([rng.uniform(0.95, 1.05) for _ in range(3)]).reshape(3, 1, 1)
    c = c.clamp(0, 1) ** rng.uniform(0.85, 1.2)
    g = grey(c[None])[0]
    sat = rng.uniform(0.8, 1.2)
    return (g + (c - g) * sat).clamp(0, 1)


def _dust_airlight(rng: random.Random) -> torch.Tensor:
    """Sand, dust and wildfire smoke: a strongly warm airlight, from yellow to orange-brown."""
    level = rng.uniform(0.55, 0.95)
    return torch.tensor([level, level * rng.uniform(0.72, 0.92), level * rng.uniform(0.4, 0.72)])


def _airlight(rng: random.Random, sampling: Sampling) -> torch.Tensor:
    """A bright, slightly tinted grey, or with dust_airlight_prob a dusty one. With airlight_min the
    brightness is, with probability airlight_uniform_prob, uniform in [airlight_min, 1] (a prior
    that haze is nearly white biases the estimate upwards on darker haze), else mostly near white."""
    # No draw when off, so that configs without dust replay their old samples.
    if sampling.dust_airlight_prob > 0 and rng.random() < sampling.dust_airlight_prob:
        return _dust_airlight(rng)
    level_min, uniform_prob = sampling.airlight_min, sampling.airlight_uniform_prob
    if level_min is not None and rng.random() < uniform_prob:
        level = rng.uniform(level_min, 1.0)
    else:
        level = max(0.6, 1.0 - abs(rng.gauss(0, 0.12)))
    spread = 0.08 if rng.random() < 0.25 else 0.03
    tint = torch.tensor([rng.uniform(-spread, spread) for _ in range(3)])
    if rng.random() < 0.15:  # smog: warm, brownish
        tint = tint + torch.tensor([0.03, 0.0, -0.06])
    return (level + tint - tint.mean() * 0.5).clamp(0.45, 1.0)


BRIGHT_QUANTILE = 0.85  # the scene's "brightest sixth" starts here
# A share of haze-free inputs, which must come out unchanged.
CLEAR_PROB = 0.08


def _below_bright_scene(airlight: torch.Tensor, clear: torch.Tensor, rng: random.Random) -> torch.Tensor:
    """The same tint at a level below the scene's brightest sixth (sunlit walls, clouds, a bright
    overcast sky at a finite distance), so those stay brighter than the haze and A has to be read
    from where distant objects converge, not from the brightest region. Half of SOTS outdoor's
    hazy images are brighter than A over a tenth of the frame; a quarter of ours were."""
    return below_bright(airlight, float(torch.quantile(grey(clear[None]).flatten(), BRIGHT_QUANTILE)), rng)


def below_bright(airlight: torch.Tensor, bright: float, rng: random.Random) -> torch.Tensor:
    """`_below_bright_scene` given the scene's BRIGHT_QUANTILE of grey."""
    if bright <= 0.65:
        return airlight
    level = rng.uniform(0.6, bright)
    return (airlight * (level / float(grey(airlight.reshape(1, 3, 1, 1))))).clamp(0.45, 1.0)


def _degrade(hazy: torch.Tensor, rng: random.Random) -> torch.Tensor:
    if rng.random() < 0.6:
        sigma = rng.uniform(0.002, 0.02)
        noise = torch.randn(hazy.shape, generator=torch.Generator().manual_seed(rng.randrange(1 << 30)))
        hazy = hazy + noise * (sigma * (0.3 + hazy).sqrt())
    hazy = (hazy.clamp(0, 1) * 255).round()
    if rng.random() < 0.6:
        arr = hazy.permute(1, 2, 0).to(torch.uint8).numpy()
        buf = io.BytesIO()
        Image.fromarray(arr).save(buf, format="JPEG", quality=rng.randint(55, 95))
        buf.seek(0)
        hazy = torch.from_numpy(np.asarray(Image.open(buf).convert("RGB")).copy()).permute(2, 0, 1).float()
    return hazy / 255.0


def make_sample(
    data: TrainingSet,
    size: int,
    rng: random.Random,
    clear_prob: float = CLEAR_PROB,
    sampling: Sampling = Sampling(),
) -> Sample:
    haze = sampling.haze
    use_depth = data.depth_scenes and rng.random() < 0.2
    # No draw when off, so that configs without whole-scene crops replay their old samples.
    whole = sampling.whole_scene_prob > 0 and rng.random() < sampling.whole_scene_prob
    if use_depth:
        img, dep = rng.choice(data.depth_scenes)
        clear, depth = _random_crop(img, dep, size, rng, whole)
        assert depth is not None
        lo, hi = depth.min(), depth.max()
        depth = (depth - lo) / (hi - lo + 1e-6)
        clear, depth = _geometric([clear, depth], rng)
    else:
        clear, _ = _random_crop(rng.choice(data.photos), None, size, rng, whole)
        (clear,) = _geometric([clear], rng)
        depth = None
    clear = _photometric(clear / 255.0, rng)
    if depth is None:
        depth = _proxy_depth(clear, rng, sampling)

    airlight = _airlight(rng, sampling)
    # No draw when off, so that older configs replay their old samples.
    if sampling.bright_scene_prob > 0 and rng.random() < sampling.bright_scene_prob:
        airlight = _below_bright_scene(airlight, clear, rng)
    if rng.random() < clear_prob:
        t = torch.ones(1, size, size)
    else:
        # Transmission of the farthest point, from dense to light haze; the nearest point sits at
        # a random fraction of that distance.
        if rng.random() < haze.moderate_prob:
            t_far = rng.uniform(haze.moderate_min, haze.moderate_max)
        else:
            t_far = math.exp(rng.uniform(math.log(haze.t_far_min), math.log(haze.t_far_max)))
        near = rng.uniform(0.0, haze.near_max)
        d = near + (1 - near) * depth
        beta = -math.log(t_far)
        if rng.random() < 0.25:  # patchy haze: density varies across the scene
            beta_map = beta * (0.5 + _smooth_field(size, size, rng, rng.randint(2, 5)))
            t = torch.exp(-beta_map * d)
        else:
            t = torch.exp(-beta * d)
    hazy = clear * t + airlight.reshape(3, 1, 1) * (1 - t)
    hazy = _degrade(hazy, rng)
    return Sample(clear=clear, hazy=hazy, t=t, airlight=airlight)


def make_batch(
    data: TrainingSet,
    batch: int,
    size: int,
    rng: random.Random,
    sampling: Sampling = Sampling(),
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    samples = [make_sample(data, size, rng, sampling=sampling) for _ in range(batch)]
    return (
        torch.stack([s.hazy for s in samples]),
        torch.stack([s.clear for s in samples]),
        torch.stack([s.t for s in samples]),
        torch.stack([s.airlight for s in samples]),
    )


def downscale(img: torch.Tensor, size: int) -> torch.Tensor:
    return area_resize(img, (size, size))
