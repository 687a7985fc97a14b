"""The PSNR loss term is minus the evaluation's own per-image PSNR."""
import numpy as np
import torch

from hazeless.losses import psnr_loss


def test_psnr_loss_is_minus_the_mean_per_image_psnr_of_the_clipped_output() -> None:
    gen = torch.Generator().manual_seed(0)
    clear = torch.rand(3, 3, 16, 16, generator=gen)
    # Each image off by its own amount, some values pushed outside [0, 1] where clipping counts.
    pred = clear + torch.tensor([0.01, 0.05, 0.2]).view(3, 1, 1, 1) * torch.randn(3, 3, 16, 16, generator=gen)
    clipped = pred.clamp(0, 1).numpy().astype(np.float64)
    expected = [10 * np.log10(1 / np.mean((clipped[i] - clear[i].numpy()) ** 2)) for i in range(3)]
    assert abs(float(psnr_loss(pred, clear)) + np.mean(expected)) < 1e-3


def test_psnr_loss_pushes_hardest_on_the_image_that_is_nearly_right() -> None:
    clear = torch.full((2, 3, 8, 8), 0.5)
    pred = (clear + torch.tensor([0.01, 0.1]).view(2, 1, 1, 1)).requires_grad_()
    psnr_loss(pred, clear).backward()
    # The mean of per-image PSNRs is a mean of log errors: the same relative gain counts alike.
    assert pred.grad[0].abs().mean() > 5 * pred.grad[1].abs().mean()
