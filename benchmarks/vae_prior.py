"""Which sampling prior should a trained autoencoder draw its random latents from?

    python -m benchmarks.vae_prior --model vae-celeba64 --data-dir ../shared/data \
        [--components 1 2 5 10 20] [--samples 2000] [--no-judge]

For each K, a K-component full-covariance Gaussian mixture is fitted to the training faces'
codes (``training.recipes.fit_prior_mixture``, as ``--prior-components K`` does at export),
first on 90 % of them so that the log-likelihood of the held-out 10 % says where more
components stop generalising and start memorising. Unless ``--no-judge``, each prior's
samples are then scored with ``judge-celeba64`` like a release model (FD, recall, precision),
next to three references: N(0, I), the diagonal Gaussian of ``--fit-prior`` and the codes of
other training faces themselves (no prior can beat decoding real codes: the decoder's ceiling).
Choose K by held-out likelihood, not by the judge: a memorising mixture scores well on the
judge because its samples are near-copies of training faces.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gan_core  # noqa: E402
from training.evaluate import (  # noqa: E402
    JUDGES,
    distribution_metrics,
    generate,
    load_split,
    to_unit,
)
from training.recipes import fit_prior_mixture, training_codes  # noqa: E402


def decode_codes(model, codes: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] of raw codes (before the model's z whitening)."""
    return torch.cat([model.generate(chunk) for chunk in model.code_to_latent(codes).split(250)])


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="vae-celeba64", help="checkpoint name or folder")
    p.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    p.add_argument("--components", type=int, nargs="+", default=[1, 2, 5, 10, 20])
    p.add_argument("--samples", type=int, default=2000, help="images per judged prior")
    p.add_argument("--no-judge", action="store_true", help="held-out likelihood only")
    p.add_argument("--threads", type=int)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    model = gan_core.load(args.model).eval()
    domain = "mnist" if model.image_shape[0] == 1 else "celeba"
    train_split, _ = load_split(domain, args.data_dir)
    n = args.samples
    if len(train_split) < 2 * n:
        p.error(f"--samples {n} needs {2 * n} training images, the split has {len(train_split)}")
    codes = training_codes(model, train_split.images[:20000])
    # the whitening the export fits (--fit-prior), redone here so every prior shares one z scale
    base = copy.deepcopy(model)
    base.clear_prior_mixture()  # a released model's own mixture must not stand in for the rows
    base.fit_code_distribution(codes)
    z = base.code_to_latent(codes).cpu()
    judge = None if args.no_judge else gan_core.load(JUDGES[domain])
    real = to_unit(train_split.images[:n])
    rows = []

    def judged(images_or_model) -> dict:
        if judge is None:
            return {}
        fake = (
            images_or_model
            if isinstance(images_or_model, torch.Tensor)
            else generate(images_or_model, n, seed=1)
        )
        return distribution_metrics(judge, real, fake)

    if judge is not None:
        standard = copy.deepcopy(model)
        standard.code_mean.zero_()
        standard.code_std.fill_(1)
        rows.append({"prior": "N(0, I) in the raw code space", **judged(standard)})
        rows.append({"prior": "diagonal Gaussian (--fit-prior)", **judged(base)})
        ceiling = decode_codes(base, codes[n : 2 * n])  # other faces than the judged real ones
        rows.append({"prior": "codes of other training faces (ceiling)", **judged(ceiling)})
        for row in rows:
            print(json.dumps(row), flush=True)
    for k in args.components:
        started = time.time()
        fitted = copy.deepcopy(base)
        report = fit_prior_mixture(fitted, z, k)
        row = {"prior": f"mixture K={k}", **report, **judged(fitted)}
        row["seconds"] = round(time.time() - started, 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
