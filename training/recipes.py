"""How each family trains: its networks, optimisers and one step. The loop is shared (loop.py).

A recipe owns ``model`` (the inference network that gets exported) plus whatever trains beside
it (discriminators, critics, classifiers). ``train_step`` returns losses as tensors; the loop
reads them only every ``--log-every`` steps so the step never waits on a host sync.
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Any, ClassVar

import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel

from gan_core.config import ModelConfig
from gan_core.models.autoencoder import (
    VAE,
    Autoencoder,
    AutoencoderConfig,
    VAEConfig,
    reparameterise,
)
from gan_core.models.base import GenerativeModel, init_dcgan_weights
from gan_core.models.convgan import ConvDiscriminator, ConvGANConfig, ConvGenerator
from gan_core.models.cvae_gan import (
    CVAEGAN,
    CVAEGANConfig,
    CVAEGANDiscriminator,
    LatentAttributeClassifier,
)
from gan_core.models.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from gan_core.models.gan import GANConfig, MLPDiscriminator, MLPGenerator
from gan_core.models.infogan import InfoGANConfig, InfoGANDiscriminator, InfoGANGenerator
from gan_core.models.judges import Judge, JudgeConfig
from gan_core.models.wgan import WGANClippedCritic, WGANConfig, WGANGenerator
from gan_core.models.wgan_gp import WGANCritic, WGANGPConfig, WGANGPGenerator
from training import losses
from training.augment import diff_augment, parse_policy
from training.data import ImageData, to_model_range
from training.perceptual import RandomFeatures, feature_distance


@dataclasses.dataclass
class Batch:
    images: torch.Tensor  # float in [-1, 1], on the device
    labels: torch.Tensor | None = None
    attributes: torch.Tensor | None = None


@dataclasses.dataclass
class Hyper:
    """Optimiser and loss settings a recipe reads (CLI flags override the family defaults)."""

    lr: float = 2e-4
    lr_d: float | None = None  # discriminator / critic learning rate (default: lr)
    beta1: float = 0.5
    beta2: float = 0.999
    label_smoothing: float = 0.0  # one-sided: real target 1 - smoothing
    label_noise: float = 0.0
    n_critic: int = 5
    gp_weight: float = 10.0
    kl_weight: float = 1.0
    info_weight: float = 1.0
    # InfoGAN: continuous codes are drawn from U(-code_range, code_range) in training. The paper
    # trains on [-1, 1] and shows [-2, 2] (the app's slider range) as extrapolation; 2 was
    # tried to train on that whole range, inconclusively (benchmarks/RESULTS.md), so 1 stays.
    code_range: float = 1.0
    # InfoGAN: weight of the continuous codes' term in the mutual-information loss, and the
    # standard deviation Q assumes for them (0 = Q's own learned log-variance). The infogan
    # family defaults to 1 and 1, the InfoGAN authors' MNIST code (InfoGANRecipe.defaults).
    code_weight: float = 0.1
    code_std: float = 0.0
    # InfoGAN: with R > 0 the generator step also renders each latent and category with fresh
    # continuous codes from U(-R, R) and rewards G when Q still reads the category there (its
    # cross-entropy, weighted like the info term). The codes are trained on U(-1, 1) but the
    # app's sliders reach +-2, where a digit bent into another fails the sweep target; unlike
    # --code-range, Q never learns to read the codes out there. 0 = off.
    hold_category_range: float = 0.0
    cls_weight: float | None = None  # CVAE-GAN attribute-classifier loss (default: recipe's)
    flip_horizontal: bool = False
    # Exponential moving average of the exported model's weights (0 = off). An average of the
    # last ~1/(1-ema) steps smooths the step-to-step noise of adversarial training (Yazici et
    # al. 2019); the average, not the last step, is previewed and exported.
    ema: float = 0.0
    # DiffAugment policy for what the discriminator / critic sees, e.g. "color,translation,cutout"
    # ("" = off): see training/augment.py.
    augment: str = ""
    # WGAN (weight clipping): the critic's weights are clipped to [-clip, clip] after each step.
    # Instance noise: N(0, std^2) added to every image the critic sees, std falling linearly
    # from instance_noise to 0 over instance_noise_steps generator steps (0 = off).
    clip: float = 0.01
    instance_noise: float = 0.0
    instance_noise_steps: int = 2000
    # AE/VAE: weight of a feature loss between the decoder's image and its input, in a fixed
    # random conv net (training/perceptual.py); 0 = off, the pixel likelihood alone.
    perceptual_weight: float = 0.0
    # CVAE-GAN: weight of the encoder's loss against a latent attribute guesser (0 = off): the
    # encoder is pushed towards a z from which the guesser can only say each attribute's base
    # rate, so attribute edits are carried by the condition alone (LatentAttributeClassifier).
    # The cvae-gan family's default is 0.1 (CVAEGANRecipe.defaults).
    latent_adversary_weight: float = 0.0
    # CVAE-GAN: extra weight of C's loss on the one attribute flipped for the transfer target
    # (0 = off). In the recipe's own "cls" term that attribute is one of ten in a mean, so the
    # edit the app offers gets a tenth of a weight that is already small next to the pixels.
    # The cvae-gan family's default is 0.1 (CVAEGANRecipe.defaults).
    edit_weight: float = 0.0
    # VAE: at export, replace the N(0, I) prior that random samples come from by a diagonal
    # Gaussian fitted to the training images' posterior samples (ex-post density estimation,
    # Ghosh et al. 2020): the KL term pulls the aggregate posterior towards N(0, I) but never
    # quite there, and a random z from where no training face landed decodes off the faces.
    fit_prior: bool = False
    # AE/VAE: with K > 0, random latents come from a K-component full-covariance Gaussian mixture
    # fitted to the same codes (scikit-learn's GaussianMixture) rather than one diagonal
    # Gaussian; K is chosen by the log-likelihood of held-out codes (benchmarks/vae_prior.py).
    prior_components: int = 0


def ema_with_warmup(decay: float):
    """An EMA update whose decay ramps up as min(decay, (1 + n) / (10 + n)) after n updates.

    A fixed 0.999 from the first step keeps the random initial weights in the average for
    thousands of steps, so early snapshots (quality per CPU-hour) look worse than the live
    generator; the ramp (TensorFlow's ExponentialMovingAverage ``num_updates``) follows the
    live weights early and settles on ``decay`` after ~10,000 updates.
    """

    @torch.no_grad()
    def update(averaged: list[torch.Tensor], current: list[torch.Tensor], n_averaged) -> None:
        n = float(n_averaged)
        weight = 1.0 - min(decay, (1.0 + n) / (10.0 + n))
        for average, live in zip(averaged, current):
            if average.is_floating_point():
                average.lerp_(live, weight)
            else:  # integer buffers (BatchNorm's num_batches_tracked): take the live value
                average.copy_(live)

    return update


class Recipe:
    family: ClassVar[str]
    config_class: ClassVar[type[ModelConfig]]
    data: ClassVar[str]  # default data set
    #: per-family defaults for the CLI: steps, batch size, hyper-parameters, config fields
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, config: ModelConfig, hyper: Hyper, device: torch.device, amp: bool):
        self.config, self.hyper, self.device = config, hyper, device
        self.amp = amp
        self.channels_last = device.type in ("cpu", "cuda") and config.image_size >= 32
        self.build()
        for net in self.networks().values():
            net.to(device)
            if self.channels_last:
                net.to(memory_format=torch.channels_last)
        self.augment_policy = parse_policy(hyper.augment)
        self.ema: AveragedModel | None = None
        if hyper.ema > 0:  # copies the live weights at its first update (after any resume)
            self.ema = AveragedModel(
                self.model, multi_avg_fn=ema_with_warmup(hyper.ema), use_buffers=True
            )

    # --- to implement ----------------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def networks(self) -> dict[str, nn.Module]:
        """Every trained module by name (checkpointed, gradient-synchronised)."""
        raise NotImplementedError

    def optimizers(self) -> dict[str, torch.optim.Optimizer]:
        return self._optimizers

    def train_step(self, batch: Batch, step: int) -> dict[str, torch.Tensor]:
        raise NotImplementedError

    def preview(self, n: int, seed: int) -> torch.Tensor:
        """Images in [0, 1] from fixed inputs, comparable across training (the timeline)."""
        return self.inference_model.sample(n, seed=seed)

    def preview_columns(self, n: int) -> int:
        """Grid width for ``preview``'s images."""
        return 8

    def finish(self, data: ImageData) -> dict:
        """Last touches before export (e.g. fit the AE's code distribution); returns what the
        exported config's ``training`` record should say about them."""
        return {}

    # --- helpers -------------------------------------------------------------------------------
    @property
    def inference_model(self) -> nn.Module:
        """What gets previewed and exported: the weight average when ``--ema`` is on."""
        return self.model if self.ema is None else self.ema.module

    def update_ema(self) -> None:
        """Called by the loop after every step."""
        if self.ema is not None:
            self.ema.update_parameters(self.model)

    def augment(self, images: torch.Tensor) -> torch.Tensor:
        """DiffAugment for the discriminator's inputs (identity when ``--augment`` is off)."""
        return diff_augment(images, self.augment_policy) if self.augment_policy else images

    def autocast(self):
        if not self.amp:
            return contextlib.nullcontext()
        return torch.autocast(self.device.type, dtype=torch.bfloat16)

    def adam(self, module: nn.Module | list, lr: float | None = None, betas=None):
        params = module.parameters() if isinstance(module, nn.Module) else module
        kwargs = {"fused": True} if self.device.type == "cuda" else {}
        return torch.optim.Adam(
            params,
            lr=lr or self.hyper.lr,
            betas=betas or (self.hyper.beta1, self.hyper.beta2),
            **kwargs,
        )

    def adversarial_pair(
        self, generator: nn.Module, judge: nn.Module, judge_name: str = "discriminator"
    ) -> tuple[nn.Module, nn.Module]:
        """DCGAN-initialised generator and discriminator/critic with one Adam each (the
        judge's at ``--lr-d``), the optimizers under the names the training state uses."""
        generator.apply(init_dcgan_weights)
        judge.apply(init_dcgan_weights)
        self._optimizers = {
            "generator": self.adam(generator),
            judge_name: self.adam(judge, lr=self.hyper.lr_d),
        }
        return generator, judge

    def make_batch(self, data: ImageData, index: torch.Tensor) -> Batch:
        images = data.images[index.to(data.images.device)].to(self.device, non_blocking=True)
        images = to_model_range(images)
        if self.hyper.flip_horizontal:
            flip = torch.rand(len(images), device=self.device) < 0.5
            images = torch.where(flip[:, None, None, None], images.flip(3), images)
        if self.channels_last:
            images = images.contiguous(memory_format=torch.channels_last)
        labels = None if data.labels is None else data.labels[index].to(self.device)
        attributes = None
        if data.attributes is not None and getattr(self.config, "attributes", None):
            attributes = data.select_attributes(self.config.attributes)[index].to(self.device)
        return Batch(images, labels, attributes)

    def z(self, n: int) -> torch.Tensor:
        return torch.randn(n, self.config.z_dim, device=self.device)

    @staticmethod
    def step(optimizer: torch.optim.Optimizer, loss: torch.Tensor, sync=None) -> None:
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if sync is not None:
            sync(optimizer)
        optimizer.step()

    #: real batches consumed by one step (WGAN-GP's critic takes n_critic of them)
    @property
    def batches_per_step(self) -> int:
        return 1

    #: set by the loop under torchrun: averages gradients across processes before each step
    grad_sync = None


# --- autoencoders ---------------------------------------------------------------------------
class AutoencoderRecipe(Recipe):
    family = "ae"
    config_class = AutoencoderConfig
    data = "mnist"
    defaults = {"steps": 6000, "batch_size": 128, "lr": 1e-3, "beta1": 0.9}

    def build(self) -> None:
        cls = VAE if self.family == "vae" else Autoencoder
        self.model: Autoencoder = cls(self.config)
        self._optimizers = {"model": self.adam(self.model)}
        self.features: RandomFeatures | None = None
        if self.hyper.perceptual_weight > 0:  # fixed, not trained, not checkpointed
            self.features = RandomFeatures(self.config.channels).to(self.device)

    def networks(self):
        return {"model": self.model}

    def train_step(self, batch, step):
        with self.autocast():
            mean, log_var = self.model.encode_stats(batch.images)
            code = mean if log_var is None else reparameterise(mean, log_var)
            logits = self.model.decode_logits(code)
        reconstruction = losses.reconstruction_bce(logits, batch.images)
        out = {"reconstruction": reconstruction}
        loss = reconstruction
        if log_var is not None:
            out["kl"] = losses.kl_to_standard_normal(mean, log_var)
            loss = loss + self.hyper.kl_weight * out["kl"]
        if self.features is not None:  # the decoder's image, in the model's [-1, 1] range
            with self.autocast():
                out["perceptual"] = feature_distance(
                    self.features, torch.sigmoid(logits) * 2 - 1, batch.images
                )
            loss = loss + self.hyper.perceptual_weight * out["perceptual"]
        self.step(self._optimizers["model"], loss, self.grad_sync)
        return out

    def preview_columns(self, n: int) -> int:
        """Grid width for ``preview``'s images."""
        return 8

    def finish(self, data: ImageData) -> dict:
        """The AE has no prior: fit a Gaussian to its codes. The VAE keeps N(0, I) unless
        ``--fit-prior``, which fits one to posterior samples z ~ q(z|x) of the same images;
        ``--prior-components K`` then fits a K-component mixture to them as well."""
        if self.family == "vae" and not self.hyper.fit_prior:
            return {}
        components = self.hyper.prior_components
        # a mixture has more to fit: all the images, up to 20,000
        codes = training_codes(self.model, data.images[: 20000 if components else 5000])
        self.model.fit_code_distribution(codes)
        report: dict = {}
        if components:
            z = self.model.code_to_latent(codes).cpu()
            report["prior_mixture"] = fit_prior_mixture(self.model, z, components)
        if self.family == "ae":
            return report
        std = self.model.code_std
        return report | {
            "fit_prior": {
                "posterior_samples": len(codes),
                "std_min": round(std.min().item(), 3),
                "std_max": round(std.max().item(), 3),
                "mean_abs_max": round(self.model.code_mean.abs().max().item(), 3),
            }
        }


def training_codes(model, images: torch.Tensor, seed: int = 0) -> torch.Tensor:
    """Codes of uint8 ``images`` in eval mode (BatchNorm's running statistics, as the exported
    model encodes): the AE's codes, or one posterior sample z ~ q(z|x) per image for the VAE
    (the aggregate posterior, not just its means)."""
    device = next(model.parameters()).device
    generator = torch.Generator(device).manual_seed(seed)
    codes, was_training = [], model.training
    model.eval()
    with torch.no_grad():
        for chunk in images.split(500):
            mean, log_var = model.encode_stats(to_model_range(chunk.to(device)))
            if log_var is not None:
                mean = reparameterise(mean.float(), log_var.float(), generator)
            codes.append(mean.float())
    model.train(was_training)
    return torch.cat(codes)


def fit_prior_mixture(model, z: torch.Tensor, components: int, seed: int = 0) -> dict:
    """Fit a full-covariance Gaussian mixture to latents ``z`` (N, z_dim), first on 90 % of them
    to report the held-out log-likelihood per code (the figure to choose K by: more components
    always fit the training codes better, and past the best K they memorise them), then on all."""
    from sklearn.mixture import GaussianMixture  # training-only dependency

    if len(z) < 10 * components:
        raise ValueError(
            f"--prior-components {components} needs at least {10 * components} codes to fit, "
            f"got {len(z)}: use fewer components or more images"
        )
    x = z.double().numpy()
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed)).numpy()
    cut = int(0.9 * len(x))
    fit, held_out = x[order[:cut]], x[order[cut:]]

    def mixture() -> GaussianMixture:  # reg_covar in whitened units (per-dimension std ~1)
        return GaussianMixture(
            components, covariance_type="full", reg_covar=1e-3, max_iter=300, random_state=seed
        )

    trial = mixture().fit(fit)
    final = mixture().fit(x)
    model.set_prior_mixture(
        torch.from_numpy(final.weights_),
        torch.from_numpy(final.means_),
        torch.linalg.cholesky(torch.from_numpy(final.covariances_)),
    )
    return {
        "components": components,
        "codes": len(x),
        "held_out_log_likelihood": round(float(trial.score(held_out)), 2),
        "train_log_likelihood": round(float(trial.score(fit)), 2),
        "converged": bool(final.converged_),
    }


