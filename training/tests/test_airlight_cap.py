"""The airlight cap: with it the network's airlight is never brighter than the brightest colour it
sees (as a grey level, keeping its hue); without it (every config before phase 15) the network is unchanged."""
import torch
import torch.nn.functional as F

from hazeless.model import HazeNet


def _dark_scene() -> torch.Tensor:
    torch.manual_seed(0)
    return 0.2 + 0.3 * torch.rand(1, 3, 64, 96)  # nothing brighter than 0.5: no haze seen fully


def _pushed_up(model: HazeNet) -> HazeNet:
    # The correction at its most: the airlight it regresses lies far above every pixel.
    torch.nn.init.constant_(model.a_corr[2].bias, 10.0)
    return model.eval()


def _without_cap(model: HazeNet) -> HazeNet:
    model.airlight_cap = False
    return model


def test_capped_airlight_stays_within_the_brightest_colour() -> None:
    torch.manual_seed(1)
    model = _pushed_up(HazeNet((8, 8, 8, 8), a_corr_scale=0.25, airlight_cap=True))
    hazy = _dark_scene()
    with torch.no_grad():
        _, airlight = model(hazy)
    brightest = F.avg_pool2d(hazy, 4).mean(dim=1).amax()
    assert torch.allclose(airlight.mean(), brightest)  # the correction pushed it to the bound
    with torch.no_grad():
        _, uncapped = _without_cap(model)(hazy)
    assert torch.allclose(airlight / airlight.sum(), uncapped / uncapped.sum())  # the same hue


def test_without_the_cap_the_network_is_unchanged() -> None:
    torch.manual_seed(1)
    capped = _pushed_up(HazeNet((8, 8, 8, 8), a_corr_scale=0.25, airlight_cap=True))
    plain = _pushed_up(HazeNet((8, 8, 8, 8), a_corr_scale=0.25))
    plain.load_state_dict(capped.state_dict())  # the cap adds no weights
    hazy = _dark_scene()
    with torch.no_grad():
        t_capped, a_capped = capped(hazy)
        t_plain, a_plain = plain(hazy)
    assert torch.equal(t_capped, t_plain)
    brightest = F.avg_pool2d(hazy, 4).mean(dim=1).amax()
    assert a_plain.mean() > brightest + 0.05  # the correction extrapolates above every pixel
    assert torch.allclose(a_capped.mean(), brightest)
