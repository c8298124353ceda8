"""GAN Studio's library: the classic generative models, one checkpoint format, latent tools.

import gan_core
gan_core.list_models()                 # ['ae-mnist', 'dcgan-celeba64', ...]
m = gan_core.load("dcgan-celeba64")    # a release name, a local folder or a Hub repo id
images = m.sample(16, seed=0)          # (16, 3, 64, 64) in [0, 1]
"""

__version__ = "0.15.0"  # one number: pyproject.toml reads it; CHANGELOG.md names it

from gan_core.checkpoint import (  # noqa: E402
    CheckpointError,
    Model,
    list_models,
    load,
    save_pretrained,
)

__all__ = ["CheckpointError", "Model", "list_models", "load", "save_pretrained", "__version__"]
