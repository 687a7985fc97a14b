"""Score a model on val/sots-outdoor and val/sots-indoor through the app's reconstruction.

    /usr/bin/python3 training/evaluate.py --id hazeless-v1            # writes models/README.md
    /usr/bin/python3 training/evaluate.py --checkpoint training/runs/v1/last.pt --limit 20 --no-write
    /usr/bin/python3 training/evaluate.py --checkpoint C --max-side 256 --t0 0.1 --protect 25 --airlight

Next to the model it scores two baselines with the same metric code: the hazy input unchanged, and
the dark channel prior with a guided filter (He et al. 2009/2013). It also runs the clear images of
val/ through the model and reports how much they change (PSNR against themselves), and again on
photos that really are clear (`fade.looks_haze_free`). --airlight
tells how much of the outdoor error is the airlight's: SOTS outdoor names each hazy image after the
grey airlight it was made with, so the same t can be scored with the true A.
PSNR is over the 8-bit RGB image; SSIM uses a Gaussian window with sigma 1.5; both are averaged
over images.

Real haze has no reference, so it is measured by FADE fog density (`hazeless/fade.py`, lower is
clearer) on `real/` and `train/real-hazy/`, each photo at its own size, unchanged and through
the model and the dark channel prior; the same measure on SOTS outdoor's hazy, dehazed and clear
images shows that it ranks them as it should. --skip-real leaves these out.
"""
from __future__ import annotations

import argparse
import dataclasses
import glob
import json
import os
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from scipy.stats import spearmanr
from skimage.metrics import structural_similarity

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from hazeless import fade  # noqa: E402
from hazeless.checkpoint import load_model  # noqa: E402
from hazeless.model import HazeNet  # noqa: E402
from hazeless.recon import ReconParams, box_mean, dehaze, grey  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DATA = os.path.normpath(os.path.join(ROOT, "..", "shared", "data"))
VAL = os.path.join(DATA, "val")
# Real hazy photos without ground truth, named as models/README.md names them.
REAL_SETS = {"real": os.path.join(DATA, "real"), "train/real-hazy": os.path.join(DATA, "train", "real-hazy")}
CLEAN = os.path.join(DATA, "train", "clean")

Method = Callable[[torch.Tensor], torch.Tensor]


def read(path: str) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB"))


def to_tensor(img: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(img.astype(np.float32) / 255.0).permute(2, 0, 1)[None]


def to_uint8(t: torch.Tensor) -> np.ndarray:
    return (t[0].permute(1, 2, 0).clamp(0, 1).numpy() * 255.0 + 0.5).astype(np.uint8)


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))


def ssim(a: np.ndarray, b: np.ndarray) -> float:
    return float(structural_similarity(a, b, channel_axis=2, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255))


def pairs(folder: str) -> List[Tuple[str, str]]:
    out = []
    for hazy in sorted(glob.glob(os.path.join(VAL, folder, "hazy", "*"))):
        scene = os.path.basename(hazy).split("_")[0]
        clear = glob.glob(os.path.join(VAL, folder, "clear", scene + ".*"))
        if clear:
            out.append((hazy, clear[0]))
    return out


def dark_channel_prior(img: torch.Tensor, patch: int = 15, omega: float = 0.95, t0: float = 0.1) -> torch.Tensor:
    """He et al.: dark channel, airlight from the brightest 0.1% of it, t refined by a guided filter."""
    r = patch // 2
    dark = -F.max_pool2d(-img.amin(dim=1, keepdim=True), patch, stride=1, padding=r)
    flat = dark.flatten()
    k = max(1, int(flat.numel() * 0.001))
    idx = torch.topk(flat, k).indices
    pixels = img[0].reshape(3, -1)[:, idx]
    airlight = pixels[:, torch.argmax(pixels.sum(dim=0))].reshape(1, 3, 1, 1)
    norm = img / airlight.clamp(min=1e-3)
    t = 1 - omega * (-F.max_pool2d(-norm.amin(dim=1, keepdim=True), patch, stride=1, padding=r))
    g = grey(img)
    gr, eps = 60, 1e-4
    mi, mp = box_mean(g, gr), box_mean(t, gr)
    a = (box_mean(g * t, gr) - mi * mp) / (box_mean(g * g, gr) - mi * mi + eps)
    b = mp - a * mi
    t = box_mean(a, gr) * g + box_mean(b, gr)
    return ((img - airlight) / t.clamp(min=t0) + airlight).clamp(0, 1)


