"""WGAN-GP (Gulrajani et al. 2017): the DCGAN generator trained against a Wasserstein critic."""

from __future__ import annotations

import dataclasses

from gan_core.models.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator


@dataclasses.dataclass
class WGANGPConfig(DCGANConfig):
    family: str = "wgan-gp"


class WGANGPGenerator(DCGANGenerator):
    """Same network as DCGAN's; only the training objective differs."""

    family = "wgan-gp"
    config_class = WGANGPConfig


class WGANCritic(DCGANDiscriminator):
    """A score, not a probability: no sigmoid, no BatchNorm (layer norm instead)."""

    def __init__(self, config: WGANGPConfig) -> None:
        super().__init__(config, norm="layer")
