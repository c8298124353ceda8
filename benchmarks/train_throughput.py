"""DCGAN training throughput: GAN Studio's step against the PyTorch examples' reference loop.

  python -m benchmarks.train_throughput                   # this machine's CPU (or first GPU)
  python -m benchmarks.train_throughput --g-width 128     # the paper's 1024x4x4 generator
  python -m benchmarks.train_throughput --device cuda     # bf16 autocast, pinned reference loader
  python -m benchmarks.train_throughput --compare-fp32    # also: what bf16 / channels_last pay

Reference: a faithful copy of pytorch/examples ``dcgan/main.py``'s loop: ``ImageFolder`` over the
CelebA folder with Resize/CenterCrop/ToTensor/Normalize, a ``DataLoader(batch_size=64,
shuffle=True, num_workers=2)`` that decodes every JPEG every epoch, fp32, D ending in Sigmoid
with ``BCELoss``, Adam(2e-4, (0.5, 0.999)), D on real then ``fake.detach()``, G with real labels,
``.item()`` on the losses every step.

Project: the code path ``python -m training dcgan`` runs, with the options it picks on this
machine: images decoded once into the uint8 cache and served from memory, ``recipe.make_batch``
+ ``recipe.train_step``, bf16 autocast where the CLI turns it on (CUDA with bf16, CPUs with
AVX-512 BF16), channels_last, the losses read every 50 steps as the loop does.

Both sides build the same networks (``DCGANGenerator``/``DCGANDiscriminator``, one
``DCGANConfig``) and train on the same images with the same batch size on the same device.
Timed in alternating rounds after a warm-up, so both sides see the same machine load. Neither
side writes sample grids or checkpoints while timed (the example saves images every 100
iterations, the project every 500 steps: file I/O, not training speed).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import torch
import torchvision
from torch import nn
from torch.utils.data import DataLoader, Subset
from torchvision import transforms

from benchmarks import ROOT, default_data_dir
from gan_core.models.base import init_dcgan_weights
from gan_core.models.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from training import __main__ as cli
from training.data import BatchSampler, ImageData, load_dataset
from training.loop import seed_everything
from training.recipes import RECIPES, Hyper, Recipe

#: the training loop reads the losses (a host sync) every --log-every steps; 50 by default
LOG_EVERY = 50
#: issue 6's targets for project / reference images per second
TARGETS = {"cpu": 1.5, "cuda": 3.0}
TABLE_FAMILIES = ("wgan-gp", "infogan", "cvae-gan")
DEFAULT_CACHE = ROOT / "benchmarks" / ".cache"


# --- the options the training CLI would choose --------------------------------------------------
def cli_options(family: str, data_dir: Path, sets: list[str], batch_size: int | None) -> dict:
    """``python -m training FAMILY``'s resolved options (family defaults, --set overrides)."""
    argv = [family, "--data-dir", str(data_dir), "--out", "unused"]
    for item in sets:
        argv += ["--set", item]
    if batch_size:
        argv += ["--batch-size", str(batch_size)]
    return cli.resolve_options(cli.build_parser().parse_args(argv))


def cli_bf16(device: torch.device, image_size: int) -> bool:
    """``--precision auto`` as ``training/__main__.py`` resolves it: bf16 autocast on CUDA with
    bf16, and on CPUs with AVX-512 BF16 for conv nets (images of 32 px and more)."""
    if device.type == "cuda":
        return torch.cuda.is_bf16_supported()
    return device.type == "cpu" and image_size >= 32 and cli.cpu_has_bf16()


def data_folder(data_dir: Path, kind: str) -> Path:
    """The folder the CLI's ``--data-dir`` points at for a data set under the shared root."""
    return data_dir / ("mnist" if kind == "mnist" else "celeba")


def load_project_data(
    kind: str,
    folder: Path,
    image_size: int,
    channels: int,
    limit: int | None,
    cache_dir: Path | None,
    device: torch.device,
) -> tuple[ImageData, float]:
    """The CLI's data path: decode once into the uint8 cache (or map it); (data, seconds)."""
    started = time.perf_counter()
    data = load_dataset(kind, folder, image_size, channels, limit=limit, cache_dir=cache_dir)
    if device.type == "cuda" and hasattr(cli, "place_on_gpu"):
        data = cli.place_on_gpu(data, device)  # the CLI keeps the images resident on the GPU
    return data, time.perf_counter() - started