def read_pair(hazy_path: str, clear_path: str) -> Tuple[np.ndarray, np.ndarray]:
    hazy, clear = read(hazy_path), read(clear_path)
    if clear.shape != hazy.shape:  # SOTS clear images can be a few pixels larger
        clear = clear[: hazy.shape[0], : hazy.shape[1]]
    return hazy, clear


def score(method: Method, items: List[Tuple[str, str]], keep: Optional[Dict[str, np.ndarray]] = None, by_truth: bool = False) -> Dict[str, Any]:
    """Mean PSNR and SSIM; with `keep`, each output is kept there by its hazy path. With
    `by_truth`, also the mean PSNR over the pairs whose clear image is haze-free
    (`fade.looks_haze_free`) and over the rest, whose "clear" image holds haze of its own: a
    dehazer that removes that haze too loses PSNR there while doing what a photographer asks."""
    ps, ss, free = [], [], []
    start = time.time()
    for hazy_path, clear_path in items:
        hazy, clear = read_pair(hazy_path, clear_path)
        out = to_uint8(method(to_tensor(hazy)))
        if keep is not None:
            keep[hazy_path] = out
        ps.append(psnr(out, clear))
        ss.append(ssim(out, clear))
        if by_truth:
            free.append(fade.looks_haze_free(clear))
    report: Dict[str, Any] = {"psnr": float(np.mean(ps)), "ssim": float(np.mean(ss)), "images": len(items), "seconds": time.time() - start}
    if by_truth:
        for key, wanted in (("hazeFreeTruth", True), ("hazyTruth", False)):
            group = [p for p, f in zip(ps, free) if f == wanted]
            report[key] = {"psnr": float(np.mean(group)) if group else float("nan"), "images": len(group)}
    return report


# The target for a clear photo: the model's output within this PSNR of the photo itself.
CLEAR_TARGET_DB = 32.0


def clear_unchanged(method: Method, folders: List[str], limit: Optional[int]) -> Dict[str, float]:
    paths = []
    for folder in folders:
        found = sorted(glob.glob(os.path.join(VAL, folder, "clear", "*")))
        paths += found[:limit] if limit else found
    return unchanged(method, paths)


def unchanged(method: Method, paths: List[str]) -> Dict[str, float]:
    """How much the method changes each photo: PSNR of its output against the photo itself."""
    ps = []
    for p in paths:
        img = read(p)
        ps.append(psnr(to_uint8(method(to_tensor(img))), img))
    # An image left exactly as it was scores psnr's ceiling (its floor on the error), which lifts
    # the mean; the median and the count at the target say more about the typical photo.
    scores = np.array(ps)
    return {
        "psnr": float(scores.mean()),
        "median_psnr": float(np.median(scores)),
        "min_psnr": float(scores.min()),
        "at_least_32db": int(np.sum(scores >= CLEAR_TARGET_DB)),
        "images": len(scores),
    }


def photos(folder: str) -> List[str]:
    return sorted(p for p in glob.glob(os.path.join(folder, "*")) if p.lower().endswith((".jpg", ".jpeg", ".png")))


def really_clear(limit: Optional[int] = None) -> Dict[str, List[str]]:
    """Clear photos that show no haze by the dark-channel rule (`fade.looks_haze_free`), fixed
    before any result was looked at: SOTS's clear images (some of which are smoggy), and the
    training set's clean photos (the model was trained to leave these alone)."""
    sots = [p for folder in ("sots-outdoor", "sots-indoor") for p in sorted(glob.glob(os.path.join(VAL, folder, "clear", "*")))]
    clean = [p for p in sorted(glob.glob(os.path.join(CLEAN, "*", "*"))) if p.lower().endswith(".jpg")]
    out: Dict[str, List[str]] = {}
    for name, paths in (("sots", sots), ("train/clean", clean)):
        out[name] = []
        for p in paths:
            if limit and len(out[name]) == limit:
                break
            if fade.looks_haze_free(read(p)):
                out[name].append(p)
    return out


def fade_params() -> Dict[str, fade.Gaussians]:
    """The release's Gaussians, and the project's fitted equivalent where fit_fade.py made it."""
    return {name: fade.load_params(name) for name, path in fade.PARAMS.items() if os.path.exists(path)}


