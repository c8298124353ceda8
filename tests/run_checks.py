"""Checks shared by the training tests: a run's logged metrics, and bit-for-bit equal states."""

from __future__ import annotations

import json
from pathlib import Path

import torch


def training_state(out: Path) -> dict:
    return torch.load(out / "training_state.pt", weights_only=True)


def read_metrics(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


def assert_states_equal(a: dict, b: dict) -> None:
    """Bit-for-bit equal networks and optimiser states."""
    assert a["step"] == b["step"]
    for group in ("networks", "optimizers"):
        assert a[group].keys() == b[group].keys()
        for name in a[group]:
            flat_a = flatten_tensors(a[group][name])
            flat_b = flatten_tensors(b[group][name])
            assert flat_a.keys() == flat_b.keys(), f"{group}/{name}"
            for key, tensor in flat_a.items():
                assert torch.equal(tensor, flat_b[key]), f"{group}/{name}/{key} differs"


def flatten_tensors(tree, prefix: str = "") -> dict[str, torch.Tensor]:
    if isinstance(tree, torch.Tensor):
        return {prefix: tree}
    if isinstance(tree, dict):
        items = tree.items()
    elif isinstance(tree, (list, tuple)):
        items = enumerate(tree)
    else:
        return {prefix: torch.tensor(float(tree))} if isinstance(tree, (int, float)) else {}
    flat = {}
    for key, value in items:
        flat.update(flatten_tensors(value, f"{prefix}/{key}"))
    return flat