# --- the two sides ------------------------------------------------------------------------------
class ProjectStep:
    """One ``python -m training`` step: sampler -> ``make_batch`` -> ``train_step``; the losses
    are read every ``LOG_EVERY`` steps. Calling it returns the real images consumed."""

    def __init__(
        self,
        family: str,
        config_values: dict[str, Any],
        hyper: dict[str, Any],
        data: ImageData,
        device: torch.device,
        batch_size: int,
        amp: bool,
        channels_last: bool = True,
        seed: int = 0,
    ) -> None:
        recipe_cls = RECIPES[family]
        seed_everything(seed)
        self.recipe: Recipe = recipe_cls(
            recipe_cls.config_class(**config_values), Hyper(**hyper), device, amp
        )
        if not channels_last and self.recipe.channels_last:
            self.recipe.channels_last = False
            for net in self.recipe.networks().values():
                net.to(memory_format=torch.contiguous_format)
        self.data, self.amp = data, amp
        self.channels_last = self.recipe.channels_last
        self.batches = iter(
            BatchSampler(len(data), batch_size * self.recipe.batches_per_step, seed=seed)
        )
        self.step_index = 0
        self.last_losses: dict[str, float] = {}

    def __call__(self) -> int:
        index = next(self.batches)
        losses = self.recipe.train_step(self.recipe.make_batch(self.data, index), self.step_index)
        self.step_index += 1
        if self.step_index % LOG_EVERY == 0:
            self.last_losses = {k: float(v.detach()) for k, v in losses.items()}
        return len(index)


