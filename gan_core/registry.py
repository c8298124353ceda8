"""The one table from a family name to its inference model class (and config dataclass)."""

from __future__ import annotations

from torch import nn

from gan_core.models.autoencoder import VAE, Autoencoder
from gan_core.models.convgan import ConvGenerator
from gan_core.models.cvae_gan import CVAEGAN
from gan_core.models.dcgan import DCGANGenerator
from gan_core.models.gan import MLPGenerator
from gan_core.models.infogan import InfoGANGenerator
from gan_core.models.judges import Judge
from gan_core.models.wgan import WGANGenerator
from gan_core.models.wgan_gp import WGANGPGenerator

MODEL_CLASSES: dict[str, type[nn.Module]] = {
    cls.family: cls
    for cls in (
        Autoencoder,
        VAE,
        MLPGenerator,
        ConvGenerator,
        DCGANGenerator,
        WGANGPGenerator,
        WGANGenerator,
        InfoGANGenerator,
        CVAEGAN,
        Judge,
    )
}

GENERATIVE_FAMILIES = tuple(name for name in MODEL_CLASSES if name != "judge")


def model_class(family: str) -> type[nn.Module]:
    try:
        return MODEL_CLASSES[family]
    except KeyError:
        raise ValueError(
            f"unknown model family {family!r}; known families: {sorted(MODEL_CLASSES)}"
        ) from None
