"""Training playground cost: 1,000 training steps of the default networks, and frames per second.

  python -m benchmarks.playground               # the playground's own count (THREADS, 1)
  python -m benchmarks.playground --threads 2   # another count, for training and looking alike

1. Training: 1,000 generator steps on ``ring8`` per objective with the defaults of
   ``gan_core.playground`` (width 64, three hidden layers, batch 128; WGAN and WGAN-GP take
   5 critic steps per generator step), wall and CPU seconds.
2. Streaming: ``train_stream`` at its default pacing (about FRAME_SECONDS of training between
   frames), one run and a side-by-side, for a few seconds each: frames per second counted the
   way the tab sees them (training + metrics + drawing), and the cost of one drawing.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from typing import Any

import torch

from gan_core import playground as pg


def measure_training(objective: str, steps: int) -> dict[str, Any]:
    run = pg.PlaygroundRun(pg.PlaygroundSettings("ring8", objective, steps=steps + 20))
    run.train(20)  # warm-up (first calls allocate)
    wall, cpu = time.perf_counter(), time.process_time()
    run.train(steps)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "objective": objective,
        "steps": steps,
        "n_critic": run.n_critic,
        "wall_seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "ms_per_step": round(1000 * wall / steps, 2),
    }


def measure_stream(settings: pg.PlaygroundSettings, seconds: float) -> dict[str, Any]:
    """Frames per second over ``seconds`` of streaming (after the step-0 frame)."""
    stream = pg.train_stream(settings)
    next(stream)
    started = time.perf_counter()
    frames, steps = 0, 0
    for frame in stream:
        frames += 1
        steps = frame.metrics["step"]
        if time.perf_counter() - started > seconds:
            break
    elapsed = time.perf_counter() - started
    stream.close()
    return {
        "run": settings.objective + (f" | {settings.compare}" if settings.compare else ""),
        "frames": frames,
        "seconds": round(elapsed, 2),
        "frames_per_second": round(frames / elapsed, 2),
        "steps_per_frame": round(steps / max(frames, 1), 1),
    }


def measure_render(compare: str | None, repeats: int = 20) -> dict[str, Any]:
    settings = pg.PlaygroundSettings("ring8", "gan", steps=50, compare=compare).validated()
    runs = [pg.PlaygroundRun(r) for r in settings.runs()]
    for run in runs:
        run.train(50)
    snapshots = [run.snapshot() for run in runs]
    pg.render(snapshots)
    started = time.perf_counter()
    for _ in range(repeats):
        snapshots = [run.snapshot() for run in runs]
    snap_ms = 1000 * (time.perf_counter() - started) / repeats
    started = time.perf_counter()
    for _ in range(repeats):
        image = pg.render(snapshots)
    render_ms = 1000 * (time.perf_counter() - started) / repeats
    return {
        "panels": len(runs),
        "image": "x".join(str(d) for d in image.shape[:2]),
        "snapshot_ms": round(snap_ms, 1),
        "render_ms": round(render_ms, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--threads", type=int, help=f"torch CPU threads (default: the playground's {pg.THREADS})"
    )
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=4.0, help="streaming time per case")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
        pg.THREADS = args.threads  # what a run sets while it trains and looks
    results: dict[str, Any] = {
        "torch_threads": pg.THREADS,
        "cpu_count": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "training": [measure_training(o, args.steps) for o in pg.OBJECTIVES],
        "render": [measure_render(None), measure_render("wgan-gp")],
        "stream": [
            measure_stream(pg.PlaygroundSettings("ring8", o, steps=pg.MAX_STEPS), args.seconds)
            for o in pg.OBJECTIVES
        ]
        + [
            measure_stream(
                pg.PlaygroundSettings("ring8", "gan", steps=pg.MAX_STEPS, compare="wgan-gp"),
                args.seconds,
            )
        ],
    }
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(
        f"torch threads {results['torch_threads']}, {results['cpu_count']} CPUs, "
        f"load average {results['load_average']}"
    )
    for row in results["training"]:
        print(
            f"train {row['objective']:8s} {row['steps']} steps (n_critic {row['n_critic']}): "
            f"{row['wall_seconds']:.2f} s wall, {row['cpu_seconds']:.2f} s CPU, "
            f"{row['ms_per_step']:.2f} ms/step"
        )
    for row in results["render"]:
        print(
            f"frame with {row['panels']} panel(s), {row['image']} px: metrics "
            f"{row['snapshot_ms']:.1f} ms, drawing {row['render_ms']:.1f} ms"
        )
    for row in results["stream"]:
        print(
            f"stream {row['run']:16s} {row['frames_per_second']:.1f} frames/s "
            f"({row['frames']} frames in {row['seconds']:.1f} s, {row['steps_per_frame']} "
            "steps per frame)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
