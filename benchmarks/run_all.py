"""Run every benchmark and write ``benchmarks/RESULTS.md`` with the machine it was measured on.

  python -m benchmarks                  # the full run (tens of minutes on a CPU); quiet machine!
  python -m benchmarks --quick          # a smoke run: rough figures, checks everything works
  python -m benchmarks --compare-fp32   # also time the DCGAN step without bf16/channels_last
  python -m benchmarks --device cuda    # training throughput on the GPU (inference stays CPU)

Parts: DCGAN training throughput against the PyTorch examples' loop plus the other recipes'
steps (``train_throughput``); generator latency per released model (``inference``); and, when
``benchmarks/app_latency.py`` is present (it is optional, and skipped when missing or when the
release checkpoints it needs are absent), the app's end-to-end latency, run in its own process.
Figures measured while other work shares the machine are not worth publishing.
"""

from __future__ import annotations

import argparse
import datetime
import platform
import subprocess
import sys
from pathlib import Path
from typing import Any

import torch
import torchvision

from benchmarks import ROOT, inference, train_throughput
from training import __main__ as cli

RESULTS = ROOT / "benchmarks" / "RESULTS.md"
APP_LATENCY = ROOT / "benchmarks" / "app_latency.py"


def machine() -> dict[str, Any]:
    """What the figures depend on: processor, threads, library versions, date."""
    info: dict[str, Any] = {
        "cpu": cli.cpu_name().removeprefix("CPU: "),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cpu_bf16": cli.cpu_has_bf16(),
        "torch_threads": torch.get_num_threads(),
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "python": platform.python_version(),
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }
    return info


def run_app_latency(quick: bool) -> str:
    """The app benchmark's own report (a subprocess: it starts and stops ``app.py``)."""
    if not APP_LATENCY.is_file():
        return "Skipped: `benchmarks/app_latency.py` is not in this checkout (it is optional).\n"
    command = [sys.executable, str(APP_LATENCY)] + (["--calls", "20"] if quick else [])
    print(f"app latency: {' '.join(command[1:])}", flush=True)
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        return (
            "Skipped: the app benchmark did not complete:\n\n"
            + "\n".join(f"    {line}" for line in tail)
            + "\n"
        )
    return result.stdout.strip() + "\n"


def render(info: dict[str, Any], sections: list[tuple[str, str]], quick: bool, argv: list[str]):
    """The RESULTS.md text."""
    command = " ".join(["python -m benchmarks", *argv])
    lines = [
        "# GAN Studio benchmarks",
        "",
        f"Measured {info['date']} with `{command}`"
        + (" (**--quick: smoke-run figures, not for comparison**)" if quick else "")
        + ". Regenerate on a quiet machine: other processes skew every figure.",
        "",
        "| Machine | |",
        "|---|---|",
        f"| CPU | {info['cpu']} |",
        f"| CPU capability (torch) | {info['cpu_capability']}"
        f"{', AVX-512 BF16' if info['cpu_bf16'] else ''} |",
        f"| GPU | {info['gpu'] or 'none'} |",
        f"| torch threads | {info['torch_threads']} |",
        f"| torch / torchvision | {info['torch']} / {info['torchvision']} |",
        f"| Python | {info['python']} |",
        "",
    ]
    for title, body in sections:
        lines += [f"## {title}", "", body.rstrip(), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="short smoke run")
    p.add_argument("--device", default="auto", help="device for training throughput")
    p.add_argument("--compare-fp32", action="store_true")
    p.add_argument("--data-dir", type=Path, help="folder holding celeba/ and mnist/")
    p.add_argument("--threads", type=int, help="torch CPU threads (default: all cores)")
    p.add_argument("--out", type=Path, default=RESULTS, help="Markdown file to write")
    p.add_argument("--skip-training", action="store_true")
    p.add_argument("--skip-inference", action="store_true")
    p.add_argument("--skip-app", action="store_true")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    sections: list[tuple[str, str]] = []
    if not args.skip_training:
        throughput_argv = ["--device", args.device]
        throughput_argv += ["--quick"] if args.quick else []
        throughput_argv += ["--compare-fp32"] if args.compare_fp32 else []
        throughput_argv += ["--data-dir", str(args.data_dir)] if args.data_dir else []
        try:
            results = train_throughput.run(
                train_throughput.build_parser().parse_args(throughput_argv)
            )
        except (cli.UsageError, ValueError) as error:  # ValueError: training.data.DataError
            print(f"error: {error}", file=sys.stderr)
            return 2
        report = train_throughput.format_report(results)
        print("\n" + report, flush=True)
        sections.append(("Training throughput: DCGAN vs the PyTorch examples loop", report))
    if not args.skip_inference:
        repeats, warmup = (5, 1) if args.quick else (30, 3)
        report = inference.format_report(inference.run("cpu", repeats=repeats, warmup=warmup))
        print("\n" + report, flush=True)
        sections.append(("Inference: generator latency on CPU", report))
    if not args.skip_app:
        report = run_app_latency(args.quick)
        print("\n" + report, flush=True)
        sections.append(("App: end-to-end latency (benchmarks/app_latency.py)", report))
    args.out.write_text(render(machine(), sections, args.quick, argv))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
