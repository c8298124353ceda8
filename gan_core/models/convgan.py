"""A small convolutional GAN in the style of the Keras CIFAR-10 "frogs" tutorial (32x32)."""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch import nn

from gan_core.config import ModelConfig
from gan_core.models.base import GenerativeModel


@dataclasses.dataclass
class ConvGANConfig(ModelConfig):
    family: str = "convgan"
    z_dim: int = 32
    channels: int = 3
    image_size: int = 32
    width: int = 128  # the tutorial uses 128 in D and 256 in G


class ConvGenerator(GenerativeModel):
    """Dense -> (w, s/2, s/2) -> conv 5 -> transposed conv to s -> 2x conv 5 -> conv 7 tanh."""

    family = "convgan"
    config_class = ConvGANConfig

    def __init__(self, config: ConvGANConfig) -> None:
        super().__init__(config)
        w, half = config.width, config.image_size // 2
        self.net = nn.Sequential(
            nn.Linear(config.z_dim, w * half * half),
            nn.LeakyReLU(0.2),
            nn.Unflatten(1, (w, half, half)),
            nn.Conv2d(w, 2 * w, 5, padding=2),
            nn.LeakyReLU(0.2),
            nn.ConvTranspose2d(2 * w, 2 * w, 4, 2, 1),  # upsample to full size
            nn.LeakyReLU(0.2),
            nn.Conv2d(2 * w, 2 * w, 5, padding=2),
            nn.LeakyReLU(0.2),
            nn.Conv2d(2 * w, 2 * w, 5, padding=2),
            nn.LeakyReLU(0.2),
            nn.Conv2d(2 * w, config.channels, 7, padding=3),
            nn.Tanh(),
        )

    def decode(self, z: torch.Tensor, **conditions: Any) -> torch.Tensor:
        return self.net(z)


class ConvDiscriminator(nn.Module):
    """conv 3 -> 3x strided conv 4 -> flatten -> dropout 0.4 -> one logit."""

    def __init__(self, config: ConvGANConfig) -> None:
        super().__init__()
        w = config.width
        self.body = nn.Sequential(
            nn.Conv2d(config.channels, w, 3),
            nn.LeakyReLU(0.2),
            nn.Conv2d(w, w, 4, 2),
            nn.LeakyReLU(0.2),
            nn.Conv2d(w, w, 4, 2),
            nn.LeakyReLU(0.2),
            nn.Conv2d(w, w, 4, 2),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Dropout(0.4),
        )
        with torch.no_grad():
            n_features = self.body(torch.zeros(1, *config.image_shape)).shape[1]
        self.head = nn.Linear(n_features, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x)).squeeze(1)
