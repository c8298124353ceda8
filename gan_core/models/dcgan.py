"""DCGAN (Radford et al. 2015): all-convolutional generator and discriminator for 64x64 faces."""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch import nn

from gan_core.config import ModelConfig
from gan_core.models.base import GenerativeModel


@dataclasses.dataclass
class DCGANConfig(ModelConfig):
    family: str = "dcgan"
    z_dim: int = 100
    channels: int = 3
    image_size: int = 64
    # The generator's first feature map has g_width * 8 channels: 128 gives the paper's 1024x4x4.
    g_width: int = 128
    d_width: int = 64


def _n_upsamples(image_size: int) -> int:
    if image_size < 8 or image_size & (image_size - 1):
        raise ValueError(f"image_size must be a power of two >= 8, got {image_size}")
    return (image_size // 4).bit_length() - 1  # 64 -> 4


class DCGANGenerator(GenerativeModel):
    """z (N, z_dim) -> (8w, 4, 4) -> transposed convs halving channels, doubling size -> image."""

    family = "dcgan"
    config_class = DCGANConfig

    def __init__(self, config: DCGANConfig) -> None:
        super().__init__(config)
        n_up = _n_upsamples(config.image_size)
        c = config.g_width * 2 ** (n_up - 1)  # 64x64: 8w
        layers: list[nn.Module] = [
            nn.Unflatten(1, (config.z_dim, 1, 1)),
            # Projection: z -> (8w) x 4 x 4, the paper's "fc 100 -> 1024 x 4 x 4"
            nn.ConvTranspose2d(config.z_dim, c, 4, 1, 0, bias=False),
            nn.BatchNorm2d(c),
            nn.ReLU(True),
        ]
        for _ in range(n_up - 1):  # (8w,4,4) -> (4w,8,8) -> (2w,16,16) -> (w,32,32)
            layers += [
                nn.ConvTranspose2d(c, c // 2, 4, 2, 1, bias=False),
                nn.BatchNorm2d(c // 2),
                nn.ReLU(True),
            ]
            c //= 2
        layers += [nn.ConvTranspose2d(c, config.channels, 4, 2, 1, bias=False), nn.Tanh()]
        self.net = nn.Sequential(*layers)  # -> (channels, 64, 64)

    def decode(self, z: torch.Tensor, **conditions: Any) -> torch.Tensor:
        return self.net(z)


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "layer":  # per-sample, safe with the penalty, but blind to contrast without biases
        return nn.GroupNorm(1, channels)
    if kind == "none":
        return nn.Identity()
    raise ValueError(f"norm must be 'batch', 'layer' or 'none', got {kind!r}")


class DCGANDiscriminator(nn.Module):
    """Mirror of the generator: strided convs with LeakyReLU(0.2), no pooling, one logit.

    ``norm='batch'`` is the DCGAN discriminator. WGAN-GP's critic uses ``'none'`` with biases:
    batch statistics would couple samples and break the per-sample gradient penalty, and a
    bias-free stack under per-sample (layer) norm gives the same score to ``x`` and ``a * x``
    for any ``a > 0``, so it cannot see an image's contrast (tests/test_models_and_checkpoints.py).
    """

    def __init__(self, config: DCGANConfig, norm: str = "batch", bias: bool = False) -> None:
        super().__init__()
        n_down = _n_upsamples(config.image_size)
        c = config.d_width
        blocks: list[nn.Module] = [
            nn.Conv2d(config.channels, c, 4, 2, 1, bias=bias),
            nn.LeakyReLU(0.2, True),
        ]  # (w, 32, 32)
        for _ in range(n_down - 1):  # -> (2w,16,16) -> (4w,8,8) -> (8w,4,4)
            blocks += [
                nn.Conv2d(c, c * 2, 4, 2, 1, bias=bias),
                _norm(norm, c * 2),
                nn.LeakyReLU(0.2, True),
            ]
            c *= 2
        self.features = nn.Sequential(*blocks)
        self.head = nn.Conv2d(c, 1, 4, 1, 0, bias=bias)  # (1, 1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x)).flatten()
