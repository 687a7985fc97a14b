"""The haze estimation network: a small U-Net that predicts transmission t and airlight A.

It runs on a downscaled copy of the photo. t comes out at the input resolution; A is a single
colour, taken as an attention-weighted average of the input's own pixels plus a small learned
correction, because the airlight is visible in the image (sky, distant haze) and reading its
colour from pixels is far more precise than regressing it from pooled features. With
`airlight_cap` A is also never brighter than the brightest colour the network sees.
"""
from __future__ import annotations

from typing import Any, Dict, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv(cin: int, cout: int, stride: int = 1, dilation: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation),
        nn.LeakyReLU(0.1, inplace=True),
    )


class ResBlock(nn.Module):
    def __init__(self, ch: int, dilation: int = 1) -> None:
        super().__init__()
        self.c1 = nn.Conv2d(ch, ch, 3, padding=dilation, dilation=dilation)
        self.c2 = nn.Conv2d(ch, ch, 3, padding=1)
        self.act = nn.LeakyReLU(0.1, inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.c2(self.act(self.c1(x)))


# Residual blocks at 1/8 and 1/16 of the first network; more can be added to a trained one.
BASE_BLOCKS = (1, 2)


def _res_blocks(ch: int, count: int, dilations: Tuple[int, ...], base: int) -> list:
    blocks = []
    for i in range(count):
        block = ResBlock(ch, dilations[i % len(dilations)])
        if i >= base:
            # A block beyond the first network's starts as the identity, so a trained network grows
            # without forgetting; the first network's blocks keep their old initialisation, so its
            # configs replay exactly.
            nn.init.zeros_(block.c2.weight)
            nn.init.zeros_(block.c2.bias)
        blocks.append(block)
    return blocks


class HazeNet(nn.Module):
    MULTIPLE = 16

    def __init__(
        self,
        widths: Tuple[int, int, int, int] = (16, 32, 64, 96),
        a_corr_scale: float = 0.1,
        blocks: Tuple[int, int] = BASE_BLOCKS,
        airlight_cap: bool = False,
    ) -> None:
        super().__init__()
        self.a_corr_scale = a_corr_scale
        self.airlight_cap = airlight_cap
        w1, w2, w3, w4 = widths
        self.widths = widths
        self.blocks = blocks
        self.enc1 = nn.Sequential(conv(3, w1, 2), conv(w1, w1))            # 1/2
        self.enc2 = nn.Sequential(conv(w1, w2, 2), conv(w2, w2))           # 1/4
        self.enc3 = nn.Sequential(conv(w2, w3, 2), *_res_blocks(w3, blocks[0], (1, 2), BASE_BLOCKS[0]))  # 1/8
        self.enc4 = nn.Sequential(conv(w3, w4, 2), *_res_blocks(w4, blocks[1], (2, 4, 1), BASE_BLOCKS[1]))  # 1/16
        self.act = nn.LeakyReLU(0.1, inplace=True)
        # Global context: how hazy the whole scene is, broadcast back to every position.
        self.glob = nn.Sequential(nn.Linear(2 * w4, w4), nn.LeakyReLU(0.1, inplace=True), nn.Linear(w4, w4))
        self.lat3 = nn.Conv2d(w4, w3, 1)
        self.dec3 = conv(w3, w3)
        self.lat2 = nn.Conv2d(w3, w2, 1)
        self.dec2 = conv(w2, w2)
        self.lat1 = nn.Conv2d(w2, w1, 1)
        self.dec1 = conv(w1, w1)
        self.t_head = nn.Conv2d(w1, 1, 3, padding=1)
        # Airlight: where to look (logits per 1/4 position) and a small colour correction.
        self.a_logits = nn.Conv2d(w2, 1, 3, padding=1)
        self.a_corr = nn.Sequential(nn.Linear(2 * w4 + 3, 32), nn.LeakyReLU(0.1, inplace=True), nn.Linear(32, 3))
        nn.init.zeros_(self.a_corr[2].weight)
        nn.init.zeros_(self.a_corr[2].bias)
        nn.init.constant_(self.t_head.bias, 1.0)

    @classmethod
    def from_config(cls, cfg: Dict[str, Any]) -> "HazeNet":
        """The network a training config (or a checkpoint's, which may predate some keys) describes."""
        return cls(
            tuple(cfg["widths"]), cfg.get("a_corr_scale", 0.1), tuple(cfg.get("blocks", BASE_BLOCKS)), cfg.get("airlight_cap", False)
        )

    def forward(self, hazy: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        x = hazy * 2.0 - 1.0
        e1 = self.enc1(x)
        e2 = self.enc2(e1)
        e3 = self.enc3(e2)
        e4 = self.enc4(e3)
        pooled = torch.cat([e4.mean(dim=(2, 3)), e4.amax(dim=(2, 3))], dim=1)
        g = self.glob(pooled)
        e4 = self.act(e4 + g[:, :, None, None])
        d3 = self.dec3(e3 + F.interpolate(self.lat3(e4), size=e3.shape[2:], mode="bilinear", align_corners=False))
        d2 = self.dec2(e2 + F.interpolate(self.lat2(d3), size=e2.shape[2:], mode="bilinear", align_corners=False))
        d1 = self.dec1(e1 + F.interpolate(self.lat1(d2), size=e1.shape[2:], mode="bilinear", align_corners=False))
        t_half = self.t_head(d1)
        t_full = F.interpolate(t_half, size=hazy.shape[2:], mode="bilinear", align_corners=False)
        transmission = 0.02 + 0.98 * torch.sigmoid(t_full)

        # Attention over the input pixels at 1/4 scale (area-averaged input colours).
        logits = self.a_logits(d2)
        n = logits.shape[0]
        weights = torch.softmax(logits.reshape(n, -1), dim=1)
        small = F.avg_pool2d(hazy, 4)
        colours = small.reshape(n, 3, -1)
        picked = torch.sum(colours * weights[:, None, :], dim=2)
        corr = self.a_corr_scale * torch.tanh(self.a_corr(torch.cat([pooled, picked], dim=1)))
        airlight = picked + corr
        if self.airlight_cap:
            # No brighter than the brightest colour seen (grey level, at 1/4 scale), as in the
            # classical estimates: above it the correction extrapolates, and where a bright sky
            # is nearer than the haze's far end it overshoots and darkens that sky. Scaled as a
            # whole, so that the cap keeps the haze's hue (capping channels apart tints it).
            brightest = colours.mean(dim=1).amax(dim=1, keepdim=True)
            level = airlight.mean(dim=1, keepdim=True)
            airlight = airlight * torch.clamp(brightest / level.clamp(min=1e-3), max=1.0)
        airlight = torch.clamp(airlight, 0.05, 1.0)
        return transmission, airlight


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


def count_macs(model: nn.Module, height: int = 384, width: int = 512) -> int:
    """Multiply-accumulates of convolutions and linear layers for one forward pass."""
    macs = 0

    def conv_hook(mod: nn.Conv2d, _inp, out) -> None:
        nonlocal macs
        k = mod.kernel_size[0] * mod.kernel_size[1] * (mod.in_channels // mod.groups)
        macs += int(out.numel() * k)

    def lin_hook(mod: nn.Linear, _inp, out) -> None:
        nonlocal macs
        macs += int(out.numel() * mod.in_features)

    hooks = []
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(lin_hook))
    with torch.no_grad():
        model(torch.rand(1, 3, height, width))
    for h in hooks:
        h.remove()
    return macs
