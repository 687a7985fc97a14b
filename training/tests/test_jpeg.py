"""hazeless.jpeg compresses a batch as PIL's libjpeg does, so that batches made on a GPU carry the
JPEG artefacts of the per-sample synthesis."""
import glob
import io
import os

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import SHARED
from hazeless.jpeg import jpeg_roundtrip, quant_tables


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255.0 ** 2 / np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)))


def test_quality_scales_the_standard_tables_as_libjpeg_does() -> None:
    tables = quant_tables(torch.tensor([50, 100, 25]))
    assert tables[0, 0, 0, 0] == 16 and tables[0, 1, 0, 0] == 17 and tables[0, 0, 7, 7] == 99
    assert bool((tables[1] == 1).all())
    assert tables[2, 0, 0, 0] == 32  # quality 25: scale 200%


@pytest.mark.parametrize("quality", [55, 75, 95])
def test_a_photo_compresses_as_with_pil(quality: int) -> None:
    paths = sorted(glob.glob(os.path.join(SHARED, "train", "clean", "*", "*")))[::150][:3]
    photos = [np.asarray(Image.open(p).convert("RGB"))[:200, :264] for p in paths]  # 264: not whole 16-pixel units
    batch = torch.stack([torch.from_numpy(p.copy()).permute(2, 0, 1).float() for p in photos])
    ours = jpeg_roundtrip(batch, torch.full((len(photos),), quality))
    assert ours.shape == batch.shape
    for photo, out in zip(photos, ours):
        buf = io.BytesIO()
        Image.fromarray(photo).save(buf, format="JPEG", quality=quality)
        pil = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
        mine = out.permute(1, 2, 0).numpy().astype(np.uint8)
        # The same loss as libjpeg's (its integer DCT rounds a little differently)...
        assert abs(psnr(mine, photo) - psnr(pil, photo)) < 0.4
        # ...in the same places: the two decoded images are closer to each other than to the photo.
        assert psnr(mine, pil) > min(psnr(pil, photo) + 3, 50)


def test_each_image_of_a_batch_gets_its_own_quality() -> None:
    y, x = torch.meshgrid(torch.linspace(0, 1, 48), torch.linspace(0, 1, 48), indexing="ij")
    scene = torch.stack([torch.sin(9 * x) * 0.4 + 0.5, (x * y) ** 0.5, torch.cos(7 * y + 3 * x) * 0.3 + 0.5])
    img = (scene * 255).round()[None].repeat(2, 1, 1, 1)
    out = jpeg_roundtrip(img, torch.tensor([30, 95]))
    err = (out - img).abs().flatten(1).mean(1)
    assert float(err[0]) > 2 * float(err[1])
    assert bool((out == out.round()).all()) and float(out.min()) >= 0 and float(out.max()) <= 255
