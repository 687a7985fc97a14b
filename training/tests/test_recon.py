"""The reconstruction the app uses: box means, area downscale, guided filter, haze model."""
import numpy as np
import torch

from hazeless.recon import (
    ReconParams, airlight_floor, area_resize, base_layer, box_mean, dehaze, grey, guide_radius, network_size, recover, upsample_transmission,
)


def brute_box_mean(x: np.ndarray, r: int) -> np.ndarray:
    h, w = x.shape
    out = np.zeros_like(x)
    for i in range(h):
        for j in range(w):
            out[i, j] = x[max(0, i - r): i + r + 1, max(0, j - r): j + r + 1].mean()
    return out


def test_box_mean_matches_clipped_windows() -> None:
    rng = np.random.default_rng(0)
    x = rng.random((23, 31)).astype(np.float32)
    for r in (1, 2, 5, 12):
        got = box_mean(torch.from_numpy(x)[None, None], r)[0, 0].numpy()
        np.testing.assert_allclose(got, brute_box_mean(x, r), atol=2e-6)


def test_area_resize_is_block_average_for_integer_factors() -> None:
    x = torch.rand(1, 3, 40, 60)
    got = area_resize(x, (10, 15))
    ref = x.reshape(1, 3, 10, 4, 15, 4).mean(dim=(3, 5))
    assert torch.allclose(got, ref, atol=1e-6)


def test_network_size_keeps_aspect_and_limits_long_side() -> None:
    assert network_size(4000, 6000, 512) == (341, 512)
    assert network_size(413, 550, 512) == (384, 512)
    assert network_size(300, 200, 512) == (300, 200)


def test_true_transmission_and_airlight_invert_the_haze_model() -> None:
    clear = torch.rand(1, 3, 32, 48)
    t = 0.2 + 0.8 * torch.rand(1, 1, 32, 48)
    airlight = torch.tensor([[0.9, 0.88, 0.85]])
    hazy = clear * t + airlight.reshape(1, 3, 1, 1) * (1 - t)
    assert torch.allclose(recover(hazy, t, airlight, 0.05), clear, atol=1e-5)


def test_guided_upsampling_reproduces_a_constant_transmission_and_follows_edges() -> None:
    params = ReconParams()
    img = torch.full((1, 3, 64, 64), 0.3)
    img[..., :, 32:] = 0.9  # a vertical edge
    lr = area_resize(img, (16, 16))
    t_const = torch.full((1, 1, 16, 16), 0.6)
    assert torch.allclose(upsample_transmission(lr, t_const, img, params), torch.full((1, 1, 64, 64), 0.6), atol=1e-5)
    t_edge = torch.where(lr[:, :1] > 0.5, torch.tensor(0.8), torch.tensor(0.3))
    up = upsample_transmission(lr, t_edge, img, params)
    # Full-resolution t is sharp at the edge: the pixels either side differ almost by the full step.
    assert float(up[0, 0, 10, 33] - up[0, 0, 10, 30]) > 0.4
    assert guide_radius(16, 16, params.radius_fraction) == 1


class _FixedHaze(torch.nn.Module):
    """A stand-in network: uniform t and a grey airlight, so the sliders' effect is known."""

    def __init__(self, t: float, airlight: float) -> None:
        super().__init__()
        self.t, self.airlight = t, airlight

    def forward(self, x: torch.Tensor):
        return torch.full_like(x[:, :1], self.t), torch.full((x.shape[0], 3), self.airlight)


