"""Write a release folder's model card, sample grid, loss curves and timeline frames.

  python -m training.model_card --name dcgan-celeba64 --run runs/dcgan-celeba64
  python -m training.model_card --metadata-only            # every card's YAML block only

Reads ``checkpoints/NAME`` (config.json, model.safetensors, metrics.json from
``python -m training.evaluate --write``) and the run folder (metrics.jsonl, samples/).
Every card starts with the Hugging Face Hub's YAML metadata block (licence, datasets, task,
library, metrics); ``--metadata-only`` rewrites that block and leaves the rest of the card,
and every image, as it is.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
from huggingface_hub import EvalResult, ModelCardData  # noqa: E402
from PIL import Image  # noqa: E402
from safetensors import safe_open  # noqa: E402
from torchvision.utils import save_image  # noqa: E402

import gan_core  # noqa: E402
from gan_core.arithmetic import ARITHMETIC_PRESETS  # noqa: E402
from gan_core.checkpoint import checkpoint_dir  # noqa: E402
from gan_core.families import FAMILIES  # noqa: E402
from training.evaluate import ARITHMETIC_METRICS, arithmetic_target  # noqa: E402
from training.loop import LOG_FIELDS  # noqa: E402
from training.targets import machine_cpu_hours  # noqa: E402

TIMELINE_FRAMES = 8

LIMITATIONS = {
    "mnist": "Trained on the 10,000-digit MNIST test split only (the offline copy); a model "
    "trained on the 60,000 training digits would be more varied.",
    "celeba": "Trained on 9,000 CelebA aligned faces (the first 9,000 of the 10,000 offline "
    "subset; the last 1,000 are held out for evaluation) at 64x64 on a 2-core CPU, so networks "
    "are narrower and training shorter than in the papers; expect artefacts. CelebA is mostly "
    "young, light-skinned celebrities: the model inherits that bias. Faces only, aligned like "
    "CelebA.",
}

LICENCES = {
    "mnist": "Code: MIT. Weights trained on MNIST (Yann LeCun, Corinna Cortes and Christopher "
    "Burges), available under CC BY-SA 3.0.",
    "celeba": "Code: MIT. **The weights are for non-commercial research only**: they are "
    "trained on CelebA (Multimedia Laboratory, The Chinese University of Hong Kong), whose "
    "licence allows non-commercial research and educational use only, and the model inherits "
    "that restriction.",
}

#: The Hub's metadata per training set. MNIST weights: MIT like the code. CelebA's terms
#: (non-commercial research only) pass to the weights, so their licence is "other", named and
#: linked; ``datasets`` are the Hub's copies of the same data (this project trains on an
#: offline subset, see each card's Data section).
DATASET_METADATA = {
    "mnist": {
        "license": "mit",
        "datasets": ["ylecun/mnist"],
        "dataset_name": "MNIST (the 10,000 test-split digits, offline copy)",
    },
    "celeba": {
        "license": "other",
        "license_name": "celeba-dataset-release-agreement",
        "license_link": "https://mmlab.ie.cuhk.edu.hk/projects/CelebA.html",
        "datasets": ["flwrlabs/celeba"],
        "dataset_name": "CelebA aligned faces, 64x64 (offline 10,000-face subset)",
    },
}

#: Hub task per family (``pipeline_tag``); every other generative family samples from noise.
PIPELINE_TAGS = {"judge": "image-classification", "cvae-gan": "image-to-image"}
#: Hub tags per family, besides the common ones (gan-studio, pytorch, safetensors, dataset).
FAMILY_TAGS = {
    "ae": ["autoencoder"],
    "vae": ["vae"],
    "gan": ["gan"],
    "dcgan": ["gan", "dcgan"],
    "wgan": ["gan", "wgan"],
    "wgan-gp": ["gan", "wgan-gp"],
    "infogan": ["gan", "infogan"],
    "cvae-gan": ["vae", "gan", "cvae-gan", "image-editing", "inpainting"],
    "judge": ["classifier", "evaluation"],
}
#: What the package is called on PyPI-style indexes; the Hub shows it as the card's library.
LIBRARY_NAME = "gan-studio"


def domain_of(config: dict) -> str:
    """ "mnist" or "celeba": the training set a config.json records (channels if it does not)."""
    dataset = str(config.get("data", {}).get("dataset", "")).lower()
    if dataset in DATASET_METADATA:
        return dataset
    return "mnist" if config.get("channels", 1) == 1 else "celeba"


def card_metadata(name: str, config: dict, metrics: dict) -> dict:
    """The YAML block at the top of a model card, as the Hub documents it (ModelCardData):
    licence, library, task, tags, datasets, metric ids and the measured values (model-index).

    The generative figures are measured in the feature space of this project's own judge
    (``training.evaluate``), not Inception's: the metric ids say ``judge-fd``/``judge-kid``.
    """
    family = config["family"]
    domain = domain_of(config)
    data = DATASET_METADATA[domain]
    task = PIPELINE_TAGS.get(family, "unconditional-image-generation")
    tags = [LIBRARY_NAME, *FAMILY_TAGS.get(family, [family]), domain, "pytorch", "safetensors"]
    results, metric_ids = [], []

    def result(metric_type: str, value, metric_name: str) -> None:
        metric_ids.append(metric_type)
        results.append(
            EvalResult(
                task_type=task,
                dataset_type=data["datasets"][0],
                dataset_name=data["dataset_name"],
                metric_type=metric_type,
                metric_value=value,
                metric_name=metric_name,
            )
        )

    if family == "judge":
        holdout = config.get("training", {}).get("holdout", {})
        unseen = f"on {holdout.get('images', '?')} held-out images never trained on"
        if "mean_attribute_accuracy" in holdout:
            accuracy = holdout["mean_attribute_accuracy"]
            result("accuracy", accuracy, f"mean attribute accuracy {unseen}")
        elif "accuracy" in holdout:
            result("accuracy", holdout["accuracy"], f"accuracy {unseen}")
    elif metrics.get("generated_vs_real"):
        g, judge = metrics["generated_vs_real"], metrics.get("judge", "judge")
        for key, metric_type, label in (
            ("fd", "judge-fd", f"Fréchet distance in {judge} features (not Inception FID)"),
            ("kid_x1000", "judge-kid", f"KID ×1000 in {judge} features"),
            ("precision", "precision", f"precision (k-NN manifold, {judge} features)"),
            ("recall", "recall", f"recall (k-NN manifold, {judge} features)"),
        ):
            if key in g:
                result(metric_type, g[key], label)
        psnr = metrics.get("reconstruction_psnr_db") or metrics.get("cvae_gan", {}).get(
            "reconstruction_psnr_db"
        )
        if psnr is not None:
            result("psnr", psnr, "held-out reconstruction PSNR (dB)")
    card = ModelCardData(
        license=data["license"],
        license_name=data.get("license_name"),
        license_link=data.get("license_link"),
        library_name=LIBRARY_NAME,
        pipeline_tag=task,
        tags=tags,
        datasets=data["datasets"],
        metrics=metric_ids or None,
        model_name=name,
        eval_results=results or None,
    )
    return card.to_dict()


def metadata_block(metadata: dict) -> str:
    """``---`` + the YAML + ``---``: the front matter the Hub reads from README.md."""
    return "---\n" + ModelCardData(**metadata).to_yaml() + "\n---\n"


def split_front_matter(text: str) -> tuple[str, str]:
    """(the YAML block with its ``---`` lines, or "", the rest of the card)."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 3)
        if end != -1:
            return text[: end + 5], text[end + 5 :]
    return "", text


