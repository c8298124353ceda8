"""GAN Studio benchmarks (issue 6): ``python -m benchmarks`` writes ``benchmarks/RESULTS.md``.

- ``train_throughput``: the project's DCGAN training step against the PyTorch examples' loop,
  plus absolute figures for the WGAN-GP, InfoGAN and CVAE-GAN steps.
- ``inference``: generator latency at batch 1 and 16 for every released model.
- ``run_all``: runs them and writes the results with the machine they were measured on.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def default_data_dir() -> Path | None:
    """The offline data (``GAN_STUDIO_DATA`` or ``shared/data`` beside the repository), as the
    tests find it, so the benchmarks run with no arguments."""
    for candidate in (os.environ.get("GAN_STUDIO_DATA"), ROOT.parent / "shared" / "data"):
        if candidate and (Path(candidate) / "celeba").is_dir():
            return Path(candidate)
    return None
