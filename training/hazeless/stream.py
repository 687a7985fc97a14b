"""Training batches made by worker processes, for machines where synthesis, not the network, is the
bottleneck (a GPU with many CPU cores). Each worker draws from its own seeded generator, so a run
with workers is reproducible in what each worker makes, but the order in which batches arrive
depends on timing; with no workers, train.py keeps its single, exactly replayable stream.
"""
from __future__ import annotations

import random
from typing import Any, Dict, Iterator, Tuple

import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from .data import Sampling, TrainingSet, make_batch

Batch = Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, int]


def pick_sizes(cfg: Dict[str, Any], rng: random.Random) -> Tuple[int, int]:
    """Network size and crop size of one batch."""
    net = rng.choice(cfg["net_sizes"])
    return net, int(round(net * rng.choice(cfg["hr_factors"]) / 8) * 8)


class BatchStream(IterableDataset):
    def __init__(self, data: TrainingSet, cfg: Dict[str, Any], seed: int) -> None:
        super().__init__()
        self.data, self.cfg, self.seed = data, cfg, seed

    def __iter__(self) -> Iterator[Batch]:
        info = get_worker_info()
        worker = info.id if info else 0
        torch.set_num_threads(1)  # the workers share the cores between them
        rng = random.Random(self.seed * 1000 + worker)
        cfg = self.cfg
        sampling = Sampling.from_config(cfg)
        while True:
            net, hr = pick_sizes(cfg, rng)
            hazy, clear, t, a = make_batch(self.data, cfg["batch"], hr, rng, sampling)
            # Compact for the trip between processes: the hazy side is already 8-bit, the targets
            # lose nothing that matters in half precision.
            yield (hazy * 255).round().to(torch.uint8), clear.half(), t.half(), a, net


def batch_loader(data: TrainingSet, cfg: Dict[str, Any], seed: int, workers: int, device: torch.device) -> Iterator[Batch]:
    """Batches on `device`, widened to float there rather than on the CPU, which the workers need:
    on the first GPU run (two runs of 7 workers on 16 cores) the cores were all busy, the GPU 29%,
    and each run got about 200 samples/s."""
    loader = DataLoader(BatchStream(data, cfg, seed), batch_size=None, num_workers=workers, pin_memory=device.type == "cuda")
    for hazy, clear, t, a, net in loader:
        yield (
            hazy.to(device, non_blocking=True).float() / 255,
            clear.to(device, non_blocking=True).float(),
            t.to(device, non_blocking=True).float(),
            a.to(device),
            int(net),
        )
