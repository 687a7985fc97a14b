"""A run that trains only the airlight head leaves the transmission exactly as it was."""
import pytest
import torch

from hazeless.model import HazeNet
from train import trainable_parameters

A_HEAD = ["a_logits", "a_corr"]


def test_training_the_airlight_head_changes_a_and_never_t() -> None:
    torch.manual_seed(0)
    model = HazeNet((8, 8, 16, 16))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    chosen = trainable_parameters(model, A_HEAD)
    opt = torch.optim.AdamW(chosen, lr=1e-2)
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        t_before, a_before = model(x)
    for _ in range(3):
        t, a = model(x)
        # Both outputs in the loss, as in train.py: t's gradient must have nowhere to go.
        loss = (a - 0.5).abs().mean() + t.mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    changed = {k for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
    assert changed and all(k.startswith(tuple(A_HEAD)) for k in changed)
    with torch.no_grad():
        t_after, a_after = model(x)
    assert torch.equal(t_after, t_before) and not torch.equal(a_after, a_before)


def test_all_parameters_train_without_a_list_and_a_wrong_name_is_refused() -> None:
    model = HazeNet((8, 8, 16, 16))
    assert len(trainable_parameters(model, None)) == len(list(model.parameters()))
    with pytest.raises(SystemExit, match="names no parameter"):
        trainable_parameters(model, ["a_head"])
