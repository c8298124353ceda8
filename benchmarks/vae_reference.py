"""The cheap reference the face VAE must beat: a plain convolutional VAE, 20 CPU-minutes.

    python -m benchmarks.vae_reference --data-dir ../shared/data [--minutes 20] [--threads 2]

Issue "Quality per CPU-hour" asks ``vae-celeba64`` to be at least as good as this: the
textbook conv VAE (four stride-2 convolutions down, four transposed convolutions up, a
128-d Gaussian latent, summed squared error + KL, Adam 1e-3, batch 64) trained on the same
CelebA training split for ``--minutes`` of the whole 2-core machine's CPU (the process's CPU
time / 2, as the release figures count CPU-hours). It is then judged exactly like a release
model (``training.evaluate``: FD, KID, precision/recall in ``judge-celeba64``'s features and
the pixel statistics), next to the shipped ``vae-celeba64`` measured the same way in the
same run. Nothing is written to ``checkpoints/``; results go to ``benchmarks/vae_reference.json``
(committed, like RESULTS.md: ``python -m training.targets`` reads the reference row from it, so
a fresh clone can check the VAE's targets without 40 minutes of training). The CPU budget buys
very different step counts on different machines (3,899 steps on an AVX2 EPYC, 10,941 on an
Intel Xeon with AMX), so say which machine a committed figure came from: the file does.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gan_core  # noqa: E402
from gan_core.checkpoint import checkpoint_dir  # noqa: E402
from training.__main__ import cpu_name  # noqa: E402
from training.evaluate import (  # noqa: E402
    JUDGES,
    distribution_metrics,
    generate,
    load_split,
    pixel_statistics,
    to_unit,
)

LATENT = 128


class PlainConvVAE(nn.Module):
    """3x64x64 -> 32 -> 64 -> 128 -> 256 channels at 4x4 -> N(mu, sigma) in 128-d, and back."""

    def __init__(self, latent: int = LATENT) -> None:
        super().__init__()
        widths = [3, 32, 64, 128, 256]
        down = []
        for c_in, c_out in zip(widths, widths[1:]):
            down += [nn.Conv2d(c_in, c_out, 4, 2, 1), nn.ReLU()]
        self.encoder = nn.Sequential(*down, nn.Flatten())
        self.to_stats = nn.Linear(256 * 4 * 4, 2 * latent)
        self.from_latent = nn.Linear(latent, 256 * 4 * 4)
        up = []
        for c_in, c_out in zip(widths[:0:-1], widths[-2::-1]):
            up += [nn.ConvTranspose2d(c_in, c_out, 4, 2, 1), nn.ReLU()]
        self.decoder = nn.Sequential(*up[:-1], nn.Sigmoid())

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.from_latent(z).view(-1, 256, 4, 4))

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.to_stats(self.encoder(x)).chunk(2, dim=1)
        z = mu + torch.randn_like(mu) * (0.5 * logvar).exp()
        return self.decode(z), mu, logvar


class Sampler:
    """What ``training.evaluate.generate`` needs: ``sample(n, seed=...)`` in [0, 1]."""

    def __init__(self, vae: PlainConvVAE) -> None:
        self.vae = vae.eval()

    @torch.inference_mode()
    def sample(self, n: int, seed: int = 0) -> torch.Tensor:
        z = torch.randn(n, LATENT, generator=torch.Generator().manual_seed(seed))
        return self.vae.decode(z)


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def train(images: torch.Tensor, minutes: float, cores: int, seed: int) -> tuple[nn.Module, dict]:
    """Train until the process has used ``minutes`` x ``cores`` CPU-minutes."""
    torch.manual_seed(seed)
    vae = PlainConvVAE()
    optimiser = torch.optim.Adam(vae.parameters(), lr=1e-3)
    budget = minutes * 60 * cores
    start_cpu, start_wall, steps, seen = cpu_seconds(), time.time(), 0, 0
    progress = tqdm(total=round(budget), unit="cpu-s", desc="plain conv VAE")
    while cpu_seconds() - start_cpu < budget:
        for index in torch.randperm(len(images)).split(64):
            x = images[index].float() / 255
            x = torch.where(torch.rand(len(x), 1, 1, 1) < 0.5, x.flip(3), x)
            reconstruction, mu, logvar = vae(x)
            squared = F.mse_loss(reconstruction, x, reduction="sum")
            kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            loss = (squared + kl) / len(x)
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            optimiser.step()
            steps, seen = steps + 1, seen + len(x)
            used = cpu_seconds() - start_cpu
            progress.update(round(used) - progress.n)
            if used >= budget:
                break
    progress.close()
    return vae, {
        "steps": steps,
        "images_seen": seen,
        "cpu_minutes_machine": round((cpu_seconds() - start_cpu) / 60 / cores, 1),
        "wall_minutes": round((time.time() - start_wall) / 60, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--minutes", type=float, default=20.0, help="machine CPU-minutes")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2, help="cores the CPU budget counts")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--out", type=Path, default=ROOT / "benchmarks" / "vae_reference.json", help="result JSON"
    )
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train_split, _ = load_split("celeba", args.data_dir)
    vae, run = train(train_split.images, args.minutes, args.cores, args.seed)
    judge = gan_core.load(JUDGES["celeba"])
    n = args.samples
    real = to_unit(train_split.images[:n])
    rows = {"plain conv VAE (reference)": generate(Sampler(vae), n)}
    if (checkpoint_dir() / "vae-celeba64").is_dir():
        saved = json.loads((checkpoint_dir() / "vae-celeba64" / "config.json").read_text())
        label = f"vae-celeba64 (shipped, weights of {saved.get('gan_core_version', '?')})"
        rows[label] = generate(gan_core.load("vae-celeba64"), n)
    results = {
        "measured_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
        "gan_core_version": gan_core.__version__,
        "command": "python -m benchmarks.vae_reference " + " ".join(sys.argv[1:]),
        "device": f"{cpu_name()}, capability {torch.backends.cpu.get_cpu_capability()}",
        "threads": args.threads,
        "reference_run": run,
        "real_pixel_statistics": pixel_statistics(real),
        "models": {
            name: {**distribution_metrics(judge, real, fake), **pixel_statistics(fake)}
            for name, fake in rows.items()
        },
    }
    out = args.out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n{results['device']}, {args.threads} thread(s); reference: {run}\n")
    print("| model | FD | KID x1000 | precision | recall | mean luminance | contrast |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, m in results["models"].items():
        print(
            f"| {name} | {m['fd']:.1f} | {m['kid_x1000']:.1f} | {m['precision']:.2f} | "
            f"{m['recall']:.2f} | {m.get('mean_luminance', float('nan')):.3f} | "
            f"{m.get('contrast', float('nan')):.3f} |"
        )
    print(f"\n(written to {out})")


if __name__ == "__main__":
    main()