class VAERecipe(AutoencoderRecipe):
    family = "vae"
    config_class = VAEConfig


# --- GANs -------------------------------------------------------------------------------------
class GANRecipe(Recipe):
    """Vanilla GAN: one D step, one G step, BCE / non-saturating losses."""

    family = "gan"
    config_class = GANConfig
    data = "mnist"
    defaults = {"steps": 20000, "batch_size": 64, "lr": 2e-4}

    def build(self) -> None:
        self.model = MLPGenerator(self.config)
        self.discriminator = MLPDiscriminator(self.config)
        self._optimizers = {
            "generator": self.adam(self.model),
            "discriminator": self.adam(self.discriminator, lr=self.hyper.lr_d),
        }

    def networks(self):
        return {"generator": self.model, "discriminator": self.discriminator}

    def train_step(self, batch, step):
        real, sync = batch.images, self.grad_sync
        opt_g, opt_d = self._optimizers["generator"], self._optimizers["discriminator"]
        with self.autocast():
            fake = self.model(self.z(len(real)))
            d_loss = losses.discriminator_bce(
                self.discriminator(self.augment(real)),
                self.discriminator(self.augment(fake.detach())),
                real_target=1 - self.hyper.label_smoothing,
                label_noise=self.hyper.label_noise,
            )
        self.step(opt_d, d_loss, sync)
        with self.autocast():
            g_loss = losses.generator_nonsaturating(self.discriminator(self.augment(fake)))
        self.step(opt_g, g_loss, sync)
        return {"d": d_loss.detach(), "g": g_loss.detach()}


