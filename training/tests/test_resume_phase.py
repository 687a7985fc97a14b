"""A resume goes on with its own phase or starts a new one at its step, never with a stale schedule."""
import pytest

from train import check_phase

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
