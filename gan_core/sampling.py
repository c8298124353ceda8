"""Seeds to latents, tensors to pictures. Pure functions, no global RNG state."""

from __future__ import annotations

import numpy as np
import torch
from torchvision.utils import make_grid

MAX_SEED = 2**32 - 1


def check_seed(seed: int | float | None) -> int | None:
    """Return ``seed`` as an int in [0, 2**32-1], or raise ValueError with a readable message."""
    if seed is None:
        return None
    try:
        as_float = float(seed)
    except (TypeError, ValueError):
        raise ValueError(f"seed must be a whole number, got {seed!r}") from None
    if not np.isfinite(as_float) or as_float != int(as_float):
        raise ValueError(f"seed must be a whole number, got {seed!r}")
    value = int(as_float)
    if not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed must be between 0 and {MAX_SEED}, got {value}")
    return value


def make_generator(seed: int | None, device: str | torch.device = "cpu") -> torch.Generator:
    """A private RNG for one request: the same seed always gives the same latents."""
    generator = torch.Generator(device=device)
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(check_seed(seed))
    return generator


def latents_from_seeds(seeds: list[int], z_dim: int) -> torch.Tensor:
    """One latent per seed, each from its own RNG, so seed 7 gives the same face in any batch."""
    return torch.stack([torch.randn(z_dim, generator=make_generator(s)) for s in seeds])


def to_uint8(images: torch.Tensor) -> np.ndarray:
    """(N, C, H, W) floats in [0, 1] -> (N, H, W, 3) uint8, grey images repeated to RGB."""
    images = images.detach().float().clamp(0, 1).cpu()
    if images.shape[1] == 1:
        images = images.repeat(1, 3, 1, 1)
    return (images.permute(0, 2, 3, 1) * 255).round().to(torch.uint8).numpy()


def image_grid(images: torch.Tensor, nrow: int | None = None, padding: int = 2) -> np.ndarray:
    """A grid of images in [0, 1] as one (H, W, 3) uint8 array."""
    if nrow is None:
        nrow = max(1, int(np.ceil(np.sqrt(len(images)))))
    grid = make_grid(images.detach().float().cpu(), nrow=nrow, padding=padding, pad_value=1.0)
    return to_uint8(grid.unsqueeze(0))[0]


def parse_seeds(text: str) -> list[int]:
    """'0-3,7' -> [0, 1, 2, 3, 7] (the stylegan ``--seeds`` syntax)."""
    seeds: list[int] = []
    for part in str(text).split(","):
        part = part.strip()
        if not part:
            continue
        if "-" in part[1:]:
            start, end = part.split("-", 1)
            lo, hi = check_seed(int(start)), check_seed(int(end))
            if hi < lo:
                raise ValueError(f"seed range {part!r} runs backwards")
            seeds.extend(range(lo, hi + 1))
        else:
            seeds.append(check_seed(int(part)))
    if not seeds:
        raise ValueError(f"no seeds in {text!r}")
    return seeds