def reference_loader(
    celeba_dir: Path,
    image_size: int = 64,
    batch_size: int = 64,
    workers: int = 2,
    pin_memory: bool = False,
    limit: int | None = None,
) -> DataLoader:
    """pytorch/examples dcgan: ``ImageFolder(root=dataroot)`` (``img_align_celeba`` is its one
    class) decoding and resizing the JPEGs in ``workers`` processes every epoch."""
    if not (celeba_dir / "img_align_celeba").is_dir() and (celeba_dir / "celeba").is_dir():
        celeba_dir = celeba_dir / "celeba"
    dataset = torchvision.datasets.ImageFolder(
        root=str(celeba_dir),
        transform=transforms.Compose(
            [
                transforms.Resize(image_size),
                transforms.CenterCrop(image_size),
                transforms.ToTensor(),
                transforms.Normalize((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
            ]
        ),
    )
    if limit:
        dataset = Subset(dataset, range(min(limit, len(dataset))))
    return DataLoader(
        dataset, batch_size=batch_size, shuffle=True, num_workers=workers, pin_memory=pin_memory
    )


def endless(loader: DataLoader) -> Iterator[Any]:
    """Epoch after epoch, as the reference's ``for epoch ...: for i, data in ...`` loop."""
    while True:
        yield from loader


class ReferenceDCGAN:
    """The examples' training iteration over the same ``DCGANConfig`` networks, fp32.

    Differences are only where the shared networks force them: the noise is (N, nz), not
    (N, nz, 1, 1), since ``DCGANGenerator`` unflattens it itself; D's Sigmoid is appended as a
    module because ``DCGANDiscriminator`` returns logits.
    """

    real_label, fake_label = 1.0, 0.0

    def __init__(self, config: DCGANConfig, loader: DataLoader, device: torch.device) -> None:
        seed_everything(0)
        self.device, self.nz = device, config.z_dim
        self.netG = DCGANGenerator(config).to(device)
        self.netG.apply(init_dcgan_weights)
        self.netD = nn.Sequential(DCGANDiscriminator(config), nn.Sigmoid()).to(device)
        self.netD.apply(init_dcgan_weights)
        self.criterion = nn.BCELoss()
        self.optimizerD = torch.optim.Adam(self.netD.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.optimizerG = torch.optim.Adam(self.netG.parameters(), lr=2e-4, betas=(0.5, 0.999))
        self.batches = endless(loader)
        self.last_losses: dict[str, float] = {}

    def __call__(self) -> int:
        data = next(self.batches)
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        self.netD.zero_grad()
        real_cpu = data[0].to(self.device)
        b_size = real_cpu.size(0)
        label = torch.full((b_size,), self.real_label, dtype=torch.float, device=self.device)
        output = self.netD(real_cpu).view(-1)
        errD_real = self.criterion(output, label)
        errD_real.backward()
        D_x = output.mean().item()
        noise = torch.randn(b_size, self.nz, device=self.device)
        fake = self.netG(noise)
        label.fill_(self.fake_label)
        output = self.netD(fake.detach()).view(-1)
        errD_fake = self.criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.mean().item()
        errD = errD_real + errD_fake
        self.optimizerD.step()
        # (2) Update G network: maximize log(D(G(z)))
        self.netG.zero_grad()
        label.fill_(self.real_label)
        output = self.netD(fake).view(-1)
        errG = self.criterion(output, label)
        errG.backward()
        D_G_z2 = output.mean().item()
        self.optimizerG.step()
        # The example prints these every iteration: each .item() is a host sync.
        self.last_losses = {
            "d": errD.item(),
            "g": errG.item(),
            "D(x)": D_x,
            "D(G(z))": D_G_z1,
            "D(G(z)) after": D_G_z2,
        }
        return b_size


# --- timing -------------------------------------------------------------------------------------
@dataclasses.dataclass
class Timing:
    images: int = 0
    steps: int = 0
    seconds: float = 0.0

    @property
    def images_per_second(self) -> float:
        return self.images / self.seconds if self.seconds else 0.0

    @property
    def steps_per_second(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0


def synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_steps(step: Callable[[], int], steps: int, device: torch.device, into: Timing) -> Timing:
    """Run ``steps`` steps and add their images and wall time to ``into``."""
    synchronize(device)
    started = time.perf_counter()
    images = sum(step() for _ in range(steps))
    synchronize(device)
    into.seconds += time.perf_counter() - started
    into.images += images
    into.steps += steps
    return into


def compare(
    sides: dict[str, Callable[[], int]],
    steps: int,
    warmup: int,
    rounds: int,
    device: torch.device,
    log: Callable[[str], None] = print,
) -> dict[str, Timing]:
    """Warm every side up, then time them in alternating rounds (machine load hits all alike)."""
    for name, step in sides.items():
        log(f"  warming up {name} ({warmup} steps)")
        for _ in range(warmup):
            step()
        synchronize(device)
    timings = {name: Timing() for name in sides}
    per_round = [steps // rounds + (1 if r < steps % rounds else 0) for r in range(rounds)]
    for r, count in enumerate(per_round):
        for name, step in sides.items():
            time_steps(step, count, device, timings[name])
            log(
                f"  round {r + 1}/{rounds} {name}: "
                f"{timings[name].images_per_second:.1f} images/s so far"
            )
    return timings


# --- the benchmark ------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.train_throughput",
        description=__doc__.split("\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join(__doc__.splitlines()[2:7]),
    )
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.add_argument("--data-dir", type=Path, help="folder holding celeba/ and mnist/")
    p.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="decoded-image cache")
    p.add_argument("--g-width", type=int, default=64, help="64; 128 = the paper's 1024x4x4")
    p.add_argument("--d-width", type=int, default=64)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--workers", type=int, default=2, help="reference DataLoader workers")
    p.add_argument("--limit", type=int, help="use only the first N CelebA images (both sides)")
    p.add_argument("--steps", type=int, help="timed steps per side (default: 60 CPU, 500 GPU)")
    p.add_argument("--warmup", type=int, help="untimed steps first (default: 5 CPU, 30 GPU)")
    p.add_argument("--rounds", type=int, default=2, help="alternating timed rounds")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: all cores)")
    p.add_argument(
        "--compare-fp32",
        action="store_true",
        help="also time the project step without bf16 and/or channels_last",
    )
    p.add_argument("--no-table", action="store_true", help="skip WGAN-GP/InfoGAN/CVAE-GAN")
    p.add_argument("--table-steps", type=int, help="timed steps per table row (default 10)")
    p.add_argument(
        "--table-set",
        action="append",
        default=[],
        metavar="FAMILY:KEY=VALUE",
        help="config override for a table row, e.g. wgan-gp:g_width=64",
    )
    p.add_argument("--quick", action="store_true", help="a short smoke run (figures are rough)")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    return p


def resolve(args: argparse.Namespace) -> argparse.Namespace:
    """Fill device-dependent defaults; a missing CUDA device is an error, never a CPU figure."""
    device = cli.resolve_device(args.device)
    gpu = device.type == "cuda"
    quick = args.quick
    args.device = device
    args.steps = args.steps or (4 if quick else 500 if gpu else 60)
    args.warmup = args.warmup if args.warmup is not None else (2 if quick else 30 if gpu else 5)
    args.table_steps = args.table_steps or (2 if quick else 50 if gpu else 10)
    args.rounds = max(1, min(args.rounds if not quick else 1, args.steps))
    args.limit = args.limit or (512 if quick else None)
    args.data_dir = args.data_dir or default_data_dir()
    if args.data_dir is None:
        raise cli.UsageError("no data: pass --data-dir (the folder holding celeba/ and mnist/)")
    return args


def device_name(device: torch.device) -> str:
    if device.type == "cuda":
        return f"GPU: {torch.cuda.get_device_name(device)}"
    return cli.cpu_name()


def run(args: argparse.Namespace, log: Callable[[str], None] = print) -> dict[str, Any]:
    """Measure; returns a JSON-able dict that ``format_report`` turns into Markdown."""
    args = resolve(args)
    device: torch.device = args.device
    if args.threads:
        torch.set_num_threads(args.threads)
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # as the CLI sets it
    sets = [f"g_width={args.g_width}", f"d_width={args.d_width}"]
    celeba = data_folder(args.data_dir, "celeba")
    options = cli_options("dcgan", celeba, sets, args.batch_size)
    config = options["config"]
    amp = cli_bf16(device, config["image_size"])
    log(f"DCGAN throughput on {device_name(device)}, batch {args.batch_size}, {sets}")
    data, data_seconds = load_project_data(
        "celeba", celeba, config["image_size"], 3, args.limit, args.cache_dir, device
    )
    log(f"  project data: {len(data)} images in memory after {data_seconds:.1f} s (one-time)")
    loader = reference_loader(
        celeba,
        config["image_size"],
        args.batch_size,
        args.workers,
        pin_memory=device.type == "cuda",
        limit=args.limit,
    )
    project = ProjectStep("dcgan", config, options["hyper"], data, device, args.batch_size, amp=amp)
    reference = ReferenceDCGAN(DCGANConfig(**config), loader, device)
    sides: dict[str, Callable[[], int]] = {"project": project, "reference": reference}
    variants = []
    if args.compare_fp32:
        for bf16, channels_last in ((False, True), (amp, False), (False, False)):
            if (bf16, channels_last) == (amp, project.channels_last):
                continue
            label = f"project, {'bf16' if bf16 else 'fp32'}, " + (
                "channels_last" if channels_last else "contiguous"
            )
            if label in sides:
                continue
            variants.append({"label": label, "bf16": bf16, "channels_last": channels_last})
            sides[label] = ProjectStep(
                "dcgan",
                config,
                options["hyper"],
                data,
                device,
                args.batch_size,
                amp=bf16,
                channels_last=channels_last,
            )
    timings = compare(sides, args.steps, args.warmup, args.rounds, device, log)
    ratio = timings["project"].images_per_second / max(timings["reference"].images_per_second, 1e-9)
    target = TARGETS.get(device.type, TARGETS["cpu"])
    for variant in variants:
        variant.update(_timing_dict(timings[variant["label"]]))
    results: dict[str, Any] = {
        "device": device_name(device),
        "device_type": device.type,
        "threads": torch.get_num_threads(),
        "cpu_bf16": cli.cpu_has_bf16() if device.type == "cpu" else None,
        "quick": args.quick,
        "batch_size": args.batch_size,
        "g_width": args.g_width,
        "d_width": args.d_width,
        "images": len(data),
        "steps": args.steps,
        "warmup": args.warmup,
        "rounds": args.rounds,
        "project": {
            **_timing_dict(timings["project"]),
            "bf16": amp,
            "channels_last": project.channels_last,
            "data_seconds": round(data_seconds, 2),
        },
        "reference": {**_timing_dict(timings["reference"]), "workers": args.workers},
        "variants": variants,
        "ratio": round(ratio, 3),
        "target": target,
        "passed": ratio >= target,
        "table": [],
    }
    if not args.no_table:
        overrides = parse_table_sets(args.table_set)
        for family in TABLE_FAMILIES:
            results["table"].append(
                recipe_throughput(
                    family,
                    args.data_dir,
                    device,
                    steps=args.table_steps,
                    warmup=max(1, args.warmup // 5),
                    sets=overrides.get(family, []),
                    batch_size=args.batch_size,
                    limit=args.limit,
                    cache_dir=args.cache_dir,
                    log=log,
                )
            )
    return results


def parse_table_sets(items: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        family, sep, setting = item.partition(":")
        if not sep or family not in TABLE_FAMILIES or "=" not in setting:
            raise cli.UsageError(
                f"--table-set takes FAMILY:KEY=VALUE with FAMILY in {TABLE_FAMILIES}, got {item!r}"
            )
        out.setdefault(family, []).append(setting)
    return out


def recipe_throughput(
    family: str,
    data_dir: Path,
    device: torch.device,
    steps: int,
    warmup: int = 2,
    sets: list[str] | None = None,
    batch_size: int | None = None,
    limit: int | None = None,
    cache_dir: Path | None = DEFAULT_CACHE,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Absolute throughput of one family's step with its CLI defaults (real images/s: WGAN-GP
    consumes n_critic batches per generator step)."""
    kind = RECIPES[family].data
    folder = data_folder(data_dir, kind)
    options = cli_options(family, folder, sets or [], batch_size)
    config = options["config"]
    amp = cli_bf16(device, config["image_size"])
    data, _ = load_project_data(
        kind, folder, config["image_size"], config["channels"], limit, cache_dir, device
    )
    step = ProjectStep(
        family, config, options["hyper"], data, device, options["batch_size"], amp=amp
    )
    log(f"{family}: {kind}, batch {options['batch_size']}, bf16={amp}")
    timing = compare({family: step}, steps, warmup, 1, device, log)[family]
    model_config = step.recipe.config
    widths = {
        k: getattr(model_config, k)
        for k in ("g_width", "d_width", "width")
        if hasattr(model_config, k)
    }
    return {
        "family": family,
        "data": kind,
        "image_size": config["image_size"],
        "batch_size": options["batch_size"],
        "images_per_step": options["batch_size"] * step.recipe.batches_per_step,
        "n_critic": step.recipe.hyper.n_critic if family == "wgan-gp" else None,
        "bf16": amp,
        "channels_last": step.channels_last,
        "widths": widths,
        **_timing_dict(timing),
    }


def _timing_dict(timing: Timing) -> dict[str, float]:
    return {
        "images_per_second": round(timing.images_per_second, 2),
        "steps_per_second": round(timing.steps_per_second, 3),
        "seconds": round(timing.seconds, 2),
        "timed_steps": timing.steps,
    }


def format_report(results: dict[str, Any]) -> str:
    """Markdown: the comparison, the ratio against the target, the table."""
    r = results
    p, ref = r["project"], r["reference"]
    project_how = ", ".join(
        [
            "bf16 autocast" if p["bf16"] else "fp32",
            "channels_last" if p["channels_last"] else "contiguous",
            "in-memory uint8 cache",
            f"losses read every {LOG_EVERY} steps",
        ]
    )
    verdict = "PASS" if r["passed"] else "FAIL"
    lines = [
        f"DCGAN (g_width={r['g_width']}, d_width={r['d_width']}), 64x64 CelebA, "
        f"batch {r['batch_size']}, {r['images']} images, {r['steps']} timed steps per side "
        f"in {r['rounds']} alternating round(s) after {r['warmup']} warm-up steps, "
        f"on {r['device']}, {r['threads']} torch thread(s).",
        "",
        "| Loop | How | images/s | steps/s |",
        "|---|---|---:|---:|",
        f"| GAN Studio (`python -m training dcgan`) | {project_how} | "
        f"{p['images_per_second']:.1f} | {p['steps_per_second']:.2f} |",
    ]
    for v in r["variants"]:
        lines.append(
            f"| {v['label']} | --compare-fp32 | {v['images_per_second']:.1f} | "
            f"{v['steps_per_second']:.2f} |"
        )
    lines += [
        f"| pytorch/examples dcgan (reference) | fp32, ImageFolder + DataLoader("
        f"num_workers={ref['workers']}) decoding JPEGs, Sigmoid + BCELoss, .item() every step | "
        f"{ref['images_per_second']:.1f} | {ref['steps_per_second']:.2f} |",
        "",
        f"**Speed-up: {r['ratio']:.2f}x** (target >= {r['target']}x on "
        f"{'GPU' if r['device_type'] == 'cuda' else 'CPU'}): **{verdict}**",
        "",
        f"The project decodes the images once ({p['data_seconds']:.1f} s here, from the cache on "
        "later runs); that one-time cost is not in the figures above.",
    ]
    if r["table"]:
        lines += [
            "",
            "Other recipes' training steps (CLI defaults; real images consumed per second):",
            "",
            "| Recipe | Data | Batch | Real images / step | Widths | bf16 | "
            "steps/s | real images/s |",
            "|---|---|---:|---:|---|---|---:|---:|",
        ]
        for row in r["table"]:
            per_step = f"{row['images_per_step']}"
            if row["n_critic"]:
                per_step += f" ({row['n_critic']} critic batches)"
            widths = ", ".join(f"{k}={v}" for k, v in row["widths"].items())
            lines.append(
                f"| {row['family']} | {row['data']} {row['image_size']}px | {row['batch_size']} | "
                f"{per_step} | {widths} | {'yes' if row['bf16'] else 'no'} | "
                f"{row['steps_per_second']:.2f} | {row['images_per_second']:.1f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        results = run(args)
    except (cli.UsageError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print()
    print(format_report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
