"""Train the haze network end to end through the app's reconstruction.

    OMP_NUM_THREADS=2 /usr/bin/python3 training/train.py --config training/configs/v1.json --run v1
    ... --resume training/checkpoints/v1.pt      # go on from a committed checkpoint

Each step: synthesise hazy/clear crops, area-downscale the hazy crop to network size, predict t and A,
upsample t with the (differentiable) fast guided filter to crop size, reconstruct J and put the main
loss on J (L1 + SSIM), with small terms on t and A.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import sys
import time
from dataclasses import asdict
from typing import Any, Dict, Optional

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hazeless.batch_synthesis import DeviceSet, make_batch_on_device  # noqa: E402
from hazeless.data import Sampling, TrainingSet, make_batch  # noqa: E402
from hazeless.losses import ssim  # noqa: E402
from hazeless.model import BASE_BLOCKS, HazeNet, count_macs, count_params  # noqa: E402
from hazeless.recon import ReconParams, area_resize, recover, upsample_transmission  # noqa: E402
from hazeless.stream import batch_loader, pick_sizes  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULTS: Dict[str, Any] = {
    "data": os.path.normpath(os.path.join(HERE, "..", "..", "shared", "data", "train")),
    "seed": 1234,
    "steps": 40000,
    "batch": 12,
    "lr": 2e-3,
    "weight_decay": 1e-4,
    "warmup": 300,
    "net_sizes": [96, 128, 160],
    "hr_factors": [1.0, 1.5, 2.0],
    "widths": [16, 32, 64, 96],
    "blocks": list(BASE_BLOCKS),
    "loss": {"l1": 1.0, "ssim": 0.3, "t": 0.3, "airlight": 1.0},
    "recon": {"max_side": 512, "multiple": 16, "t0": 0.05, "radius_fraction": 0.02, "epsilon": 1e-3},
    "checkpoint_minutes": 5,
    "phase_start": 0,
    "a_corr_scale": 0.1,
    # Bound the airlight by the brightest colour the network sees (hazeless.model.HazeNet).
    "airlight_cap": False,
    # A new phase draws its samples from its own seed, not from the checkpoint's streams (restore_streams).
    "reseed": False,
    # Decay of an exponential moving average of the weights, saved beside last.pt as ema.pt; 0: none.
    "ema": 0.0,
    # Where batches are made: "samples", one by one on the CPU (data.make_batch, or its workers), or
    # "device", whole batches on the training device (hazeless.batch_synthesis), for a GPU.
    "synthesis": "samples",
    **asdict(Sampling()),  # what a run draws: the defaults live in the Sampling dataclass
    "log_every": 20,
}


def load_config(path: str | None, overrides: Dict[str, Any]) -> Dict[str, Any]:
    cfg = json.loads(json.dumps(DEFAULTS))
    if path:
        with open(path) as f:
            cfg.update(json.load(f))
    cfg.update({k: v for k, v in overrides.items() if v is not None})
    return cfg


def lr_at(step: int, cfg: Dict[str, Any]) -> float:
    step -= cfg["phase_start"]
    if step < cfg["warmup"]:
        return cfg["lr"] * (step + 1) / cfg["warmup"]
    progress = min(1.0, (step - cfg["warmup"]) / max(1, cfg["steps"] - cfg["phase_start"] - cfg["warmup"]))
    return cfg["lr"] * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))


# --fit-steps-to-time measures the speed between these steps after the start (the first are slow).
FIT_FROM, FIT_AT = 50, 200


def fitted_end(step: int, seconds_measured: float, seconds_left: float) -> int:
    """The last step of a schedule that ends with the time limit, 3% to spare."""
    return step + int((FIT_AT - FIT_FROM) / seconds_measured * seconds_left * 0.97)


def same_phase(resumed: Dict[str, Any], cfg: Dict[str, Any]) -> bool:
    """Whether cfg goes on with the phase of the checkpoint whose config is `resumed`."""
    return (cfg["phase_start"], cfg["seed"]) == (resumed.get("phase_start", 0), resumed.get("seed"))


def check_phase(resumed: Dict[str, Any], resumed_step: int, cfg: Dict[str, Any]) -> None:
    """A resume either goes on with its own phase (the same phase_start and seed) or starts a new
    phase at the step it resumes from. Anything else is a stale config on a newer checkpoint: it
    would replay a warm-up and a cosine that do not match the steps actually taken."""
    if not same_phase(resumed, cfg) and cfg["phase_start"] != resumed_step:
        raise SystemExit(
            f"phase_start {cfg['phase_start']} (seed {cfg['seed']}) neither goes on with the checkpoint's phase "
            f"({resumed.get('phase_start', 0)}, seed {resumed.get('seed')}) nor starts a new one at its step {resumed_step}"
        )


def restore_streams(rng: random.Random, resume: Dict[str, Any], cfg: Dict[str, Any]) -> None:
    """Where the samples of a resumed run come from. A run resumed mid-phase goes on with the
    checkpoint's random streams, so it replays exactly. A new phase goes on with them too unless
    its config sets `reseed`: without it, its seed changes nothing that a run without workers draws
    (the phases that made the shipped weights ran so, and replay so); with it, the new phase draws
    from its own seed."""
    if cfg["reseed"] and not same_phase(resume["config"], cfg):
        rng.seed(cfg["seed"])
        torch.manual_seed(cfg["seed"])
    else:
        rng.setstate(resume["rng"])
        torch.set_rng_state(resume["torch_rng"])


class WeightAverage:
    """An exponential moving average of the weights over a phase. Its decay ramps up from the
    phase's first step, so that the average is not held at the weights the phase started from."""

    def __init__(self, model: torch.nn.Module, decay: float, state: Optional[Dict[str, torch.Tensor]] = None, updates: int = 0) -> None:
        self.decay, self.updates = decay, updates
        source = state if state is not None else model.state_dict()
        # Kept beside the weights (a resumed average is loaded on the CPU), so no step copies between devices.
        device = next(model.parameters()).device
        self.state = {k: v.detach().to(device, torch.float32 if v.is_floating_point() else v.dtype, copy=True) for k, v in source.items()}

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        self.updates += 1
        d = min(self.decay, (1 + self.updates) / (10 + self.updates))
        for k, v in model.state_dict().items():
            if v.is_floating_point():
                self.state[k].mul_(d).add_(v.detach(), alpha=1 - d)
            else:
                self.state[k].copy_(v)

    def cpu_state(self) -> Dict[str, torch.Tensor]:
        return {k: v.detach().cpu().clone() for k, v in self.state.items()}


