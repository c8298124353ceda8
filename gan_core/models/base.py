"""What every generative model in GAN Studio offers: ``generate``, ``sample`` and its shapes.

Networks output images in [-1, 1] (tanh); the public API hands out [0, 1].
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from torch import nn

from gan_core.config import ModelConfig
from gan_core.latent import truncate
from gan_core.sampling import make_generator


def init_dcgan_weights(module: nn.Module) -> None:
    """The DCGAN paper's init: conv/linear N(0, 0.02); norm scale N(1, 0.02), bias 0."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm2d, nn.BatchNorm1d, nn.GroupNorm)) and module.affine:
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class GenerativeModel(nn.Module):
    """Base class: subclasses set ``family``/``config_class`` and implement ``decode``."""

    family: ClassVar[str] = ""
    config_class: ClassVar[type[ModelConfig]] = ModelConfig
    #: the keyword arguments ``generate`` accepts besides ``z`` (for UIs and validation)
    condition_names: ClassVar[tuple[str, ...]] = ()

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config

    # --- shapes -------------------------------------------------------------------------
    @property
    def z_dim(self) -> int:
        return self.config.z_dim

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return self.config.image_shape

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    # --- to implement ---------------------------------------------------------------------
    def decode(self, z: torch.Tensor, **conditions: Any) -> torch.Tensor:
        """Network forward: latents (+ conditions) -> images in [-1, 1]."""
        raise NotImplementedError

    def forward(self, z: torch.Tensor, **conditions: Any) -> torch.Tensor:
        """Training-time call (gradients on, images in [-1, 1]); same as ``decode``."""
        return self.decode(z, **conditions)

    def random_latents(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """``n`` latents from the model's prior: N(0, I) unless a subclass fitted another one."""
        return torch.randn(n, self.z_dim, generator=generator)

    def random_conditions(self, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        """Conditions to use when the caller gives none (e.g. a random InfoGAN category)."""
        return {}

    def check_conditions(self, n: int, conditions: dict[str, Any]) -> dict[str, torch.Tensor]:
        """Validate condition tensors; subclasses override. Unknown names are an error."""
        unknown = sorted(set(conditions) - set(self.condition_names))
        if unknown:
            raise TypeError(
                f"{self.family} does not take the conditions {unknown}; "
                f"it takes {list(self.condition_names) or 'none'}"
            )
        return conditions

    # --- public API -------------------------------------------------------------------------
    @torch.inference_mode()
    def generate(self, z: torch.Tensor, **conditions: Any) -> torch.Tensor:
        """Latents (N, z_dim) -> images (N, C, H, W) in [0, 1]; eval mode, no gradients."""
        z = torch.as_tensor(z, dtype=torch.float32)
        if z.ndim != 2 or z.shape[1] != self.z_dim:
            raise ValueError(f"z must have shape (N, {self.z_dim}), got {tuple(z.shape)}")
        if not torch.isfinite(z).all():
            raise ValueError("z contains NaN or infinite values")
        conditions = self.check_conditions(len(z), conditions)
        was_training = self.training
        self.eval()
        try:
            images = self.decode(z.to(self.device), **conditions)
        finally:
            self.train(was_training)
        return ((images.float() + 1) / 2).clamp(0, 1)

    def sample(
        self, n: int, seed: int | None = None, truncation: float = 1.0, **conditions: Any
    ) -> torch.Tensor:
        """``n`` random images, the same for the same seed; missing conditions drawn at random."""
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        generator = make_generator(seed)
        z = truncate(self.random_latents(n, generator), truncation)
        drawn = self.random_conditions(n, generator)
        drawn.update(conditions)
        return self.generate(z, **drawn)

    def extra_repr(self) -> str:
        return f"family={self.family!r}, z_dim={self.z_dim}, image_shape={self.image_shape}"


def as_tensor(value: Any, dtype: torch.dtype, device: torch.device, name: str) -> torch.Tensor:
    """Turn a condition into a tensor with a message that names it when that fails."""
    try:
        return torch.as_tensor(value, dtype=dtype, device=device)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ValueError(f"{name} could not be read as a tensor: {error}") from None