class ConvGANRecipe(GANRecipe):
    """The Keras tutorial's recipe: RMSprop with gradient clipping and noisy labels."""

    family = "convgan"
    config_class = ConvGANConfig
    data = "folder"
    defaults = {"steps": 5000, "batch_size": 32, "lr": 8e-4, "label_noise": 0.05}

    def build(self) -> None:
        self.model = ConvGenerator(self.config)
        self.discriminator = ConvDiscriminator(self.config)
        self._optimizers = {
            "generator": torch.optim.RMSprop(self.model.parameters(), lr=self.hyper.lr / 2),
            "discriminator": torch.optim.RMSprop(
                self.discriminator.parameters(), lr=self.hyper.lr_d or self.hyper.lr
            ),
        }

    @staticmethod
    def step(optimizer, loss, sync=None):
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if sync is not None:
            sync(optimizer)
        for group in optimizer.param_groups:  # Keras' clipvalue=1.0
            torch.nn.utils.clip_grad_value_(group["params"], 1.0)
        optimizer.step()


class DCGANRecipe(GANRecipe):
    family = "dcgan"
    config_class = DCGANConfig
    data = "celeba"
    defaults = {"steps": 10000, "batch_size": 64, "lr": 2e-4, "flip_horizontal": True}

    def build(self) -> None:
        self.model, self.discriminator = self.adversarial_pair(
            DCGANGenerator(self.config), DCGANDiscriminator(self.config)
        )