def read_metadata(name: str) -> tuple[dict, dict]:
    """(config.json, metrics.json or {}) of a release folder."""
    folder = checkpoint_dir() / name
    config = json.loads((folder / "config.json").read_text())
    metrics_path = folder / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    return config, metrics


def write_metadata(name: str) -> Path:
    """Put a fresh metadata block at the top of ``checkpoints/NAME/README.md`` (replacing
    the one it has, if any), the card's text unchanged below it. Loads no model."""
    path = checkpoint_dir() / name / "README.md"
    if not path.is_file():
        raise gan_core.CheckpointError(f"{path} is missing: write the card first (--name)")
    _, body = split_front_matter(path.read_text(encoding="utf-8"))
    if not body.startswith("\n"):
        body = "\n" + body
    path.write_text(metadata_block(card_metadata(name, *read_metadata(name))) + body)
    return path


#: app arithmetic preset -> (the arithmetic in words, what a success shows)
ARITHMETIC_WORDS = {
    "glasses": ("man with glasses − man + woman", "a woman with glasses"),
    "smiling": ("smiling woman − neutral woman + neutral man", "a smiling man"),
}


def loss_curves(run: Path, out: Path) -> bool:
    path = run / "metrics.jsonl"
    if not path.is_file():
        return False
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    keys = [k for k in rows[-1] if k not in LOG_FIELDS]
    fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 2.6), squeeze=False)
    for ax, key in zip(axes[0], keys):
        steps = [r["step"] for r in rows if key in r]
        values = [r[key] for r in rows if key in r]
        ax.plot(steps, values, linewidth=0.8)
        ax.set_title(key)
        ax.set_xlabel("step")
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=80)
    plt.close(fig)
    return True


