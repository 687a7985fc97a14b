"""SSIM as the evaluation computes it (Gaussian window, sigma 1.5), for the loss on J."""
from __future__ import annotations

import torch
import torch.nn.functional as F


def _gaussian_window(sigma: float = 1.5, size: int = 11) -> torch.Tensor:
    x = torch.arange(size, dtype=torch.float32) - (size - 1) / 2
    g = torch.exp(-(x ** 2) / (2 * sigma ** 2))
    g = g / g.sum()
    return (g[:, None] * g[None, :])[None, None]


_WINDOW = _gaussian_window()


def ssim(x: torch.Tensor, y: torch.Tensor, data_range: float = 1.0) -> torch.Tensor:
    c = x.shape[1]
    w = _WINDOW.to(x.device, x.dtype).expand(c, 1, -1, -1)

    def blur(z: torch.Tensor) -> torch.Tensor:
        return F.conv2d(z, w, groups=c)

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mx, my = blur(x), blur(y)
    sxx = blur(x * x) - mx * mx
    syy = blur(y * y) - my * my
    sxy = blur(x * y) - mx * my
    s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return s.mean()