def real_haze(methods: Dict[str, Method], paths: List[str], params: Dict[str, fade.Gaussians]) -> Dict[str, Any]:
    """Mean FADE of real hazy photos, each at its own size, unchanged ("input") and through each
    method, under each parameter set; also per photo, for pictures and for looking closer."""
    per: Dict[str, Dict[str, Dict[str, float]]] = {}
    for p in paths:
        img = read(p)
        outs = {"input": img, **{name: to_uint8(m(to_tensor(img))) for name, m in methods.items()}}
        per[os.path.basename(p)] = {name: fade.densities(out, params) for name, out in outs.items()}
    names = ["input", *methods]
    return {
        "images": len(paths),
        "fade": {n: {s: float(np.mean([v[n][s] for v in per.values()])) for s in params} for n in names},
        "photos": per,
    }


def sots_fade(outputs: Dict[str, np.ndarray], items: List[Tuple[str, str]], params: Dict[str, fade.Gaussians]) -> Dict[str, Any]:
    """FADE on SOTS outdoor: the hazy, dehazed (`outputs`, by hazy path, as `score` kept them) and
    clear image of each pair, how often the hazy one scores above its clear one, and the rank
    correlation of the hazy FADE with the haze's beta (in the file name, ID_A_BETA)."""
    rows = []
    for hazy_path, clear_path in items:
        hazy, clear = read_pair(hazy_path, clear_path)
        out = outputs[hazy_path]
        beta = float(os.path.splitext(os.path.basename(hazy_path))[0].split("_")[2])
        rows.append((beta, fade.densities(hazy, params), fade.densities(out, params), fade.densities(clear, params)))
    report: Dict[str, Any] = {"images": len(rows)}
    for s in params:
        hz, dh, cl = (np.array([r[i][s] for r in rows]) for i in (1, 2, 3))
        report[s] = {
            "hazy": float(hz.mean()), "model": float(dh.mean()), "clear": float(cl.mean()),
            "hazy_above_clear": int(np.sum(hz > cl)),
            "spearman_beta": float(spearmanr([r[0] for r in rows], hz)[0]) if len(rows) > 2 else float("nan"),
        }
    return report


def true_airlight(hazy_path: str) -> float:
    """SOTS outdoor names its hazy images ID_A_BETA: the grey airlight each was made with."""
    return float(os.path.basename(hazy_path).split("_")[1])


