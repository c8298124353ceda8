"""The original GAN (Goodfellow et al. 2014) with multilayer perceptrons, for 28x28 digits."""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch import nn

from gan_core.config import ModelConfig
from gan_core.models.base import GenerativeModel


@dataclasses.dataclass
class GANConfig(ModelConfig):
    family: str = "gan"
    z_dim: int = 100
    hidden: int = 1024  # generator width
    d_hidden: int = 512  # discriminator width


class MLPGenerator(GenerativeModel):
    """z -> fc -> ReLU -> fc -> ReLU -> fc -> tanh, reshaped to an image."""

    family = "gan"
    config_class = GANConfig

    def __init__(self, config: GANConfig) -> None:
        super().__init__(config)
        pixels = config.channels * config.image_size**2
        self.net = nn.Sequential(
            nn.Linear(config.z_dim, config.hidden // 4),
            nn.ReLU(),
            nn.Linear(config.hidden // 4, config.hidden),
            nn.ReLU(),
            nn.Linear(config.hidden, pixels),
            nn.Tanh(),
            nn.Unflatten(1, config.image_shape),
        )

    def decode(self, z: torch.Tensor, **conditions: Any) -> torch.Tensor:
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """fc -> ReLU -> fc -> ReLU -> fc, one logit per image (the tutorial's design)."""

    def __init__(self, config: GANConfig) -> None:
        super().__init__()
        pixels = config.channels * config.image_size**2
        self.net = nn.Sequential(
            nn.Flatten(),
            nn.Linear(pixels, config.d_hidden),
            nn.ReLU(),
            nn.Linear(config.d_hidden, config.d_hidden // 2),
            nn.ReLU(),
            nn.Linear(config.d_hidden // 2, 1),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).squeeze(1)
