"""Generate images from a released or local checkpoint.

python -m gan_core generate --model dcgan-celeba64 --seeds 0-15 --out out/
python -m gan_core generate --model infogan-mnist --seeds 0-9 --out out/ --grid
python -m gan_core list
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torchvision.utils import save_image

import gan_core
from gan_core.sampling import parse_seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gan_core",
        description="GAN Studio command line",
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("list", help="list the released models")
    gen = commands.add_parser("generate", help="write one PNG per seed (seed0042.png)")
    gen.add_argument("--model", required=True, help="release name, local folder or Hub repo id")
    gen.add_argument("--seeds", default="0-15", help="e.g. 0-15 or 1,5,9 (default 0-15)")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--truncation", type=float, default=1.0, help="psi in [0, 1]")
    gen.add_argument("--grid", action="store_true", help="also write grid.png")
    gen.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    if args.command == "list":
        print("\n".join(gan_core.list_models()))
        return 0
    try:
        seeds = parse_seeds(args.seeds)
        model = gan_core.load(args.model, device=args.device)
        if not hasattr(model, "sample"):
            raise ValueError(f"{args.model} is not a generative model")
        args.out.mkdir(parents=True, exist_ok=True)
        images = []
        for seed in seeds:
            image = model.sample(1, seed=seed, truncation=args.truncation)
            save_image(image, args.out / f"seed{seed:04d}.png")
            images.append(image)
        if args.grid:
            save_image(torch.cat(images), args.out / "grid.png", nrow=8, padding=1)
    except (ValueError, OSError) as error:  # CheckpointError is a ValueError
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(seeds)} image(s) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