class WGANGPRecipe(Recipe):
    """n_critic critic steps with the gradient penalty per generator step."""

    family = "wgan-gp"
    config_class = WGANGPConfig
    data = "celeba"
    defaults = {
        "steps": 4000,
        "batch_size": 64,
        "lr": 1e-4,
        "beta1": 0.0,
        "beta2": 0.9,
        "flip_horizontal": True,
    }

    def build(self) -> None:
        self.model, self.critic = self.adversarial_pair(
            WGANGPGenerator(self.config), WGANCritic(self.config), judge_name="critic"
        )

    def networks(self):
        return {"generator": self.model, "critic": self.critic}

    @property
    def batches_per_step(self) -> int:
        return self.hyper.n_critic

    def train_step(self, batch, step):
        """``batch`` holds n_critic x batch-size real images: one slice per critic step."""
        opt_g, opt_c, sync = (
            self._optimizers["generator"],
            self._optimizers["critic"],
            self.grad_sync,
        )
        reals = batch.images.chunk(self.hyper.n_critic)
        for real in reals:
            with self.autocast():
                with torch.no_grad():
                    fake = self.model(self.z(len(real)))
                real, fake = self.augment(real), self.augment(fake)
                wasserstein = losses.critic_wasserstein(self.critic(real), self.critic(fake))
            # The penalty's double backward runs in fp32: bf16 second derivatives are too coarse.
            penalty = losses.gradient_penalty(self.critic, real.float(), fake.float())
            self.step(opt_c, wasserstein + self.hyper.gp_weight * penalty, sync)
        with self.autocast():
            fake = self.augment(self.model(self.z(len(reals[0]))))
            g_loss = losses.generator_wasserstein(self.critic(fake))
        self.step(opt_g, g_loss, sync)
        return {"critic": wasserstein.detach(), "gp": penalty.detach(), "g": g_loss.detach()}


