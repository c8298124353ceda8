"""Measure a released model in the feature space of a domain judge.

  python -m training.evaluate --model dcgan-celeba64 --data-dir ../shared/data
  python -m training.evaluate --all --data-dir ../shared/data --write   # every model + table
                                                      # + the quality targets (training.targets)

Inception weights cannot be downloaded offline, so Fréchet distance (FD) and KID are computed
on the penultimate features of judges the project trains itself (``judge-mnist``,
``judge-celeba64``), via torchmetrics with the judge as the feature network. Every figure is
printed beside two references computed the same way: real vs real (disjoint halves) and
blurred real (Gaussian, sigma 1.5) vs real. Precision/recall follow Kynkäänniemi et al. 2019
(k-NN manifolds, k = 3). Family-specific checks: InfoGAN category accuracy, DCGAN vector
arithmetic, CVAE-GAN reconstruction / attribute transfer / inpainting.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from scipy.optimize import linear_sum_assignment
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance
from torchmetrics.image.kid import KernelInceptionDistance
from torchvision.transforms.v2.functional import gaussian_blur
from tqdm.auto import tqdm

import gan_core
from gan_core import families
from gan_core.arithmetic import ARITHMETIC_PRESETS, DEFAULT_EXEMPLARS, PAPER_EXEMPLARS, matches
from gan_core.checkpoint import checkpoint_dir
from gan_core.latent import concept_vector, jitter, to_shell, vector_arithmetic
from gan_core.models.cvae_gan import DEFAULT_EDIT_STRENGTH, push_attributes
from training import targets
from training.data import ImageData, load_celeba, load_mnist

#: images held out from every release model's training and from the judges (the last 10%)
TRAIN_FRACTION = 0.9
JUDGES = {"mnist": "judge-mnist", "celeba": "judge-celeba64"}


class JudgeFeatures(nn.Module):
    """Adapter so torchmetrics uses a judge as its feature network (inputs in [0, 1])."""

    def __init__(self, judge: nn.Module) -> None:
        super().__init__()
        self.judge = judge.eval()
        self.num_features = judge.config.feature_dim

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return self.judge.body(images.float() * 2 - 1).double()


def load_split(domain: str, data_dir: Path) -> tuple[ImageData, ImageData]:
    """(training split, held-out split) with images as uint8."""
    if domain == "mnist":
        data = load_mnist(data_dir / "mnist" if (data_dir / "mnist").is_dir() else data_dir)
    else:
        root = data_dir / "celeba" if (data_dir / "celeba").is_dir() else data_dir
        data = load_celeba(root, size=64, cache_dir=Path("runs/.cache"))
    cut = int(len(data) * TRAIN_FRACTION)
    return data.subset(slice(0, cut)), data.subset(slice(cut, None))


def to_unit(images: torch.Tensor) -> torch.Tensor:
    return images.float() / 255


def distribution_metrics(
    judge: nn.Module, real: torch.Tensor, fake: torch.Tensor, k: int = 3
) -> dict[str, float]:
    """FD, KID (x1000) and k-NN precision/recall between two image sets in [0, 1]."""
    features = JudgeFeatures(judge)
    fid = FrechetInceptionDistance(feature=features, normalize=True)
    kid = KernelInceptionDistance(
        feature=features, normalize=True, subsets=20, subset_size=min(500, len(real), len(fake))
    )
    for images, is_real in ((real, True), (fake, False)):
        for chunk in images.split(500):
            fid.update(chunk, real=is_real)
            kid.update(chunk, real=is_real)
    with torch.random.fork_rng():  # KID draws random subsets: same data, same figure
        torch.manual_seed(0)
        kid_mean, _ = kid.compute()
    precision, recall = precision_recall(judge.features(real), judge.features(fake), k)
    return {
        "fd": round(float(fid.compute()), 3),
        "kid_x1000": round(float(kid_mean) * 1000, 3),
        "precision": round(precision, 3),
        "recall": round(recall, 3),
    }


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> tuple[float, float]:
    """Kynkäänniemi et al.: precision = share of fakes inside the real k-NN manifold, recall =
    share of reals inside the fake manifold (a collapsed generator has low recall)."""

    def manifold_radii(x: torch.Tensor) -> torch.Tensor:
        d = torch.cdist(x, x)
        return d.kthvalue(k + 1, dim=1).values  # +1: the point itself is at distance 0

    def coverage(points: torch.Tensor, support: torch.Tensor, radii: torch.Tensor) -> float:
        inside = (torch.cdist(points, support) <= radii.unsqueeze(0)).any(dim=1)
        return float(inside.float().mean())

    real, fake = real.double(), fake.double()
    return (
        coverage(fake, real, manifold_radii(real)),
        coverage(real, fake, manifold_radii(fake)),
    )


#: Luminance below this counts as a dark pixel (real CelebA faces: about 18 % of pixels).
DARK_LUMINANCE = 0.15


def pixel_statistics(images: torch.Tensor) -> dict[str, float]:
    """Tone statistics of RGB images in [0, 1]: mean luminance, per-image contrast (the
    standard deviation of luminance within an image, averaged) and the share of dark pixels.
    A generator whose darkest pixel is mid-grey scores well on FD-like features yet looks
    washed out; these catch it."""
    weights = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    luminance = (images.float() * weights).sum(1)
    return {
        "mean_luminance": round(float(luminance.mean()), 4),
        "contrast": round(float(luminance.flatten(1).std(1).mean()), 4),
        "dark_pixel_share": round(float((luminance < DARK_LUMINANCE).float().mean()), 4),
    }


def generate(model, n: int, seed: int = 0, batch: int = 250, **conditions) -> torch.Tensor:
    out = []
    for i, start in enumerate(range(0, n, batch)):
        out.append(model.sample(min(batch, n - start), seed=seed + i, **conditions))
    return torch.cat(out).cpu()


def reference_metrics(judge, real: torch.Tensor) -> dict[str, dict[str, float]]:
    """Real vs real (disjoint halves) and blurred real vs real."""
    half = len(real) // 2
    a, b = real[:half], real[half : 2 * half]
    return {
        "real_vs_real": distribution_metrics(judge, a, b),
        "blurred_real": distribution_metrics(judge, a, gaussian_blur(b, [9, 9], [1.5, 1.5])),
    }


def infogan_category_accuracy(model, judge, per_category: int = 500) -> dict:
    """Accuracy of the categorical code as a digit, under the best code->digit assignment."""
    confusion = np.zeros((model.n_categories, 10), dtype=np.int64)
    for c in range(model.n_categories):
        images = generate(model, per_category, seed=1000 + c, category=torch.full((1,), c))
        digits = judge.predict(images).argmax(1).numpy()
        np.add.at(confusion[c], digits, 1)
    rows, cols = linear_sum_assignment(-confusion)
    accuracy = confusion[rows, cols].sum() / confusion.sum()
    return {
        "category_accuracy": round(float(accuracy), 4),
        "code_to_digit": {int(r): int(c) for r, c in zip(rows, cols)},
        "samples": int(confusion.sum()),
    }


#: Code values the sweep visits: the app's InfoGAN sliders run from -2 to 2 (ui.limits.CODE_SLIDER;
#: the codes were trained on U(-1, 1), so the outer half is extrapolation).
CODE_SWEEP = torch.linspace(-2, 2, 9)


def infogan_continuous_effect(model, judge, n: int = 200) -> dict:
    """How much each continuous code moves the image (mean |pixel change| from -1 to +1), and
    whether the judged digit survives: between -1 and +1, and at every point of a sweep over
    [-2, 2] compared with the same latent at 0 (``digit_kept_sweep``: share of (sample, value)
    pairs; ``digit_kept_whole_sweep``: share of samples whose digit never changes)."""
    g = torch.Generator().manual_seed(7)
    z = torch.randn(n, model.z_dim, generator=g)
    category = torch.randint(0, model.n_categories, (n,), generator=g)

    def codes_at(j: int, value: float) -> torch.Tensor:
        codes = torch.zeros(n, model.n_continuous)
        codes[:, j] = value
        return codes

    at = {float(v): i for i, v in enumerate(CODE_SWEEP)}  # the sweep holds -1, 0 and +1
    effects = {}
    for j in range(model.n_continuous):
        images = [
            model.generate(z, category=category, continuous=codes_at(j, float(v)))
            for v in CODE_SWEEP
        ]
        digits = torch.stack([judge.predict(x).argmax(1) for x in images])  # (values, n)
        a, b = images[at[-1.0]], images[at[1.0]]
        kept = digits == digits[at[0.0]]
        effects[f"code{j}"] = {
            "mean_abs_pixel_change": round(float((a - b).abs().mean()), 4),
            "digit_kept": round(float((digits[at[-1.0]] == digits[at[1.0]]).float().mean()), 3),
            "digit_kept_sweep": round(float(kept.float().mean()), 3),
            "digit_kept_whole_sweep": round(float(kept.all(0).float().mean()), 3),
        }
    return effects


def _attribute_index(judge, name: str) -> int:
    return judge.config.classes.index(name)


def _rate(ok: torch.Tensor) -> float:
    return round(float(ok.float().mean()), 3)


#: metrics.json key of each app arithmetic preset ("arithmetic" has held the glasses figure
#: since the first release)
ARITHMETIC_METRICS = {"glasses": "arithmetic", "smiling": "arithmetic_smiling"}


def arithmetic_target(preset: str) -> dict[str, int]:
    """What A - B + C should show, by doing the arithmetic on the rows' attributes:
    (male, glasses) - (male) + (woman) = woman with glasses."""
    a, b, c = ARITHMETIC_PRESETS[preset]
    target = {k: a.get(k, 0) - b.get(k, 0) + c.get(k, 0) for k in {**a, **b, **c}}
    if any(v not in (0, 1) for v in target.values()):
        raise ValueError(f"preset {preset!r} does not add up to a yes/no concept: {target}")
    return target


def judge_on_real_concept(judge, holdout: ImageData, rule: dict[str, int]) -> dict:
    """The success rule applied to real held-out photos whose CelebA labels match ``rule``.

    A reference for the arithmetic figure: how often this judge sees the concept in real
    photographs of it (an averaged latent can exaggerate the concept and score higher).
    """
    names = list(rule)
    index = torch.nonzero(matches(names, holdout.select_attributes(names), rule)).flatten()
    if len(index) == 0:
        return {"images": 0}
    classes = list(judge.config.classes)
    probs = judge.predict(to_unit(holdout.images[index]))
    return {
        "images": len(index),
        "success_rate": _rate(matches(classes, probs, rule)),
        # which half of the rule the judge misses: how often it agrees on each attribute
        "judge_agrees": {k: _rate(matches(classes, probs, {k: v})) for k, v in rule.items()},
    }


def arithmetic_pool(model, judge, pool: int = 3000, seed: int = 0):
    """Random latents and the judge's attribute probabilities for their images: the faces
    the exemplars are drawn from (shared by every preset and protocol)."""
    z = torch.randn(pool, model.z_dim, generator=torch.Generator().manual_seed(seed))
    probs = torch.cat([judge.predict(model.generate(chunk)) for chunk in z.split(500)])
    return z, probs


def _arithmetic_trials(
    z: torch.Tensor,
    groups: list[torch.Tensor],
    outcome,
    exemplars: int,
    shell: bool,
    trials: int,
    noise: float,
    rng: torch.Generator,
) -> tuple[float, float]:
    """The trial loop shared by a real generator and the idealised latent: per trial, average
    ``exemplars`` random latents of each row's group, do A - B + C (on the shell if asked),
    jitter it into the paper's 3x3 and ask ``outcome`` (latents -> bool per latent) whether
    the target shows. Returns (rate of the unjittered results, rate over the grids)."""
    hits, grid_hits, grid_total = 0, 0, 0
    for _ in range(trials):
        means = [
            concept_vector(z[g[torch.randperm(len(g), generator=rng)[:exemplars]]]) for g in groups
        ]
        result = vector_arithmetic(*means)
        ok = outcome(jitter(to_shell(result) if shell else result, 9, noise, generator=rng))
        hits += int(ok[0])
        grid_hits += int(ok.sum())
        grid_total += len(ok)
    return round(hits / trials, 3), round(grid_hits / grid_total, 3)


def dcgan_arithmetic(
    model,
    judge,
    holdout: ImageData | None = None,
    preset: str = "glasses",
    exemplars: int = PAPER_EXEMPLARS,
    shell: bool = False,
    trials: int = 100,
    pool: int = 3000,
    noise: float = 0.25,
    seed: int = 0,
    faces: tuple[torch.Tensor, torch.Tensor] | None = None,
) -> dict:
    """The app's arithmetic preset (e.g. "man with glasses - man + woman"): ``exemplars``
    random faces per concept among those the judge sees as matching; success = the judge sees
    the target (a woman with glasses) in the result. Each trial also renders the paper's 3x3
    grid (small noise), counted too. ``shell`` rescales the result as the app's checkbox
    does. ``faces``: a shared ``arithmetic_pool`` (else one of ``pool`` faces is drawn).
    With ``holdout``, the rule is applied to real photos as a reference."""
    rows, target = ARITHMETIC_PRESETS[preset], arithmetic_target(preset)
    classes = list(judge.config.classes)
    z, probs = faces if faces is not None else arithmetic_pool(model, judge, pool, seed)
    groups = [torch.nonzero(matches(classes, probs, rule)).flatten() for rule in rows]
    counts = {"A": len(groups[0]), "B": len(groups[1]), "C": len(groups[2])}
    if min(counts.values()) < exemplars:
        return {"preset": preset, "error": "too few exemplars", "counts": counts}

    def outcome(latents: torch.Tensor) -> torch.Tensor:
        return matches(classes, judge.predict(model.generate(latents)), target)

    rng = torch.Generator().manual_seed(seed + 1)
    rate, grid_rate = _arithmetic_trials(z, groups, outcome, exemplars, shell, trials, noise, rng)
    result = {
        "preset": preset,
        "target": target,
        "exemplars": exemplars,
        "shell": shell,
        "success_rate": rate,
        "grid_success_rate": grid_rate,
        "base_rate_random_samples": round(float(matches(classes, probs, target).float().mean()), 4),
        "trials": trials,
        "exemplar_pool": len(z),
        "exemplar_counts": counts,
    }
    if holdout is not None:
        result["real_photos_of_concept"] = judge_on_real_concept(judge, holdout, target)
    return result


def ideal_linear_arithmetic(
    labels: torch.Tensor,
    names: list[str],
    preset: str = "glasses",
    exemplars: int = PAPER_EXEMPLARS,
    shell: bool = False,
    z_dim: int = 100,
    trials: int = 2000,
    pool: int = 100_000,
    noise: float = 0.25,
    seed: int = 0,
) -> dict:
    """The same arithmetic in an idealised latent: what a perfect, perfectly linear generator
    that reproduces the data's attribute rates would score. A reference for the real figure.

    Each attribute of the preset is a half-space along its own axis of N(0, I^z_dim); the
    attribute that B -> C swaps (e.g. Male) is drawn at its rate in ``labels``, the other
    (e.g. Eyeglasses) with a threshold set by its rate *given* the first, so the data's
    correlation (12 % of CelebA's men wear glasses, 3 % of its women) is kept. Exemplars are
    random members of each row; success = the result lies in the target's region."""
    rows, target = ARITHMETIC_PRESETS[preset], arithmetic_target(preset)
    b, c = rows[1], rows[2]
    order = sorted(target, key=lambda k: b.get(k, 0) == c.get(k, 0))  # the swapped one first
    if len(order) != 2:
        raise ValueError(f"the idealised latent models two attributes, not {order}")
    first, second = order
    y = labels[:, [names.index(first), names.index(second)]] > 0.5
    normal = torch.distributions.Normal(0.0, 1.0)

    def threshold(rate: torch.Tensor) -> float:  # x > threshold has probability ``rate``
        return float(normal.icdf(1 - rate.clamp(1e-4, 1 - 1e-4)))

    t_first = threshold(y[:, 0].float().mean())
    rate_given = {v: y[y[:, 0] == v, 1].float().mean() for v in (False, True)}
    t_second = {v: threshold(rate) for v, rate in rate_given.items()}

    def attributes(z: torch.Tensor) -> torch.Tensor:
        has_first = z[:, 0] > t_first
        cut = torch.where(has_first, t_second[True], t_second[False])
        return torch.stack([has_first, z[:, 1] > cut], 1).float()

    rng = torch.Generator().manual_seed(seed)
    z = torch.randn(pool, z_dim, generator=rng)
    values = attributes(z)
    groups = [torch.nonzero(matches(order, values, rule)).flatten() for rule in rows]

    def outcome(latents: torch.Tensor) -> torch.Tensor:
        return matches(order, attributes(latents), target)

    rate, grid_rate = _arithmetic_trials(z, groups, outcome, exemplars, shell, trials, noise, rng)
    return {
        "exemplars": exemplars,
        "shell": shell,
        "success_rate": rate,
        "grid_success_rate": grid_rate,
        # e.g. Eyeglasses on 12 % of the faces with Male = 1, 3 % of those with Male = 0
        "concept": second,
        "group": first,
        "concept_rate_by_group": {str(int(v)): round(float(r), 3) for v, r in rate_given.items()},
    }


def arithmetic_metrics(
    model,
    judge,
    holdout: ImageData | None,
    preset: str,
    faces,
    train_labels: tuple[torch.Tensor, list[str]] | None = None,
) -> dict:
    """The paper's protocol (3 exemplars, no rescaling), with the app's default (many
    exemplars, rescaled to the latent shell) under ``app_default``; with ``train_labels``
    (attribute labels, their names), both protocols in the idealised linear latent too."""
    paper = dcgan_arithmetic(model, judge, holdout, preset, faces=faces)
    app = dcgan_arithmetic(
        model, judge, None, preset, exemplars=DEFAULT_EXEMPLARS, shell=True, faces=faces
    )
    if "success_rate" in app:
        keep = ("exemplars", "shell", "success_rate", "grid_success_rate")
        paper["app_default"] = {k: app[k] for k in keep}
    if train_labels is not None and "success_rate" in paper:
        labels, names = train_labels
        paper["ideal_linear_latent"] = {
            "paper": ideal_linear_arithmetic(labels, names, preset, z_dim=model.z_dim),
            "app_default": ideal_linear_arithmetic(
                labels, names, preset, DEFAULT_EXEMPLARS, shell=True, z_dim=model.z_dim
            ),
        }
    return paper


def psnr(a: torch.Tensor, b: torch.Tensor, mask: torch.Tensor | None = None) -> float:
    """Mean PSNR (dB) over images, optionally only where mask is 1."""
    err = (a - b) ** 2
    if mask is None:
        mse = err.flatten(1).mean(1)
    else:
        m = mask.expand_as(err)
        mse = (err * m).flatten(1).sum(1) / m.flatten(1).sum(1).clamp(min=1)
    return float((10 * torch.log10(1 / mse.clamp(min=1e-10))).mean())


#: Attribute flips are measured with the plain condition (1) and at the app's default strength.
FLIP_STRENGTHS = (1.0, DEFAULT_EDIT_STRENGTH)


def cvae_gan_metrics(model, judge, holdout: ImageData, n: int = 500) -> dict:
    """Reconstruction, attribute edits at every strength, and inpainting against a mean fill."""
    results = cvae_gan_edit_metrics(model, judge, holdout, n)
    results["inpainting"] = cvae_gan_inpainting(model, to_unit(holdout.images[: min(n, 200)]))
    results["held_out_faces"] = n
    return results


def cvae_gan_edit_metrics(
    model, judge, holdout: ImageData, n: int = 500, strengths=FLIP_STRENGTHS
) -> dict:
    """Reconstruction PSNR of held-out faces and, per edited attribute and strength, how often
    the judge sees the edit take and the other judged attributes kept."""
    x = to_unit(holdout.images[:n])
    attrs = holdout.select_attributes(model.attributes)[:n]
    results: dict = {}
    # One encoding serves the reconstruction and every edit (transfer(x, a, a) would encode
    # again and generate the reconstruction twice).
    z = torch.cat([model.encode(xb, ab) for xb, ab in zip(x.split(100), attrs.split(100))])
    recon = model.generate(z, attrs=attrs)
    results["reconstruction_psnr_db"] = round(psnr(recon, x), 2)
    judged = [a for a in model.attributes if a in judge.config.classes]
    p_rec = judge.predict(recon)
    flips: dict = {}
    for name in ("Eyeglasses", "Smiling", "Male"):
        j = model.attributes.index(name)
        target = attrs.clone()
        target[:, j] = 1 - target[:, j]
        col = _attribute_index(judge, name)
        others = [_attribute_index(judge, a) for a in judged if a != name]
        flips[name] = {}
        for strength in strengths:
            edited = model.generate(z, attrs=push_attributes(attrs, target, strength))
            p_edit = judge.predict(edited)
            success = ((p_edit[:, col] > 0.5).float() == target[:, j]).float().mean()
            kept = ((p_edit[:, others] > 0.5) == (p_rec[:, others] > 0.5)).float().mean()
            flips[name][f"strength_{strength:g}"] = {
                "flip_success": round(float(success), 3),
                "others_kept": round(float(kept), 3),
            }
    results["attribute_flip"] = flips
    return results


def cvae_gan_inpainting(model, x: torch.Tensor) -> dict:
    """PSNR inside the app's centre and lower-face masks, against filling with the mean colour."""
    from gan_core.edit import preset_mask  # noqa: PLC0415 (the app's masks)

    inpaint = {}
    for mask_name in ("centre", "lower_face"):
        mask = preset_mask(mask_name).expand(len(x), -1, -1, -1)
        filled = torch.cat([model.inpaint(xb, mb) for xb, mb in zip(x.split(50), mask.split(50))])
        known = 1 - mask
        mean_colour = (x * known).sum((2, 3), keepdim=True) / known.sum((2, 3), keepdim=True)
        baseline = x * known + mean_colour * mask
        inpaint[mask_name] = {
            "psnr_in_hole_db": round(psnr(filled, x, mask), 2),
            "mean_colour_fill_psnr_db": round(psnr(baseline, x, mask), 2),
        }
        inpaint[mask_name]["gain_db"] = round(
            inpaint[mask_name]["psnr_in_hole_db"] - inpaint[mask_name]["mean_colour_fill_psnr_db"],
            2,
        )
    return inpaint


def evaluate_model(name: str, data_dir: Path, n: int = 2000) -> dict:
    started = time.time()
    model = gan_core.load(name)
    domain = "mnist" if model.image_shape[0] == 1 else "celeba"
    judge = gan_core.load(JUDGES[domain])
    train_split, holdout = load_split(domain, data_dir)
    real = to_unit(train_split.images[: 2 * n])
    result: dict = {"model": name, "family": model.family, "judge": JUDGES[domain]}
    fake = generate(model, n)
    result["generated_vs_real"] = distribution_metrics(judge, real[:n], fake)
    result["references"] = reference_metrics(judge, real)
    result["samples"] = n
    if domain == "celeba":
        result["pixel_statistics"] = {
            "generated": pixel_statistics(fake),
            "real": pixel_statistics(real[:n]),
        }
    evaluations = families.spec(model.family).evaluations
    if "infogan_codes" in evaluations:
        result["infogan"] = infogan_category_accuracy(model, judge)
        result["infogan"]["continuous"] = infogan_continuous_effect(model, judge)
    if "arithmetic" in evaluations:
        faces = arithmetic_pool(model, judge)
        labels = (train_split.attributes, list(train_split.attribute_names))
        for preset, key in ARITHMETIC_METRICS.items():
            result[key] = arithmetic_metrics(model, judge, holdout, preset, faces, labels)
    if "cvae_gan_edits" in evaluations:
        result["cvae_gan"] = cvae_gan_metrics(model, judge, holdout)
    if "reconstruction" in evaluations:
        x = to_unit(holdout.images[:1000])
        result["reconstruction_psnr_db"] = round(psnr(model.generate(model.encode(x)), x), 2)
    result["seconds"] = round(time.time() - started, 1)
    return result


#: CPU budgets at which ``--snapshots`` reports a run's quality (minutes of the whole 2-core
#: machine, i.e. the run's process CPU time / 2, as the release figures count them).
BUDGET_MINUTES = (30, 60, 120)


def quality_per_cpu_hour(
    run: Path,
    data_dir: Path,
    n: int = 1000,
    cores: int = 2,
    budgets: tuple[float, ...] = BUDGET_MINUTES,
) -> list[dict]:
    """FD and recall of a run's snapshots (``--snapshot-every``) nearest to (not past) each
    budget of machine-minutes of CPU (default 30, 60 and 120), so recipes can be compared at
    equal cost (faces: also the tone
    statistics; InfoGAN: also category accuracy and the digit kept over the code sweep;
    CVAE-GAN: also reconstruction PSNR and the strength-1 edits)."""
    snapshots = sorted((run / "snapshots").glob("step-*"))
    if not snapshots:
        raise FileNotFoundError(f"{run}/snapshots holds no step-* folders (--snapshot-every)")
    spent = []
    for folder in snapshots:
        training = json.loads((folder / "config.json").read_text()).get("training", {})
        spent.append((training.get("cpu_seconds", 0.0) / cores / 60, folder))
    rows = []
    # domain -> (judge, real training images, held-out split), the same for every snapshot
    references: dict[str, tuple] = {}
    for budget in budgets:
        within = [(minutes, folder) for minutes, folder in spent if minutes <= budget * 1.05]
        if not within:
            continue
        minutes, folder = within[-1]
        model = gan_core.load(folder)
        domain = "mnist" if model.image_shape[0] == 1 else "celeba"
        if domain not in references:
            train_split, holdout = load_split(domain, data_dir)
            judge = gan_core.load(JUDGES[domain])
            references[domain] = (judge, to_unit(train_split.images[:n]), holdout)
        judge, real, holdout = references[domain]
        fake = generate(model, n)
        figures = distribution_metrics(judge, real, fake)
        if domain == "celeba":  # tone: what FD-like figures miss (a washed-out generator)
            figures["pixel_statistics"] = pixel_statistics(fake)
        if model.family == "infogan":  # what the InfoGAN targets are about, per snapshot
            figures["category_accuracy"] = infogan_category_accuracy(model, judge, n // 10)[
                "category_accuracy"
            ]
            effects = infogan_continuous_effect(model, judge, n // 5)
            figures["digit_kept_sweep"] = {k: v["digit_kept_sweep"] for k, v in effects.items()}
        if model.family == "cvae-gan":  # the edit targets are at strength 1
            edits = cvae_gan_edit_metrics(model, judge, holdout, n // 4, strengths=(1,))
            figures["reconstruction_psnr_db"] = edits["reconstruction_psnr_db"]
            figures["strength_1_edits"] = {
                name: flip["strength_1"] for name, flip in edits["attribute_flip"].items()
            }
        rows.append(
            {
                "budget_minutes": budget,
                "snapshot": folder.name,
                "cpu_minutes": round(minutes, 1),
                **figures,
            }
        )
        if rows[-1]["snapshot"] == snapshots[-1].name and budget != budgets[-1]:
            break  # the run ended before the next budget
    return rows


def summary_row(r: dict) -> str:
    g, ref = r["generated_vs_real"], r["references"]
    extra = []
    if "infogan" in r:
        extra.append(f"category acc {r['infogan']['category_accuracy']:.1%}")
    for preset, key in ARITHMETIC_METRICS.items():
        a = r.get(key, {})
        if "success_rate" in a:
            real = a.get("real_photos_of_concept", {})
            real_ref = f", real photos {real['success_rate']:.0%}" if "success_rate" in real else ""
            app = a.get("app_default", {})
            many = (
                f", {app['exemplars']} on the shell {app['success_rate']:.0%}"
                if "success_rate" in app
                else ""
            )
            ideal = a.get("ideal_linear_latent", {})
            ideal_ref = (
                f", ideal linear latent {ideal['paper']['success_rate']:.0%} / "
                f"{ideal['app_default']['success_rate']:.0%}"
                if ideal
                else ""
            )
            base = a["base_rate_random_samples"]
            extra.append(
                f"arithmetic ({preset}) {a.get('exemplars', 3)} exemplars "
                f"{a['success_rate']:.0%}{many} (base {base:.1%}{real_ref}{ideal_ref})"
            )
    if "cvae_gan" in r:
        c = r["cvae_gan"]
        flips = ", ".join(
            f"{k} " + "→".join(f"{s['flip_success']:.0%}" for s in v.values())
            for k, v in c["attribute_flip"].items()
        )
        measured = next(iter(c["attribute_flip"].values()))  # every attribute, same strengths
        strengths = "→".join(k.removeprefix("strength_") for k in measured)
        flips += f" (strength {strengths})"
        gains = ", ".join(f"{k} +{v['gain_db']:.1f} dB" for k, v in c["inpainting"].items())
        extra.append(f"PSNR {c['reconstruction_psnr_db']} dB; flips {flips}; inpaint {gains}")
    if "reconstruction_psnr_db" in r:
        extra.append(f"recon PSNR {r['reconstruction_psnr_db']} dB")
    return (
        f"| {r['model']} | {g['fd']:.2f} | {g['kid_x1000']:.2f} | {g['precision']:.2f} | "
        f"{g['recall']:.2f} | {ref['real_vs_real']['fd']:.2f} | {ref['blurred_real']['fd']:.2f} | "
        f"{'; '.join(extra)} |"
    )


TABLE_HEADER = (
    "| model | judge FD | KID×1000 | precision | recall | FD real/real | FD blurred real | "
    "model-specific |\n|---|---|---|---|---|---|---|---|"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.evaluate", description=__doc__)
    parser.add_argument("--model", action="append", help="release name (repeatable)")
    parser.add_argument("--all", action="store_true", help="every model in checkpoints/")
    parser.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--write", action="store_true", help="save checkpoints/<name>/metrics.json")
    parser.add_argument(
        "--readme",
        type=Path,
        help="rewrite the table between the metrics markers of this README from metrics.json",
    )
    parser.add_argument(
        "--snapshots",
        type=Path,
        action="append",
        help="a run folder: FD and recall of its snapshots at 30/60/120 CPU-minutes (repeatable)",
    )
    parser.add_argument(
        "--budgets",
        type=float,
        nargs="+",
        default=list(BUDGET_MINUTES),
        metavar="MINUTES",
        help="machine CPU-minutes at which --snapshots reports (default: 30 60 120)",
    )
    args = parser.parse_args(argv)
    if args.snapshots:
        torch.set_grad_enabled(True)
        for run in args.snapshots:
            rows = quality_per_cpu_hour(
                run, args.data_dir, min(args.samples, 1000), budgets=tuple(sorted(args.budgets))
            )
            for row in rows:
                print(json.dumps({"run": str(run), **row}))
        return 0
    names = gan_core.list_models() if args.all else (args.model or [])
    if args.readme and not names:
        return update_readme(args.readme)
    if not names:
        parser.error("name a --model or pass --all")
    torch.set_grad_enabled(True)
    rows = []
    for name in tqdm(names, desc="evaluating", unit="model"):
        try:
            result = evaluate_model(name, args.data_dir, args.samples)
        except (gan_core.CheckpointError, FileNotFoundError, ValueError) as error:
            print(f"error: {name}: {error}", file=sys.stderr)
            return 2
        print(json.dumps(result, indent=2))
        if args.write:
            (checkpoint_dir() / name / "metrics.json").write_text(
                json.dumps(result, indent=2) + "\n"
            )
        rows.append(summary_row(result))
    print("\n" + TABLE_HEADER + "\n" + "\n".join(rows))
    if args.all and args.write:  # the targets, judged from the files just written
        checks = targets.check_targets(*targets.load_saved(), targets.load_vae_reference())
        print("\n" + targets.report(checks))
    if args.readme:
        return update_readme(args.readme)
    return 0


MARKERS = ("<!-- metrics:start -->", "<!-- metrics:end -->")


def update_readme(readme: Path) -> int:
    """Put the table of every model's saved metrics.json between the README's markers."""
    rows = []
    for name in gan_core.list_models():
        path = checkpoint_dir() / name / "metrics.json"
        if path.is_file():
            rows.append(summary_row(json.loads(path.read_text())))
    text = readme.read_text()
    start, end = text.find(MARKERS[0]), text.find(MARKERS[1])
    if start < 0 or end < start:
        print(f"error: {readme} has no {MARKERS[0]} ... {MARKERS[1]} block", file=sys.stderr)
        return 2
    table = "\n".join([MARKERS[0], TABLE_HEADER, *rows, MARKERS[1]])
    readme.write_text(text[:start] + table + text[end + len(MARKERS[1]) :])
    print(f"updated {readme} with {len(rows)} model(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
