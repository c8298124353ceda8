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
    """A score, not a probability: no sigmoid and no normalisation, with biases.

    Until 0.9.0 the critic used layer norm and no biases, which made it blind to contrast
    (``critic(a * x) == critic(x)`` for every ``a > 0``): the generator it trained never drew
    a dark pixel. The gradient penalty alone keeps this critic in check.
    """

    def __init__(self, config: WGANGPConfig) -> None:
        super().__init__(config, norm="none", bias=True)
