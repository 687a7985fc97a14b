"""Synthetic haze follows the scattering model and covers light to dense haze and clear photos."""
import os
import random

import pytest
import torch

from conftest import SHARED
from hazeless.data import HazeRanges, Sampling, TrainingSet, _airlight, _below_bright_scene, _proxy_depth, _random_crop, make_sample
from hazeless.recon import grey

TRAIN = os.path.join(SHARED, "train")


@pytest.fixture(scope="module")
def data() -> TrainingSet:
    return TrainingSet(TRAIN, max_photos=12)


def test_samples_are_consistent_with_the_haze_model(data: TrainingSet) -> None:
    rng = random.Random(3)
    for _ in range(10):
        s = make_sample(data, 96, rng, clear_prob=0.0)
        assert s.hazy.shape == s.clear.shape == (3, 96, 96)
        assert float(s.t.min()) > 0.0 and float(s.t.max()) <= 1.0
        assert float(s.airlight.min()) >= 0.45 and float(s.airlight.max()) <= 1.0
        ideal = s.clear * s.t + s.airlight.reshape(3, 1, 1) * (1 - s.t)
        # Only noise and JPEG separate the hazy input from the ideal model.
        assert float((s.hazy - ideal).abs().mean()) < 0.03


def test_clear_samples_have_no_haze(data: TrainingSet) -> None:
    s = make_sample(data, 64, random.Random(1), clear_prob=1.0)
    assert torch.all(s.t == 1)
    assert float((s.hazy - s.clear).abs().mean()) < 0.03


def test_haze_density_varies_from_light_to_dense(data: TrainingSet) -> None:
    rng = random.Random(7)
    means = [float(make_sample(data, 64, rng, clear_prob=0.0).t.mean()) for _ in range(40)]
    assert min(means) < 0.25 and max(means) > 0.75


def test_moderate_haze_never_hides_the_scene(data: TrainingSet) -> None:
    rng = random.Random(11)
    haze = HazeRanges(moderate_prob=1.0, moderate_min=0.5, moderate_max=0.6, near_max=0.9)
    for _ in range(20):
        t = make_sample(data, 64, rng, clear_prob=0.0, sampling=Sampling(haze=haze)).t
        # The farthest point keeps at least half its light (0.5 ** 1.5 where patchy haze is half
        # as dense again): no dense fog in this mode.
        assert float(t.min()) >= 0.5 ** 1.5 - 1e-6
        assert float(t.mean()) < 1.0


def test_whole_scene_crops_keep_the_full_short_side() -> None:
    # A photo whose rows are numbered: a whole-scene crop spans every row, top to bottom, whatever
    # the random scale would have been.
    rows = torch.arange(300, dtype=torch.float32).reshape(1, 300, 1).expand(3, 300, 400).contiguous()
    rng = random.Random(5)
    for _ in range(5):
        crop, _ = _random_crop(rows, None, 100, rng, whole=True)
        assert crop.shape == (3, 100, 100)
        assert float(crop[0, 0].mean()) < 2.0 and float(crop[0, -1].mean()) > 297.0
    zoomed = [_random_crop(rows, None, 100, rng)[0] for _ in range(20)]
    assert any(float(c[0, -1].mean() - c[0, 0].mean()) < 250 for c in zoomed)


def test_dust_airlights_are_warm_and_drawn_only_when_asked() -> None:
    rng = random.Random(4)
    dusty = [_airlight(rng, Sampling(dust_airlight_prob=1.0)) for _ in range(200)]
    for a in dusty:
        r, g, b = a.tolist()
        assert 0.55 <= r <= 0.95 and 0.7 * r <= g <= 0.93 * r and 0.39 * r <= b <= 0.73 * r
    # Off, the prior is the grey one as before, and it draws exactly the same numbers.
    plain, off = random.Random(5), random.Random(5)
    for _ in range(50):
        assert torch.equal(_airlight(plain, Sampling()), _airlight(off, Sampling(dust_airlight_prob=0.0)))
    greys = [_airlight(rng, Sampling()) for _ in range(200)]
    blue_to_red = lambda airlights: sum(float(a[2] / a[0]) for a in airlights) / len(airlights)  # noqa: E731
    assert blue_to_red(dusty) < 0.6 and blue_to_red(greys) > 0.9


def _bright_sky_over_ground(h: int = 96, w: int = 96) -> torch.Tensor:
    gen = torch.Generator().manual_seed(2)
    img = 0.2 + 0.3 * torch.rand(3, h, w, generator=gen)
    img[:, : h // 3] = 0.9
    return img


def test_near_skies_stay_nearer_than_the_far_end_only_when_asked() -> None:
    clear = _bright_sky_over_ground()
    sky = slice(4, 24)
    far = [float(_proxy_depth(clear, random.Random(k))[:, sky].mean()) for k in range(40)]
    near = [float(_proxy_depth(clear, random.Random(k), Sampling(near_sky_prob=1.0))[:, sky].mean()) for k in range(40)]
    # Pushed far, the sky is mostly the farthest thing in the frame; kept near, it mostly is not,
    # so it keeps its own brightness under haze and cannot stand in for the airlight.
    assert sum(d > 0.9 for d in far) >= 24
    assert sum(d > 0.9 for d in near) <= 8
    assert sum(near) / len(near) < 0.75 * sum(far) / len(far)


def test_an_airlight_below_a_bright_scene_keeps_its_tint_and_stays_below_the_bright_part() -> None:
    clear = _bright_sky_over_ground()  # a third of the frame at 0.9
    tinted = torch.tensor([0.97, 0.95, 0.90])
    for k in range(30):
        a = _below_bright_scene(tinted, clear, random.Random(k))
        level = float(grey(a.reshape(1, 3, 1, 1)))
        assert 0.6 - 1e-6 <= level <= 0.9 + 1e-6
        assert torch.allclose(a / a.max(), tinted / tinted.max(), atol=1e-6)
    # A dark scene has nothing brighter than the haze to keep: its airlight is left alone.
    assert torch.equal(_below_bright_scene(tinted, clear * 0.5, random.Random(0)), tinted)


def test_bright_scene_sampling_makes_the_scene_outshine_the_haze_more_often(data: TrainingSet) -> None:
    def share(sampling: Sampling) -> float:
        rng = random.Random(11)
        hits = 0
        for _ in range(40):
            s = make_sample(data, 64, rng, sampling=sampling)
            a = grey(s.airlight.reshape(1, 3, 1, 1))
            hits += float((grey(s.hazy[None]) > a).float().mean()) > 0.1
        return hits / 40

    assert share(Sampling(airlight_min=0.6, airlight_uniform_prob=0.5, bright_scene_prob=1.0)) > share(Sampling(airlight_min=0.6, airlight_uniform_prob=0.5)) + 0.1
