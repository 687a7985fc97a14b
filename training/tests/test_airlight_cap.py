"""The airlight cap: with it the network's airlight is never brighter than the brightest colour it
sees (as a grey level, keeping its hue); without it (the configs that reproduce the shipped
weights; the cap is added at export) the network is unchanged."""
from typing import Tuple

import torch
import torch.nn.functional as F

from hazeless.model import HazeNet


def _twins() -> Tuple[HazeNet, HazeNet]:
    """The same weights with and without the cap; the correction at its most, so that the airlight
    it regresses lies far above every pixel."""
    torch.manual_seed(1)
    capped = HazeNet((8, 8, 8, 8), a_corr_scale=0.25, airlight_cap=True)
    torch.nn.init.constant_(capped.a_corr[2].bias, 10.0)
    plain = HazeNet((8, 8, 8, 8), a_corr_scale=0.25)
    plain.load_state_dict(capped.state_dict())  # the cap adds no weights
    return capped.eval(), plain.eval()


def _dark_scene() -> torch.Tensor:
    torch.manual_seed(0)
    return 0.2 + 0.3 * torch.rand(1, 3, 64, 96)  # nothing brighter than 0.5: no haze seen fully


def test_the_capped_airlight_is_the_brightest_colour_seen_with_the_same_hue() -> None:
    capped, plain = _twins()
    hazy = _dark_scene()
    with torch.no_grad():
        _, a_capped = capped(hazy)
        _, a_plain = plain(hazy)
    brightest = F.avg_pool2d(hazy, 4).mean(dim=1).amax()  # what the attention picks from, as grey
    assert a_plain.mean() > brightest + 0.05  # uncapped, the correction extrapolates above every pixel
    assert torch.allclose(a_capped.mean(), brightest)
    assert torch.allclose(a_capped / a_capped.sum(), a_plain / a_plain.sum())


def test_the_cap_changes_nothing_but_an_airlight_above_the_bound() -> None:
    capped, plain = _twins()
    torch.manual_seed(2)
    bright = torch.rand(1, 3, 64, 96)
    bright[:, :, :16] = 1.0  # a white sky: the bound is 1, above anything the airlight can be
    with torch.no_grad():
        t_capped, a_capped = capped(bright)
        t_plain, a_plain = plain(bright)
    assert torch.equal(t_capped, t_plain)
    assert torch.equal(a_capped, a_plain)