class WGANRecipe(Recipe):
    """The original WGAN (Arjovsky et al. 2017, Algorithm 1): n_critic RMSProp steps on the
    critic per generator step, the critic's weights clipped to [-clip, clip] after each, and
    optionally annealed instance noise on what the critic sees."""

    family = "wgan"
    config_class = WGANConfig
    data = "celeba"
    defaults = {"steps": 4000, "batch_size": 64, "lr": 5e-5, "flip_horizontal": True}

    def build(self) -> None:
        if not self.hyper.clip > 0:
            raise ValueError(f"--clip must be positive, got {self.hyper.clip}")
        if not self.hyper.instance_noise >= 0 or self.hyper.instance_noise_steps < 1:
            raise ValueError("--instance-noise must be >= 0 and --instance-noise-steps >= 1")
        self.model, self.critic = WGANGenerator(self.config), WGANClippedCritic(self.config)
        self.model.apply(init_dcgan_weights)
        self.critic.apply(init_dcgan_weights)
        self._optimizers = {
            "generator": torch.optim.RMSprop(self.model.parameters(), lr=self.hyper.lr),
            "critic": torch.optim.RMSprop(
                self.critic.parameters(), lr=self.hyper.lr_d or self.hyper.lr
            ),
        }
        self.clip_critic()

    def networks(self):
        return {"generator": self.model, "critic": self.critic}

    @property
    def batches_per_step(self) -> int:
        return self.hyper.n_critic

    def clip_critic(self) -> None:
        with torch.no_grad():
            for p in self.critic.parameters():
                p.clamp_(-self.hyper.clip, self.hyper.clip)

    def noise_std(self, step: int) -> float:
        """Instance noise at generator step ``step``: linear from --instance-noise to 0."""
        fraction = max(0.0, 1.0 - step / self.hyper.instance_noise_steps)
        return self.hyper.instance_noise * fraction

    def critic_input(self, images: torch.Tensor, std: float) -> torch.Tensor:
        images = self.augment(images)
        return images + std * torch.randn_like(images) if std > 0 else images

    def train_step(self, batch, step):
        """``batch`` holds n_critic x batch-size real images: one slice per critic step."""
        opt_g, opt_c, sync = (
            self._optimizers["generator"],
            self._optimizers["critic"],
            self.grad_sync,
        )
        std = self.noise_std(step)
        reals = batch.images.chunk(self.hyper.n_critic)
        for real in reals:
            with self.autocast():
                with torch.no_grad():
                    fake = self.model(self.z(len(real)))
                wasserstein = losses.critic_wasserstein(
                    self.critic(self.critic_input(real, std)),
                    self.critic(self.critic_input(fake, std)),
                )
            self.step(opt_c, wasserstein, sync)
            self.clip_critic()
        with self.autocast():
            fake = self.critic_input(self.model(self.z(len(reals[0]))), std)
            g_loss = losses.generator_wasserstein(self.critic(fake))
        self.step(opt_g, g_loss, sync)
        out = {"critic": wasserstein.detach(), "g": g_loss.detach()}
        if self.hyper.instance_noise > 0:
            out["noise"] = torch.tensor(std)
        return out


