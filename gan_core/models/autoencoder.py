"""Autoencoder and variational autoencoder: an MLP for 28x28 digits, a conv net for 64x64 faces.

Decoders end in logits; ``decode`` maps them to [-1, 1] with tanh(l/2) = 2*sigmoid(l) - 1, and the
training loss uses the same logits with binary cross-entropy (the classic MNIST VAE recipe).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch
from torch import nn

from gan_core.config import ModelConfig
from gan_core.models.base import GenerativeModel


@dataclasses.dataclass
class AutoencoderConfig(ModelConfig):
    family: str = "ae"
    z_dim: int = 16
    arch: str = "mlp"  # "mlp" (28x28) or "conv" (64x64)
    hidden: int = 512  # MLP width
    base_channels: int = 32  # conv width at full resolution
    # Random latents: 0 = z ~ N(0, I); K > 0 = a K-component full-covariance Gaussian mixture
    # fitted to the training codes at export (``set_prior_mixture``), in the same z space.
    prior_components: int = 0


def _conv_encoder(channels: int, width: int, image_size: int, out_features: int) -> nn.Module:
    layers: list[nn.Module] = []
    c_in, c_out, size = channels, width, image_size
    while size > 4:  # 64 -> 32 -> 16 -> 8 -> 4
        layers += [nn.Conv2d(c_in, c_out, 4, 2, 1), nn.BatchNorm2d(c_out), nn.LeakyReLU(0.2)]
        c_in, c_out, size = c_out, c_out * 2, size // 2
    layers += [nn.Flatten(), nn.Linear(c_in * 4 * 4, out_features)]
    return nn.Sequential(*layers)


def _conv_decoder(z_dim: int, channels: int, width: int, image_size: int) -> nn.Module:
    n_up = (image_size // 4).bit_length() - 1
    c = width * 2 ** (n_up - 1)
    layers: list[nn.Module] = [nn.Linear(z_dim, c * 16), nn.Unflatten(1, (c, 4, 4))]
    layers += [nn.BatchNorm2d(c), nn.ReLU()]
    for _ in range(n_up - 1):
        layers += [nn.ConvTranspose2d(c, c // 2, 4, 2, 1), nn.BatchNorm2d(c // 2), nn.ReLU()]
        c //= 2
    layers += [nn.ConvTranspose2d(c, channels, 4, 2, 1)]  # logits
    return nn.Sequential(*layers)


class Autoencoder(GenerativeModel):
    """Deterministic x -> code -> x. Sampling draws codes from a Gaussian fitted to the
    training codes (stored as buffers), since a plain AE has no prior of its own."""

    family = "ae"
    config_class = AutoencoderConfig
    code_multiplier = 1  # the VAE's encoder outputs mean and log-variance

    def __init__(self, config: AutoencoderConfig) -> None:
        super().__init__(config)
        c, size, z = config.channels, config.image_size, config.z_dim
        out = z * self.code_multiplier
        if config.arch == "mlp":
            pixels = c * size * size
            self.encoder = nn.Sequential(
                nn.Flatten(),
                nn.Linear(pixels, config.hidden),
                nn.ReLU(),
                nn.Linear(config.hidden, config.hidden // 2),
                nn.ReLU(),
                nn.Linear(config.hidden // 2, out),
            )
            self.decoder = nn.Sequential(
                nn.Linear(z, config.hidden // 2),
                nn.ReLU(),
                nn.Linear(config.hidden // 2, config.hidden),
                nn.ReLU(),
                nn.Linear(config.hidden, pixels),
                nn.Unflatten(1, (c, size, size)),
            )
        elif config.arch == "conv":
            if size < 8 or size & (size - 1):
                raise ValueError(f"conv autoencoders need a power-of-two image size, got {size}")
            self.encoder = _conv_encoder(c, config.base_channels, size, out)
            self.decoder = _conv_decoder(z, c, config.base_channels, size)
        else:
            raise ValueError(f"arch must be 'mlp' or 'conv', got {config.arch!r}")
        # Whitening of the code space: fitted to the training codes for the AE; identity for the
        # VAE, whose prior is N(0, I), unless trained with --fit-prior (its fitted posterior).
        self.register_buffer("code_mean", torch.zeros(z))
        self.register_buffer("code_std", torch.ones(z))
        if config.prior_components > 0:
            k = config.prior_components
            self.register_buffer("prior_weights", torch.full((k,), 1 / k))
            self.register_buffer("prior_means", torch.zeros(k, z))
            self.register_buffer("prior_scale_tril", torch.eye(z).repeat(k, 1, 1))

    def encode_stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Images in [-1, 1] -> (code, None); the VAE returns (mean, log-variance)."""
        return self.encoder(x), None

    def decode_logits(self, code: torch.Tensor) -> torch.Tensor:
        return self.decoder(code)

    def decode(self, z: torch.Tensor, **conditions: Any) -> torch.Tensor:
        code = self.code_mean + self.code_std * z
        return torch.tanh(self.decode_logits(code) / 2)

    @torch.inference_mode()
    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Images (N, C, H, W) in [0, 1] -> latents z that ``generate`` maps back."""
        x = torch.as_tensor(x, dtype=torch.float32, device=self.device)
        if x.ndim != 4 or tuple(x.shape[1:]) != self.image_shape:
            raise ValueError(f"x must have shape (N, {self.image_shape}), got {tuple(x.shape)}")
        was_training = self.training
        self.eval()
        try:
            code, _ = self.encode_stats(x * 2 - 1)
        finally:
            self.train(was_training)
        return self.code_to_latent(code)

    def code_to_latent(self, code: torch.Tensor) -> torch.Tensor:
        """Raw codes (the encoder's) -> latents z in the whitened space ``decode`` reads."""
        return (code - self.code_mean) / self.code_std

    @torch.no_grad()
    def fit_code_distribution(self, codes: torch.Tensor) -> None:
        """Store the mean/std of training codes so random z decode to plausible images."""
        self.code_mean.copy_(codes.mean(0))
        self.code_std.copy_(codes.std(0).clamp_min(1e-4))

    @torch.no_grad()
    def set_prior_mixture(
        self, weights: torch.Tensor, means: torch.Tensor, scale_tril: torch.Tensor
    ) -> None:
        """Draw random latents from a Gaussian mixture in z space (weights (K,), means (K, z),
        Cholesky factors (K, z, z)) instead of N(0, I): one Gaussian, however well fitted,
        puts mass between the clusters the training codes form, where no face decodes well.
        Sets ``config.prior_components`` so that the exported config rebuilds the buffers."""
        k, z = means.shape
        if weights.shape != (k,) or scale_tril.shape != (k, z, z) or z != self.z_dim:
            raise ValueError(
                f"a mixture over z_dim {self.z_dim} needs weights (K,), means (K, {self.z_dim}) "
                f"and scale_tril (K, {self.z_dim}, {self.z_dim}); got {tuple(weights.shape)}, "
                f"{tuple(means.shape)}, {tuple(scale_tril.shape)}"
            )
        device = self.code_mean.device
        for name, value in (
            ("prior_weights", weights / weights.sum()),
            ("prior_means", means),
            ("prior_scale_tril", torch.tril(scale_tril)),
        ):
            self.register_buffer(name, value.to(device=device, dtype=torch.float32).clone())
        self.config.prior_components = k

    def clear_prior_mixture(self) -> None:
        """Back to the diagonal prior (N(0, I) in z, whitened by ``code_mean``/``code_std``):
        to compare a fitted mixture with what it replaced on the same weights."""
        for name in ("prior_weights", "prior_means", "prior_scale_tril"):
            self._buffers.pop(name, None)
        self.config.prior_components = 0

    def random_latents(self, n: int, generator: torch.Generator) -> torch.Tensor:
        if self.config.prior_components == 0:
            return super().random_latents(n, generator)
        weights = self.prior_weights.float().cpu().clamp_min(0)
        component = torch.multinomial(weights, n, replacement=True, generator=generator)
        eps = torch.randn(n, self.z_dim, generator=generator)
        scale = self.prior_scale_tril.float().cpu()[component]
        return self.prior_means.float().cpu()[component] + (scale @ eps.unsqueeze(-1)).squeeze(-1)


@dataclasses.dataclass
class VAEConfig(AutoencoderConfig):
    family: str = "vae"


class VAE(Autoencoder):
    """The encoder predicts a Gaussian; training samples it with the reparameterisation trick
    and a KL term pulls it towards N(0, I), so random z ~ N(0, I) decode to plausible images."""

    family = "vae"
    config_class = VAEConfig
    code_multiplier = 2

    def encode_stats(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        mean, log_var = self.encoder(x).chunk(2, dim=1)
        return mean, log_var.clamp(-30, 20)


def reparameterise(
    mean: torch.Tensor, log_var: torch.Tensor, generator: torch.Generator | None = None
) -> torch.Tensor:
    """z = mean + sigma * eps: sampling that gradients can flow through."""
    eps = torch.randn(mean.shape, generator=generator, device=mean.device, dtype=mean.dtype)
    return mean + torch.exp(0.5 * log_var) * eps
