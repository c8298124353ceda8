"""Where each release model stands against the "Quality per CPU-hour" targets.

  python -m training.targets                 # from checkpoints/<name>/metrics.json + config.json
  python -m training.evaluate --all --write  # measures everything afresh, then prints this too

The figures come from what ``training.evaluate --write`` saved beside each checkpoint (the
project's own judges), the CPU spent from the checkpoint's ``config.json``, and the VAE's cheap
reference from what ``benchmarks.vae_reference`` measured (``benchmarks/vae_reference.json``,
committed with the machine and date it came from; without it those targets read "not
measured"). A target whose figure is missing is reported as "not measured", never as met.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gan_core.checkpoint import checkpoint_dir

#: CPU-hours count the whole 2-core machine: process CPU seconds / 2 / 3600.
CORES = 2
DEFAULT_VAE_REFERENCE = Path(__file__).resolve().parents[1] / "benchmarks" / "vae_reference.json"
VAE_REFERENCE_ROW = "plain conv VAE (reference)"
TONE_TOLERANCE = 0.15  # each tone statistic within 15 % of real faces'
EDITS = ("Eyeglasses", "Smiling", "Male")


@dataclass(frozen=True)
class Check:
    model: str
    target: str
    now: str
    met: bool | None  # None: the figure is not measured


def _get(tree: dict | None, *keys: str):
    """``tree[k1][k2]...`` or None where any level is missing."""
    for key in keys:
        if not isinstance(tree, dict) or key not in tree:
            return None
        tree = tree[key]
    return tree


def _check(model: str, target: str, value, test: Callable, shown: Callable = str) -> Check:
    if value is None:
        return Check(model, target, "not measured", None)
    return Check(model, target, shown(value), bool(test(value)))


def _against(model: str, label: str, value, bound, test: Callable, digits: int) -> Check:
    """A target relative to another measured figure (``bound``): "label (bound)", judged by
    ``test(value, bound)``; not measured when either figure is missing."""
    if bound is None:
        return _check(model, label, None, test)
    return _check(
        model,
        f"{label} ({bound:.{digits}f})",
        value,
        lambda v: test(v, bound),
        lambda v: f"{v:.{digits}f}",
    )


def machine_cpu_hours(cpu_seconds: float) -> float:
    """Process CPU-seconds as CPU-hours of the whole 2-core machine (the release figures' unit)."""
    return cpu_seconds / CORES / 3600


def cpu_hours(config: dict | None) -> float | None:
    seconds = _get(config, "training", "cpu_seconds")
    return None if seconds is None else machine_cpu_hours(seconds)


def load_vae_reference(path: Path = DEFAULT_VAE_REFERENCE) -> dict | None:
    """What ``benchmarks.vae_reference`` wrote, or None where it has not run."""
    return json.loads(path.read_text()) if path.is_file() else None


def check_targets(
    metrics: dict[str, dict], configs: dict[str, dict], vae_reference: dict | None = None
) -> list[Check]:
    """Every target of the issue's table, judged from saved figures (``metrics[name]`` is a
    ``metrics.json``, ``configs[name]`` a ``config.json``; either may be missing)."""
    checks: list[Check] = []

    # DCGAN: FD <= 9 and recall >= 0.5 within 2 CPU-hours of training.
    name = "dcgan-celeba64"
    dcgan = metrics.get(name)
    fd, recall = _get(dcgan, "generated_vs_real", "fd"), _get(dcgan, "generated_vs_real", "recall")
    checks += [
        _check(name, "FD ≤ 9", fd, lambda v: v <= 9, lambda v: f"{v:.2f}"),
        _check(name, "recall ≥ 0.5", recall, lambda v: v >= 0.5, lambda v: f"{v:.2f}"),
        _check(
            name,
            "≤ 2 CPU-h of training",
            cpu_hours(configs.get(name)),
            lambda v: v <= 2,
            lambda v: f"{v:.2f} CPU-h",
        ),
    ]

    # WGAN-GP: beats the DCGAN on FD and recall; tones within 15 % of real faces.
    name = "wgan-gp-celeba64"
    wgan = metrics.get(name)
    w_fd, w_recall = (
        _get(wgan, "generated_vs_real", "fd"),
        _get(wgan, "generated_vs_real", "recall"),
    )
    checks += [
        _against(name, "FD < DCGAN's", w_fd, fd, lambda v, b: v < b, 2),
        _against(name, "recall ≥ DCGAN's", w_recall, recall, lambda v, b: v >= b, 2),
    ]
    for statistic in ("mean_luminance", "contrast", "dark_pixel_share"):
        made = _get(wgan, "pixel_statistics", "generated", statistic)
        real = _get(wgan, "pixel_statistics", "real", statistic)
        checks.append(
            _check(
                name,
                f"{statistic.replace('_', ' ')} within 15 % of real"
                + (f" ({real:.3f})" if real is not None else ""),
                None if made is None or real is None else (made, real),
                lambda v: abs(v[0] - v[1]) <= TONE_TOLERANCE * v[1],
                lambda v: f"{v[0]:.3f} ({(v[0] - v[1]) / v[1]:+.0%})",
            )
        )

    # VAE: at least the plain conv VAE's 20-CPU-minute figures, and recall >= 0.3.
    name = "vae-celeba64"
    vae = metrics.get(name)
    v_fd, v_recall = _get(vae, "generated_vs_real", "fd"), _get(vae, "generated_vs_real", "recall")
    reference = _get(vae_reference, "models", VAE_REFERENCE_ROW)
    r_fd, r_recall = _get(reference, "fd"), _get(reference, "recall")
    checks += [
        _against(name, "FD ≤ the reference's", v_fd, r_fd, lambda v, b: v <= b, 1),
        _against(name, "recall ≥ the reference's", v_recall, r_recall, lambda v, b: v >= b, 2),
        _check(name, "recall ≥ 0.3", v_recall, lambda v: v >= 0.3, lambda v: f"{v:.2f}"),
    ]

    # CVAE-GAN: samples beat blurred real faces; plain-condition edits; PSNR; inpainting.
    name = "cvae-gan-celeba64"
    cvae = metrics.get(name)
    c_fd = _get(cvae, "generated_vs_real", "fd")
    blurred = _get(cvae, "references", "blurred_real", "fd")
    checks.append(
        _against(name, "samples' FD < blurred real's", c_fd, blurred, lambda v, b: v < b, 2)
    )
    for attribute in EDITS:
        flip = _get(cvae, "cvae_gan", "attribute_flip", attribute, "strength_1")
        checks.append(
            _check(
                name,
                f"{attribute} at strength 1: ≥ 70 % take, ≥ 90 % of others kept",
                None if flip is None else (flip["flip_success"], flip["others_kept"]),
                lambda v: v[0] >= 0.7 and v[1] >= 0.9,
                lambda v: f"{v[0]:.0%} take, {v[1]:.0%} kept",
            )
        )
    checks += [
        _check(
            name,
            "reconstruction PSNR ≥ 21 dB",
            _get(cvae, "cvae_gan", "reconstruction_psnr_db"),
            lambda v: v >= 21,
            lambda v: f"{v:.2f} dB",
        ),
        _check(
            name,
            "bottom-half inpainting ≥ mean fill + 3 dB",
            _get(cvae, "cvae_gan", "inpainting", "lower_face", "gain_db"),
            lambda v: v >= 3,
            lambda v: f"+{v:.1f} dB",
        ),
    ]

    # InfoGAN: category accuracy >= 99.5 %; each continuous code keeps the digit over [-2, 2].
    name = "infogan-mnist"
    info = metrics.get(name)
    checks.append(
        _check(
            name,
            "category accuracy ≥ 99.5 %",
            _get(info, "infogan", "category_accuracy"),
            lambda v: v >= 0.995,
            lambda v: f"{v:.1%}",
        )
    )
    codes = _get(info, "infogan", "continuous") or {"code0": None, "code1": None}
    for code, effect in codes.items():
        checks.append(
            _check(
                name,
                f"{code} keeps the digit ≥ 97 % over c ∈ [−2, 2]",
                _get(effect, "digit_kept_sweep"),
                lambda v: v >= 0.97,
                lambda v: f"{v:.1%}",
            )
        )
    return checks


def load_saved(root: Path | None = None) -> tuple[dict[str, dict], dict[str, dict]]:
    """The metrics.json and config.json of every checkpoint folder that has them."""
    root = root or checkpoint_dir()
    metrics, configs = {}, {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        for name, into in (("metrics.json", metrics), ("config.json", configs)):
            if (folder / name).is_file():
                into[folder.name] = json.loads((folder / name).read_text())
    return metrics, configs


def report(checks: list[Check]) -> str:
    marks = {True: "met", False: "**not met**", None: "not measured"}
    lines = ["| model | target | now | |", "|---|---|---|---|"]
    lines += [f"| {c.model} | {c.target} | {c.now} | {marks[c.met]} |" for c in checks]
    met = sum(c.met is True for c in checks)
    unknown = sum(c.met is None for c in checks)
    lines.append(f"\n{met} of {len(checks)} targets met, {unknown} not measured.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.targets", description=__doc__)
    parser.add_argument(
        "--vae-reference",
        type=Path,
        default=DEFAULT_VAE_REFERENCE,
        help="the JSON benchmarks.vae_reference wrote (default: benchmarks/vae_reference.json)",
    )
    args = parser.parse_args(argv)
    reference = load_vae_reference(args.vae_reference)
    if reference is None:
        print(
            f"note: no {args.vae_reference}: run `python -m benchmarks.vae_reference "
            "--data-dir ../shared/data` for the VAE's reference",
            file=sys.stderr,
        )
    metrics, configs = load_saved()
    print(report(check_targets(metrics, configs, reference)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