def _sky_over_texture(h: int = 96, w: int = 128) -> torch.Tensor:
    """A bright flat sky above a dark textured ground."""
    g = torch.Generator().manual_seed(3)
    img = torch.empty(1, 3, h, w)
    img[:, :, : h // 2] = 0.85
    img[:, :, h // 2 :] = 0.2 + 0.3 * torch.rand(1, 3, h - h // 2, w, generator=g)
    return img


def test_strength_zero_returns_the_input_and_protect_zero_changes_nothing() -> None:
    img = _sky_over_texture()
    params = ReconParams(max_side=64)
    model = _FixedHaze(0.4, 0.9)
    assert torch.allclose(dehaze(model, img, params, strength=0)[0], img, atol=1e-6)
    assert torch.equal(dehaze(model, img, params, protect=0)[0], dehaze(model, img, params)[0])


def test_protect_gives_back_the_colour_of_the_removal_in_the_flat_bright_sky_only() -> None:
    img = _sky_over_texture()
    img[:, 0, :48] -= 0.05  # a bluish sky under grey haze: its colour difference is what 1/t amplifies
    img[:, 2, :48] += 0.05
    params = ReconParams(max_side=64)
    model = _FixedHaze(0.4, 0.9)
    full = dehaze(model, img, params)[0]
    kept = dehaze(model, img, params, protect=100)[0]
    sky, ground = slice(0, 30), slice(66, 96)

    def colour(x: torch.Tensor) -> torch.Tensor:
        return x - grey(x)

    # In the sky the colour's change shrinks by up to PROTECT_MAX_RAISE of the removal; its luma
    # is dehazed in full (protect does not keep sky-like fog).
    sky_full = (colour(full[:, :, sky]) - colour(img[:, :, sky])).abs().mean()
    sky_kept = (colour(kept[:, :, sky]) - colour(img[:, :, sky])).abs().mean()
    assert float(sky_kept) < 0.5 * float(sky_full)
    assert torch.allclose(grey(kept[:, :, sky]), grey(full[:, :, sky]), atol=1e-5)
    assert torch.allclose(kept[:, :, ground], full[:, :, ground], atol=1e-6)


def test_detail_threshold_keeps_faint_grain_and_restores_edges_in_full() -> None:
    """Below the threshold (grain on a flat veil) detail keeps its input contrast; a strong edge
    is in the base layer and gets the full 1/t of the haze model."""
    g = torch.Generator().manual_seed(3)
    h, w = 96, 128
    img = torch.full((1, 3, h, w), 0.7)
    img[..., :, w // 2:] = 0.4  # an edge between two flat areas
    grain = 0.004 * torch.randn(1, 3, h, w, generator=g)
    hazy = img + grain
    t = torch.full((1, 1, h, w), 0.25)
    airlight = torch.tensor([[0.8, 0.8, 0.8]])
    params = ReconParams(max_side=32, t0=0.05, detail_epsilon=1e-4)
    base = base_layer(area_resize(hazy, network_size(h, w, params.max_side)), hazy, params)
    plain = recover(hazy, t, airlight, params.t0)
    kept = recover(hazy, t, airlight, params.t0, base)
    flat = (slice(None), slice(None), slice(8, -8), slice(8, w // 2 - 16))
    residual = kept[flat] - box_mean(kept, 2)[flat]
    assert residual.std() < 1.5 * (grain[flat] - box_mean(grain, 2)[flat]).std()
    assert (plain[flat] - box_mean(plain, 2)[flat]).std() > 3 * residual.std()
    # Far from the edge the haze is removed as before; across it the step gains 1/t in full.
    assert torch.allclose(kept[flat].mean(), plain[flat].mean(), atol=2e-3)
    step_plain = plain[..., 8:-8, 8:24].mean() - plain[..., 8:-8, -24:-8].mean()
    step_kept = kept[..., 8:-8, 8:24].mean() - kept[..., 8:-8, -24:-8].mean()
    assert abs(float(step_kept - step_plain)) < 0.01 and float(step_plain) > 0.3 / 0.25 * 0.95


class _TrueT(torch.nn.Module):
    """A network that knows t and gives a fixed airlight."""

    def __init__(self, t: torch.Tensor, airlight: float) -> None:
        super().__init__()
        self.t, self.airlight = t, airlight

    def forward(self, hazy: torch.Tensor):
        return self.t, torch.full((hazy.shape[0], 3), self.airlight)


def _white_haze() -> tuple:
    """A bright sky far away over nearer textured ground, under white haze (A = 1)."""
    torch.manual_seed(0)
    clear = torch.rand(1, 3, 48, 64) * 0.5 + 0.15
    clear[:, :, :16] = 0.97
    t = torch.linspace(0.9, 0.45, 48).reshape(1, 1, 48, 1).expand(1, 1, 48, 64).clone()
    t[:, :, :16] = 0.3
    return clear * t + (1 - t), clear, t


def test_airlight_floor_raises_an_airlight_too_dark_for_white_haze_and_leaves_a_right_one() -> None:
    hazy, clear, t = _white_haze()
    r = 3
    raised = airlight_floor(hazy, t, torch.tensor([[0.9, 0.92, 0.95]]), 0.001, 0.95, r)
    # The sky's windows ask for grey(A) >= (0.991 - 0.3) / 0.7 = 0.987; moved towards white, the
    # tint keeps its direction.
    assert float(grey(raised.reshape(1, 3, 1, 1))) > 0.985 and float(raised.max()) <= 1.0
    assert torch.allclose((1 - raised[0, 0]) / (1 - raised[0, 2]), torch.tensor(0.1 / 0.05))
    right = torch.tensor([[1.0, 1.0, 1.0]])
    assert torch.equal(airlight_floor(hazy, t, right, 0.001, 0.95, r), right)


def test_airlight_floor_ignores_a_small_light_source_and_acts_in_dehaze() -> None:
    _, clear, t = _white_haze()
    # Haze of 0.8 over a scene with a clipped light source 3 pixels wide.
    hazy = clear * t + 0.8 * (1 - t)
    hazy[:, :, 35:38, 30:33] = 1.0
    pixel = (grey(hazy) - t) / (1 - t)
    assert float(pixel[0, 0, 36, 31]) > 0.95
    a = torch.tensor([[0.8, 0.8, 0.8]])
    assert torch.equal(airlight_floor(hazy, t, a, 0.001, 0.95, 3), a)
    # Through the app's path (network size = photo size here), the floor changes A only when on.
    white, _, _ = _white_haze()
    model = _TrueT(t, 0.9)
    off = dehaze(model, white, ReconParams(max_side=64))[2]
    on = dehaze(model, white, ReconParams(max_side=64, airlight_floor_share=0.001))[2]
    assert torch.allclose(off, torch.full((1, 3), 0.9)) and float(on.mean()) > 0.98
