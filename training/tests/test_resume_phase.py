"""A resume goes on with its own phase or starts a new one at its step, never with a stale schedule."""
import random

import pytest
import torch

from train import check_phase, restore_streams

PHASE_10 = {"phase_start": 33000, "seed": 10010}


def test_a_resume_goes_on_with_its_own_phase() -> None:
    check_phase(PHASE_10, 37421, {"phase_start": 33000, "seed": 10010})


def test_a_new_phase_starts_at_the_step_it_resumes_from() -> None:
    check_phase(PHASE_10, 37421, {"phase_start": 37421, "seed": 11011})


def test_a_stale_config_on_a_newer_checkpoint_is_refused() -> None:
    # Phase 9's config began at 33000 too, but from another checkpoint: on phase 10's it would
    # replay a warm-up 4,421 steps late.
    with pytest.raises(SystemExit, match="phase_start 33000"):
        check_phase(PHASE_10, 37421, {"phase_start": 33000, "seed": 9090})


def _checkpoint_streams() -> dict:
    saved = random.Random(1)
    torch.manual_seed(1)
    return {"config": PHASE_10, "rng": saved.getstate(), "torch_rng": torch.get_rng_state()}


def _first_draws(cfg: dict) -> tuple:
    rng = random.Random(cfg["seed"])
    torch.manual_seed(cfg["seed"])
    restore_streams(rng, _checkpoint_streams(), cfg)
    return rng.random(), float(torch.rand(1))


def test_new_phases_draw_from_their_own_seed_with_reseed() -> None:
    a = _first_draws({"phase_start": 37421, "seed": 11011, "reseed": True})
    b = _first_draws({"phase_start": 37421, "seed": 11013, "reseed": True})
    assert a != b and a == _first_draws({"phase_start": 37421, "seed": 11011, "reseed": True})


def test_without_reseed_new_phases_go_on_with_the_checkpoints_streams() -> None:
    # How every phase before 16 ran: the config's seed changed nothing drawn.
    a = _first_draws({"phase_start": 37421, "seed": 11011, "reseed": False})
    assert a == _first_draws({"phase_start": 37421, "seed": 11013, "reseed": False})


def test_a_run_resumed_mid_phase_replays_its_streams_even_with_reseed() -> None:
    resumed = _first_draws({"phase_start": 33000, "seed": 10010, "reseed": True})
    assert resumed == _first_draws({"phase_start": 33000, "seed": 10010, "reseed": False})
