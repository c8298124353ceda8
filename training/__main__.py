"""Train a GAN Studio model family and export a checkpoint.

Examples:
  python -m training gan --data mnist --data-dir ../shared/data/mnist --out runs/gan-mnist
  python -m training dcgan --data-dir ../shared/data/celeba --out runs/dcgan --steps 8000 \\
      --set g_width=64 --set d_width=64 --export checkpoints/dcgan-celeba64
  python -m training infogan --data-dir ../shared/data/mnist --out runs/infogan --resume
  python -m training judge --data celeba --data-dir ../shared/data/celeba --out runs/judge
  torchrun --nproc_per_node 4 -m training dcgan --data-dir /data/celeba --out runs/dcgan4
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import math
import os
import shutil
import sys
import time
from pathlib import Path

import torch

from training import distributed
from training.augment import parse_policy
from training.data import DATASETS, DataError, ImageData, load_dataset
from training.loop import STATE_NAME, LoopOptions, TrainingDiverged, export, seed_everything, train
from training.recipes import RECIPES, Hyper

log = logging.getLogger("training")

#: image geometry each data set implies
DATA_GEOMETRY = {"mnist": (1, 28), "celeba": (3, 64), "folder": (3, 32), "cifar10": (3, 32)}
MIN_FREE_BYTES = 200 * 2**20


class UsageError(Exception):
    """A user mistake: printed as one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m training",
        description=__doc__.split("\n")[0],
        epilog="\n".join(__doc__.splitlines()[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("family", choices=sorted(RECIPES), help="model family to train")
    p.add_argument("--data", choices=DATASETS, help="data set (default: the family's own)")
    p.add_argument("--data-dir", type=Path, required=True, help="folder holding the data set")
    p.add_argument("--out", type=Path, required=True, help="run folder (runs/NAME)")
    length = p.add_mutually_exclusive_group()
    length.add_argument("--steps", type=int, help="generator steps to train")
    length.add_argument("--epochs", type=float, help="passes over the data (instead of --steps)")
    p.add_argument("--batch-size", type=int)
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument(
        "--precision",
        choices=["auto", "fp32", "bf16"],
        default="auto",
        help="bf16 autocast (auto: on CUDA with bf16, and on CPUs with AVX-512 bf16 for conv nets)",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", action="store_true", help="continue from OUT/training_state.pt")
    p.add_argument("--export", type=Path, help="write the inference checkpoint to this folder")
    p.add_argument("--half", action="store_true", help="export weights as fp16")
    p.add_argument("--dry-run", action="store_true", help="print the resolved options and exit")
    p.add_argument("--limit", type=int, help="use only the first N images")
    p.add_argument("--cache-dir", type=Path, help="decoded-image cache (default OUT/../.cache)")
    p.add_argument("--download", action="store_true", help="fetch MNIST/CIFAR-10 when online")
    p.add_argument("--log-every", type=int, default=50)
    p.add_argument("--sample-every", type=int, default=500)
    p.add_argument("--checkpoint-every", type=int, default=500)
    p.add_argument(
        "--snapshot-every",
        type=int,
        help="also keep the exported weights every N steps in OUT/snapshots/ (quality per CPU-h;"
        " with --ema, the raw weights in OUT/raw/snapshots/ too)",
    )
    p.add_argument(
        "--max-minutes",
        type=float,
        help="stop after this wall time in this invocation; a --resume gets a fresh budget "
        "(still exports)",
    )
    p.add_argument("--threads", type=int, help="torch CPU threads (default: all cores)")
    p.add_argument("--sync-batchnorm", action="store_true", help="SyncBatchNorm under torchrun")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="model config field, e.g. --set z_dim=64 --set g_width=64 (JSON values)",
    )
    for field in dataclasses.fields(Hyper):
        flag = "--" + field.name.replace("_", "-")
        if field.type in ("bool",) or isinstance(field.default, bool):
            p.add_argument(flag, type=_parse_bool, metavar="true|false", help="default per family")
        elif isinstance(field.default, str):
            p.add_argument(flag, type=str, help="default per family")
        else:
            p.add_argument(flag, type=float if "float" in str(field.type) else int)
    return p


def _parse_bool(text: str) -> bool:
    if text.lower() in ("1", "true", "yes", "on"):
        return True
    if text.lower() in ("0", "false", "no", "off"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def resolve_device(name: str) -> torch.device:
    if name == "auto":
        _, local_rank, world_size = distributed.world()
        if torch.cuda.is_available():
            return torch.device("cuda", local_rank if world_size > 1 else 0)
        return torch.device("cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise UsageError(
            f"--device {name!r} is not a device (use auto, cpu, cuda, cuda:N)"
        ) from None
    if device.type == "cuda" and not torch.cuda.is_available():
        raise UsageError("--device cuda was asked for, but this machine has no CUDA device")
    return device


def cpu_has_bf16() -> bool:
    capability = torch.backends.cpu.get_cpu_capability()
    if "AVX512" not in capability:
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_options(args: argparse.Namespace) -> dict:
    """Validate every option and resolve family defaults; raises UsageError on a mistake."""
    recipe_cls = RECIPES[args.family]
    defaults = dict(recipe_cls.defaults)
    data_kind = args.data or recipe_cls.data
    if args.family == "judge" and data_kind not in ("mnist", "celeba"):
        raise UsageError("judges are trained on --data mnist or --data celeba")
    channels, size = DATA_GEOMETRY[data_kind]
    config_values: dict = {"family": args.family, "channels": channels, "image_size": size}
    if args.family == "judge":
        if data_kind == "mnist":
            config_values.update(classes=[str(d) for d in range(10)], multi_label=False)
        else:
            config_values.update(multi_label=True, feature_dim=256)
    config_fields = {f.name for f in dataclasses.fields(recipe_cls.config_class)}
    for item in args.set:
        key, sep, raw = item.partition("=")
        if not sep:
            raise UsageError(f"--set takes KEY=VALUE, got {item!r}")
        if key == "prior_components":
            raise UsageError("the sampling prior is fitted at export: use --prior-components K")
        if key not in config_fields or key in ("family", "data", "training"):
            raise UsageError(
                f"--set {key}: {args.family} has no config field {key!r}; fields: "
                f"{sorted(config_fields - {'family', 'data', 'training'})}"
            )
        try:
            config_values[key] = json.loads(raw)
        except json.JSONDecodeError:
            config_values[key] = raw
    hyper_values = {}
    for field in dataclasses.fields(Hyper):
        value = getattr(args, field.name)
        if value is None:
            value = defaults.get(field.name, field.default)
        hyper_values[field.name] = value
    hyper = Hyper(**hyper_values)
    batch_size = args.batch_size or defaults["batch_size"]
    if batch_size < 2:
        raise UsageError(f"--batch-size must be at least 2, got {batch_size}")
    if args.steps is not None and args.steps < 1:
        raise UsageError(f"--steps must be positive, got {args.steps}")
    if args.epochs is not None and args.epochs <= 0:
        raise UsageError(f"--epochs must be positive, got {args.epochs}")
    if hyper.lr <= 0 or (hyper.lr_d is not None and hyper.lr_d <= 0):
        raise UsageError("learning rates must be positive")
    if hyper.n_critic < 1:
        raise UsageError("--n-critic must be at least 1")
    if not 0 <= hyper.ema < 1:
        raise UsageError(f"--ema is a decay in [0, 1) (e.g. 0.999; 0 = off), got {hyper.ema}")
    if not (math.isfinite(hyper.clip) and hyper.clip > 0):
        raise UsageError(
            f"--clip is the critic's weight bound, a positive number (e.g. 0.01), got {hyper.clip}"
        )
    if not (math.isfinite(hyper.instance_noise) and hyper.instance_noise >= 0):
        raise UsageError(
            "--instance-noise is a standard deviation, a number >= 0 (e.g. 0.1; 0 = off), "
            f"got {hyper.instance_noise}"
        )
    if not (math.isfinite(hyper.code_range) and hyper.code_range > 0):
        raise UsageError(
            "--code-range is the half-width of InfoGAN's continuous codes in training, "
            f"a positive number (e.g. 1 or 2), got {hyper.code_range}"
        )
    if not (math.isfinite(hyper.hold_category_range) and hyper.hold_category_range >= 0):
        raise UsageError(
            "--hold-category-range is the half-width of the continuous codes over which InfoGAN's "
            f"generator is asked to keep the category, a number >= 0 (e.g. 2; 0 = off), "
            f"got {hyper.hold_category_range}"
        )
    if hyper.hold_category_range > 0 and args.family != "infogan":
        raise UsageError(f"--hold-category-range is an InfoGAN generator loss, not {args.family}'s")
    for flag, value, what in (
        ("--code-weight", hyper.code_weight, "a loss weight, a number >= 0 (e.g. 0.1 or 1)"),
        ("--code-std", hyper.code_std, "a standard deviation, a number >= 0 (0 = learned)"),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise UsageError(f"{flag} is {what}, got {value}")
    if args.family != "infogan" and (args.code_weight is not None or args.code_std is not None):
        raise UsageError(f"--code-weight and --code-std set InfoGAN's codes, not {args.family}'s")
    if hyper.instance_noise_steps < 1:
        raise UsageError(
            "--instance-noise-steps (generator steps over which --instance-noise falls to 0) "
            f"must be at least 1, got {hyper.instance_noise_steps}"
        )
    for flag, families, what in (
        ("perceptual_weight", ("ae", "vae"), "a decoder loss of the ae and vae families"),
        ("latent_adversary_weight", ("cvae-gan",), "an encoder loss of the cvae-gan family"),
        ("edit_weight", ("cvae-gan",), "a generator loss of the cvae-gan family"),
    ):
        weight, option = getattr(hyper, flag), "--" + flag.replace("_", "-")
        if not (math.isfinite(weight) and weight >= 0):
            raise UsageError(f"{option} is a loss weight, a number >= 0 (0 = off), got {weight}")
        if weight > 0 and args.family not in families:
            raise UsageError(f"{option} is {what}, not {args.family}")
    if hyper.fit_prior and args.family != "vae":
        raise UsageError(f"--fit-prior fits the vae family's sampling prior, not {args.family}'s")
    if hyper.prior_components < 0:
        raise UsageError(f"--prior-components is a count (0 = off), got {hyper.prior_components}")
    if hyper.prior_components > 0:
        if args.family not in ("ae", "vae"):
            raise UsageError(
                f"--prior-components fits the ae and vae families' sampling prior, "
                f"not {args.family}'s"
            )
        if args.family == "vae" and not hyper.fit_prior:
            raise UsageError(
                "--prior-components fits a mixture to the VAE's posterior codes, which only "
                "happens with --fit-prior true: add it"
            )
    try:
        parse_policy(hyper.augment)
    except ValueError as error:
        raise UsageError(f"--augment: {error}") from None
    for name in ("log_every", "sample_every", "checkpoint_every"):
        if getattr(args, name) < 1:
            raise UsageError(f"--{name.replace('_', '-')} must be at least 1")
    if not args.data_dir.exists():
        raise UsageError(f"--data-dir {args.data_dir} does not exist")
    return {
        "family": args.family,
        "data": data_kind,
        "data_dir": str(args.data_dir),
        "out": str(args.out),
        "steps": args.steps,
        "epochs": args.epochs,
        "default_steps": defaults["steps"],
        "batch_size": batch_size,
        "device": args.device,
        "precision": args.precision,
        "seed": args.seed,
        "limit": args.limit,
        "config": config_values,
        "hyper": dataclasses.asdict(hyper),
        "export": str(args.export) if args.export else None,
        "half": args.half,
        "resume": args.resume,
        "max_minutes": args.max_minutes,
        "sync_batchnorm": args.sync_batchnorm,
        "command": " ".join(["python -m training", *sys.argv[1:]]),
    }


def check_writable(folder: Path) -> None:
    """Fail at start, not after an hour, when the run folder cannot be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        raise UsageError(f"cannot write to {folder}: {error.strerror or error}") from None
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        raise UsageError(
            f"only {free / 2**20:.0f} MiB free under {folder}; need {MIN_FREE_BYTES // 2**20} MiB"
        )


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except (UsageError, DataError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except TrainingDiverged as error:
        print(f"error: training diverged: {error}", file=sys.stderr)
        return 3
    except OSError as error:  # e.g. the disk filled up while writing a checkpoint
        print(f"error: {error.strerror or error}: {error.filename or ''}", file=sys.stderr)
        return 4


def run(args: argparse.Namespace) -> int:
    options = resolve_options(args)
    if args.dry_run:
        print(json.dumps(options, indent=2))
        return 0
    rank, _, world_size = distributed.world()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = resolve_device(args.device)
    if args.sync_batchnorm and device.type != "cuda":
        raise UsageError(
            "--sync-batchnorm needs CUDA devices (PyTorch's SyncBatchNorm has no CPU kernel); "
            "on CPU each process normalises its own shard"
        )
    if device.type == "cuda":
        torch.cuda.set_device(device)
        torch.backends.cudnn.benchmark = True
    distributed.init(device)
    out = Path(options["out"])
    if not args.resume and (out / STATE_NAME).exists():
        raise UsageError(
            f"{out} already holds a training run; pass --resume to continue it "
            "or choose a new --out"
        )
    check_writable(out)
    if args.export:
        if args.export.exists() and not args.export.is_dir():
            raise UsageError(f"--export {args.export} is a file; it must be a folder (or new)")
        check_writable(args.export if args.export.is_dir() else args.export.resolve().parent)
    recipe_cls = RECIPES[args.family]
    config = recipe_cls.config_class(**options["config"])
    data = load_dataset(
        options["data"],
        Path(options["data_dir"]),
        image_size=config.image_size,
        channels=config.channels,
        limit=args.limit,
        cache_dir=args.cache_dir or out.parent / ".cache",
        download=args.download,
    )
    if data.skipped:
        print(f"skipped {data.skipped} unreadable image(s)", file=sys.stderr)
    holdout = None
    if args.family == "judge":  # keep the last 10% for the judge's held-out accuracy
        cut = int(len(data) * 0.9)
        data, holdout = data.subset(slice(0, cut)), data.subset(slice(cut, None))
        config.classes = config.classes or list(data.attribute_names)
    config.data = {
        "dataset": options["data"],
        "images": len(data),
        "image_size": config.image_size,
        "source": Path(options["data_dir"]).name,
    }
    if device.type == "cuda":
        data = place_on_gpu(data, device)
    if options["precision"] == "auto":
        amp = (device.type == "cuda" and torch.cuda.is_bf16_supported()) or (
            device.type == "cpu" and config.image_size >= 32 and cpu_has_bf16()
        )
    else:
        amp = options["precision"] == "bf16"
        if amp and device.type == "cpu" and not cpu_has_bf16():
            log.warning(
                "--precision bf16 on a CPU without AVX-512 bf16 (%s): bf16 is emulated there "
                "and a step can be 10x slower than fp32; --precision auto picks fp32 here",
                torch.backends.cpu.get_cpu_capability(),
            )
    options["amp_bf16"] = amp
    seed_everything(args.seed)  # weight init is part of the run's determinism
    recipe = recipe_cls(config, Hyper(**options["hyper"]), device, amp)
    if args.sync_batchnorm and world_size > 1:
        for net in recipe.networks().values():
            distributed.convert_sync_batchnorm(net)
    batch_size = options["batch_size"]
    per_epoch = len(data) // (batch_size * recipe.batches_per_step * world_size)
    if per_epoch < 1:
        raise UsageError(
            f"{len(data)} images are fewer than one step's {batch_size * recipe.batches_per_step}"
            f" x {world_size} process(es); lower --batch-size"
        )
    steps = options["steps"] or (
        max(1, round(options["epochs"] * per_epoch))
        if options["epochs"]
        else options["default_steps"]
    )
    options["resolved_steps"] = steps
    options["device_resolved"] = str(device)
    options["world_size"] = world_size
    if rank == 0:
        (out / "options.json").write_text(json.dumps(options, indent=2) + "\n")
        log.info(
            "%s on %s: %d images, %d steps of batch %d, bf16=%s, %d process(es)",
            args.family,
            device,
            len(data),
            steps,
            batch_size,
            amp,
            world_size,
        )
    started = time.time()
    summary = train(
        recipe,
        data,
        LoopOptions(
            steps=steps,
            batch_size=batch_size,
            out=out,
            seed=args.seed,
            log_every=args.log_every,
            sample_every=args.sample_every,
            checkpoint_every=args.checkpoint_every,
            snapshot_every=args.snapshot_every,
            max_minutes=args.max_minutes,
            resume=args.resume,
        ),
    )
    summary.update(
        device=torch.cuda.get_device_name(device) if device.type == "cuda" else cpu_name(),
        processes=world_size,
        bf16_autocast=amp,
        command=options["command"],
        session_seconds=round(time.time() - started, 1),
    )
    if holdout is not None and rank == 0:
        summary["holdout"] = judge_holdout_score(recipe.model, holdout)
        log.info("judge held-out score: %s", summary["holdout"])
    if args.export and rank == 0:
        folder = export(recipe, data, args.export, summary, half=args.half)
        log.info("exported %s", folder)
    if rank == 0:
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    distributed.shutdown()
    return 0


def place_on_gpu(data: ImageData, device: torch.device) -> ImageData:
    """Keep the uint8 images resident on the GPU (no host copies per step); when they do not
    fit, pin them in host memory so copies run asynchronously."""
    try:
        data.images = data.images.to(device)
    except torch.cuda.OutOfMemoryError:
        data.images = data.images.pin_memory()
    return data


def cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"CPU: {line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"CPU ({os.cpu_count()} cores)"


def judge_holdout_score(judge, holdout: ImageData) -> dict:
    images = holdout.images.float() / 255
    probs = judge.predict(images)
    if judge.config.multi_label:
        truth = holdout.select_attributes(judge.config.classes)
        per_attr = ((probs > 0.5).float() == truth).float().mean(0)
        return {
            "images": len(holdout),
            "mean_attribute_accuracy": round(float(per_attr.mean()), 4),
            "attribute_accuracy": {
                name: round(float(a), 4) for name, a in zip(judge.config.classes, per_attr)
            },
        }
    return {
        "images": len(holdout),
        "accuracy": round(float((probs.argmax(1) == holdout.labels).float().mean()), 4),
    }


if __name__ == "__main__":
    sys.exit(main())
