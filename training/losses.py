"""Loss functions, apart from the networks (as stylegan2-ada keeps them)."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F


def discriminator_bce(
    real_logits: torch.Tensor,
    fake_logits: torch.Tensor,
    real_target: float = 1.0,
    label_noise: float = 0.0,
) -> torch.Tensor:
    """Classic D loss: real -> 1, fake -> 0. ``real_target`` 0.9 is one-sided label smoothing;
    ``label_noise`` adds U(0, noise) jitter to the targets (the Keras tutorial's trick)."""
    real_labels = torch.full_like(real_logits, real_target)
    fake_labels = torch.zeros_like(fake_logits)
    if label_noise:
        real_labels = real_labels - label_noise * torch.rand_like(real_labels)
        fake_labels = fake_labels + label_noise * torch.rand_like(fake_labels)
    return F.binary_cross_entropy_with_logits(
        real_logits.float(), real_labels.float()
    ) + F.binary_cross_entropy_with_logits(fake_logits.float(), fake_labels.float())


def generator_nonsaturating(fake_logits: torch.Tensor) -> torch.Tensor:
    """-E[log D(G(z))]: strong gradients early, when D easily spots the fakes."""
    return F.softplus(-fake_logits.float()).mean()


def critic_wasserstein(real_scores: torch.Tensor, fake_scores: torch.Tensor) -> torch.Tensor:
    """The critic maximises E[f(real)] - E[f(fake)]; we minimise the negative."""
    return fake_scores.float().mean() - real_scores.float().mean()


def generator_wasserstein(fake_scores: torch.Tensor) -> torch.Tensor:
    return -fake_scores.float().mean()


def gradient_penalty(
    critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor
) -> torch.Tensor:
    """E[(||grad f(x_hat)|| - 1)^2] on random points between real and fake (WGAN-GP)."""
    alpha = torch.rand(real.shape[0], 1, 1, 1, device=real.device, dtype=real.dtype)
    mixed = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(mixed)
    (grad,) = torch.autograd.grad(scores.float().sum(), mixed, create_graph=True)
    return ((grad.flatten(1).float().norm(dim=1) - 1) ** 2).mean()


def kl_to_standard_normal(mean: torch.Tensor, log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(mean, exp(log_var)) || N(0, I)), summed over dimensions, averaged over the batch."""
    mean, log_var = mean.float(), log_var.float()
    return (-0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum(1)).mean()


def reconstruction_bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Bernoulli log-likelihood of images in [-1, 1], summed over pixels, batch-averaged."""
    target01 = (target.float() + 1) / 2
    loss = F.binary_cross_entropy_with_logits(logits.float(), target01, reduction="sum")
    return loss / target.shape[0]


def mutual_information(
    category_logits: torch.Tensor,
    continuous_mean: torch.Tensor,
    continuous_log_var: torch.Tensor,
    category: torch.Tensor,
    continuous: torch.Tensor,
    continuous_weight: float = 0.1,
    fixed_std: float = 0.0,
) -> torch.Tensor:
    """Negative InfoGAN lower bound: cross-entropy for the category plus the Gaussian negative
    log-likelihood of the continuous codes under Q(c|x).

    ``fixed_std`` > 0 ignores Q's log-variance and assumes that standard deviation (the InfoGAN
    authors' MNIST code fixes it at 1: a squared error). A learned variance shrinks as Q reads
    the codes well, and its 1/variance scale then pushes G ever harder to make the codes
    readable, which can bend a digit into another at the slider's ends.
    """
    categorical = F.cross_entropy(category_logits.float(), category)
    error2 = (continuous.float() - continuous_mean.float()) ** 2
    if fixed_std > 0:
        nll = 0.5 * error2 / fixed_std**2
    else:
        log_var = continuous_log_var.float()
        nll = 0.5 * (log_var + error2 / log_var.exp())
    return categorical + continuous_weight * nll.sum(1).mean()


def feature_matching(a: list[torch.Tensor], b: list[torch.Tensor]) -> torch.Tensor:
    """Mean squared distance between paired intermediate feature maps (CVAE-GAN's L_GD/L_GC)."""
    return sum(F.mse_loss(x.float(), y.float()) for x, y in zip(a, b, strict=True)) / len(a)


def mean_feature_matching(a: list[torch.Tensor], b: list[torch.Tensor]) -> torch.Tensor:
    """Distance between batch-mean features: the paper's generator loss for random samples."""
    return sum(
        F.mse_loss(x.float().mean(0), y.float().mean(0)) for x, y in zip(a, b, strict=True)
    ) / len(a)