class InfoGANRecipe(Recipe):
    """D step also trains Q (and D's body) to read the codes back from fakes; the G step
    rewards G when its codes are readable."""

    family = "infogan"
    config_class = InfoGANConfig
    data = "mnist"
    # A fixed standard deviation of 1 for the continuous codes, weighted 1 (the InfoGAN
    # authors' MNIST code) won the equal-CPU A/B against Q's learned variance at weight 0.1:
    # category accuracy 99.2 against 90.4 % (one category held two digits), codes keeping the
    # digit over [-2, 2] 97.2 / 96.2 against 92.7 / 88.4 % (benchmarks/RESULTS.md, 2026-12-06).
    defaults = {
        "steps": 8000,
        "batch_size": 64,
        "lr": 1e-3,
        "lr_d": 2e-4,
        "code_std": 1.0,
        "code_weight": 1.0,
    }

    def build(self) -> None:
        self.model, self.discriminator = self.adversarial_pair(
            InfoGANGenerator(self.config), InfoGANDiscriminator(self.config)
        )

    def networks(self):
        return {"generator": self.model, "discriminator": self.discriminator}

    def train_step(self, batch, step):
        real, sync, n = batch.images, self.grad_sync, len(batch.images)
        opt_g, opt_d = self._optimizers["generator"], self._optimizers["discriminator"]
        category = torch.randint(0, self.config.n_categories, (n,), device=self.device)
        continuous = self.uniform_codes(n, self.hyper.code_range)
        z = self.z(n)
        with self.autocast():
            fake = self.model(z, category=category, continuous=continuous)
            real_logits, _ = self.discriminator(real)
            fake_logits, features = self.discriminator(fake.detach())
            info_d = self.mutual_information(features, category, continuous)
            d_loss = losses.discriminator_bce(real_logits, fake_logits)
        self.step(opt_d, d_loss + self.hyper.info_weight * info_d, sync)
        with self.autocast():
            fake_logits, features = self.discriminator(fake)
            info_g = self.mutual_information(features, category, continuous)
            g_loss = losses.generator_nonsaturating(fake_logits)
        total = g_loss + self.hyper.info_weight * info_g
        logs = {"d": d_loss.detach(), "g": g_loss.detach(), "info": info_g.detach()}
        if self.hyper.hold_category_range > 0:
            hold = self.category_held(z, category, self.hyper.hold_category_range)
            total = total + self.hyper.info_weight * hold
            logs["hold"] = hold.detach()
        self.step(opt_g, total, sync)
        return logs

    def category_held(self, z, category, code_range: float) -> torch.Tensor:
        """Q's cross-entropy for the category of G(z, category, c), c ~ U(-range, range)."""
        wide = self.uniform_codes(len(z), code_range)
        with self.autocast():
            _, features = self.discriminator(self.model(z, category=category, continuous=wide))
            category_logits, _, _ = self.discriminator.q(features)
        return nn.functional.cross_entropy(category_logits.float(), category)

    def uniform_codes(self, n: int, half_width: float) -> torch.Tensor:
        """n draws of the continuous codes from U(-half_width, half_width)."""
        return (torch.rand(n, self.config.n_continuous, device=self.device) * 2 - 1) * half_width

    def mutual_information(self, features, category, continuous) -> torch.Tensor:
        return losses.mutual_information(
            *self.discriminator.q(features),
            category,
            continuous,
            continuous_weight=self.hyper.code_weight,
            fixed_std=self.hyper.code_std,
        )

    def preview_columns(self, n):
        return n // self.config.n_categories

    def preview(self, n, seed):
        """Rows: the 10 categories; columns: the first continuous code from -1 to 1."""
        cols = max(1, n // self.config.n_categories)
        g = torch.Generator().manual_seed(seed)
        z = torch.randn(1, self.config.z_dim, generator=g).expand(
            self.config.n_categories * cols, -1
        )
        category = torch.arange(self.config.n_categories).repeat_interleave(cols)
        continuous = torch.zeros(len(z), self.config.n_continuous)
        continuous[:, 0] = torch.linspace(-1, 1, cols).repeat(self.config.n_categories)
        return self.inference_model.generate(z, category=category, continuous=continuous)


class CVAEGANRecipe(Recipe):
    """E+G trained as a conditional VAE, sharpened by D, kept on-attribute by C, with feature
    matching on intermediate layers of D and C (Bao et al. 2017, Algorithm 1, simplified)."""

    family = "cvae-gan"
    config_class = CVAEGANConfig
    data = "celeba"
    # The latent adversary and the edit term won their A/B at equal steps (CHANGELOG 0.14.0,
    # benchmarks/RESULTS.md): strength-1 edits take far more often, PSNR is up as well.
    defaults = {
        "steps": 6000,
        "batch_size": 64,
        "lr": 2e-4,
        "flip_horizontal": True,
        "latent_adversary_weight": 0.1,
        "edit_weight": 0.1,
    }

    #: loss weights on the per-pixel scale of the reconstruction MSE
    weights = {"kl": 1 / (64 * 64 * 3), "fm": 1.0, "adv": 0.005, "cls": 0.1}

    def build(self) -> None:
        self.model = CVAEGAN(self.config)
        self.discriminator = CVAEGANDiscriminator(self.config)
        self.model.apply(init_dcgan_weights)
        self.discriminator.apply(init_dcgan_weights)
        m = self.model
        self._optimizers = {
            "encoder_generator": self.adam(
                list(m.encoder_tower.parameters())
                + list(m.encoder_head.parameters())
                + list(m.generator.parameters())
            ),
            "classifier": self.adam(m.classifier),
            "discriminator": self.adam(self.discriminator, lr=self.hyper.lr_d),
        }
        self.latent_classifier: LatentAttributeClassifier | None = None
        if self.hyper.latent_adversary_weight > 0:
            self.latent_classifier = LatentAttributeClassifier(self.config)
            self._optimizers["latent_classifier"] = self.adam(self.latent_classifier)

    def networks(self):
        nets = {"model": self.model, "discriminator": self.discriminator}
        if self.latent_classifier is not None:
            nets["latent_classifier"] = self.latent_classifier
        return nets

    def train_step(self, batch, step):
        x, attrs, sync, m, D = (
            batch.images,
            batch.attributes,
            self.grad_sync,
            self.model,
            self.discriminator,
        )
        bce = torch.nn.functional.binary_cross_entropy_with_logits
        w = dict(self.weights)
        if self.hyper.cls_weight is not None:
            w["cls"] = self.hyper.cls_weight
        # Targets for transfer: each sample gets one attribute flipped at random.
        flip = torch.nn.functional.one_hot(
            torch.randint(0, attrs.shape[1], (len(x),), device=self.device), attrs.shape[1]
        ).to(attrs.dtype)
        flipped = (attrs + flip) % 2
        with self.autocast():
            mean, log_var = m.encode_stats(x, attrs)
            z = reparameterise(mean.float(), log_var.float())
            x_rec = m.decode(z, attrs)
            x_rand = m.decode(self.z(len(x)), attrs)
            x_flip = m.decode(z, flipped)
            # D: real vs (reconstructions and random samples)
            d_real, d_feat_real = D(x)
            d_fake = torch.cat([D(x_rec.detach())[0], D(x_rand.detach())[0]])
            d_loss = losses.discriminator_bce(d_real.squeeze(1), d_fake.squeeze(1))
            # C: attributes of real images only
            c_real, c_feat_real = m.classifier(x)
            c_loss = bce(c_real.float(), attrs)
        self.step(self._optimizers["discriminator"], d_loss, sync)
        self.step(self._optimizers["classifier"], c_loss, sync)
        out = {}
        if self.latent_classifier is not None:  # the guesser learns from the current z
            z_loss = bce(self.latent_classifier(mean.detach().float()), attrs)
            self.step(self._optimizers["latent_classifier"], z_loss, sync)
            out["z_guess"] = z_loss.detach()
        # Feature-matching targets: real features from the D and C passes above, as constants.
        d_feat_real = [f.detach() for f in d_feat_real]
        c_feat_real = [f.detach() for f in c_feat_real]
        with self.autocast():
            d_rec, d_feat_rec = D(x_rec)
            d_rand, d_feat_rand = D(x_rand)
            c_rec, c_feat_rec = m.classifier(x_rec)
            c_rand, _ = m.classifier(x_rand)
            c_flip, _ = m.classifier(x_flip)
            pixel = torch.nn.functional.mse_loss(x_rec.float(), x.float())
            kl = losses.kl_to_standard_normal(mean, log_var)
            fm = (
                losses.feature_matching(d_feat_rec, d_feat_real)
                + losses.feature_matching(c_feat_rec, c_feat_real)
                + losses.mean_feature_matching(d_feat_rand, d_feat_real)
            )
            adv = losses.generator_nonsaturating(torch.cat([d_rec, d_rand]))
            cls = (
                bce(c_rec.float(), attrs)
                + bce(c_rand.float(), attrs)
                + bce(c_flip.float(), flipped)
            )
            g_loss = pixel + w["kl"] * kl + w["fm"] * fm + w["adv"] * adv + w["cls"] * cls
        if self.latent_classifier is not None:
            # A z that tells nothing about the attributes leaves the guess at their base rates
            # (not 0.5: the guesser's biases learn how rare glasses are whatever z says).
            guess = self.latent_classifier(mean.float())
            confusion = bce(guess, attrs.mean(0, keepdim=True).expand_as(guess))
            g_loss = g_loss + self.hyper.latent_adversary_weight * confusion
            out["z_confusion"] = confusion.detach()
        if self.hyper.edit_weight > 0:  # C's verdict on the flipped attribute alone
            edited = flip.bool()
            edit = bce(c_flip.float()[edited], flipped[edited])
            g_loss = g_loss + self.hyper.edit_weight * edit
            out["edit"] = edit.detach()
        self.step(self._optimizers["encoder_generator"], g_loss, sync)
        return out | {
            "d": d_loss.detach(),
            "c": c_loss.detach(),
            "pixel": pixel.detach(),
            "kl": kl.detach(),
            "fm": fm.detach(),
            "adv": adv.detach(),
            "cls": cls.detach(),
        }

    def preview(self, n, seed):
        """Each row one z; columns: attributes off, then each of the first attributes on."""
        k = min(len(self.config.attributes), 7)
        rows = max(1, n // (k + 1))
        g = torch.Generator().manual_seed(seed)
        z = torch.randn(rows, self.config.z_dim, generator=g).repeat_interleave(k + 1, 0)
        attrs = torch.zeros(rows * (k + 1), len(self.config.attributes))
        for j in range(k):
            attrs[j + 1 :: k + 1, j] = 1
        return self.inference_model.generate(z, attrs=attrs)


class JudgeRecipe(Recipe):
    """Trains a domain judge: digit classes (MNIST) or the 40 attributes (CelebA)."""

    family = "judge"
    config_class = JudgeConfig
    data = "mnist"
    defaults = {"steps": 2000, "batch_size": 128, "lr": 1e-3, "beta1": 0.9}

    def build(self) -> None:
        self.model = Judge(self.config)
        self._optimizers = {"model": self.adam(self.model)}

    def networks(self):
        return {"model": self.model}

    def train_step(self, batch, step):
        with self.autocast():
            logits = self.model(batch.images).float()
        if self.config.multi_label:
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, batch.attributes)
        else:
            loss = torch.nn.functional.cross_entropy(logits, batch.labels)
        self.step(self._optimizers["model"], loss, self.grad_sync)
        return {"loss": loss.detach()}

    def make_batch(self, data, index):
        batch = super().make_batch(data, index)
        if self.config.multi_label:
            batch.attributes = data.select_attributes(self.config.classes)[index].to(self.device)
        # Light augmentation: small random shifts make the judge robust to generator jitter.
        shift = torch.randint(-2, 3, (2,)).tolist()
        batch.images = torch.roll(batch.images, shifts=shift, dims=(2, 3))
        return batch

    def preview(self, n, seed):
        return None


RECIPES: dict[str, type[Recipe]] = {
    cls.family: cls
    for cls in (
        AutoencoderRecipe,
        VAERecipe,
        GANRecipe,
        ConvGANRecipe,
        DCGANRecipe,
        WGANGPRecipe,
        WGANRecipe,
        InfoGANRecipe,
        CVAEGANRecipe,
        JudgeRecipe,
    )
}


def is_generative(recipe: Recipe) -> bool:
    return isinstance(recipe.model, GenerativeModel)