def save_checkpoint(
    path: str, model: HazeNet, opt: torch.optim.Optimizer, step: int, cfg: Dict[str, Any], rng: random.Random, samples: int,
    average: Optional[WeightAverage] = None,
) -> None:
    """last.pt, and with an average also ema.pt beside it: the same checkpoint holding the averaged
    weights, so that it evaluates, exports, averages and resumes like any other."""
    extra: Dict[str, Any] = {}
    if average is not None:
        averaged = average.cpu_state()
        extra = {"ema_fp32": averaged, "ema_updates": average.updates}
        ema_path = os.path.join(os.path.dirname(path), "ema.pt")
        _write_checkpoint(ema_path, averaged, opt, step, cfg, rng, samples, {"averaged_weights": f"ema {cfg['ema']}"})
    _write_checkpoint(path, model.state_dict(), opt, step, cfg, rng, samples, extra)


def _write_checkpoint(
    path: str, weights: Dict[str, torch.Tensor], opt: torch.optim.Optimizer, step: int, cfg: Dict[str, Any], rng: random.Random,
    samples: int, extra: Dict[str, Any],
) -> None:
    tmp = path + ".tmp"
    torch.save(
        {
            **extra,
            "model": {k: v.half() if v.is_floating_point() else v for k, v in weights.items()},
            "model_fp32": weights,
            "optimizer": opt.state_dict(),
            "step": step,
            "samples": samples,
            "config": cfg,
            "rng": rng.getstate(),
            "torch_rng": torch.get_rng_state(),
        },
        tmp,
    )
    os.replace(tmp, path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config")
    ap.add_argument("--run", default="dev", help="name: checkpoints go to training/runs/<run>/")
    ap.add_argument("--resume", help="checkpoint to continue from")
    ap.add_argument("--steps", type=int)
    ap.add_argument("--batch", type=int)
    ap.add_argument("--data")
    ap.add_argument("--seed", type=int)
    ap.add_argument("--time-limit", type=float, default=0, help="stop (with a checkpoint) after this many minutes")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--publish", help="also copy each checkpoint here (e.g. training/checkpoints/v1.pt)")
    ap.add_argument("--runs-dir", default=os.path.join(HERE, "runs"))
    ap.add_argument("--max-photos", type=int, help="use only the first N photos (smoke tests)")
    ap.add_argument("--workers", type=int, default=0, help="synthesise batches in this many processes (0: in this one, replayable)")
    ap.add_argument("--synthesis", choices=["samples", "device"], help="where batches are made (config key synthesis)")
    ap.add_argument("--fit-steps-to-time", action="store_true",
                    help="with --time-limit: once the speed is known, end the schedule (and the run) at the time limit")
    args = ap.parse_args()

    cfg = load_config(args.config, {"steps": args.steps, "batch": args.batch, "data": args.data, "seed": args.seed, "synthesis": args.synthesis})
    if cfg["synthesis"] not in ("samples", "device"):
        raise SystemExit(f"synthesis {cfg['synthesis']!r}: samples or device")
    if cfg["synthesis"] == "device" and args.workers:
        raise SystemExit("synthesis on the device makes its batches in this process: no --workers")
    if args.max_photos:
        cfg["log_every"] = 1
    start_step, samples = 0, 0
    growing = False
    resume = torch.load(args.resume, map_location="cpu", weights_only=False) if args.resume else None
    if resume is not None:
        kept = {k: resume["config"][k] for k in ("widths", "recon")}
        cfg.update(kept)
        check_phase(resume["config"], resume["step"], cfg)
        old_blocks = resume["config"].get("blocks", list(BASE_BLOCKS))
        if any(new < old for new, old in zip(cfg["blocks"], old_blocks)):
            raise SystemExit(f"blocks {cfg['blocks']} would drop trained blocks {old_blocks}")
        growing = tuple(cfg["blocks"]) != tuple(old_blocks)

    random.seed(cfg["seed"])
    np.random.seed(cfg["seed"])
    # Runs that grow one checkpoint draw their new blocks alike (from its step, not their own seed),
    # so they start from the same weights and can be averaged.
    torch.manual_seed(resume["step"] if growing else cfg["seed"])
    rng = random.Random(cfg["seed"])
    device = torch.device(args.device)

    model = HazeNet.from_config(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg["lr"], weight_decay=cfg["weight_decay"])
    if resume is not None:
        old_scale = resume["config"].get("a_corr_scale", 0.1)
        state = dict(resume["model_fp32"])
        if old_scale != cfg["a_corr_scale"]:
            # Keep the airlight correction's function (tanh is near-linear there) under a new range.
            ratio = old_scale / cfg["a_corr_scale"]
            state["a_corr.2.weight"] = state["a_corr.2.weight"] * ratio
            state["a_corr.2.bias"] = state["a_corr.2.bias"] * ratio
        missing, unexpected = model.load_state_dict(state, strict=False)
        grown = {k.rsplit(".", 2)[0] for k in missing}
        if unexpected or any(k.count(".") != 3 or not k.startswith(("enc3.", "enc4.")) for k in missing):
            raise SystemExit(f"checkpoint does not fit the network: missing {missing}, unexpected {unexpected}")
        if grown:
            # New blocks start as the identity; Adam's moments exist only for the old weights.
            print(f"network grown by {sorted(grown)}: optimizer restarts")
        else:
            opt.load_state_dict(resume["optimizer"])
        start_step, samples = resume["step"], resume.get("samples", 0)
        restore_streams(rng, resume, cfg)
        print(f"resumed from {args.resume} at step {start_step}")
    average = None
    if cfg["ema"]:
        # Mid-phase, the average goes on; a new phase starts it from the weights it resumes.
        going_on = resume is not None and "ema_fp32" in resume and same_phase(resume["config"], cfg)
        average = WeightAverage(model, cfg["ema"], resume["ema_fp32"] if going_on else None, resume["ema_updates"] if going_on else 0)

    run_dir = os.path.join(args.runs_dir, args.run)
    os.makedirs(run_dir, exist_ok=True)
    with open(os.path.join(run_dir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    print(f"params {count_params(model)}  MACs@512x384 {count_macs(HazeNet.from_config(cfg))/1e9:.3f} G  device {device}")
    print(json.dumps(cfg))

    data = TrainingSet(cfg["data"], max_photos=args.max_photos)
    print(f"training photos {len(data.photos)}, depth scenes {len(data.depth_scenes)}")
    params = ReconParams(**cfg["recon"])
    sampling = Sampling.from_config(cfg)
    lw = cfg["loss"]
    started = time.time()
    last_ckpt = time.time()
    window_t, window_n, window_loss, window_psnr = time.time(), 0, 0.0, 0.0
    ckpt_path = os.path.join(run_dir, "last.pt")

    stream = batch_loader(data, cfg, cfg["seed"] + start_step, args.workers, device) if args.workers else None
    on_device = DeviceSet(data, device) if cfg["synthesis"] == "device" else None
    fit = args.fit_steps_to_time and args.time_limit > 0
    fit_from = 0.0
    step = start_step
    while step < cfg["steps"]:
        if stream is not None:
            hazy, clear, t_true, a_true, net = next(stream)
        else:
            net, hr = pick_sizes(cfg, rng)
            if on_device is not None:
                hazy, clear, t_true, a_true = make_batch_on_device(on_device, cfg["batch"], hr, rng, sampling)
            else:
                hazy, clear, t_true, a_true = make_batch(data, cfg["batch"], hr, rng, sampling)
        if fit and step == start_step + FIT_FROM:
            fit_from = time.time()
        if fit and step == start_step + FIT_AT:
            now = time.time()
            cfg["steps"] = fitted_end(step, now - fit_from, args.time_limit * 60 - (now - started))
            with open(os.path.join(run_dir, "config.json"), "w") as f:
                json.dump(cfg, f, indent=2)
            print(f"{(FIT_AT - FIT_FROM) / (now - fit_from):.1f} steps/s: the schedule now ends at step {cfg['steps']}", flush=True)
        hazy, clear, t_true, a_true = hazy.to(device), clear.to(device), t_true.to(device), a_true.to(device)
        hazy_lr = area_resize(hazy, (net, net))
        t_lr_true = area_resize(t_true, (net, net))

        for group in opt.param_groups:
            group["lr"] = lr_at(step, cfg)
        model.train()
        t_lr, airlight = model(hazy_lr)
        t_hr = upsample_transmission(hazy_lr, t_lr, hazy, params)
        pred = recover(hazy, t_hr, airlight, params.t0)
        l1 = (pred - clear).abs().mean()
        l_ssim = 1 - ssim(pred.clamp(0, 1), clear)
        l_t = (t_lr - t_lr_true).abs().mean()
        l_a = (airlight - a_true).abs().mean()
        loss = lw["l1"] * l1 + lw["ssim"] * l_ssim + lw["t"] * l_t + lw["airlight"] * l_a
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if average is not None:
            average.update(model)

        step += 1
        samples += cfg["batch"]
        window_n += cfg["batch"]
        window_loss += float(loss.detach())
        mse = float(((pred.clamp(0, 1) - clear) ** 2).mean())
        window_psnr += 10 * math.log10(1 / max(mse, 1e-10))
        if step % cfg["log_every"] == 0:
            now = time.time()
            k = cfg["log_every"]
            print(
                f"step {step}/{cfg['steps']}  loss {window_loss/k:.4f}  psnr {window_psnr/k:.2f}  "
                f"l1 {float(l1):.4f} t {float(l_t):.4f} A {float(l_a):.4f}  lr {lr_at(step, cfg):.2e}  "
                f"{window_n/(now-window_t):.1f} samples/s  elapsed {(now-started)/60:.1f} min",
                flush=True,
            )
            window_t, window_n, window_loss, window_psnr = now, 0, 0.0, 0.0
        out_of_time = args.time_limit and (time.time() - started) / 60 >= args.time_limit
        if time.time() - last_ckpt >= cfg["checkpoint_minutes"] * 60 or step >= cfg["steps"] or out_of_time:
            save_checkpoint(ckpt_path, model, opt, step, cfg, rng, samples, average)
            if args.publish:
                shutil.copyfile(ckpt_path, args.publish)
            last_ckpt = time.time()
            print(f"checkpoint {ckpt_path} at step {step}", flush=True)
        if out_of_time:
            break


if __name__ == "__main__":
    main()
