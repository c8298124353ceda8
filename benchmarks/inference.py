"""Generator latency of every released model: ``model.generate`` at batch 1 and 16.

  python -m benchmarks.inference                 # CPU, every model gan_core.list_models() finds
  python -m benchmarks.inference --repeats 100   # steadier medians

Each figure is the median wall time of repeated ``generate`` calls on the same latents (and
conditions, for InfoGAN and CVAE-GAN) after a few warm-up calls, all under one setting: same
device, same torch thread count, eval mode, no gradients (what the app pays per request before
any encoding or network overhead).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

import torch

import gan_core
from gan_core.checkpoint import checkpoint_dir

BATCH_SIZES = (1, 16)


def measure_model(
    name: str,
    device: torch.device,
    batch_sizes: tuple[int, ...] = BATCH_SIZES,
    repeats: int = 30,
    warmup: int = 3,
) -> dict[str, Any]:
    """Median ``generate`` latency (ms) per batch size for one checkpoint."""
    model = gan_core.load(name, device=device)
    generator = torch.Generator().manual_seed(0)
    row: dict[str, Any] = {
        "model": name,
        "family": model.family,
        "image_shape": "x".join(str(d) for d in model.image_shape),
        "parameters": sum(p.numel() for p in model.parameters()),
        "latency_ms": {},
    }
    for n in batch_sizes:
        z = torch.randn(n, model.z_dim, generator=generator)
        conditions = model.random_conditions(n, generator)
        for _ in range(warmup):
            model.generate(z, **conditions)
        times = []
        for _ in range(repeats):
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            started = time.perf_counter()
            model.generate(z, **conditions)  # returns a CPU-usable tensor: includes the copy
            if device.type == "cuda":
                torch.cuda.synchronize(device)
            times.append(time.perf_counter() - started)
        row["latency_ms"][n] = round(statistics.median(times) * 1000, 3)
    return row


def run(
    device: str | torch.device = "cpu",
    repeats: int = 30,
    warmup: int = 3,
    models: list[str] | None = None,
    threads: int | None = None,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Measure every model (or ``models``); a JSON-able dict for ``format_report``."""
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("--device cuda was asked for, but this machine has no CUDA device")
    if threads:
        torch.set_num_threads(threads)
    names = gan_core.list_models() if models is None else models
    rows = []
    for name in names:
        log(f"inference: {name}")
        rows.append(measure_model(name, device, repeats=repeats, warmup=warmup))
    return {
        "device": device.type,
        "threads": torch.get_num_threads(),
        "repeats": repeats,
        "checkpoint_dir": str(checkpoint_dir()),
        "rows": rows,
    }


def format_report(results: dict[str, Any]) -> str:
    """Markdown table: one row per model, latency at each batch size and images/s at 16."""
    if not results["rows"]:
        return (
            f"No models found in {results['checkpoint_dir']}: train and export them "
            "(`python -m training ... --export checkpoints/NAME`) to measure inference.\n"
        )
    sizes = list(results["rows"][0]["latency_ms"])
    header = "| Model | Family | Image | Parameters | "
    header += " | ".join(f"batch {n} (ms)" for n in sizes)
    header += f" | images/s at batch {sizes[-1]} |"
    lines = [
        f"Median of {results['repeats']} `model.generate` calls per cell on "
        f"{results['device'].upper()}, {results['threads']} torch thread(s), eval mode, "
        "no gradients.",
        "",
        header,
        "|---|---|---|---:|" + "---:|" * (len(sizes) + 1),
    ]
    for row in results["rows"]:
        latency = row["latency_ms"]
        cells = " | ".join(f"{latency[n]:.2f}" for n in sizes)
        rate = sizes[-1] / (latency[sizes[-1]] / 1000)
        lines.append(
            f"| {row['model']} | {row['family']} | {row['image_shape']} | "
            f"{row['parameters'] / 1e6:.2f} M | {cells} | {rate:.0f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.inference", description=__doc__)
    p.add_argument("--device", default="cpu")
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, help=f"torch threads (default {os.cpu_count()})")
    p.add_argument("--model", action="append", help="only these models (repeatable)")
    args = p.parse_args(argv)
    try:
        results = run(args.device, args.repeats, args.warmup, args.model, args.threads)
    except (gan_core.CheckpointError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print()
    print(format_report(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
