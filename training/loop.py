"""The one training loop every family shares.

Per step: a batch from the in-memory sampler -> ``recipe.train_step``. Every ``log_every``
steps: read the losses (the only host sync), stop on NaN/inf, append to ``metrics.jsonl``.
Every ``sample_every``: a grid from fixed inputs (``samples/step-000500.png``, the training
timeline). Every ``checkpoint_every``: the full training state, written atomically, so
``--resume`` continues exactly and a kill never leaves a half-written file.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torchvision.utils import save_image
from tqdm.auto import tqdm

from gan_core.checkpoint import save_pretrained
from training import distributed
from training.data import BatchSampler, ImageData
from training.recipes import Recipe

log = logging.getLogger(__name__)
STATE_NAME = "training_state.pt"


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is kept."""


@dataclasses.dataclass
class LoopOptions:
    steps: int
    batch_size: int
    out: Path
    seed: int = 0
    log_every: int = 50
    sample_every: int = 500
    checkpoint_every: int = 500
    snapshot_every: int | None = None  # also keep the inference weights every N steps
    max_minutes: float | None = None  # stop (and save) after this long in this invocation
    preview_count: int = 64
    resume: bool = False


def save_state_atomically(state: dict[str, Any], path: Path) -> None:
    """Write to a temp file, flush to disk, then rename over the old one (atomic on POSIX)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as handle:
        torch.save(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_state(path: Path) -> dict[str, Any]:
    """Training state holds only tensors and plain containers: load with weights_only."""
    return torch.load(path, map_location="cpu", weights_only=True)


#: metrics.jsonl fields that are not losses (the loop writes them beside each record's losses)
LOG_FIELDS = ("step", "images_per_second", "elapsed_seconds", "cpu_seconds")


def drop_metrics_after(path: Path, step: int) -> dict[str, float]:
    """On ``--resume`` the steps after the checkpoint run again: drop their old records (and a
    line cut by a kill) so every step is logged once, in order. Returns the losses of the last
    record kept, so a resume that only exports still reports the run's final losses."""
    if not path.is_file():
        return {}
    lines = path.read_text().splitlines()
    keep = []
    for line in lines:
        try:
            if int(json.loads(line)["step"]) <= step:
                keep.append(line)
        except (ValueError, KeyError, TypeError):
            continue
    if len(keep) != len(lines):
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text("".join(line + "\n" for line in keep))
        os.replace(tmp, path)
    if not keep:
        return {}
    return {k: v for k, v in json.loads(keep[-1]).items() if k not in LOG_FIELDS}


def non_finite_tensor(modules: dict[str, torch.nn.Module]) -> str | None:
    """Name of the first parameter or buffer holding NaN/inf (an optimiser step can overflow
    while the loss it started from was finite), else None. One host sync."""
    named = [
        (f"{prefix}.{key}", tensor)
        for prefix, module in modules.items()
        for key, tensor in module.state_dict().items()
        if tensor.is_floating_point()
    ]
    if not named or torch.stack([torch.isfinite(t).all() for _, t in named]).all():
        return None
    return next(name for name, t in named if not torch.isfinite(t).all())


