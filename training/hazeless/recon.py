"""The reconstruction the app uses, in PyTorch: the reference for the TypeScript engine.

Every step here has a twin in `engine/` and the two must agree pixel for pixel:
  1. area-downscale the photo so its long side is at most maxSide (exact box averaging),
  2. pad with edge replication to a multiple of `multiple`, run the network, crop back,
  3. fast guided filter: coefficients at network resolution with the grey guide, box-averaged,
     bilinearly upsampled (half-pixel centres) to full size, t = a * grey(I) + b,
  4. the sliders the evaluation needs (strength 0..200 and protect; engine/adjustments.ts has
     them all): t' = 1 - k (1 - t) up to k = 1, beyond it t' = t^k no lower than the shadow bound
     (`beyond_strength`); protect raises t' by 0.75 p mask (1 - t') where the photo is bright and
     flat, for the colour of the recovery only,
  5. J = (I - A) / max(t', t0) + A; with a detail threshold (manifest reconstruction.detail), J =
     (B - A) / max(t', t0) + A + (I - B), where the base layer B is each channel through a
     self-guided filter whose coefficients are made at network size like t's: what lies below the
     threshold (sensor noise, JPEG blocks, faint texture) keeps its contrast instead of being
     multiplied by 1/t, which in dense haze made skies grainy and blocky.
With an airlight floor (manifest reconstruction.airlightFloor), step 2 is followed by moving A
towards white just far enough that all but a small share of the guided filter's windows come out
no brighter than white once dehazed (`airlight_floor`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional, Tuple

import torch
import torch.nn.functional as F

LUMA = (0.2126, 0.7152, 0.0722)
# engine/adjustments.ts PROTECT_MAX_RAISE: at protect 100 in a fully sky-like pixel, this share of
# the colour of the haze removal is given back.
PROTECT_MAX_RAISE = 0.75
# engine/adjustments.ts: the top of the strength range, and the share of its strength-100 luma a
# pixel keeps there (shadowBound).
MAX_STRENGTH = 200
LUMA_KEPT_AT_MAX_STRENGTH = 0.5


@dataclass(frozen=True)
class ReconParams:
    max_side: int = 512
    multiple: int = 16
    t0: float = 0.05
    radius_fraction: float = 0.02  # of the long side at network resolution
    epsilon: float = 1e-3
    detail_epsilon: float = 0.0  # variance below which a channel's detail is not amplified; 0: off
    # Share of the guided filter's windows allowed to come out brighter than white (0: no floor),
    # and the mean transmission at and above which a window says too little about A to count.
    airlight_floor_share: float = 0.0
    airlight_floor_max_t: float = 0.95


def network_size(height: int, width: int, max_side: int) -> Tuple[int, int]:
    scale = min(1.0, max_side / max(height, width))
    return max(1, round(height * scale)), max(1, round(width * scale))


def area_resize(img: torch.Tensor, size: Tuple[int, int]) -> torch.Tensor:
    """Box average over each output pixel's footprint; the same as adaptive average pooling."""
    if tuple(img.shape[-2:]) == tuple(size):
        return img
    return F.adaptive_avg_pool2d(img, size)


def grey(img: torch.Tensor) -> torch.Tensor:
    return LUMA[0] * img[:, 0:1] + LUMA[1] * img[:, 1:2] + LUMA[2] * img[:, 2:3]


def _box_sum(x: torch.Tensor, r: int, dim: int) -> torch.Tensor:
    """Sum over a window of 2r+1 along `dim`, zero outside; O(1) per pixel via a running sum."""
    n = x.shape[dim]
    pad = [0, 0] * (x.dim() - 1 - dim % x.dim()) + [r + 1, r]
    c = torch.cumsum(F.pad(x, pad), dim=dim)
    return c.narrow(dim, 2 * r + 1, n) - c.narrow(dim, 0, n)


def box_mean(x: torch.Tensor, r: int) -> torch.Tensor:
    """Mean over a (2r+1)^2 window clipped to the image (windows shrink at the borders)."""
    if r <= 0:
        return x
    h, w = x.shape[-2:]
    ones = torch.ones(1, 1, h, w, dtype=x.dtype, device=x.device)
    count = _box_sum(_box_sum(ones, r, 3), r, 2)
    return _box_sum(_box_sum(x, r, 3), r, 2) / count


def guide_radius(height: int, width: int, radius_fraction: float) -> int:
    return max(1, int(math.floor(radius_fraction * max(height, width) + 0.5)))


