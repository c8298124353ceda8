"""Latent-space operations as pure tensor functions: interpolation, truncation, arithmetic."""

from __future__ import annotations

import torch


def lerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
    """Straight line between two latents."""
    return z0 + (z1 - z0) * t


def slerp(z0: torch.Tensor, z1: torch.Tensor, t: torch.Tensor | float) -> torch.Tensor:
    """Great-circle interpolation: keeps the norm typical of a Gaussian latent.

    A straight line through a high-dimensional Gaussian passes near the origin, where the
    generator has seen few latents; slerp stays on the shell where samples live.
    """
    t = torch.as_tensor(t, dtype=z0.dtype, device=z0.device)
    a = z0 / z0.norm(dim=-1, keepdim=True).clamp_min(1e-8)
    b = z1 / z1.norm(dim=-1, keepdim=True).clamp_min(1e-8)
    omega = torch.acos((a * b).sum(-1, keepdim=True).clamp(-1 + 1e-7, 1 - 1e-7))
    sin_omega = torch.sin(omega)
    if bool((sin_omega.abs() < 1e-6).all()):
        return lerp(z0, z1, t)
    return (torch.sin((1 - t) * omega) / sin_omega) * z0 + (torch.sin(t * omega) / sin_omega) * z1


def interpolate(
    z0: torch.Tensor, z1: torch.Tensor, steps: int, method: str = "slerp"
) -> torch.Tensor:
    """``steps`` latents from z0 to z1 inclusive, shape (steps, z_dim)."""
    if steps < 2:
        raise ValueError(f"interpolation needs at least 2 steps, got {steps}")
    if method not in ("slerp", "lerp"):
        raise ValueError(f"method must be 'slerp' or 'lerp', got {method!r}")
    ts = torch.linspace(0, 1, steps, dtype=z0.dtype, device=z0.device).unsqueeze(-1)
    fn = slerp if method == "slerp" else lerp
    return fn(z0.reshape(1, -1), z1.reshape(1, -1), ts)


def truncate(z: torch.Tensor, psi: float) -> torch.Tensor:
    """Pull latents towards the mean (0) by ``psi``: lower psi trades variety for fidelity."""
    if not 0.0 <= psi <= 1.0:
        raise ValueError(f"truncation psi must be in [0, 1], got {psi}")
    return z * psi


def concept_vector(*latents: torch.Tensor) -> torch.Tensor:
    """Average of exemplar latents (the DCGAN paper averages three per concept)."""
    stacked = torch.cat([z.reshape(-1, z.shape[-1]) for z in latents])
    return stacked.mean(0)


def to_shell(z: torch.Tensor) -> torch.Tensor:
    """Rescale each latent to length sqrt(z_dim), the radius where N(0, I) samples live.

    The average of k latents has length about sqrt(z_dim / k): it sits near the origin, where
    the generator saw almost no training latents and draws its bland "average face". Keeping
    the direction (the concept) and restoring a typical length makes averages of many
    exemplars usable.
    """
    radius = z.shape[-1] ** 0.5
    return z * (radius / z.norm(dim=-1, keepdim=True).clamp_min(1e-8))


def vector_arithmetic(a: torch.Tensor, b: torch.Tensor, c: torch.Tensor) -> torch.Tensor:
    """a - b + c, e.g. man-with-glasses - man + woman."""
    return a - b + c


def jitter(
    z: torch.Tensor, n: int, scale: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """``n`` copies of z, all but the first nudged by Gaussian noise (the paper's 3x3 grids)."""
    noise = torch.randn(n, z.shape[-1], generator=generator, dtype=z.dtype) * scale
    noise[0] = 0
    return z.reshape(1, -1) + noise.to(z.device)
