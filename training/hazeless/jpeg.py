"""JPEG compression of a batch in PyTorch, on whatever device the batch is on.

The per-sample synthesis compresses with PIL, which needs the image on the CPU and one call per
image. A GPU makes batches far faster than CPU workers can (their JPEG and Python overhead set the
pace on the first GPU runs), so the batched synthesis compresses on the device with the same steps
as libjpeg's baseline encoder and decoder at PIL's defaults: full-range YCbCr, 4:2:0 chroma (2x2
means), 8x8 orthonormal DCT, the IJG quantisation tables scaled by quality, and "fancy" (triangle)
chroma upsampling on decoding. Entropy coding is lossless, so it is left out. What differs from
libjpeg is rounding inside its integer DCT; tests/test_jpeg.py measures how close the two are.
"""
from __future__ import annotations

import math

import torch
import torch.nn.functional as F

_LUMA_TABLE = [
    16, 11, 10, 16, 24, 40, 51, 61,
    12, 12, 14, 19, 26, 58, 60, 55,
    14, 13, 16, 24, 40, 57, 69, 56,
    14, 17, 22, 29, 51, 87, 80, 62,
    18, 22, 37, 56, 68, 109, 103, 77,
    24, 35, 55, 64, 81, 104, 113, 92,
    49, 64, 78, 87, 103, 121, 120, 101,
    72, 92, 95, 98, 112, 100, 103, 99,
]
_CHROMA_TABLE = [
    17, 18, 24, 47, 99, 99, 99, 99,
    18, 21, 26, 66, 99, 99, 99, 99,
    24, 26, 56, 99, 99, 99, 99, 99,
    47, 66, 99, 99, 99, 99, 99, 99,
] + [99] * 32


def quant_tables(quality: torch.Tensor) -> torch.Tensor:
    """Bx2x8x8 luma and chroma tables for qualities 1..100, scaled as libjpeg's jpeg_set_quality
    does (baseline: entries clamped to 1..255)."""
    q = quality.to(torch.float64).clamp(1, 100)
    scale = torch.where(q < 50, torch.floor(5000 / q), 200 - 2 * q)
    base = torch.tensor([_LUMA_TABLE, _CHROMA_TABLE], dtype=torch.float64, device=quality.device)
    tables = torch.floor((base[None] * scale[:, None, None] + 50) / 100).clamp(1, 255)
    return tables.reshape(-1, 2, 8, 8).float()


def _dct_matrix(device: torch.device) -> torch.Tensor:
    k = torch.arange(8, dtype=torch.float64)
    m = torch.cos((2 * k[None, :] + 1) * k[:, None] * math.pi / 16) * math.sqrt(2 / 8)
    m[0] = math.sqrt(1 / 8)
    return m.float().to(device)


def _blocks(x: torch.Tensor) -> torch.Tensor:
    b, c, h, w = x.shape
    return x.reshape(b, c, h // 8, 8, w // 8, 8).permute(0, 1, 2, 4, 3, 5)


def _unblocks(x: torch.Tensor) -> torch.Tensor:
    b, c, bh, bw = x.shape[:4]
    return x.permute(0, 1, 2, 4, 3, 5).reshape(b, c, bh * 8, bw * 8)


def _quantise(plane: torch.Tensor, table: torch.Tensor, dct: torch.Tensor) -> torch.Tensor:
    """DCT each 8x8 block of the level-shifted plane (Bx1xHxW), quantise, dequantise, invert."""
    blocks = _blocks(plane - 128)
    coef = dct @ blocks @ dct.T
    t = table[:, None, None, None]
    coef = torch.round(coef / t) * t
    return _unblocks(dct.T @ coef @ dct) + 128


def jpeg_roundtrip(img: torch.Tensor, quality: torch.Tensor) -> torch.Tensor:
    """img: Bx3xHxW sRGB values 0..255 (whole numbers, as an 8-bit image holds them); quality: B
    whole numbers 1..100. Returns the decoded Bx3xHxW, 0..255, rounded as a decoder writes bytes."""
    b, _, h, w = img.shape
    # libjpeg pads to whole 16x16 units (4:2:0) by repeating the last row and column.
    ph, pw = (-h) % 16, (-w) % 16
    x = F.pad(img, (0, pw, 0, ph), mode="replicate") if ph or pw else img
    r, g, bl = x[:, 0:1], x[:, 1:2], x[:, 2:3]
    y = 0.299 * r + 0.587 * g + 0.114 * bl
    cb = -0.168736 * r - 0.331264 * g + 0.5 * bl + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * bl + 128
    # The encoder stores whole numbers per sample before the DCT.
    y, cb, cr = (torch.round(p).clamp(0, 255) for p in (y, cb, cr))
    cb, cr = (F.avg_pool2d(p, 2) for p in (cb, cr))
    tables = quant_tables(quality)
    dct = _dct_matrix(img.device)
    y = _quantise(y, tables[:, 0], dct).clamp(0, 255)
    cb = _quantise(cb, tables[:, 1], dct).clamp(0, 255)
    cr = _quantise(cr, tables[:, 1], dct).clamp(0, 255)
    # The decoder rounds each plane to bytes, then upsamples chroma with the triangle filter
    # (3/4 and 1/4 weights), which is bilinear at half-pixel centres with the edges repeated.
    y, cb, cr = (torch.round(p) for p in (y, cb, cr))
    cb, cr = (F.interpolate(p, scale_factor=2, mode="bilinear", align_corners=False) - 128 for p in (cb, cr))
    out = torch.cat([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr, y + 1.772 * cb], dim=1)
    return torch.round(out).clamp(0, 255)[:, :, :h, :w]
