"""Data sets decoded once into a compact uint8 cache, then served as batches from memory.

The reference DCGAN loop decodes every JPEG every epoch; here the first run decodes the files
into one ``(N, C, S, S)`` uint8 array (``.npy``, memory-mapped on later runs) and an epoch is a
shuffled index permutation over it.

Layouts read (the public releases' own):
- CelebA: ``img_align_celeba/*.jpg`` + ``list_attr_celeba.txt`` (any image size; the face
  square is cropped from the centre and resized).
- MNIST: the IDX files (``t10k-*`` or ``train-*``, gzipped or not, also under ``MNIST/raw/``);
  with ``download=True`` torchvision fetches them when online.
- An image folder: every image below it, centre-cropped square.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps
from tqdm.auto import tqdm

from gan_core.edit import CELEBA_CROP_FRACTION  # the face square's share of the width

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".gif", ".tif", ".tiff"}


class DataError(ValueError):
    """The data on disk cannot be used; raised before training starts."""


@dataclasses.dataclass
class ImageData:
    """Images as uint8 (N, C, S, S) plus optional labels (N,) or attributes (N, A) in {0, 1}."""

    images: torch.Tensor
    labels: torch.Tensor | None = None
    attributes: torch.Tensor | None = None
    attribute_names: list[str] = dataclasses.field(default_factory=list)
    name: str = ""
    skipped: int = 0  # unreadable files left out

    def __len__(self) -> int:
        return len(self.images)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return tuple(self.images.shape[1:])

    def subset(self, index: torch.Tensor | slice) -> ImageData:
        return dataclasses.replace(
            self,
            images=self.images[index],
            labels=None if self.labels is None else self.labels[index],
            attributes=None if self.attributes is None else self.attributes[index],
        )

    def select_attributes(self, names: list[str]) -> torch.Tensor:
        """Columns of ``attributes`` in the order of ``names`` (a clear error if one is absent)."""
        if self.attributes is None:
            raise DataError(f"the {self.name} data has no attributes")
        missing = [n for n in names if n not in self.attribute_names]
        if missing:
            raise DataError(f"attributes {missing} are not in {self.name}'s attribute file")
        return self.attributes[:, [self.attribute_names.index(n) for n in names]]


# --- decoding ---------------------------------------------------------------------------------
def centre_square(image: Image.Image, fraction: float = 1.0) -> Image.Image:
    """The centred square of side ``fraction`` x the shorter side."""
    w, h = image.size
    side = max(1, round(min(w, h) * fraction))
    left, top = (w - side) // 2, (h - side) // 2
    return image.crop((left, top, left + side, top + side))


def load_image(path: Path, size: int, channels: int, fraction: float = 1.0) -> np.ndarray:
    """Open, honour EXIF orientation, crop the centre square, resize: (C, size, size) uint8."""
    with Image.open(path) as image:
        image = ImageOps.exif_transpose(image)
        image = image.convert("L" if channels == 1 else "RGB")
        image = centre_square(image, fraction).resize((size, size), Image.Resampling.LANCZOS)
        array = np.asarray(image, dtype=np.uint8)
    return array[None] if channels == 1 else array.transpose(2, 0, 1)


def _decode_files(files: list[Path], size: int, channels: int, fraction: float, desc: str):
    images = np.zeros((len(files), channels, size, size), dtype=np.uint8)
    ok = np.zeros(len(files), dtype=bool)
    for i, path in enumerate(tqdm(files, desc=desc, unit="img", leave=False)):
        try:
            images[i] = load_image(path, size, channels, fraction)
            ok[i] = True
        except (OSError, ValueError, Image.DecompressionBombError) as error:
            log.warning("skipping unreadable image %s (%s)", path, error)
    return images, ok


def _cache_path(cache_dir: Path, key: dict) -> Path:
    digest = hashlib.sha1(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]
    return cache_dir / f"{key['kind']}-{key['size']}-{digest}"


def _cached_decode(
    files: list[Path], size: int, channels: int, fraction: float, cache_dir: Path | None, kind: str
) -> tuple[np.ndarray, np.ndarray]:
    """Decode once; later calls memory-map the cached array (keyed on files, sizes, mtimes)."""
    key = {
        "kind": kind,
        "size": size,
        "channels": channels,
        "fraction": fraction,
        "files": [str(f) for f in files],
        "mtime": max((f.stat().st_mtime for f in files), default=0),
    }
    if cache_dir is not None:
        base = _cache_path(cache_dir, key)
        images_file, ok_file = base.with_suffix(".images.npy"), base.with_suffix(".ok.npy")
        if images_file.exists() and ok_file.exists():
            return np.load(images_file, mmap_mode="r"), np.load(ok_file)
    images, ok = _decode_files(files, size, channels, fraction, f"decoding {kind}")
    if cache_dir is not None:
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            for target, array in ((images_file, images), (ok_file, ok)):
                tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
                with open(tmp, "wb") as handle:
                    np.save(handle, array)
                os.replace(tmp, target)
        except OSError as error:
            log.warning("could not write the data cache in %s (%s); continuing", cache_dir, error)
    return images, ok


# --- data sets --------------------------------------------------------------------------------
def read_celeba_attributes(path: Path) -> tuple[list[str], list[str], np.ndarray]:
    """Parse ``list_attr_celeba.txt``: (file names, attribute names, (N, 40) array of +-1)."""
    if not path.is_file():
        raise DataError(f"CelebA attribute file {path} is missing")
    lines = path.read_text().splitlines()
    try:
        count = int(lines[0].strip())
        names = lines[1].split()
        rows = [line.split() for line in lines[2:] if line.strip()]
    except (IndexError, ValueError):
        raise DataError(f"{path} is not in the list_attr_celeba.txt format") from None
    if len(rows) != count:
        raise DataError(f"{path} announces {count} rows but has {len(rows)}")
    bad = next((i for i, r in enumerate(rows) if len(r) != len(names) + 1), None)
    if bad is not None:
        raise DataError(f"{path} row {bad + 3} has {len(rows[bad]) - 1} values, not {len(names)}")
    try:
        values = np.array([[int(v) for v in r[1:]] for r in rows], dtype=np.int8)
    except (ValueError, OverflowError):
        bad = next(i for i, r in enumerate(rows) if not all(_is_int(v) for v in r[1:]))
        raise DataError(
            f"{path} row {bad + 3} has a value that is not an integer: {' '.join(rows[bad][1:])}"
        ) from None
    return [r[0] for r in rows], names, values


def _is_int(text: str) -> bool:
    try:
        return -128 <= int(text) <= 127
    except ValueError:
        return False


def load_celeba(
    root: Path, size: int = 64, limit: int | None = None, cache_dir: Path | None = None
) -> ImageData:
    root = Path(root)
    folder = root / "img_align_celeba"
    if not folder.is_dir() and (root / "celeba" / "img_align_celeba").is_dir():
        root, folder = root / "celeba", root / "celeba" / "img_align_celeba"
    if not folder.is_dir():
        raise DataError(f"no CelebA images: {folder} does not exist")
    file_names, attr_names, values = read_celeba_attributes(root / "list_attr_celeba.txt")
    if limit:
        file_names, values = file_names[:limit], values[:limit]
    files = [folder / name for name in file_names]
    missing = [f.name for f in files if not f.exists()]
    if missing:
        raise DataError(
            f"{len(missing)} images listed in list_attr_celeba.txt are not in {folder} "
            f"(first: {missing[0]}); the attribute file and the images do not match"
        )
    images, ok = _cached_decode(files, size, 3, CELEBA_CROP_FRACTION, cache_dir, "celeba")
    keep = np.flatnonzero(ok)
    return ImageData(
        images=torch.from_numpy(np.ascontiguousarray(images[keep])),
        attributes=torch.from_numpy((values[keep] > 0).astype(np.float32)),
        attribute_names=attr_names,
        name="celeba",
        skipped=int((~ok).sum()),
    )


def _read_idx(path: Path) -> np.ndarray:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            data = handle.read()
    except (OSError, EOFError) as error:  # a cut or corrupt download: EOFError, BadGzipFile
        raise DataError(f"{path} cannot be read, it may be truncated or corrupt: {error}") from None
    if len(data) < 8 or data[0] != 0 or data[1] != 0:
        raise DataError(f"{path} is not an IDX file")
    ndim = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if array.size != int(np.prod(shape)):
        raise DataError(
            f"{path} is truncated: expected {np.prod(shape)} values, found {array.size}"
        )
    return array.reshape(shape)


def _find_mnist_files(root: Path) -> tuple[Path, Path] | None:
    for folder in (root, root / "mnist", root / "MNIST" / "raw", root / "mnist" / "MNIST" / "raw"):
        for split in ("train", "t10k"):
            for suffix in (".gz", ""):
                images = folder / f"{split}-images-idx3-ubyte{suffix}"
                labels = folder / f"{split}-labels-idx1-ubyte{suffix}"
                if images.is_file() and labels.is_file():
                    return images, labels
    return None


def load_mnist(root: Path, limit: int | None = None, download: bool = False) -> ImageData:
    """MNIST from IDX files (the 60k train split when present, else the 10k test split)."""
    root = Path(root)
    found = _find_mnist_files(root)
    if found is None and download:
        from torchvision.datasets import MNIST

        MNIST(str(root), train=True, download=True)
        found = _find_mnist_files(root)
    if found is None:
        raise DataError(
            f"no MNIST IDX files under {root} (looked for train-/t10k-images-idx3-ubyte[.gz]); "
            "pass --download to fetch them when online"
        )
    images, labels = (_read_idx(p) for p in found)
    if len(images) != len(labels):
        raise DataError(f"{found[0]} has {len(images)} images but {found[1]} {len(labels)} labels")
    if limit:
        images, labels = images[:limit], labels[:limit]
    return ImageData(
        images=torch.from_numpy(images.copy()).unsqueeze(1),
        labels=torch.from_numpy(labels.astype(np.int64)),
        name="mnist",
    )


def load_image_folder(
    root: Path,
    size: int = 32,
    channels: int = 3,
    limit: int | None = None,
    cache_dir: Path | None = None,
) -> ImageData:
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"image folder {root} does not exist")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    if limit:
        files = files[:limit]
    if not files:
        raise DataError(f"no images ({', '.join(sorted(IMAGE_SUFFIXES))}) under {root}")
    images, ok = _cached_decode(files, size, channels, 1.0, cache_dir, "folder")
    keep = np.flatnonzero(ok)
    if len(keep) == 0:
        raise DataError(f"none of the {len(files)} images under {root} could be read")
    return ImageData(
        images=torch.from_numpy(np.ascontiguousarray(images[keep])),
        name="folder",
        skipped=int((~ok).sum()),
    )


def load_cifar10(root: Path, download: bool = False) -> ImageData:
    """CIFAR-10 through torchvision (its own python-pickle layout; fetched when online)."""
    from torchvision.datasets import CIFAR10

    try:
        data = CIFAR10(str(root), train=True, download=download)
    except RuntimeError as error:
        raise DataError(f"CIFAR-10 not found under {root}: {error}") from None
    images = torch.from_numpy(data.data).permute(0, 3, 1, 2).contiguous()
    return ImageData(images=images, labels=torch.tensor(data.targets), name="cifar10")


DATASETS = ("mnist", "celeba", "folder", "cifar10")


def load_dataset(
    kind: str,
    data_dir: Path,
    image_size: int,
    channels: int,
    limit: int | None = None,
    cache_dir: Path | None = None,
    download: bool = False,
) -> ImageData:
    """One entry point for the training CLI."""
    if kind == "mnist":
        data = load_mnist(data_dir, limit=limit, download=download)
    elif kind == "celeba":
        data = load_celeba(data_dir, size=image_size, limit=limit, cache_dir=cache_dir)
    elif kind == "folder":
        data = load_image_folder(data_dir, image_size, channels, limit, cache_dir)
    elif kind == "cifar10":
        data = load_cifar10(data_dir, download=download)
    else:
        raise DataError(f"unknown data set {kind!r}; choose from {DATASETS}")
    if data.skipped:
        log.warning("skipped %d unreadable image(s) in %s", data.skipped, data_dir)
    if data.image_shape[0] != channels:
        raise DataError(f"{kind} images have {data.image_shape[0]} channels, the model {channels}")
    if data.image_shape[1] != image_size and kind in ("mnist", "cifar10"):
        data = dataclasses.replace(
            data,
            images=torch.nn.functional.interpolate(
                data.images.float(), size=image_size, mode="bilinear", antialias=True
            )
            .round()
            .clamp(0, 255)
            .to(torch.uint8),
        )
    return data


def to_model_range(images: torch.Tensor) -> torch.Tensor:
    """uint8 [0, 255] -> float [-1, 1]."""
    return images.float().div_(127.5).sub_(1.0)


class BatchSampler:
    """Endless shuffled batches over an in-memory data set, resumable from (epoch, position).

    Every rank draws the same permutation (seeded by epoch) and takes its own stride of it, the
    sharding DistributedSampler does, without a DataLoader (the data is already in memory).
    """

    def __init__(
        self,
        size: int,
        batch_size: int,
        seed: int = 0,
        rank: int = 0,
        world_size: int = 1,
    ) -> None:
        if batch_size * world_size > size:
            raise DataError(
                f"batch size {batch_size} x {world_size} process(es) exceeds the {size} images"
            )
        self.size, self.batch_size, self.seed = size, batch_size, seed
        self.rank, self.world_size = rank, world_size
        self.epoch, self.position = 0, 0

    @property
    def batches_per_epoch(self) -> int:
        return self.size // (self.batch_size * self.world_size)

    def state_dict(self) -> dict:
        return {"epoch": self.epoch, "position": self.position}

    def load_state_dict(self, state: dict) -> None:
        self.epoch, self.position = int(state["epoch"]), int(state["position"])

    def __iter__(self) -> Iterator[torch.Tensor]:
        while True:
            generator = torch.Generator().manual_seed(self.seed * 100_003 + self.epoch)
            order = torch.randperm(self.size, generator=generator)
            per_rank = order[self.rank :: self.world_size]
            while self.position < self.batches_per_epoch:
                start = self.position * self.batch_size
                self.position += 1
                yield per_rank[start : start + self.batch_size]
            self.epoch, self.position = self.epoch + 1, 0