def guide_statistics(guide_lr: torch.Tensor, r: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """Local mean and variance of the guide: shared by the guided filter and the protect mask."""
    mean_i = box_mean(guide_lr, r)
    return mean_i, box_mean(guide_lr * guide_lr, r) - mean_i * mean_i


def guided_coefficients(guide_lr: torch.Tensor, t_lr: torch.Tensor, r: int, eps: float) -> Tuple[torch.Tensor, torch.Tensor]:
    mean_i, var_i = guide_statistics(guide_lr, r)
    if t_lr is guide_lr:  # a self-guided filter (the detail base layer): cov(I, I) = var(I)
        mean_p, cov_ip = mean_i, var_i
    else:
        mean_p = box_mean(t_lr, r)
        cov_ip = box_mean(guide_lr * t_lr, r) - mean_i * mean_p
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return box_mean(a, r), box_mean(b, r)


def upsample_transmission(img_lr: torch.Tensor, t_lr: torch.Tensor, img_hr: torch.Tensor, params: ReconParams) -> torch.Tensor:
    h, w = t_lr.shape[-2:]
    r = guide_radius(h, w, params.radius_fraction)
    a, b = guided_coefficients(grey(img_lr), t_lr, r, params.epsilon)
    size = img_hr.shape[-2:]
    a_hr = F.interpolate(a, size=size, mode="bilinear", align_corners=False)
    b_hr = F.interpolate(b, size=size, mode="bilinear", align_corners=False)
    return torch.clamp(a_hr * grey(img_hr) + b_hr, 0.0, 1.0)


def smoothstep(lo: float, hi: float, x: torch.Tensor) -> torch.Tensor:
    u = ((x - lo) / (hi - lo)).clamp(0.0, 1.0)
    return u * u * (3 - 2 * u)


def protect_mask(img_lr: torch.Tensor, airlight: torch.Tensor, params: ReconParams) -> torch.Tensor:
    """engine/protect-mask.ts: bright relative to the airlight and locally flat (sky, haze veils),
    where dividing by a small t amplifies noise, JPEG blocks and banding; at network size."""
    h, w = img_lr.shape[-2:]
    r = guide_radius(h, w, params.radius_fraction)
    mean, var = guide_statistics(grey(img_lr), r)
    luma_a = grey(airlight.reshape(-1, 3, 1, 1)).clamp(min=1e-3)
    bright = smoothstep(0.6, 0.9, mean / luma_a)
    flat = 1 - smoothstep(0.008, 0.04, var.clamp(min=0).sqrt())
    return box_mean(bright * flat, r)


def adjust_transmission(t_hr: torch.Tensor, strength: float) -> torch.Tensor:
    """Strength scales the haze removed, beyond 100 the optical depth (engine/adjustments.ts)."""
    if not 0 <= strength <= MAX_STRENGTH:
        raise ValueError(f"the reference reconstruction implements strength 0..{MAX_STRENGTH} only")
    k = strength / 100
    return 1 - k * (1 - t_hr) if k <= 1 else t_hr.clamp(min=0) ** k


def protect_colour(t: torch.Tensor, mask_hr: torch.Tensor, protect: float) -> torch.Tensor:
    """The t the colour of the haze removal is recovered with: t raised in sky-like areas."""
    return t + PROTECT_MAX_RAISE * (protect / 100) * mask_hr * (1 - t)


def beyond_strength(t: torch.Tensor, t100: torch.Tensor, base: torch.Tensor, airlight: torch.Tensor, strength: float) -> torch.Tensor:
    """Strength beyond 100: t no lower than the t at which J's luma keeps `kept` of its luma at
    strength 100 (engine/adjustments.ts shadowBound), nor than t100 where that is lower. `base`
    is the base layer, or the photo without one."""
    kept = 1 - (1 - LUMA_KEPT_AT_MAX_STRENGTH) * min(1.0, max(0.0, (strength - 100) / (MAX_STRENGTH - 100)))
    luma = grey(base)
    luma_a = grey(airlight.reshape(-1, 3, 1, 1))
    j100 = luma_a + (luma - luma_a) / t100.clamp(min=1e-12)
    room = luma_a - kept * j100.clamp(min=0)
    bound = torch.minimum((luma_a - luma) / room.clamp(min=1e-12), t100)
    bound = torch.where((luma >= luma_a) | (t100 <= 0) | (room <= 0), torch.zeros_like(bound), bound)
    return torch.maximum(t, bound)


def base_layer(img_lr: torch.Tensor, img_hr: torch.Tensor, params: ReconParams) -> torch.Tensor:
    """B = a I + b per channel, a and b from the channel guiding itself at network size (so edges
    and shading stay in B), bilinearly upsampled like t's coefficients (engine/estimate.ts)."""
    h, w = img_lr.shape[-2:]
    r = guide_radius(h, w, params.radius_fraction)
    a, b = guided_coefficients(img_lr, img_lr, r, params.detail_epsilon)
    size = img_hr.shape[-2:]
    a_hr = F.interpolate(a, size=size, mode="bilinear", align_corners=False)
    b_hr = F.interpolate(b, size=size, mode="bilinear", align_corners=False)
    return a_hr * img_hr + b_hr


def recover(
    img_hr: torch.Tensor,
    t_hr: torch.Tensor,
    airlight: torch.Tensor,
    t0: float,
    base: Optional[torch.Tensor] = None,
    t_colour: Optional[torch.Tensor] = None,
) -> torch.Tensor:
    """J = I + (B - A) (1 / max(t, t0) - 1), B the base layer (or I: J = (I - A) / max(t, t0) + A).
    With t_colour (protect), D = B - A is split into its luma and the rest: the luma is recovered
    with t, the rest (the colour) with t_colour, as engine/render.ts does."""
    a = airlight.reshape(airlight.shape[0], 3, 1, 1) if airlight.dim() == 2 else airlight
    d = (img_hr if base is None else base) - a
    s = 1 / torch.clamp(t_hr, min=t0) - 1
    if t_colour is None:
        return img_hr + d * s
    s_colour = 1 / torch.clamp(t_colour, min=t0) - 1
    return img_hr + d * s_colour + grey(d) * (s - s_colour)


def airlight_floor(img_lr: torch.Tensor, t_lr: torch.Tensor, airlight: torch.Tensor, share: float, max_t: float, r: int) -> torch.Tensor:
    """A scene is never brighter than white, so J = (I - A) / t + A <= 1 asks A (1 - t) >= I - t
    of every hazy pixel: a near-white hazy sky means near-white haze. The network's A is drawn
    towards the middle of the airlights it was trained on and comes out too dark in white haze,
    where it leaves the sky brighter than white; this moves it towards white (its distance from
    white scaled, so its tint keeps its direction) until its grey (the guide's luma) reaches the
    bound that all but `share` of the windows meet.
    The bound is taken over the guided filter's windows (radius r): averaging the pixels' bounds'
    terms, A (1 - mean t) >= mean I - mean t, still follows from J <= 1, while a spot brighter than
    white only in a few pixels (a light source, a highlight: J beyond white) is averaged down, and
    so is noise. Windows whose mean t is at least max_t count for nothing: there 1 - t is too small
    for t's error."""
    y = box_mean(grey(img_lr), r)
    t = box_mean(t_lr, r)
    # Windows that do not count get a bound below any airlight (finite, so that no branch of the
    # where holds an infinity).
    bound = torch.where(t < max_t, (y - t) / (1 - t).clamp(min=1e-6), torch.full_like(y, -1e3)).flatten(1)
    k = max(1, math.ceil(share * bound.shape[1]))
    floor = torch.topk(bound, k, dim=1).values[:, -1]
    level = grey(airlight.reshape(-1, 3, 1, 1)).flatten()
    # Luma is linear: 1 - grey(A') = keep (1 - grey(A)) puts A' exactly on the bound; a floor at or
    # below A's luma keeps it (keep = 1).
    floor = torch.minimum(torch.maximum(floor, level), torch.ones_like(level))
    keep = (1 - floor) / (1 - level).clamp(min=1e-6)
    return 1 - keep[:, None] * (1 - airlight)


def pad_to_multiple(img: torch.Tensor, multiple: int) -> torch.Tensor:
    h, w = img.shape[-2:]
    ph = (multiple - h % multiple) % multiple
    pw = (multiple - w % multiple) % multiple
    if ph == 0 and pw == 0:
        return img
    return F.pad(img, (0, pw, 0, ph), mode="replicate")


@torch.no_grad()
def run_network(model: torch.nn.Module, img_lr: torch.Tensor, multiple: int) -> Tuple[torch.Tensor, torch.Tensor]:
    h, w = img_lr.shape[-2:]
    t, a = model(pad_to_multiple(img_lr, multiple))
    return t[:, :, :h, :w], a


@torch.no_grad()
def dehaze(
    model: torch.nn.Module, img_hr: torch.Tensor, params: ReconParams, strength: float = 100, protect: float = 0
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Full app path on a 1x3xHxW sRGB tensor in [0,1]. Returns (J clamped to [0,1], t_hr before
    the sliders, A)."""
    h, w = img_hr.shape[-2:]
    img_lr = area_resize(img_hr, network_size(h, w, params.max_side))
    t_lr, airlight = run_network(model, img_lr, params.multiple)
    if params.airlight_floor_share > 0:
        r = guide_radius(*img_lr.shape[-2:], params.radius_fraction)
        airlight = airlight_floor(img_lr, t_lr, airlight, params.airlight_floor_share, params.airlight_floor_max_t, r)
    t_hr = upsample_transmission(img_lr, t_lr, img_hr, params)
    t = t_hr if strength == 100 else adjust_transmission(t_hr, strength)
    base = base_layer(img_lr, img_hr, params) if params.detail_epsilon > 0 else None
    if strength > 100:
        t = beyond_strength(t, t_hr, img_hr if base is None else base, airlight, strength)
    t_colour = None
    if protect:
        mask_hr = F.interpolate(protect_mask(img_lr, airlight, params), size=img_hr.shape[-2:], mode="bilinear", align_corners=False)
        t_colour = protect_colour(t, mask_hr, protect)
    j = recover(img_hr, t, airlight, params.t0, base, t_colour)
    return torch.clamp(j, 0.0, 1.0), t_hr, airlight