def timeline(run: Path, folder: Path, cell: int, keep_cells: int | None) -> list[str]:
    """Copy up to TIMELINE_FRAMES evenly spaced fixed-noise grids, cropped to a few cells."""
    frames = sorted((run / "samples").glob("step-*.png"))
    if not frames:
        return []
    if len(frames) > TIMELINE_FRAMES:
        picks = [
            round(i * (len(frames) - 1) / (TIMELINE_FRAMES - 1)) for i in range(TIMELINE_FRAMES)
        ]
        frames = [frames[i] for i in sorted(set(picks))]
    target = folder / "timeline"
    target.mkdir(exist_ok=True)
    for old in target.glob("*.png"):
        old.unlink()
    names = []
    for frame in frames:
        with Image.open(frame) as image:
            if keep_cells:
                side = keep_cells * (cell + 1) + 1
                image = image.crop((0, 0, min(side, image.width), min(side, image.height)))
            image.convert("RGB").save(target / frame.name, optimize=True)
        names.append(frame.name)
    return names


def metrics_section(metrics: dict) -> str:
    if not metrics:
        return "Not evaluated yet: run `python -m training.evaluate --model NAME --write`.\n"
    g, ref = metrics["generated_vs_real"], metrics["references"]
    lines = [
        f"Measured by `python -m training.evaluate --model {metrics['model']} --write` in the "
        f"feature space of `{metrics['judge']}` ({metrics['samples']} generated vs "
        f"{metrics['samples']} real images; lower FD/KID is better).",
        "",
        "| | judge FD | KID×1000 | precision | recall |",
        "|---|---|---|---|---|",
    ]
    for label, row in (
        ("**this model vs real**", g),
        ("real vs real (disjoint halves)", ref["real_vs_real"]),
        ("blurred real (σ 1.5) vs real", ref["blurred_real"]),
    ):
        lines.append(
            f"| {label} | {row['fd']:.2f} | {row['kid_x1000']:.2f} | {row['precision']:.2f} | "
            f"{row['recall']:.2f} |"
        )
    lines.append("")
    if "reconstruction_psnr_db" in metrics:
        lines.append(f"Held-out reconstruction PSNR: {metrics['reconstruction_psnr_db']} dB.\n")
    if "infogan" in metrics:
        info = metrics["infogan"]
        lines.append(
            f"Categorical code as digit (best code→digit assignment, judged by `judge-mnist`): "
            f"**{info['category_accuracy']:.1%}** over {info['samples']} samples "
            f"(mapping {info['code_to_digit']})."
        )
        for code, effect in info["continuous"].items():
            lines.append(
                f"- continuous {code}: mean |pixel change| from −1 to +1 = "
                f"{effect['mean_abs_pixel_change']}, digit kept in {effect['digit_kept']:.0%}"
                + (
                    f"; over the app's −2…2 sweep the digit at 0 is kept at "
                    f"{effect['digit_kept_sweep']:.1%} of points, along the whole sweep in "
                    f"{effect['digit_kept_whole_sweep']:.1%} of samples"
                    if "digit_kept_sweep" in effect
                    else ""
                )
            )
        lines.append("")
    for preset, key in ARITHMETIC_METRICS.items():
        if key not in metrics:
            continue
        a, (formula, target) = metrics[key], ARITHMETIC_WORDS[preset]
        if "success_rate" not in a:
            lines.append(f"Vector arithmetic “{formula}” could not be measured: {a}\n")
            continue
        lines.append(
            f"Vector arithmetic “{formula}” ({a.get('exemplars', 3)} exemplars per concept as "
            f"in the DCGAN paper, random among the faces the judge sees as each concept, "
            f"{a['trials']} trials): the judge sees {target} in **{a['success_rate']:.0%}** of "
            f"results ({a['grid_success_rate']:.0%} over the 3×3 noisy grids), against a base "
            f"rate of {a['base_rate_random_samples']:.1%} among random samples."
        )
        app = a.get("app_default", {})
        if "success_rate" in app:
            lines.append(
                f"With the app's default, {app['exemplars']} exemplars per concept and the "
                f"result rescaled to the latent shell: **{app['success_rate']:.0%}** "
                f"({app['grid_success_rate']:.0%} over the grids). An average of many faces "
                "exaggerates what they share, so it can score above real photos of the concept."
            )
        ideal = a.get("ideal_linear_latent", {})
        if ideal:
            lines.append(
                f"For reference, an idealised generator — perfect and perfectly linear, each "
                f"attribute a half-space of the latent at the training labels' rates, their "
                f"correlation kept (`training.evaluate.ideal_linear_arithmetic`) — scores "
                f"**{ideal['paper']['success_rate']:.0%}** with {ideal['paper']['exemplars']} "
                f"random exemplars and **{ideal['app_default']['success_rate']:.0%}** with the "
                f"app's default. " + ideal_why(preset, ideal["paper"])
            )
        real = a.get("real_photos_of_concept", {})
        if "success_rate" in real:
            wanted = arithmetic_target(preset)
            halves = ", ".join(
                f"{'' if wanted[name] else 'not '}{name.replace('_', ' ')} {rate:.0%}"
                for name, rate in real["judge_agrees"].items()
            )
            lines.append(
                f"The same rule applied to the {real['images']} real held-out photos labelled "
                f"{target} passes **{real['success_rate']:.0%}** of them (per attribute: "
                f"{halves}): how well this judge recognises the concept in real faces."
            )
        lines.append("")
    if "cvae_gan" in metrics:
        c = metrics["cvae_gan"]
        lines.append(
            f"On {c['held_out_faces']} held-out faces: reconstruction PSNR "
            f"{c['reconstruction_psnr_db']} dB.\n"
        )
        lines.append(
            "Each attribute is flipped on every face, then judged. Edit strength 1 decodes with "
            "the plain flipped condition; strength 2 (the app's default) pushes the changed "
            "attribute to 2 or −1 (`gan_core.models.cvae_gan.push_attributes`).\n"
        )
        lines.append("| attribute flipped | edit strength | judge agrees | other attributes kept |")
        lines.append("|---|---|---|---|")
        for name, by_strength in c["attribute_flip"].items():
            for key, v in by_strength.items():
                lines.append(
                    f"| {name} | {key.removeprefix('strength_')} | {v['flip_success']:.0%} | "
                    f"{v['others_kept']:.0%} |"
                )
        lines.append("")
        lines.append("| inpainting mask | PSNR in hole | mean-colour fill | gain |")
        lines.append("|---|---|---|---|")
        for name, v in c["inpainting"].items():
            lines.append(
                f"| {name} | {v['psnr_in_hole_db']} dB | {v['mean_colour_fill_psnr_db']} dB | "
                f"{v['gain_db']:+.2f} dB |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def ideal_why(preset: str, ideal: dict) -> str:
    """Why few random exemplars miss even in the idealised latent: the concept's rate in the
    rows' groups (A and B share one group, C is the other)."""
    rates = ideal.get("concept_rate_by_group")
    if not rates:
        return ""
    group, concept = ideal["group"], ideal["concept"]
    source = str(ARITHMETIC_PRESETS[preset][1].get(group, 0))  # B's group, e.g. Male = 1
    target = str(ARITHMETIC_PRESETS[preset][2].get(group, 0))  # C's group, e.g. Male = 0
    name, rule = concept.replace("_", " "), group.replace("_", " ")
    return (
        f"In the training labels {name} is on {rates[source]:.0%} of the faces with "
        f"{rule} = {source} and {rates[target]:.0%} of those with {rule} = {target}: where it is "
        f"rarer in C's group, the A − B step that adds it in B's group falls short of C's "
        f"boundary, so a few random exemplars often miss even in a perfect latent (the "
        f"paper's exemplars were picked by hand); a long average on the shell carries it over."
    )


def ema_lines(training: dict) -> list[str]:
    if not training.get("ema_decay"):
        return []
    return [
        f"- Exported weights: the exponential moving average of the last "
        f"{training.get('ema_steps')} steps' weights (decay {training['ema_decay']}, "
        "`--ema`), not the last step's"
    ]


def prior_lines(training: dict) -> list[str]:
    fit, mixture = training.get("fit_prior"), training.get("prior_mixture")
    lines = []
    if fit:
        shape = "a diagonal Gaussian" if not mixture else "a diagonal Gaussian (the z scale)"
        lines.append(
            f"- Sampling prior: {shape} fitted to {fit['posterior_samples']:,} posterior "
            "samples z ~ q(z|x) of training images (`--fit-prior`), not N(0, I): per-dimension "
            f"std {fit['std_min']}–{fit['std_max']}, means within ±{fit['mean_abs_max']}, so the "
            "KL term had brought the codes close to N(0, I) but not onto it"
        )
    if mixture:
        lines.append(
            f"- Random latents: a {mixture['components']}-component full-covariance Gaussian "
            f"mixture fitted to {mixture['codes']:,} training codes (`--prior-components`); "
            f"log-likelihood per held-out code {mixture['held_out_log_likelihood']} "
            f"(fitting codes {mixture['train_log_likelihood']}, fitted on 90 % first)"
        )
    return lines


def cpu_lines(training: dict) -> list[str]:
    """The CPU the training process used, and the 2-core machine CPU-hours releases compare."""
    seconds = training.get("cpu_seconds")
    if not seconds:
        return []
    return [
        f"- CPU time: {seconds:,.0f} process CPU-seconds = {machine_cpu_hours(seconds):.2f} "
        "CPU-hours"
        " of a 2-core machine (the unit the project's quality-per-CPU-hour figures use)"
    ]


def training_lines(training: dict, data: dict) -> list[str]:
    hours = training.get("wall_time_seconds", 0) / 3600
    return [
        "## Data",
        "",
        f"{data.get('dataset', '?')}: {data.get('images', '?')} images at "
        f"{data.get('image_size', '?')}×{data.get('image_size', '?')} "
        f"(offline copy, `{data.get('source', '')}`).",
        "",
        "## Training",
        "",
        f"- Steps: {training.get('steps')} (batch {training.get('batch_size')}, "
        f"{training.get('epochs')} epochs, {training.get('images_seen')} images seen)",
        f"- Hardware: {training.get('device')}, {training.get('processes', 1)} process(es); "
        f"bf16 autocast: {training.get('bf16_autocast')}",
        f"- Wall time: {training.get('wall_time_seconds')} s ({hours:.2f} h)",
        *cpu_lines(training),
        f"- Final losses: {json.dumps(training.get('final_losses', {}))}",
        *ema_lines(training),
        *prior_lines(training),
        "",
        "Exact command (a resumed run repeats the original flags; a run continued with other "
        "flags lists each phase):",
        "",
        "```bash",
        str(training.get("command", "?")),
        "```",
        "",
    ]


def write_judge_card(name: str, folder: Path, model, config: dict, run: Path | None) -> Path:
    training, data = config.get("training", {}), config.get("data", {})
    holdout = training.get("holdout", {})
    domain = "mnist" if model.image_shape[0] == 1 else "celeba"
    if model.config.multi_label:
        purpose = (
            "A CelebA 40-attribute classifier. GAN Studio uses its penultimate features as the "
            "feature space for Fréchet distance / KID (Inception weights cannot be downloaded "
            "offline) and its attribute probabilities to pick exemplars for vector arithmetic "
            "and to judge attribute edits."
        )
        score = (
            f"Held-out mean attribute accuracy: **{holdout.get('mean_attribute_accuracy')}** on "
            f"{holdout.get('images')} faces never seen in training (the last 10% of the "
            "subset). Per attribute: "
            + ", ".join(f"{k} {v:.1%}" for k, v in holdout.get("attribute_accuracy", {}).items())
        )
    else:
        purpose = (
            "An MNIST digit classifier. GAN Studio uses its penultimate features as the feature "
            "space for Fréchet distance / KID on digits, and its predictions to score InfoGAN's "
            "categorical code."
        )
        score = (
            f"Held-out accuracy: **{holdout.get('accuracy')}** on {holdout.get('images')} "
            "digits never seen in training (the last 10% of the split)."
        )
    metadata = metadata_block(card_metadata(name, config, {}))
    lines = [metadata, f"# {name}", "", purpose, "", "## Accuracy", "", score, ""]
    lines += training_lines(training, data)
    lines += ["## Limitations", "", LIMITATIONS[domain], ""]
    lines += ["## Licence", "", LICENCES[domain], ""]
    (folder / "README.md").write_text("\n".join(lines))
    return folder / "README.md"


def stored_as(weights: Path) -> str:
    """The card's note on the weights' precision: fp16 when saved with half=True, else ""."""
    with safe_open(weights, "pt") as handle:
        dtypes = {str(handle.get_slice(key).get_dtype()) for key in handle.keys()}  # noqa: SIM118 (not a dict)
    if "F16" in dtypes:
        return ", weights stored in fp16 (`save_pretrained(half=True)` / `--half`)"
    return ""


def write_card(name: str, run: Path | None) -> Path:
    folder = checkpoint_dir() / name
    model = gan_core.load(folder)
    config = json.loads((folder / "config.json").read_text())
    training = config.get("training", {})
    data = config.get("data", {})
    if config["family"] == "judge":
        return write_judge_card(name, folder, model, config, run)
    domain = "mnist" if model.image_shape[0] == 1 else "celeba"
    metrics_path = folder / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
    n_params = sum(p.numel() for p in model.parameters())
    size_mb = (folder / "model.safetensors").stat().st_size / 2**20
    grid_name = "samples.png"
    if model.family == "infogan":
        cols = 8
        z = torch.randn(1, model.z_dim, generator=torch.Generator().manual_seed(0)).expand(80, -1)
        category = torch.arange(10).repeat_interleave(cols)
        sweeps = []
        for j in range(model.n_continuous):
            continuous = torch.zeros(80, model.n_continuous)
            continuous[:, j] = torch.linspace(-1, 1, cols).repeat(10)
            sweep = model.generate(z, category=category, continuous=continuous)
            save_image(sweep, folder / f"sweep-code{j}.png", nrow=cols, padding=1)
            sweeps.append(f"sweep-code{j}.png")
    save_image(model.sample(64, seed=0), folder / grid_name, nrow=8, padding=1)
    if run is not None:
        has_curves = loss_curves(run, folder / "loss_curves.png")
        frames = timeline(run, folder, model.image_shape[1], 4 if domain == "celeba" else None)
    else:  # re-rendering a released card (new metrics): keep the curves and frames it has
        has_curves = (folder / "loss_curves.png").is_file()
        frames = sorted(f.name for f in (folder / "timeline").glob("step-*.png"))
    lines = [
        metadata_block(card_metadata(name, config, metrics)),
        f"# {name}",
        "",
        FAMILIES[model.family].card,
        "",
        "```python",
        "import gan_core",
        f'model = gan_core.load("{name}")',
        "images = model.sample(16, seed=0)  # (16, C, H, W) in [0, 1]",
        "```",
        "",
        "## Samples",
        "",
        f"![samples]({grid_name})",
        "",
    ]
    if model.family == "infogan":
        lines += [
            "Sweeps (rows: categorical code 0–9; columns: one continuous code from −1 to +1):",
            "",
        ]
        lines += [f"![{s}]({s})" for s in sweeps] + [""]
    lines += training_lines(training, data)
    lines += [
        f"Parameters: {n_params:,} in the released (inference) networks; "
        f"`model.safetensors` {size_mb:.1f} MB{stored_as(folder / 'model.safetensors')}.",
        "",
        "Architecture (`config.json`): "
        + ", ".join(
            f"{k}={v}"
            for k, v in config.items()
            if k not in ("training", "data", "gan_core_version", "family")
        ),
        "",
    ]
    if has_curves:
        lines += ["![loss curves](loss_curves.png)", ""]
    if frames:
        lines += [
            "## Training timeline",
            "",
            "The same fixed inputs rendered during training (`timeline/`):",
            "",
            " ".join(f"![{f}](timeline/{f})" for f in frames),
            "",
        ]
    lines += ["## Metrics", "", metrics_section(metrics)]
    lines += ["## Limitations", "", LIMITATIONS[domain], ""]
    lines += ["## Licence", "", LICENCES[domain], ""]
    (folder / "README.md").write_text("\n".join(lines))
    return folder / "README.md"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m training.model_card",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--name", help="release name under checkpoints/")
    parser.add_argument(
        "--run",
        type=Path,
        help="the run folder that produced it (omit to re-render a released card with its "
        "existing loss curves and timeline)",
    )
    parser.add_argument(
        "--metadata-only",
        action="store_true",
        help="rewrite only the YAML metadata block of --name's card (of every card under "
        "checkpoints/ without --name); text and images stay as they are",
    )
    args = parser.parse_args(argv)
    if not args.name and not args.metadata_only:
        parser.error("--name is required (or --metadata-only for every card)")
    try:
        if args.metadata_only:
            names = [args.name] if args.name else gan_core.list_models(include_judges=True)
            for name in names:
                print(write_metadata(name))
        else:
            print(write_card(args.name, args.run))
    except (gan_core.CheckpointError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