class GivenAirlight(torch.nn.Module):
    """The network's transmission with a given grey airlight in place of its own."""

    def __init__(self, model: torch.nn.Module, level: float) -> None:
        super().__init__()
        self.model, self.level = model, level

    def forward(self, hazy: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        t, own = self.model(hazy)
        return t, torch.full_like(own, self.level)


def airlight_report(model: torch.nn.Module, params: ReconParams, items: List[Tuple[str, str]], sliders: Dict[str, float]) -> Dict[str, Any]:
    """The airlight's error (mean over channels, against the true grey) and the PSNR the same t
    scores with the true airlight; also split into bright scenes (the clear image brighter than
    the airlight over a tenth of the frame, where the brightest region is not the haze) and the
    rest, since a prior that helps one group costs the other."""
    rows = []
    given = dataclasses.replace(params, airlight_floor_share=0.0)  # the true A, as it is
    for hazy_path, clear_path in items:
        level = true_airlight(hazy_path)
        hazy, clear = read_pair(hazy_path, clear_path)
        own_out, _, own = dehaze(model, to_tensor(hazy), params, sliders["strength"], sliders["protect"])
        true_out = dehaze(GivenAirlight(model, level), to_tensor(hazy), given, sliders["strength"], sliders["protect"])[0]
        bright = float((grey(to_tensor(clear)) > level).float().mean()) > 0.1
        rows.append((float(own.mean()) - level, psnr(to_uint8(own_out), clear), psnr(to_uint8(true_out), clear), bright))

    def summary(group: List[Tuple[float, float, float, bool]]) -> Dict[str, float]:
        errors = [r[0] for r in group]
        return {
            "images": len(group), "bias": float(np.mean(errors)), "mean_error": float(np.mean(np.abs(errors))),
            "psnr": float(np.mean([r[1] for r in group])), "psnr_true_airlight": float(np.mean([r[2] for r in group])),
        }

    report: Dict[str, Any] = summary(rows)
    for name, bright in (("bright_scenes", True), ("other_scenes", False)):
        group = [r for r in rows if r[3] == bright]
        if group:
            report[name] = summary(group)
    return report


def through_app(model: torch.nn.Module, params: ReconParams, sliders: Dict[str, float]) -> Method:
    """The model as the app runs it: its reconstruction at these sliders."""
    def method(img: torch.Tensor) -> torch.Tensor:
        return dehaze(model, img, params, strength=sliders["strength"], protect=sliders["protect"])[0]
    return method


def default_sliders(model_id: str) -> Dict[str, float]:
    """The app's default sliders for a shipped model (physical, 100 and 0, without a manifest)."""
    defaults = {"strength": 100.0, "protect": 0.0}
    path = os.path.join(ROOT, "models", f"{model_id}.json")
    if os.path.exists(path):
        with open(path) as f:
            shipped = json.load(f)["defaults"]
        if shipped.get("distance", 0) or shipped.get("exposure", 0):
            raise SystemExit("the reference reconstruction implements the strength and protect sliders only")
        defaults.update({k: float(shipped[k]) for k in defaults})
    return defaults


def load(
    checkpoint: str,
    max_side: Optional[int] = None,
    t0: Optional[float] = None,
    airlight_cap: Optional[bool] = None,
    airlight_floor: Optional[float] = None,
) -> Tuple[HazeNet, ReconParams, Dict]:
    model, cfg, ckpt = load_model(checkpoint, max_side, t0, airlight_cap=airlight_cap, airlight_floor=airlight_floor)
    return model, ReconParams(**cfg["recon"]), ckpt


def real_haze_lines(model_id: str, v: Dict) -> List[str]:
    """The real-haze section of models/README.md: FADE under the release's Gaussians, and under
    the project's fitted ones where they were measured; SOTS's ranking; really clear photos."""
    sets = [s for s in ("published", "fitted") if s in v["sotsFade"]]
    label = {"published": "FADE", "fitted": "fitted FADE"}
    head = [f"{label[s]}: {m}" for s in sets for m in ("unchanged", "dark channel prior", f"**{model_id}**")]
    lines = [
        "## Real haze",
        "",
        "Real photos have no ground truth; they are scored by their fog density, FADE (Choi, You and Bovik, IEEE TIP 2015:",
        "the no-reference measure dehazing papers report for real photos; lower is clearer), each photo at its own size.",
        "FADE uses the LIVE release's fog-free and foggy Gaussians; fitted FADE uses the same features with Gaussians fitted on",
        "`train/` data only (`training/fit_fade.py`), as a cross-check. Compare methods under one measure, not across the two.",
        "",
        "| photos | " + " | ".join(head) + " |",
        "|---|" + "---|" * len(head),
    ]
    for name, r in v["realHaze"].items():
        cells = [f"{r['fade'][m][s]:.2f}" if m in r["fade"] else "" for s in sets for m in ("input", "dcp", "model")]
        lines.append(f"| `{name}/` ({r['images']}) | " + " | ".join(cells) + " |")
    sf = v["sotsFade"]
    lines += ["", f"The measure on SOTS outdoor's {sf['images']} pairs, hazy / {model_id} / clear:"]
    for s in sets:
        r = sf[s]
        lines.append(
            f"{label[s]} {r['hazy']:.2f} / {r['model']:.2f} / {r['clear']:.2f} (the hazy image above its clear one in "
            f"{r['hazy_above_clear']} of {sf['images']} pairs; rank correlation of the hazy image's FADE with the haze's beta {r['spearman_beta']:.2f})"
            + ("." if s == sets[-1] else ";")
        )
    rc = v["reallyClear"]
    lines += ["", "Clear photos that really are clear (median 15x15 dark channel at most 25/255, `fade.looks_haze_free`) stay as they are:"]
    for name, what in (("sots", "of SOTS's clear images"), ("train/clean", "of `train/clean/` (the model was trained to leave these alone)")):
        c = rc[name]
        lines.append(
            f"- {c['images']} {what}: {c['psnr']:.2f} dB PSNR against themselves on average (median {c['median_psnr']:.2f} dB; "
            f"{c['at_least_32db']} of {c['images']} at {CLEAR_TARGET_DB:g} dB or more; lowest {c['min_psnr']:.2f} dB)"
        )
    lines += [
        "",
        "Side-by-side pictures of these photos with the FADE of each half: `training/compare_real.py` (see `training/README.md`).",
        "",
    ]
    return lines


def truth_split_lines(outdoor: Dict[str, Any]) -> List[str]:
    """SOTS outdoor's PSNR split by whether its own clear image is haze-free (score's by_truth)."""
    if "hazeFreeTruth" not in outdoor:
        return []
    free, hazy = outdoor["hazeFreeTruth"], outdoor["hazyTruth"]
    return [
        "",
        f"SOTS outdoor by its ground truth: {free['psnr']:.2f} dB on the {free['images']} pairs whose clear image is haze-free "
        f"(median 15x15 dark channel at most 25/255), {hazy['psnr']:.2f} dB on the {hazy['images']} whose clear image holds haze "
        "of its own; removing that haze too costs PSNR on the second group.",
    ]


def write_readme(manifest: Dict, path: str) -> None:
    v = manifest["validation"]
    b = manifest["budget"]
    tr = manifest["training"]
    rows = [
        ("Hazy input, unchanged", v["baselines"]["input"]),
        ("Dark channel prior + guided filter (He et al.)", v["baselines"]["dcp"]),
        (f"**{manifest['id']}** (this model, app reconstruction)", v["model"]),
    ]
    lines = [
        "# Models",
        "",
        "Each model is `<id>.onnx` plus its manifest `<id>.json`; the app and the command line read everything",
        "about a model from the manifest. This page is written by `training/evaluate.py` from the committed",
        "model: every figure below was measured, none typed in.",
        "",
        f"## {manifest['id']} (version {manifest['version']})",
        "",
        f"- Parameters: {b['parameters']:,}; ONNX file {b['weightBytes']/1e6:.2f} MB; {b['macsAt512x384']/1e9:.2f} GMAC at 512x384",
        f"- Input: long side at most {manifest['input']['maxSide']} px (area downscale), padded to a multiple of {manifest['input']['multiple']}",
        f"- Reconstruction: fast guided filter (radius {manifest['reconstruction']['guidedFilter']['radiusFraction']} of the network long side, "
        f"epsilon {manifest['reconstruction']['guidedFilter']['epsilon']}), t0 {manifest['reconstruction']['t0']}"
        + (f"; detail threshold {manifest['reconstruction']['detail']['epsilon']} (detail fainter than that keeps its contrast)"
           if manifest["reconstruction"].get("detail") else ""),
        f"- Training: {tr['steps']:,} steps, {tr['samples']:,} synthetic samples (batch {tr['batch']}) from `shared/data/train`; config in the manifest",
        "",
        "| method | SOTS outdoor PSNR | SSIM | SOTS indoor PSNR | SSIM |",
        "|---|---|---|---|---|",
    ]
    for name, r in rows:
        lines.append(f"| {name} | {r['outdoor']['psnr']:.2f} | {r['outdoor']['ssim']:.4f} | {r['indoor']['psnr']:.2f} | {r['indoor']['ssim']:.4f} |")
    c = v["clear"]
    lines += [
        "",
        f"Clear photos stay as they are: the {c['images']} clear images of `val/` through the model score {c['psnr']:.2f} dB PSNR "
        f"against themselves on average (median {c['median_psnr']:.2f} dB; {c['at_least_32db']} of {c['images']} at {CLEAR_TARGET_DB:g} dB or more; "
        f"lowest {c['min_psnr']:.2f} dB). SOTS's clear images are real outdoor photos, some with visible smog that a dehazer "
        "should change (see 'Reading the clear-photo and dark-channel figures' in `training/README.md`).",
        *truth_split_lines(v["model"]["outdoor"]),
        "",
        f"Measured {v['measuredAt']} with `training/evaluate.py`, {v['model']['outdoor']['images']} outdoor and {v['model']['indoor']['images']} indoor pairs, "
        f"through the app's reconstruction at the manifest's default sliders (strength {v['sliders']['strength']:g}, protect {v['sliders']['protect']:g}); "
        "the real photos below too.",
        "",
        *real_haze_lines(manifest["id"], v),
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--id", default="hazeless-v1", help="model id: uses training/checkpoints/<id>.pt and models/<id>.json")
    ap.add_argument("--checkpoint", help="score this checkpoint instead (nothing is written)")
    ap.add_argument("--limit", type=int, help="only the first N pairs of each set")
    ap.add_argument("--max-side", type=int, help="network long side for --checkpoint (as export.py --max-side would ship it)")
    ap.add_argument("--t0", type=float, help="t0 for --checkpoint (as export.py --t0 would ship it)")
    ap.add_argument("--airlight-cap", action="store_true", default=None, help="for --checkpoint: as export.py --airlight-cap would ship it")
    ap.add_argument("--airlight-floor", type=float, help="for --checkpoint: the airlight floor's share, as export.py --airlight-floor would ship it (0: off)")
    ap.add_argument("--strength", type=float, help="strength slider (default: the manifest's defaults)")
    ap.add_argument("--protect", type=float, help="protect slider (default: the manifest's defaults)")
    ap.add_argument("--no-write", action="store_true")
    ap.add_argument("--skip-baselines", action="store_true")
    ap.add_argument("--skip-real", action="store_true", help="leave out FADE on real haze and the really-clear photos")
    ap.add_argument("--airlight", action="store_true", help="also: the airlight's error outdoors, and the PSNR with the true airlight")
    args = ap.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))

    checkpoint = args.checkpoint or os.path.join(HERE, "checkpoints", f"{args.id}.pt")
    model, params, ckpt = load(checkpoint, *((args.max_side, args.t0, args.airlight_cap, args.airlight_floor) if args.checkpoint else ()))

    manifest_path = os.path.join(ROOT, "models", f"{args.id}.json")
    defaults = {"strength": 100.0, "protect": 0.0} if args.checkpoint else default_sliders(args.id)
    overridden = args.strength is not None or args.protect is not None
    if not (args.checkpoint or args.no_write or overridden) and (args.skip_real or args.limit):
        ap.error("models/README.md takes a whole run: drop --skip-real and --limit, or add --no-write")
    defaults.update({k: v for k, v in (("strength", args.strength), ("protect", args.protect)) if v is not None})
    print(f"sliders: {defaults}")

    ours = through_app(model, params, defaults)

    sets = {name: pairs(f"sots-{name}")[: args.limit] if args.limit else pairs(f"sots-{name}") for name in ("outdoor", "indoor")}
    result: Dict = {"model": {}, "baselines": {"input": {}, "dcp": {}}}
    outdoor_outputs: Dict[str, np.ndarray] = {}
    for name, items in sets.items():
        outdoor = name == "outdoor"
        result["model"][name] = score(ours, items, outdoor_outputs if outdoor and not args.skip_real else None, by_truth=outdoor)
        print(f"model    {name}: {result['model'][name]}", flush=True)
        if not args.skip_baselines:
            result["baselines"]["input"][name] = score(lambda x: x, items)
            result["baselines"]["dcp"][name] = score(dark_channel_prior, items)
            print(f"input    {name}: {result['baselines']['input'][name]}")
            print(f"dcp      {name}: {result['baselines']['dcp'][name]}", flush=True)
    if args.airlight:
        print(f"airlight outdoor: {airlight_report(model, params, sets['outdoor'], defaults)}", flush=True)
    result["clear"] = clear_unchanged(ours, ["sots-outdoor", "sots-indoor"], args.limit)
    print(f"clear unchanged: {result['clear']}")
    if not args.skip_real:
        params_fade = fade_params()
        methods: Dict[str, Method] = {"model": ours} if args.skip_baselines else {"model": ours, "dcp": dark_channel_prior}
        result["realHaze"] = {}
        for name, folder in REAL_SETS.items():
            report = real_haze(methods, photos(folder)[: args.limit], params_fade)
            for photo, scores in report.pop("photos").items():  # per photo: printed, not kept in the manifest
                print(f"  {name}/{photo}: " + ", ".join(f"{m} {v['published']:.2f}" for m, v in scores.items()))
            result["realHaze"][name] = report
            print(f"FADE {name}: {report}", flush=True)
        result["sotsFade"] = sots_fade(outdoor_outputs, sets["outdoor"], params_fade)
        print(f"FADE on SOTS outdoor: {result['sotsFade']}", flush=True)
        result["reallyClear"] = {name: unchanged(ours, paths) for name, paths in really_clear(args.limit).items()}
        print(f"really clear, unchanged: {result['reallyClear']}")
    result["measuredAt"] = time.strftime("%Y-%m-%d")
    result["step"] = ckpt["step"]
    result["sliders"] = defaults

    if args.checkpoint or args.no_write or overridden:
        return
    with open(manifest_path) as f:
        manifest = json.load(f)
    manifest["validation"] = result
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    write_readme(manifest, os.path.join(ROOT, "models", "README.md"))
    print(f"wrote {manifest_path} and models/README.md")


if __name__ == "__main__":
    main()
