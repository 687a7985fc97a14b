"""Loss terms: L1, SSIM (Gaussian window, sigma 1.5, as in the evaluation) and per-image PSNR."""
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


def psnr_loss(pred: torch.Tensor, clear: torch.Tensor) -> torch.Tensor:
    """Minus the mean per-image PSNR (dB) of the prediction clipped to [0, 1], as the evaluation
    scores it: a mean of per-image PSNRs rewards a relative gain on an easy image as much as on a
    hard one, which L1 over the whole batch does not."""
    mse = ((pred.clamp(0, 1) - clear) ** 2).flatten(1).mean(1)
    return (10 * torch.log10(mse + 1e-8)).mean()
