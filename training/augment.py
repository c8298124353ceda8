"""Differentiable augmentation (DiffAugment, Zhao et al. 2020) for small data sets.

With 10,000 faces a discriminator soon memorises the training set: its loss on real images
drops, its gradients stop telling the generator anything new, and samples stall or collapse.
DiffAugment applies the *same kind* of random, differentiable change to every image the
discriminator sees, real and generated alike, so D cannot tell them apart by those changes and
G still receives gradients through them (the generated images are never shown augmented).

Policies: ``color`` (brightness, saturation, contrast), ``translation`` (shift by up to 1/8 of
the side, zero-filled), ``cutout`` (a zeroed square of half the side). Images are in [-1, 1].
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

POLICIES = ("color", "translation", "cutout")


def parse_policy(text: str) -> tuple[str, ...]:
    """``"color,translation"`` -> ('color', 'translation'); '' or 'none' -> ()."""
    names = tuple(p.strip() for p in text.split(",") if p.strip() and p.strip() != "none")
    unknown = [p for p in names if p not in POLICIES]
    if unknown:
        raise ValueError(f"unknown augmentation {unknown}; choose from {list(POLICIES)}")
    return names


def diff_augment(x: torch.Tensor, policy: tuple[str, ...]) -> torch.Tensor:
    for name in policy:
        x = _AUGMENTS[name](x)
    return x


def _color(x: torch.Tensor) -> torch.Tensor:
    n = len(x)
    rand = torch.rand(n, 3, 1, 1, device=x.device, dtype=x.dtype)
    x = x + (rand[:, :1] - 0.5)  # brightness: shift by up to +-0.5
    mean = x.mean(dim=1, keepdim=True)
    x = (x - mean) * (rand[:, 1:2] * 2) + mean  # saturation x [0, 2]
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    return (x - mean) * (rand[:, 2:3] + 0.5) + mean  # contrast x [0.5, 1.5]


def _translation(x: torch.Tensor, ratio: float = 0.125) -> torch.Tensor:
    n, _, h, w = x.shape
    sh, sw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    dy = torch.randint(-sh, sh + 1, (n, 1, 1), device=x.device)
    dx = torch.randint(-sw, sw + 1, (n, 1, 1), device=x.device)
    ys = torch.arange(h, device=x.device).view(1, h, 1) + dy  # source row per output row
    xs = torch.arange(w, device=x.device).view(1, 1, w) + dx
    padded = F.pad(x, (1, 1, 1, 1))  # out-of-range sources read the zero border
    ys = ys.clamp(-1, h).add(1).expand(n, h, w)
    xs = xs.clamp(-1, w).add(1).expand(n, h, w)
    batch = torch.arange(n, device=x.device).view(n, 1, 1).expand(n, h, w)
    return padded.permute(0, 2, 3, 1)[batch, ys, xs].permute(0, 3, 1, 2)


def _cutout(x: torch.Tensor, ratio: float = 0.5) -> torch.Tensor:
    n, _, h, w = x.shape
    ch, cw = int(h * ratio + 0.5), int(w * ratio + 0.5)
    cy = torch.randint(0, h + (1 - ch % 2), (n, 1, 1), device=x.device)
    cx = torch.randint(0, w + (1 - cw % 2), (n, 1, 1), device=x.device)
    rows = torch.arange(h, device=x.device).view(1, h, 1)
    cols = torch.arange(w, device=x.device).view(1, 1, w)
    inside = ((rows - cy + ch // 2).clamp(0) < ch) & ((rows - cy + ch // 2) >= 0)
    inside = inside & ((cols - cx + cw // 2) >= 0) & ((cols - cx + cw // 2) < cw)
    return x * (~inside).unsqueeze(1).to(x.dtype)


_AUGMENTS = {"color": _color, "translation": _translation, "cutout": _cutout}
