"""Side-by-side pictures of real hazy photos for a reviewer: the photo | the model through the app's
reconstruction at the manifest's default sliders | the dark channel prior | the haze map (t). Each
panel's caption gives its FADE fog density (`hazeless/fade.py`, the release's Gaussians, on the
full-size image; lower is clearer), and so does the file name (input and model). Writes PNGs to
--out/<set>/ (not into the repo), one folder per set of photos.

    /usr/bin/python3 training/compare_real.py --id hazeless-v1 --out /tmp/real-compare
    /usr/bin/python3 training/compare_real.py --sets real --only Lumpur.jpg --protect 0
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np
from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from evaluate import HERE, REAL_SETS, dark_channel_prior, default_sliders, load, photos, read, to_tensor, to_uint8  # noqa: E402
from hazeless import fade  # noqa: E402
from hazeless.recon import dehaze  # noqa: E402

CAPTION = 18  # px of caption strip under each panel


def panel(img: np.ndarray, width: int, caption: str) -> np.ndarray:
    h = round(img.shape[0] * width / img.shape[1])
    pic = Image.fromarray(img).resize((width, h), Image.BOX)
    out = Image.new("RGB", (width, h + CAPTION))
    out.paste(pic, (0, 0))
    ImageDraw.Draw(out).text((4, h + 3), caption, fill=(255, 255, 255))
    return np.asarray(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--id", default="hazeless-v1")
    ap.add_argument("--checkpoint")
    ap.add_argument("--out", default="/tmp/real-compare")
    ap.add_argument("--sets", nargs="*", default=list(REAL_SETS), choices=list(REAL_SETS), help="which folders of real photos")
    ap.add_argument("--width", type=int, default=480, help="width of each panel")
    ap.add_argument("--only", nargs="*", help="file names to include")
    ap.add_argument("--strength", type=float, help="strength slider (default: the manifest's default)")
    ap.add_argument("--protect", type=float, help="protect slider (default: the manifest's default)")
    ap.add_argument("--max-side", type=int, help="network long side for --checkpoint (as export.py --max-side would ship it)")
    ap.add_argument("--t0", type=float, help="t0 for --checkpoint (as export.py --t0 would ship it)")
    ap.add_argument("--airlight-cap", action="store_true", default=None, help="for --checkpoint: as export.py --airlight-cap would ship it")
    ap.add_argument("--airlight-floor", type=float, help="for --checkpoint: the airlight floor's share, as export.py --airlight-floor would ship it")
    args = ap.parse_args()
    model, params, _ = load(args.checkpoint or os.path.join(HERE, "checkpoints", f"{args.id}.pt"), args.max_side, args.t0, args.airlight_cap, args.airlight_floor)
    sliders = default_sliders(args.id)
    sliders.update({k: v for k, v in (("strength", args.strength), ("protect", args.protect)) if v is not None})
    published = fade.load_params("published")
    label = args.id if not args.checkpoint else os.path.basename(args.checkpoint)
    for name in args.sets:
        out_dir = os.path.join(args.out, name.replace("/", "-"))
        os.makedirs(out_dir, exist_ok=True)
        for path in photos(REAL_SETS[name]):
            photo = os.path.basename(path)
            if args.only and photo not in args.only:
                continue
            x = to_tensor(read(path))
            j, t, a = dehaze(model, x, params, strength=sliders["strength"], protect=sliders["protect"])
            hazy, ours, dcp = to_uint8(x), to_uint8(j), to_uint8(dark_channel_prior(x))
            d_hazy, d_ours, d_dcp = (fade.density(img, published) for img in (hazy, ours, dcp))
            row = np.concatenate([
                panel(hazy, args.width, f"input  FADE {d_hazy:.2f}"),
                panel(ours, args.width, f"{label} (strength {sliders['strength']:g}, protect {sliders['protect']:g})  FADE {d_ours:.2f}"),
                panel(dcp, args.width, f"dark channel prior  FADE {d_dcp:.2f}"),
                panel(to_uint8(t.expand(-1, 3, -1, -1)), args.width, f"haze map t (mean {float(t.mean()):.2f})"),
            ], axis=1)
            stem = os.path.splitext(photo)[0]
            Image.fromarray(row).save(os.path.join(out_dir, f"{stem}_fade-{d_hazy:.2f}-to-{d_ours:.2f}.png"))
            print(f"{name}/{photo}: FADE {d_hazy:.2f} -> {d_ours:.2f} (dcp {d_dcp:.2f}); A =", [round(float(v), 3) for v in a.reshape(3)])


if __name__ == "__main__":
    main()
