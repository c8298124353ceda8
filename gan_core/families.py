# ruff: noqa: E501  (Chinese sentences count double-width; splitting them helps no one)
"""What is said about each model family, in one place: the About tab, the model cards and the
evaluation read it from here (``gan_core.registry`` holds the classes).

Adding a family: its model module, a ``FamilySpec`` below, a recipe in ``training.recipes``,
tests. The About tab, the model card text and which measurements apply follow from the spec.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class FamilySpec:
    family: str
    title: str
    #: one line for the About tab's list, in English and Simplified Chinese
    summary_en: str
    summary_zh: str
    #: the model card's description (English, technical)
    card: str
    #: the app tabs built around this family (beyond Sample / Interpolate / Compare)
    tabs: tuple[str, ...] = ()
    #: extra measurements ``training.evaluate`` runs for this family (see EVALUATIONS there)
    evaluations: tuple[str, ...] = ()


FAMILIES: dict[str, FamilySpec] = {
    spec.family: spec
    for spec in (
        FamilySpec(
            "ae",
            "AE",
            "an encoder squeezes an image into a short code and a decoder rebuilds it; trained "
            "only to reconstruct, so its code space has holes.",
            "编码器把图像压成短编码，解码器再还原；只为重建而训练，所以编码空间有“空洞”。",
            "A plain autoencoder: an MLP squeezes each digit into a short code and another MLP "
            "rebuilds it. Trained only to reconstruct, it has no prior over codes; random samples "
            "here decode codes drawn from a Gaussian fitted to the training codes.",
            evaluations=("reconstruction",),
        ),
        FamilySpec(
            "vae",
            "VAE",
            "the encoder outputs a Gaussian; a KL penalty pulls it towards N(0, I), so any random "
            "code decodes to something plausible (if blurry).",
            "编码器输出一个高斯分布，KL 惩罚把它拉向 N(0, I)，因此任意随机编码都能解码成像样（但偏模糊）的图像。",
            "A variational autoencoder: the encoder outputs a Gaussian per image, a sample is "
            "drawn with the reparameterisation trick, and a KL term pulls the codes towards "
            "N(0, I), so any z ~ N(0, I) decodes to a plausible image. Pixel-wise likelihood "
            "makes samples blurry.",
            evaluations=("reconstruction",),
        ),
        FamilySpec(
            "gan",
            "GAN",
            "a generator and a discriminator play a game: the discriminator learns to tell real "
            "from generated, the generator learns to fool it.",
            "生成器与判别器博弈：判别器学习区分真假，生成器学习骗过它。",
            "The original GAN with multilayer perceptrons: the generator maps noise to a digit, "
            "the discriminator (fc-ReLU-fc-ReLU-fc) tells real from fake, and the generator is "
            "trained with the non-saturating loss -log D(G(z)).",
        ),
        FamilySpec(
            "convgan",
            "Conv GAN",
            "the Keras tutorial's small convolutional GAN, trained with RMSprop and noisy labels.",
            "Keras 教程中的小型卷积 GAN，用 RMSprop 和带噪声的标签训练。",
            "A small convolutional GAN as in the Keras tutorial: RMSprop with gradient clipping "
            "and noisy labels.",
        ),
        FamilySpec(
            "dcgan",
            "DCGAN",
            "the GAN with all-convolutional networks and batch norm, the first to make convincing "
            "faces; its latent space supports arithmetic.",
            "全卷积网络加批归一化的 GAN，第一个生成逼真人脸的模型；其隐空间支持向量运算。",
            "DCGAN: a transposed-convolution generator (z -> 4x4 feature map, channels halving "
            "as size doubles) against a mirrored strided-convolution discriminator with "
            "BatchNorm and LeakyReLU; Adam 2e-4, beta1 0.5, N(0, 0.02) init.",
            tabs=("arithmetic", "invert"),
            evaluations=("arithmetic",),
        ),
        FamilySpec(
            "wgan-gp",
            "WGAN-GP",
            "replaces the discriminator with a critic estimating the Wasserstein distance, kept "
            "1-Lipschitz by a gradient penalty: more stable training.",
            "用估计 Wasserstein 距离的评论家代替判别器，并用梯度惩罚保持 1-Lipschitz：训练更稳定。",
            "WGAN-GP: the DCGAN generator trained against a critic that estimates the "
            "Wasserstein distance (no sigmoid and no BatchNorm, which would couple the samples "
            "the gradient penalty treats one by one), kept 1-Lipschitz by that penalty; "
            "several critic steps per generator step.",
        ),
        FamilySpec(
            "wgan",
            "WGAN",
            "the original Wasserstein GAN: a critic scores images instead of classifying them, "
            "kept Lipschitz by clipping its weights, a crude but simple constraint.",
            "最初的 Wasserstein GAN：评论家给图像打分而不是分类，靠裁剪权重保持 Lipschitz 连续，简单但粗糙。",
            "WGAN: the DCGAN generator trained against a critic (no sigmoid, no BatchNorm) whose "
            "weights are clipped to [-0.01, 0.01] after every step, RMSProp 5e-5, five critic "
            "steps per generator step (Arjovsky et al. 2017); optional annealed instance noise.",
        ),
        FamilySpec(
            "infogan",
            "InfoGAN",
            "adds codes to the noise and maximises the mutual information between codes and "
            "images, so the codes take on meanings (digit, slant, width) unsupervised.",
            "在噪声之外加入编码，并最大化编码与图像之间的互信息，使编码在无监督下获得含义（数字、倾斜、粗细）。",
            "InfoGAN: the generator gets noise plus a 10-way categorical code and continuous "
            "codes; a Q head sharing the discriminator body reads the codes back, maximising a "
            "lower bound on their mutual information with the image, so the codes learn digit "
            "identity, slant and width without labels.",
            tabs=("infogan",),
            evaluations=("infogan_codes",),
        ),
        FamilySpec(
            "cvae-gan",
            "CVAE-GAN",
            "a conditional VAE whose decoder is also a GAN generator, conditioned on face "
            "attributes: reconstruct a face, then change its attributes.",
            "以人脸属性为条件的变分自编码器，其解码器同时是 GAN 生成器：先重建人脸，再修改属性。",
            "CVAE-GAN: an encoder E(x, c) and a generator G(z, c) trained as a conditional VAE, "
            "sharpened by a discriminator D and kept faithful to the attributes c by a "
            "classifier C, with feature matching on intermediate layers of D and C. It "
            "reconstructs, edits attributes of a given face and fills holes.",
            tabs=("transfer", "inpaint"),
            evaluations=("cvae_gan_edits",),
        ),
        FamilySpec(
            "judge",
            "Judge",
            "a classifier used only to measure the generators (digits, or 40 face attributes).",
            "仅用于评估生成器的分类器（数字，或 40 种人脸属性）。",
            "An attribute (or digit) classifier used as the evaluation's feature network and "
            "judge: Fréchet distance, precision/recall and attribute checks are computed on its "
            "features, since Inception weights cannot be downloaded here.",
        ),
    )
}

#: The About tab's list, in this order (the families with released models).
ABOUT_ORDER = ("ae", "vae", "gan", "dcgan", "wgan-gp", "infogan", "cvae-gan")


def spec(family: str) -> FamilySpec:
    try:
        return FAMILIES[family]
    except KeyError:
        raise ValueError(f"no FamilySpec for {family!r} in gan_core.families") from None
