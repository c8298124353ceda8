"""InfoGAN (Chen et al. 2016): a GAN whose latent has interpretable codes.

The generator sees noise z, a one-hot categorical code and continuous codes in [-1, 1]. A Q head
on the discriminator's body predicts the codes back from the image; maximising that lower bound
on the mutual information makes each code control something visible (digit, slant, width).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from gan_core.config import ModelConfig
from gan_core.models.base import GenerativeModel, as_tensor


@dataclasses.dataclass
class InfoGANConfig(ModelConfig):
    family: str = "infogan"
    z_dim: int = 62
    n_categories: int = 10
    n_continuous: int = 2
    width: int = 64


class InfoGANGenerator(GenerativeModel):
    """[z, one-hot c, continuous c] -> fc 1024 -> fc (2w, s/4, s/4) -> 2 transposed convs."""

    family = "infogan"
    config_class = InfoGANConfig
    condition_names = ("category", "continuous")

    def __init__(self, config: InfoGANConfig) -> None:
        super().__init__(config)
        w, quarter = config.width, config.image_size // 4
        n_in = config.z_dim + config.n_categories + config.n_continuous
        self.net = nn.Sequential(
            nn.Linear(n_in, 1024, bias=False),
            nn.BatchNorm1d(1024),
            nn.ReLU(True),
            nn.Linear(1024, 2 * w * quarter * quarter, bias=False),
            nn.BatchNorm1d(2 * w * quarter * quarter),
            nn.ReLU(True),
            nn.Unflatten(1, (2 * w, quarter, quarter)),  # (128, 7, 7)
            nn.ConvTranspose2d(2 * w, w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(w),
            nn.ReLU(True),  # (64, 14, 14)
            nn.ConvTranspose2d(w, config.channels, 4, 2, 1),
            nn.Tanh(),  # (1, 28, 28)
        )

    @property
    def n_categories(self) -> int:
        return self.config.n_categories

    @property
    def n_continuous(self) -> int:
        return self.config.n_continuous

    def decode(
        self, z: torch.Tensor, category: torch.Tensor, continuous: torch.Tensor, **_: Any
    ) -> torch.Tensor:
        one_hot = F.one_hot(category, self.n_categories).to(z.dtype)
        return self.net(torch.cat([z, one_hot, continuous.to(z.dtype)], dim=1))

    def random_conditions(self, n: int, generator: torch.Generator) -> dict[str, torch.Tensor]:
        return {
            "category": torch.randint(0, self.n_categories, (n,), generator=generator),
            "continuous": torch.rand(n, self.n_continuous, generator=generator) * 2 - 1,
        }

    def check_conditions(self, n: int, conditions: dict[str, Any]) -> dict[str, torch.Tensor]:
        super().check_conditions(n, conditions)
        if "category" not in conditions or "continuous" not in conditions:
            raise TypeError("InfoGAN's generate needs category=LongTensor(N) and continuous=(N, K)")
        category = as_tensor(conditions["category"], torch.long, self.device, "category")
        continuous = as_tensor(conditions["continuous"], torch.float32, self.device, "continuous")
        category = category.reshape(-1).expand(n) if category.numel() == 1 else category
        if category.shape != (n,):
            raise ValueError(f"category must have shape ({n},), got {tuple(category.shape)}")
        if category.min() < 0 or category.max() >= self.n_categories:
            raise ValueError(f"category must be in 0..{self.n_categories - 1}")
        if continuous.shape != (n, self.n_continuous):
            raise ValueError(
                f"continuous must have shape ({n}, {self.n_continuous}), "
                f"got {tuple(continuous.shape)}"
            )
        if not torch.isfinite(continuous).all():
            raise ValueError("continuous codes contain NaN or infinite values")
        return {"category": category, "continuous": continuous}


class InfoGANDiscriminator(nn.Module):
    """Shared body; a real/fake logit head and the Q head (category logits, Gaussian means and
    log-variances of the continuous codes)."""

    def __init__(self, config: InfoGANConfig) -> None:
        super().__init__()
        w, quarter = config.width, config.image_size // 4
        self.n_categories, self.n_continuous = config.n_categories, config.n_continuous
        self.body = nn.Sequential(
            nn.Conv2d(config.channels, w, 4, 2, 1),
            nn.LeakyReLU(0.1, True),  # (64, 14, 14)
            nn.Conv2d(w, 2 * w, 4, 2, 1, bias=False),
            nn.BatchNorm2d(2 * w),
            nn.LeakyReLU(0.1, True),  # (128, 7, 7)
            nn.Flatten(),
            nn.Linear(2 * w * quarter * quarter, 1024, bias=False),
            nn.BatchNorm1d(1024),
            nn.LeakyReLU(0.1, True),
        )
        self.real_head = nn.Linear(1024, 1)
        self.q_head = nn.Sequential(
            nn.Linear(1024, 128, bias=False),
            nn.BatchNorm1d(128),
            nn.LeakyReLU(0.1, True),
            nn.Linear(128, self.n_categories + 2 * self.n_continuous),
        )

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns (real/fake logits (N,), shared features (N, 1024))."""
        h = self.body(x)
        return self.real_head(h).squeeze(1), h

    def q(self, h: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Shared features -> (category logits, continuous mean, continuous log-variance)."""
        out = self.q_head(h)
        logits = out[:, : self.n_categories]
        mean, log_var = out[:, self.n_categories :].chunk(2, dim=1)
        return logits, mean, log_var.clamp(-8, 4)