def _rng_state() -> dict[str, Any]:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def train(recipe: Recipe, data: ImageData, options: LoopOptions) -> dict[str, Any]:
    """Run (or resume) training; returns a summary for the model card."""
    rank, _, world_size = distributed.world()
    is_main = rank == 0
    out = options.out
    state_path = out / STATE_NAME
    (out / "samples").mkdir(parents=True, exist_ok=True)
    seed_everything(options.seed + rank)  # different noise per rank, same weights (broadcast)
    sampler = BatchSampler(
        len(data),
        options.batch_size * recipe.batches_per_step,
        seed=options.seed,
        rank=rank,
        world_size=world_size,
    )
    start_step, elapsed_before, cpu_before = 0, 0.0, 0.0
    last_logged: dict[str, float] = {}  # losses of the last record before a resume
    if options.resume and state_path.exists():
        state = load_state(state_path)
        for name, net in recipe.networks().items():
            net.load_state_dict(state["networks"][name])
        for name, opt in recipe.optimizers().items():
            requested = [group["lr"] for group in opt.param_groups]
            opt.load_state_dict(state["optimizers"][name])
            for group, lr in zip(opt.param_groups, requested):  # this run's --lr wins
                group["lr"] = lr
        if recipe.ema is not None and "ema" in state:
            recipe.ema.load_state_dict(state["ema"])
        elif recipe.ema is not None and is_main:
            log.info("--ema: the weight average starts at step %d", int(state["step"]))
        sampler.load_state_dict(state["sampler"])
        _set_rng_state(state["rng"][rank] if isinstance(state["rng"], list) else state["rng"])
        start_step, elapsed_before = int(state["step"]), float(state["elapsed_seconds"])
        cpu_before = float(state.get("cpu_seconds", 0.0))
        if is_main:
            log.info("resumed from %s at step %d", state_path, start_step)
            last_logged = drop_metrics_after(out / "metrics.jsonl", start_step)
    elif options.resume and is_main:
        log.info("--resume: no %s yet, starting from scratch", state_path)
    if world_size > 1:
        for net in recipe.networks().values():
            distributed.broadcast_module(net)
        recipe.grad_sync = distributed.average_gradients

    saved = {"step": start_step or None}  # the last step on disk, for divergence messages

    def kept() -> str:
        if saved["step"] is None:
            return "no checkpoint had been written yet"
        return f"the last good checkpoint (step {saved['step']}) is kept in {state_path}"

    def checkpoint(step: int, elapsed: float) -> None:
        bad = non_finite_tensor(recipe.networks())  # on every rank: the weights agree
        if bad is not None:
            raise TrainingDiverged(f"weight {bad} became NaN or infinite at step {step}; {kept()}")
        if not is_main:
            return
        state = {
            "step": step,
            "elapsed_seconds": elapsed,
            "cpu_seconds": cpu_before + time.process_time() - cpu_started,
            "networks": {k: v.state_dict() for k, v in recipe.networks().items()},
            "optimizers": {k: v.state_dict() for k, v in recipe.optimizers().items()},
            "sampler": sampler.state_dict(),
            "rng": _rng_state(),
        }
        if recipe.ema is not None:
            state["ema"] = recipe.ema.state_dict()
        save_state_atomically(state, state_path)
        saved["step"] = step

    def snapshot(step: int, elapsed: float) -> None:
        """Inference weights at this step (``snapshots/step-NNNNNN/``), with the wall and CPU
        time spent so far: what ``training.evaluate --snapshots`` turns into quality per
        CPU-hour."""
        if not is_main:
            return
        model = recipe.inference_model
        cpu = cpu_before + time.process_time() - cpu_started
        model.config.training = {
            **model.config.training,
            "steps": step,
            "wall_time_seconds": round(elapsed, 1),
            "cpu_seconds": round(cpu, 1),
        }
        save_pretrained(model, out / "snapshots" / f"step-{step:06d}")
        if recipe.ema is not None:  # the raw weights too: EMA on/off compared at equal CPU
            recipe.model.config.training = model.config.training
            save_pretrained(recipe.model, out / "raw" / "snapshots" / f"step-{step:06d}")

    def preview(step: int) -> None:
        if not is_main:
            return
        images = recipe.preview(options.preview_count, seed=options.seed)
        if images is not None:
            path = out / "samples" / f"step-{step:06d}.png"
            save_image(images, path, nrow=recipe.preview_columns(len(images)), padding=1)

    metrics_file = open(out / "metrics.jsonl", "a") if is_main else None  # noqa: SIM115
    progress = tqdm(
        total=options.steps,
        initial=start_step,
        desc=recipe.family,
        unit="step",
        disable=not is_main,
        dynamic_ncols=True,
    )
    batches = iter(sampler)
    started = time.perf_counter()
    # CPU time of this process (all threads): the honest cost when the machine is shared.
    cpu_started = time.process_time()
    window_start, window_steps = started, 0
    step, last = start_step, last_logged
    stopped_early = False
    try:
        if start_step == 0:
            preview(0)
        while step < options.steps:
            index = next(batches)
            losses = recipe.train_step(recipe.make_batch(data, index), step)
            recipe.update_ema()
            step += 1
            window_steps += 1
            progress.update(1)
            elapsed = elapsed_before + time.perf_counter() - started
            due_checkpoint = step % options.checkpoint_every == 0 or step == options.steps
            out_of_time = (
                options.max_minutes is not None
                and step % options.log_every == 0
                and distributed.agree(time.perf_counter() - started > options.max_minutes * 60)
            )
            if step % options.log_every == 0 or due_checkpoint or out_of_time:
                last = {k: float(v.detach()) for k, v in losses.items()}
                bad = [k for k, v in last.items() if not math.isfinite(v)]
                if bad:
                    raise TrainingDiverged(
                        f"loss {', '.join(bad)} became {last[bad[0]]} at step {step}; {kept()}"
                    )
                now = time.perf_counter()
                images_per_second = (
                    window_steps * options.batch_size * recipe.batches_per_step * world_size
                ) / max(now - window_start, 1e-9)
                window_start, window_steps = now, 0
                progress.set_postfix({k: f"{v:.3g}" for k, v in last.items()})
                if metrics_file:
                    record = {"step": step, **last, "images_per_second": images_per_second}
                    record["elapsed_seconds"] = round(elapsed, 2)
                    record["cpu_seconds"] = round(cpu_before + time.process_time() - cpu_started, 1)
                    metrics_file.write(json.dumps(record) + "\n")
                    metrics_file.flush()
            if step % options.sample_every == 0:
                preview(step)
            if due_checkpoint or out_of_time:
                checkpoint(step, elapsed)
            if options.snapshot_every and step % options.snapshot_every == 0:
                snapshot(step, elapsed)
            if out_of_time:
                stopped_early = step < options.steps
                if is_main:
                    log.info("time budget of %s min reached at step %d", options.max_minutes, step)
                break
    finally:
        progress.close()
        if metrics_file:
            metrics_file.close()
    if step % options.sample_every:
        preview(step)
    ranks_identical = None
    if world_size > 1:
        for net in recipe.networks().values():
            distributed.broadcast_module(net, buffers_only=True)
        ranks_identical = distributed.ranks_agree(list(recipe.networks().values()))
    return {
        "ranks_identical": ranks_identical,
        "steps": step,
        "target_steps": options.steps,
        "stopped_early": stopped_early,
        "batch_size": options.batch_size,
        "images_seen": step * options.batch_size * recipe.batches_per_step * world_size,
        "epochs": round(
            step * options.batch_size * recipe.batches_per_step * world_size / len(data), 2
        ),
        "wall_time_seconds": round(elapsed_before + time.perf_counter() - started, 1),
        "cpu_seconds": round(cpu_before + time.process_time() - cpu_started, 1),
        "final_losses": last,
    }


def export(recipe: Recipe, data: ImageData, folder: Path, summary: dict, half: bool) -> Path:
    """Write the inference checkpoint (config.json + model.safetensors) with the run summary."""
    if recipe.ema is not None:  # export the average (same architecture, same config)
        recipe.model.load_state_dict(recipe.ema.module.state_dict())
        averaged = int(recipe.ema.n_averaged)  # fewer than the steps if --ema came in a resume
        summary = {**summary, "ema_decay": recipe.hyper.ema, "ema_steps": averaged}
    summary = {**summary, **recipe.finish(data)}
    recipe.model.config.training = {**recipe.model.config.training, **summary}
    return save_pretrained(recipe.model, folder, half=half)
