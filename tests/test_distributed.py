"""torchrun with 2 CPU processes on the gloo backend: both ranks must end with equal weights."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "family, extra",
    [
        ("dcgan", ["--set", "g_width=4", "--set", "d_width=4"]),
        ("wgan-gp", ["--set", "g_width=4", "--set", "d_width=4", "--n-critic", "2"]),
    ],
)
def test_two_gloo_processes_stay_in_lockstep(family, extra, celeba_dir, tmp_path):
    out = tmp_path / "run"
    command = [
        sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
        "-m", "training", family, "--data-dir", str(celeba_dir), "--out", str(out),
        "--steps", "4", "--batch-size", "4", "--limit", "64", "--device", "cpu",
        "--threads", "1", "--cache-dir", str(tmp_path / "cache"),
        "--export", str(tmp_path / "export"), *extra,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["processes"] == 2
    assert summary["ranks_identical"] is True
    assert summary["images_seen"] == 4 * 4 * 2 * (2 if family == "wgan-gp" else 1)
    options = json.loads((out / "options.json").read_text())
    assert options["world_size"] == 2
    assert (tmp_path / "export" / "model.safetensors").is_file()
