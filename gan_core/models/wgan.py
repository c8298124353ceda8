"""WGAN (Arjovsky et al. 2017): the DCGAN generator trained against a weight-clipped critic.

The critic scores images (no sigmoid) and has no BatchNorm (the paper allows either; without
it each score depends on its own image only). The training recipe clips the critic's weights
to [-c, c] after every RMSProp step, which keeps it K-Lipschitz for some unknown K.

Sizes that are a power of two (CelebA's 64, CIFAR-10's 32) give exactly DCGAN's networks.
MNIST's 28 = 7 x 2^2 works too: the generator's projection makes a 7 x 7 map instead of 4 x 4
(then 14, 28) and the critic's head reads 7 x 7.
"""

from __future__ import annotations

import dataclasses

from torch import nn

from gan_core.models.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator


@dataclasses.dataclass
class WGANConfig(DCGANConfig):
    family: str = "wgan"


def geometry(image_size: int) -> tuple[int, int]:
    """``image_size`` as ``base x 2**doublings`` with base in 4..7 (DCGAN's base is 4)."""
    size, doublings = image_size, 0
    while isinstance(size, int) and size % 2 == 0 and size > 7:
        size //= 2
        doublings += 1
    if not isinstance(size, int) or not 4 <= size <= 7 or doublings < 1:
        raise ValueError(
            f"image_size must be 4..7 times a power of two, at least 8 (e.g. 28, 32, 64), "
            f"got {image_size!r}"
        )
    return size, doublings


def _dcgan_shaped(config: WGANConfig) -> tuple[int, DCGANConfig]:
    """The base size and the power-of-two DCGAN config with the same layer count."""
    base, doublings = geometry(config.image_size)
    return base, dataclasses.replace(config, image_size=4 * 2**doublings)


class WGANGenerator(DCGANGenerator):
    """DCGAN's generator (same layers, same weight names) under the family name ``wgan``."""

    family = "wgan"
    config_class = WGANConfig

    def __init__(self, config: WGANConfig) -> None:
        base, shaped = _dcgan_shaped(config)
        super().__init__(shaped)
        self.config = config
        if base != 4:  # z -> base x base instead of 4 x 4; the upsampling blocks are the same
            projection = self.net[1]
            self.net[1] = nn.ConvTranspose2d(
                config.z_dim, projection.out_channels, base, 1, 0, bias=False
            )


class WGANClippedCritic(DCGANDiscriminator):
    """DCGAN's discriminator without BatchNorm or sigmoid: one unbounded score per image."""

    def __init__(self, config: WGANConfig) -> None:
        base, shaped = _dcgan_shaped(config)
        super().__init__(shaped, norm="none")
        if base != 4:
            self.head = nn.Conv2d(self.head.in_channels, 1, base, 1, 0, bias=False)
