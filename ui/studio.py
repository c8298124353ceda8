"""What the GAN Studio web app asks of the models, one method per tab, with input checks.

The app (``app.py``) only wires widgets to a ``Studio``; everything here is plain Python that
tests call directly. Habits, from the Gradio GAN demos worth copying:

- one model cache keyed by name: each model loads once, lazily, on the first request that
  needs it (CPU, or CUDA when there is one), so the app starts in seconds;
- a private ``torch.Generator`` per request, never a global seed, so concurrent users and the
  same seed on another day give the same pictures;
- every request writes its downloads to a fresh temp file, never a shared file name;
- bad input raises ``ValueError`` with a message meant for a person (the app shows it as an
  error toast); a missing or broken checkpoint raises ``CheckpointError`` (a ValueError too).

Images come back as uint8 (H, W, 3) numpy arrays, small pictures enlarged with nearest-neighbour
so 28 px digits stay crisp in the browser.

Weights come from ``checkpoints/<name>/`` (``GAN_STUDIO_CHECKPOINTS`` overrides the folder), or,
when ``GAN_STUDIO_HUB_PREFIX`` is set (e.g. ``gan-studio``), from the Hugging Face Hub repos
``<prefix>/<name>`` (``Studio(hub_prefix=...)`` does the same in code).
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from PIL import Image

from gan_core import edit
from gan_core.arithmetic import (
    ARITHMETIC_PRESETS,
    MAX_EXEMPLARS,
    PAPER_EXEMPLARS,
    judge_scores,
)
from gan_core.checkpoint import (
    CheckpointError,
    checkpoint_dir,
    hub_timeout,
    load,
    read_config,
    resolve,
)
from gan_core.config import CONFIG_NAME, WEIGHTS_NAME
from gan_core.latent import (
    concept_vector,
    interpolate,
    jitter,
    to_shell,
    truncate,
    vector_arithmetic,
)
from gan_core.models.cvae_gan import DEFAULT_EDIT_STRENGTH
from gan_core.sampling import MAX_SEED, check_seed, image_grid, make_generator, to_uint8
from ui import limits

#: The released models, in the order the app lists them.
RELEASE_MODELS = (
    "ae-mnist",
    "vae-mnist",
    "gan-mnist",
    "infogan-mnist",
    "dcgan-celeba64",
    "wgan-gp-celeba64",
    "vae-celeba64",
    "cvae-gan-celeba64",
)
JUDGES = ("judge-celeba64", "judge-mnist")
INFOGAN = "infogan-mnist"
DCGAN = "dcgan-celeba64"
CVAE_GAN = "cvae-gan-celeba64"
FACE_JUDGE = "judge-celeba64"
#: Compare tab: blurry reconstructions (AE, VAE) next to adversarial samples (GAN family).
COMPARE_MODELS = (
    "ae-mnist",
    "vae-mnist",
    "gan-mnist",
    "vae-celeba64",
    "dcgan-celeba64",
    "wgan-gp-celeba64",
)
GAN_FAMILIES = ("gan", "convgan", "dcgan", "wgan-gp", "infogan", "cvae-gan")

MAX_IMAGES = int(limits.IMAGES.high)
MAX_FRAMES = int(limits.FRAMES.high)
MAX_INVERSION_STEPS = int(limits.INVERSION_STEPS.high)
MAX_CODE_VALUE = limits.MAX_CODE_VALUE
MAX_STRENGTH = limits.MAX_STRENGTH
MAX_EDIT_STRENGTH = limits.MAX_EDIT_STRENGTH
MAX_NOISE = limits.MAX_NOISE
#: Auto-pick searches past the gallery, in chunks, until every row has enough matching faces.
AUTOPICK_SEARCH_LIMIT = 4096
AUTOPICK_CHUNK = 256
#: photos whose detected face the Studio keeps (each upload tab asks twice per request)
FACE_CACHE = 16
EXEMPLARS_PER_LINE = 10

#: Markdown images in model cards, and the kinds of file the app serves from a card.
CARD_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")
CARD_IMAGE_SUFFIXES = {".png", ".gif", ".jpg", ".jpeg", ".webp"}

#: Judge attributes offered as concept vectors in the photo-editing tab.
EDIT_CONCEPTS = ("Eyeglasses", "Smiling", "Male", "Blond_Hair", "Young", "Bangs", "Mustache")


class Sample(NamedTuple):
    grid: np.ndarray
    png: str


class Interpolation(NamedTuple):
    strip: np.ndarray
    gif: str
    mp4: str | None  # None when PyAV (the video encoder) is not installed


class Arithmetic(NamedTuple):
    concepts: np.ndarray  # 3 rows: the exemplars, then the image of their average latent
    result: np.ndarray  # 3x3: A - B + C, the centre unchanged, the others with a little noise
    png: str


class FaceAnalysis(NamedTuple):
    face: np.ndarray
    probabilities: dict[str, float]
    present: list[str]
    note: str
    annotated: np.ndarray | None = None  # the upload with the face box and the cut square drawn


class Transfer(NamedTuple):
    original: np.ndarray
    reconstruction: np.ndarray
    edited: np.ndarray
    png: str
    note: str = ""  # how the face was found and cut (a warning when no face was found)
    annotated: np.ndarray | None = None  # the upload with the face box and the cut square drawn


class Inpainting(NamedTuple):
    masked: np.ndarray
    filled: np.ndarray
    png: str
    note: str = ""  # how the face was found and cut (a warning when no face was found)
    annotated: np.ndarray | None = None  # the upload with the face box and the cut square drawn


class InvertedFace(NamedTuple):
    face: np.ndarray
    reconstruction: np.ndarray
    z: list[float]
    note: str
    annotated: np.ndarray | None = None  # the upload with the face box and the cut square drawn


class TimelineFrame(NamedTuple):
    image: np.ndarray
    step: int
    index: int
    count: int


# --- input checks ---------------------------------------------------------------------------
def check_count(value: Any, what: str, low: int = 1, high: int = MAX_IMAGES) -> int:
    """A whole number in [low, high] (sliders send floats), or a ValueError naming ``what``."""
    number = check_number(value, what, low, high)
    if number != int(number):
        raise ValueError(f"{what} must be a whole number, got {value!r}")
    return int(number)


def check_number(value: Any, what: str, low: float, high: float) -> float:
    """A finite float in [low, high], or a ValueError naming ``what``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    if not low <= number <= high:
        raise ValueError(f"{what} must be between {low:g} and {high:g}, got {number:g}")
    return number


def require_seed(value: Any, what: str = "seed") -> int:
    """A seed in [0, 2**32 - 1]; None and blanks are errors here (the UI always sends one)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{what} is empty; enter a whole number from 0 to {MAX_SEED}")
    try:
        seed = check_seed(value)
    except ValueError as error:
        raise ValueError(f"{what}: {error}") from None
    assert seed is not None
    return seed


def parse_seed_list(text: Any, what: str, limit: int = MAX_EXEMPLARS) -> list[int]:
    """'3, 17 42' -> [3, 17, 42]: the exemplar seeds of one concept row."""
    if isinstance(text, (list, tuple)):
        parts = [str(part) for part in text]
    else:
        parts = [part for part in re.split(r"[\s,;]+", str(text or "").strip()) if part]
    if not parts:
        raise ValueError(f"{what} has no faces yet: click faces in the gallery or use auto-pick")
    if len(parts) > limit:
        raise ValueError(f"{what} has {len(parts)} seeds; use at most {limit}")
    return [require_seed(part, f"{what} seed {part!r}") for part in parts]


def add_seed(text: str, seed: int, keep: int = PAPER_EXEMPLARS) -> str:
    """Append ``seed`` to a concept row's seed list, keeping the newest ``keep``."""
    try:
        seeds = parse_seed_list(text, "row", limit=10_000) if str(text or "").strip() else []
    except ValueError:
        seeds = []
    seeds = [s for s in seeds if s != seed] + [require_seed(seed)]
    return ", ".join(str(s) for s in seeds[-keep:])


def seed_range(seed: int, count: int) -> list[int]:
    """``count`` consecutive seeds from ``seed`` (each image has its own, as in stylegan)."""
    if seed + count - 1 > MAX_SEED:
        raise ValueError(f"seed + count must stay below {MAX_SEED}; use a smaller seed")
    return list(range(seed, seed + count))


def enlarge(image: np.ndarray, min_side: int = 256) -> np.ndarray:
    """Nearest-neighbour upscale by a whole factor until the shorter side reaches ``min_side``."""
    factor = max(1, math.ceil(min_side / min(image.shape[:2])))
    if factor == 1:
        return image
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)


# --- the studio -----------------------------------------------------------------------------
class Studio:
    """Model cache + one method per app tab. Thread-safe: Gradio calls it from many threads."""

    def __init__(
        self,
        device: str | torch.device | None = None,
        hub_prefix: str | None = None,
        output_dir: str | Path | None = None,
        max_file_age: float = 3600.0,
    ) -> None:
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        self.hub_prefix = (hub_prefix or "").strip().strip("/") or None
        self.output_dir = Path(output_dir or tempfile.mkdtemp(prefix="gan-studio-"))
        self.output_dir.mkdir(parents=True, exist_ok=True)
        self.max_file_age = max_file_age
        self._models: dict[str, torch.nn.Module] = {}
        self._load_lock = threading.Lock()
        self._directions: dict[tuple[str, str, int, int], torch.Tensor] = {}
        self._last_prune = 0.0
        self._published: Path | None = None
        self._faces: dict[tuple, edit.FaceCrop] = {}
        self._faces_lock = threading.Lock()
        self._hub_folders: dict[tuple[str, tuple[str, ...]], Path] = {}

    @classmethod
    def from_env(cls) -> Studio:
        """Settings from the environment: GAN_STUDIO_DEVICE and GAN_STUDIO_HUB_PREFIX."""
        return cls(
            device=os.environ.get("GAN_STUDIO_DEVICE") or None,
            hub_prefix=os.environ.get("GAN_STUDIO_HUB_PREFIX") or None,
        )

    # --- models -------------------------------------------------------------------------------
    def check_name(self, name: Any) -> str:
        """A known model name, or a ValueError listing the choices."""
        known = RELEASE_MODELS + JUDGES
        if not isinstance(name, str) or name not in known:
            raise ValueError(f"unknown model {name!r}; choose one of {', '.join(RELEASE_MODELS)}")
        return name

    def source(self, name: str) -> str:
        """What ``gan_core.load`` is given for ``name``: a release name or a Hub repo id."""
        name = self.check_name(name)
        return f"{self.hub_prefix}/{name}" if self.hub_prefix else name

    def is_available(self, name: str) -> bool:
        """Cheap check (no weights read): is there a checkpoint folder for ``name``?

        With a Hub prefix the answer is only known by downloading, so it is assumed yes.
        """
        name = self.check_name(name)
        if name in self._models or self.hub_prefix:
            return True
        folder = checkpoint_dir() / name
        return (folder / CONFIG_NAME).is_file() and (folder / WEIGHTS_NAME).is_file()

    def missing_message(self, *names: str) -> str | None:
        """None when all ``names`` are there, else one sentence for the tab that needs them."""
        missing = [name for name in names if not self.is_available(name)]
        if not missing:
            return None
        these = "this model" if len(missing) == 1 else "these models"
        return (
            f"Not available yet: {', '.join(missing)} (no checkpoint in {checkpoint_dir()}). "
            f"Train and export {these}, or set GAN_STUDIO_CHECKPOINTS / GAN_STUDIO_HUB_PREFIX."
        )

    def model(self, name: str, family: str | None = None) -> torch.nn.Module:
        """The model called ``name``, loaded on first use and kept for the app's lifetime."""
        name = self.check_name(name)
        model = self._models.get(name)
        if model is None:
            with self._load_lock:  # one load at a time; a second request waits for the first
                model = self._models.get(name)
                if model is None:
                    try:
                        model = load(self.source(name), self.device)
                    except CheckpointError as error:
                        message = f"the model {name} could not be loaded: {error}"
                        raise CheckpointError(message) from None
                    self._models[name] = model
        if family is not None and model.family != family:
            raise CheckpointError(f"{name} is a {model.family!r} model, not {family!r}")
        return model

    def config(self, name: str) -> dict[str, Any]:
        """The checkpoint's config.json (read without loading the weights)."""
        name = self.check_name(name)
        if name in self._models:
            return self._models[name].config.to_dict()
        return read_config(resolve(self.source(name)))

    def preload(self, names: Sequence[str] = RELEASE_MODELS + (FACE_JUDGE,)) -> list[str]:
        """Load every available model now (benchmarks; a warm Space); returns those loaded."""
        loaded = []
        for name in names:
            if self.is_available(name):
                self.model(name)
                loaded.append(name)
        return loaded

    # --- files --------------------------------------------------------------------------------
    def temp_path(self, suffix: str) -> str:
        """A fresh file for one request's download; files older than ``max_file_age`` go."""
        now = time.time()
        if now - self._last_prune > 60:
            self._last_prune = now
            for old in self.output_dir.glob("gan-studio-*"):
                try:
                    if now - old.stat().st_mtime > self.max_file_age:
                        old.unlink()
                except OSError:
                    pass
        handle, path = tempfile.mkstemp(prefix="gan-studio-", suffix=suffix, dir=self.output_dir)
        os.close(handle)
        return path

    def save_png(self, image: np.ndarray) -> str:
        path = self.temp_path(".png")
        Image.fromarray(image).save(path)
        return path

    # --- latents ------------------------------------------------------------------------------
    @staticmethod
    def _latents(
        model: torch.nn.Module, seeds: list[int], truncation: float = 1.0
    ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """Per seed, one private generator draws z and then the conditions (an InfoGAN code,
        CVAE-GAN attributes), so seed 7 gives the same image in any batch."""
        zs, drawn = [], []
        for seed in seeds:
            generator = make_generator(seed)
            zs.append(model.random_latents(1, generator)[0])
            drawn.append(model.random_conditions(1, generator))
        conditions = {key: torch.cat([d[key] for d in drawn]) for key in drawn[0]}
        return truncate(torch.stack(zs), truncation), conditions

    def _images(self, name: str, seeds: list[int], truncation: float = 1.0) -> torch.Tensor:
        model = self.model(name)
        z, conditions = self._latents(model, seeds, truncation)
        return model.generate(z, **conditions)

    # --- Sample -------------------------------------------------------------------------------
    def sample(self, name: str, seed: Any, count: Any, truncation: Any = 1.0) -> Sample:
        """A grid of ``count`` images, image i from seed ``seed + i``; a PNG to download."""
        name = self.check_name(name)
        seed = require_seed(seed)
        count = check_count(count, "number of images")
        psi = check_number(truncation, "truncation ψ", 0.0, 1.0)
        images = self._images(name, seed_range(seed, count), psi)
        grid = enlarge(image_grid(images), 384)
        return Sample(grid, self.save_png(grid))

    def candidates(self, name: str, seed: Any, count: Any) -> list[tuple[np.ndarray, str]]:
        """Gallery items (image, "seed N") for seeds ``seed .. seed + count - 1``."""
        name = self.check_name(name)
        seeds = seed_range(require_seed(seed), check_count(count, "number of faces"))
        images = to_uint8(self._images(name, seeds))
        return [(enlarge(image, 128), f"seed {s}") for image, s in zip(images, seeds)]

    # --- Interpolate ----------------------------------------------------------------------------
    def interpolate(
        self, name: str, seed_a: Any, seed_b: Any, frames: Any, method: str = "slerp"
    ) -> Interpolation:
        """Frames from seed A's latent to seed B's (conditions held at A's): a strip, a GIF and,
        when PyAV is installed, an MP4."""
        name = self.check_name(name)
        seed_a, seed_b = require_seed(seed_a, "seed A"), require_seed(seed_b, "seed B")
        frames = check_count(frames, "number of frames", 2, MAX_FRAMES)
        if method not in ("slerp", "lerp"):
            raise ValueError(f"method must be 'slerp' or 'lerp', got {method!r}")
        model = self.model(name)
        (z_a, z_b), drawn = self._latents(model, [seed_a, seed_b])
        conditions = {
            key: value[:1].expand(frames, *value.shape[1:]) for key, value in drawn.items()
        }
        images = model.generate(interpolate(z_a, z_b, frames, method), **conditions)
        strip = enlarge(image_grid(images, nrow=frames), 96)
        tiles = [enlarge(tile, 160) for tile in to_uint8(images)]
        loop = tiles + tiles[-2:0:-1]  # there and back
        return Interpolation(strip, self._save_gif(loop), self._save_mp4(loop))

    def _save_gif(self, frames: list[np.ndarray], duration_ms: int = 90) -> str:
        """A looping GIF of the frames."""
        pictures = [Image.fromarray(frame) for frame in frames]
        path = self.temp_path(".gif")
        pictures[0].save(
            path, save_all=True, append_images=pictures[1:], duration=duration_ms, loop=0
        )
        return path

    def _save_mp4(self, frames: list[np.ndarray], fps: int = 11) -> str | None:
        """The same frames as an H.264 MP4 (plays and shares anywhere), through imageio's PyAV
        plugin; None when PyAV is missing, since the GIF alone still tells the story."""
        try:
            import av  # noqa: F401  (imageio's pyav plugin needs it)
            import imageio.v3 as iio
        except ImportError:
            return None
        path = self.temp_path(".mp4")
        iio.imwrite(
            path,
            np.stack(frames),
            plugin="pyav",
            codec="libx264",
            fps=fps,
            out_pixel_format="yuv420p",
        )
        return path

    # --- Vector arithmetic (DCGAN) --------------------------------------------------------------
    def judge(self) -> torch.nn.Module:
        return self.model(FACE_JUDGE, family="judge")

    def _judge_scores(
        self, images: torch.Tensor, rules: Sequence[dict[str, int]]
    ) -> list[tuple[torch.Tensor, torch.Tensor]]:
        return judge_scores(self.judge(), images, rules)

    def autopick(
        self, preset: str, seed: Any, count: Any, per_concept: Any = PAPER_EXEMPLARS
    ) -> tuple[str, str, str]:
        """``per_concept`` exemplar seeds per concept row: the judge's most confident matches.

        The gallery's faces (``seed .. seed + count - 1``) are searched first; while a row has
        fewer matching faces than it needs (about 1 sample in 25 is a man with glasses), the
        search goes on through the following seeds, up to AUTOPICK_SEARCH_LIMIT faces."""
        if preset not in ARITHMETIC_PRESETS:
            raise ValueError(f"unknown preset {preset!r}; choose one of {list(ARITHMETIC_PRESETS)}")
        start = require_seed(seed)
        count = check_count(count, "number of faces", int(limits.GALLERY.low))
        per_concept = check_count(per_concept, "exemplars per concept", 1, MAX_EXEMPLARS)
        rules = ARITHMETIC_PRESETS[preset]
        seeds: list[int] = []
        scores: list[list[torch.Tensor]] = [[] for _ in rules]
        found = [0] * len(rules)
        new = seed_range(start, count)  # the gallery first (a seed too large is an error)
        while new:
            images = self._images(DCGAN, new)
            for row, (score, ok) in enumerate(self._judge_scores(images, rules)):
                scores[row].append(score)
                found[row] += int(ok.sum())
            seeds += new
            if min(found) >= per_concept:
                break
            following = start + len(seeds)
            left = min(AUTOPICK_SEARCH_LIMIT - len(seeds), MAX_SEED + 1 - following)
            new = list(range(following, following + min(AUTOPICK_CHUNK, max(left, 0))))
        taken: set[int] = set()
        rows = []
        for row_scores in scores:
            order = torch.cat(row_scores).argsort(descending=True).tolist()
            picked = [seeds[i] for i in order if seeds[i] not in taken][:per_concept]
            taken.update(picked)
            rows.append(", ".join(str(s) for s in picked))
        return rows[0], rows[1], rows[2]

    def arithmetic(
        self,
        seeds_a: Any,
        seeds_b: Any,
        seeds_c: Any,
        noise: Any,
        seed: Any = 0,
        shell: bool = True,
    ) -> Arithmetic:
        """The DCGAN paper's figure: mean(A) - mean(B) + mean(C), shown with a 3x3 of jitter.

        With ``shell`` every average (and the result) is rescaled to the typical latent length
        (``latent.to_shell``): an average of many exemplars otherwise decodes to the
        generator's bland mean face. With 3 exemplars it changes little."""
        rows = [
            parse_seed_list(seeds_a, "concept A"),
            parse_seed_list(seeds_b, "concept B"),
            parse_seed_list(seeds_c, "concept C"),
        ]
        noise = check_number(noise, "noise", 0.0, MAX_NOISE)
        generator = make_generator(require_seed(seed, "noise seed"))
        model = self.model(DCGAN)
        on_shell = to_shell if shell else (lambda z: z)
        figure_rows, means = [], []
        width = max(len(row) for row in rows)
        per_line = min(width, EXEMPLARS_PER_LINE)
        slots = math.ceil(width / per_line) * per_line
        for row in rows:
            z, _ = self._latents(model, row)
            mean = concept_vector(z)
            means.append(mean)
            images = model.generate(torch.cat([z, on_shell(mean)[None]]))
            blank = torch.ones(slots - len(row), *images.shape[1:])
            exemplars = image_grid(torch.cat([images[:-1], blank]), nrow=per_line)
            average = np.pad(
                to_uint8(images[-1:])[0], ((2, 2), (2, 2), (0, 0)), constant_values=255
            )
            average = _pad_height(average, exemplars.shape[0])
            gap = np.full((exemplars.shape[0], 12, 3), 255, np.uint8)  # sets the average apart
            figure_rows.append(np.concatenate([exemplars, gap, average], axis=1))
            figure_rows.append(np.full((6, figure_rows[-1].shape[1], 3), 255, np.uint8))
        concepts = enlarge(np.concatenate(figure_rows[:-1]), 320)
        target = on_shell(vector_arithmetic(*means))
        result = enlarge(image_grid(model.generate(jitter(target, 9, noise, generator)), 3), 320)
        figure = np.concatenate([concepts, np.full((8, concepts.shape[1], 3), 255, np.uint8)])
        figure = np.concatenate([figure, _pad_width(result, concepts.shape[1])])
        return Arithmetic(concepts, result, self.save_png(figure))

    # --- InfoGAN --------------------------------------------------------------------------------
    def infogan_codes(self) -> tuple[int, int]:
        """(number of categories, number of continuous codes), from the config alone."""
        config = self.config(INFOGAN)
        return int(config.get("n_categories", 10)), int(config.get("n_continuous", 2))

    def _infogan_inputs(self, seed: Any, category: Any, continuous: Sequence[Any]):
        model = self.model(INFOGAN, family="infogan")
        seed = require_seed(seed, "noise seed")
        category = check_count(category, "category", 0, model.n_categories - 1)
        if len(continuous) != model.n_continuous:
            raise ValueError(
                f"InfoGAN has {model.n_continuous} continuous codes, got {len(continuous)} values"
            )
        codes = [
            check_number(v, f"code c{i + 1}", -MAX_CODE_VALUE, MAX_CODE_VALUE)
            for i, v in enumerate(continuous)
        ]
        z = torch.randn(1, model.z_dim, generator=make_generator(seed))
        return model, z, category, torch.tensor([codes])

    def infogan(self, seed: Any, category: Any, *continuous: Any) -> np.ndarray:
        """One digit for the noise seed, the category and the continuous codes (live sliders)."""
        model, z, category, codes = self._infogan_inputs(seed, category, continuous)
        image = model.generate(z, category=torch.tensor([category]), continuous=codes)
        return enlarge(to_uint8(image)[0], 224)

    def infogan_sweep(
        self, seed: Any, code: str, steps: Any, category: Any, *continuous: Any
    ) -> np.ndarray:
        """A grid varying one code: "category" (rows = 5 noise seeds) or a continuous code
        "c1", "c2", ... from -2 to 2 (rows = the categories), the rest held at the sliders."""
        model, z, category, codes = self._infogan_inputs(seed, category, continuous)
        steps = check_count(
            steps, "number of steps", int(limits.SWEEP_STEPS.low), int(limits.SWEEP_STEPS.high)
        )
        names = [f"c{i + 1}" for i in range(model.n_continuous)]
        if code == "category":
            seeds = seed_range(require_seed(seed, "noise seed"), 5)
            rows = torch.stack(
                [torch.randn(model.z_dim, generator=make_generator(s)) for s in seeds]
            )
            n = model.n_categories
            z_all = rows.repeat_interleave(n, 0)
            cats = torch.arange(n).repeat(len(seeds))
            conts = codes.expand(len(z_all), -1)
            nrow = n
        elif code in names:
            k = names.index(code)
            values = torch.linspace(-2, 2, steps)
            n = model.n_categories
            z_all = z.expand(n * steps, -1)
            cats = torch.arange(n).repeat_interleave(steps)
            conts = codes.repeat(n * steps, 1)
            conts[:, k] = values.repeat(n)
            nrow = steps
        else:
            raise ValueError(f"code must be 'category' or one of {names}, got {code!r}")
        images = model.generate(z_all, category=cats, continuous=conts)
        return enlarge(image_grid(images, nrow=nrow), 400)

    # --- faces from uploads -------------------------------------------------------------------
    def example_face(self, seed: Any) -> np.ndarray:
        """A generated face (CVAE-GAN, else DCGAN) to try the photo tabs without a photo."""
        seed = require_seed(seed)
        name = CVAE_GAN if self.is_available(CVAE_GAN) else DCGAN
        return enlarge(to_uint8(self._images(name, [seed]))[0], 256)  # shown as an upload

    def analyse_face(self, photo: Any, crop: str = "auto") -> FaceAnalysis:
        """Crop the face, predict its attributes with CVAE-GAN's classifier."""
        face = self._face(photo, crop)
        model = self.model(CVAE_GAN, family="cvae-gan")
        probs = model.predict_attributes(face.tensor)[0].tolist()
        probabilities = {a: round(float(p), 4) for a, p in zip(model.attributes, probs)}
        present = [a for a, p in probabilities.items() if p > 0.5]
        return FaceAnalysis(face.image, probabilities, present, face.note, face.annotated)

    def crop_view(self, photo: Any, crop: str = "auto") -> tuple[np.ndarray | None, str]:
        """The upload with the face box and the cut square drawn, and how it was cut: what
        the photo tabs show beside their results (nothing while no photo is given)."""
        if photo is None or (isinstance(photo, str) and not photo.strip()):
            return None, ""
        face = self._face(photo, crop)
        return face.annotated, face.note  # a warning is already at the start of the note

    def _face(self, photo: Any, crop: str) -> edit.FaceCrop:
        """The face cut from ``photo``; a photo file already seen is not detected again (each
        tab runs its request and then its crop view on the same upload)."""
        if photo is None or (isinstance(photo, str) and not photo.strip()):
            raise ValueError("no photo: upload a face photo or pick an example first")
        if not isinstance(photo, (str, Path)) or not Path(photo).is_file():
            return edit.load_face(photo, crop)
        stat = Path(photo).stat()
        key = (str(Path(photo).resolve()), stat.st_mtime_ns, stat.st_size, str(crop))
        with self._faces_lock:
            face = self._faces.get(key)
        if face is None:
            face = edit.load_face(photo, crop)
            with self._faces_lock:
                self._faces[key] = face
                while len(self._faces) > FACE_CACHE:
                    self._faces.pop(next(iter(self._faces)))  # oldest first
        return dataclasses.replace(face, tensor=face.tensor.clone())  # callers may edit it

    def transfer(
        self,
        photo: Any,
        crop: str,
        wanted: Sequence[str] | None,
        strength: Any = DEFAULT_EDIT_STRENGTH,
    ) -> Transfer:
        """Original | reconstruction | edited: encode with the predicted attributes, decode with
        the ticked ones (CVAE-GAN attribute transfer), each changed attribute pushed
        ``strength`` times as far (1 = the plain condition; the default 2 is what makes the
        edits visible, see ``DEFAULT_EDIT_STRENGTH``)."""
        strength = check_number(strength, "edit strength", 0.0, MAX_EDIT_STRENGTH)
        face = self._face(photo, crop)
        model = self.model(CVAE_GAN, family="cvae-gan")
        wanted = list(wanted or [])
        unknown = sorted(set(wanted) - set(model.attributes))
        if unknown:
            raise ValueError(f"unknown attributes {unknown}; this model knows {model.attributes}")
        source = (model.predict_attributes(face.tensor) > 0.5).float()
        target = model.attribute_vector(**{a: True for a in wanted})[None]
        reconstruction, edited = model.transfer(face.tensor, source, target, strength)
        original, recon, out = (to_uint8(t)[0] for t in (face.tensor, reconstruction, edited))
        strip = enlarge(np.concatenate(_with_gaps([original, recon, out]), axis=1), 192)
        return Transfer(
            enlarge(original),
            enlarge(recon),
            enlarge(out),
            self.save_png(strip),
            face.note,
            face.annotated,
        )

    def inpaint(
        self,
        photo: Any,
        crop: str = "auto",
        preset: str = "painted",
        layers: list[Any] | None = None,
        steps: Any = int(limits.INPAINT_STEPS.default),
    ) -> Inpainting:
        """Fill a hole in the face: a preset mask, or the brush ``layers`` painted on ``photo``."""
        steps = check_count(
            steps, "refinement steps", int(limits.INPAINT_STEPS.low), int(limits.INPAINT_STEPS.high)
        )
        image = self._photo(photo)
        face = edit.crop_face(image, crop)
        if preset == "painted":
            mask = edit.mask_from_layers(layers, face.photo_size, face.box, quad=face.quad)
        else:
            mask = edit.check_mask(edit.preset_mask(preset))
        model = self.model(CVAE_GAN, family="cvae-gan")
        filled = model.inpaint(face.tensor, mask[None], steps=steps)
        grey = torch.full_like(face.tensor, 0.5)
        masked = face.tensor * (1 - mask) + grey * mask
        masked_image, filled_image = to_uint8(masked)[0], to_uint8(filled)[0]
        strip = enlarge(np.concatenate(_with_gaps([masked_image, filled_image]), axis=1), 192)
        return Inpainting(
            enlarge(masked_image),
            enlarge(filled_image),
            self.save_png(strip),
            face.note,
            face.annotated,
        )

    @staticmethod
    def _photo(photo: Any) -> Image.Image:
        if photo is None or (isinstance(photo, str) and not photo.strip()):
            raise ValueError("no photo: upload a face photo or pick an example first")
        return edit.open_photo(photo)

    # --- Compare --------------------------------------------------------------------------------
    def compare(self, seed: Any, count: Any) -> list[np.ndarray | None]:
        """The same number of samples from each model in ``COMPARE_MODELS`` (None if missing)."""
        seed = require_seed(seed)
        count = check_count(count, "number of images", 1, int(limits.COMPARE_IMAGES.high))
        grids: list[np.ndarray | None] = []
        for name in COMPARE_MODELS:
            if not self.is_available(name):
                grids.append(None)
                continue
            images = self._images(name, seed_range(seed, count))
            grids.append(enlarge(image_grid(images), 256))
        return grids

    # --- Edit your own photo (DCGAN inversion) ----------------------------------------------------
    def invert(
        self,
        photo: Any,
        crop: str = "auto",
        steps: Any = int(limits.INVERSION_STEPS.default),
        seed: Any = 0,
        progress: Callable[[int, int], None] | None = None,
    ) -> InvertedFace:
        """Find the DCGAN latent whose face looks most like the photo (Adam on z)."""
        face = self._face(photo, crop)
        steps = check_count(steps, "optimisation steps", 0, MAX_INVERSION_STEPS)
        generator = make_generator(require_seed(seed))
        model = self.model(DCGAN)
        result = edit.invert(model, face.tensor, steps, generator=generator, progress=progress)
        error = result.losses[-1] if result.losses else float("nan")
        note = f"{face.note} Inversion: {steps} steps, final loss {error:.4f}."
        reconstruction = enlarge(to_uint8(result.reconstruction)[0])
        return InvertedFace(
            enlarge(face.image), reconstruction, result.z[0].tolist(), note, face.annotated
        )

    def concept_direction(self, attribute: str, pool: int = 192, top: int = 24) -> torch.Tensor:
        """mean z of the ``top`` most-``attribute`` faces minus mean z of the ``top`` least,
        among ``pool`` DCGAN samples scored by the judge (cached per attribute)."""
        if attribute not in EDIT_CONCEPTS:
            raise ValueError(f"unknown concept {attribute!r}; choose one of {list(EDIT_CONCEPTS)}")
        key = (DCGAN, attribute, pool, top)
        if key not in self._directions:
            model = self.model(DCGAN)
            seeds = list(range(pool))
            z, _ = self._latents(model, seeds)
            images = torch.cat([model.generate(chunk) for chunk in z.split(64)])
            score, _ = self._judge_scores(images, [{attribute: 1}])[0]
            order = score.argsort(descending=True)
            direction = z[order[:top]].mean(0) - z[order[-top:]].mean(0)
            self._directions[key] = direction
        return self._directions[key]

    def edit_latent(self, z: Any, attribute: str, strength: Any) -> np.ndarray:
        """The inverted face with ``strength`` x the concept vector added."""
        model = self.model(DCGAN)
        if z is None or len(z) == 0:
            raise ValueError("invert a photo first (step 1), then add a concept")
        try:
            latent = torch.tensor([list(map(float, z))], dtype=torch.float32)
        except (TypeError, ValueError):
            raise ValueError("the latent must be a list of numbers") from None
        if latent.shape != (1, model.z_dim) or not torch.isfinite(latent).all():
            raise ValueError(f"the latent must be {model.z_dim} finite numbers")
        strength = check_number(strength, "strength", -MAX_STRENGTH, MAX_STRENGTH)
        direction = self.concept_direction(attribute)
        return enlarge(to_uint8(model.generate(latent + strength * direction))[0])

    # --- Training timeline and model cards --------------------------------------------------------
    def _folder(self, name: str, patterns: list[str]) -> Path | None:
        """The checkpoint folder holding ``patterns`` (from the Hub when a prefix is set).

        Hub requests are bounded by ``hub_timeout()`` (``snapshot_download`` alone would retry
        a silent Hub with 10 s timeouts per file); with no answer, the local cache serves."""
        name = self.check_name(name)
        if not self.hub_prefix:
            folder = checkpoint_dir() / name
            return folder if folder.is_dir() else None
        key = (name, tuple(patterns))
        if key in self._hub_folders:
            return self._hub_folders[key]
        from huggingface_hub import HfApi, snapshot_download

        timeout = hub_timeout()
        try:
            commit = HfApi().model_info(self.source(name), timeout=timeout).sha
        except Exception:  # offline, timed out, no such repo: the local cache or nothing
            commit = None
        try:
            folder = Path(
                snapshot_download(
                    self.source(name),
                    revision=commit,
                    allow_patterns=patterns,
                    etag_timeout=timeout,
                    local_files_only=commit is None,
                )
            )
        except Exception:  # not cached either: the caller says "not found"
            return None
        if commit is not None:  # a folder the Hub confirmed: no need to ask again
            self._hub_folders[key] = folder
        return folder

    def timeline(self, name: str) -> list[tuple[int, Path]]:
        """(step, frame) pairs from ``checkpoints/<name>/timeline/step-NNNNNN.png``, by step."""
        folder = self._folder(name, ["timeline/*.png"])
        frames = []
        for path in (folder / "timeline").glob("step-*.png") if folder else []:
            match = re.fullmatch(r"step-(\d+)\.png", path.name)
            if match:
                frames.append((int(match.group(1)), path))
        return sorted(frames)

    def timeline_frame(self, name: str, index: Any) -> TimelineFrame:
        """Frame ``index`` (0 = first) of the model's training timeline."""
        frames = self.timeline(name)
        if not frames:
            raise ValueError(
                f"{name} has no training timeline yet (no {name}/timeline/step-*.png frames)"
            )
        index = check_count(index, "frame", 0, len(frames) - 1)
        step, path = frames[index]
        image = np.asarray(edit.open_photo(path, draft_size=0))
        return TimelineFrame(enlarge(image, 256), step, index, len(frames))

    def model_card(self, name: str) -> str:
        """The model card (README.md) as Markdown, without its YAML header."""
        folder = self._folder(name, ["README.md"])
        path = folder / "README.md" if folder else None
        link = (
            f"\n\n[{self.source(name)} on the Hugging Face Hub]"
            f"(https://huggingface.co/{self.source(name)})"
            if self.hub_prefix
            else ""
        )
        if path is None or not path.is_file():
            where = self.source(name) if self.hub_prefix else f"checkpoints/{name}"
            return f"No model card for **{name}** yet (`{where}/README.md` is missing).{link}"
        text = path.read_text(encoding="utf-8", errors="replace")
        if text.startswith("---"):
            end = text.find("\n---", 3)
            if end != -1:
                text = text[end + 4 :].lstrip("\n")
        return self._serve_card_images(name, path.parent, text) + link

    def _serve_card_images(self, name: str, folder: Path, text: str) -> str:
        """Point the card's relative image links where the browser can fetch them: the Hub
        repo's file URL, or the app's file route for the published copy of an image the card
        links inside its own folder (``published_folder``); anything else is left as it was."""
        published = self.published_folder()
        card_images = self._card_images(name) if published else set()  # read the card once

        def url(match: re.Match) -> str:
            alt, target = match.group(1), match.group(2)
            if re.match(r"^[a-z]+:", target):  # already absolute (https:, data:)
                return match.group(0)
            if self.hub_prefix:
                return f"![{alt}](https://huggingface.co/{self.source(name)}/resolve/main/{target})"
            image = (folder / target).resolve()
            if image not in card_images:
                return match.group(0)
            copy = published / name / image.relative_to(folder.resolve())
            return (
                f"![{alt}](/gradio_api/file={copy.as_posix()})"
                if copy.is_file()
                else match.group(0)
            )

        return CARD_IMAGE.sub(url, text)

    def _card_images(self, name: str) -> set[Path]:
        """The image files a local model card links to (inside its own folder only)."""
        folder = (checkpoint_dir() / name).resolve()
        card = folder / "README.md"
        if not card.is_file():
            return set()
        found = set()
        for match in CARD_IMAGE.finditer(card.read_text(encoding="utf-8", errors="replace")):
            image = (folder / match.group(2)).resolve()
            suffix_ok = image.suffix.lower() in CARD_IMAGE_SUFFIXES
            if suffix_ok and image.is_relative_to(folder) and image.is_file():
                found.add(image)
        return found

    def published_folder(self) -> Path | None:
        """The one folder the app serves besides its own outputs (for
        ``launch(allowed_paths=...)``): copies of the model cards' images, made on first call.

        Never the repository or anything else on disk. One folder rather than a list of files
        because Gradio checks every returned file against each allowed path in turn (resolving
        both): 82 card images made that check ~40 % of an InfoGAN slider move's server time."""
        if self.hub_prefix:
            return None
        with self._load_lock:
            if self._published is None:
                self._published = self._publish_card_images(self.output_dir / "published")
        return self._published

    def _publish_card_images(self, root: Path) -> Path:
        """Copy every local model card's images to ``root/<model>/<path in its folder>``."""
        for name in [n for n in RELEASE_MODELS + JUDGES if (checkpoint_dir() / n).is_dir()]:
            folder = (checkpoint_dir() / name).resolve()
            for image in self._card_images(name):
                copy = root / name / image.relative_to(folder)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(image, copy)
        root.mkdir(parents=True, exist_ok=True)
        return root

    def measured(self, name: str) -> str:
        """The model's evaluation figures (``metrics.json``, own judge) in one line, or ''."""
        folder = self._folder(name, ["metrics.json"])
        path = folder / "metrics.json" if folder else None
        if path is None or not path.is_file():
            return ""
        try:
            metrics = json.loads(path.read_text())
            figures = metrics["generated_vs_real"]
            return (
                f"`FD {figures['fd']:.1f} · precision {figures['precision']:.2f} · "
                f"recall {figures['recall']:.2f}` ({metrics.get('judge', 'judge')}, metrics.json)"
            )
        except (ValueError, KeyError, OSError, TypeError):
            return ""

    def describe(self, name: str) -> str:
        """One line for a model: family, data, image size (from config.json)."""
        try:
            config = self.config(name)
        except (CheckpointError, OSError) as error:
            return f"{name}: unavailable ({error})"
        size = config.get("image_size")
        return (
            f"{name}: {config.get('family')} · {config.get('data', {}).get('dataset', '?')} · "
            f"{size}x{size} · z_dim {config.get('z_dim')}"
        )


def _with_gaps(images: list[np.ndarray], gap: int = 2) -> list[np.ndarray]:
    """Images with white columns between them, for side-by-side downloads."""
    spacer = np.full((images[0].shape[0], gap, 3), 255, np.uint8)
    out: list[np.ndarray] = []
    for image in images:
        out += [image, spacer]
    return out[:-1]


def _pad_height(image: np.ndarray, height: int) -> np.ndarray:
    """Centre ``image`` vertically on a white canvas ``height`` tall."""
    if image.shape[0] >= height:
        return image
    canvas = np.full((height, *image.shape[1:]), 255, np.uint8)
    top = (height - image.shape[0]) // 2
    canvas[top : top + image.shape[0]] = image
    return canvas


def _pad_width(image: np.ndarray, width: int) -> np.ndarray:
    """Centre ``image`` on a white canvas ``width`` wide (for stacking figures)."""
    if image.shape[1] >= width:
        return image[:, :width]
    canvas = np.full((image.shape[0], width, 3), 255, np.uint8)
    left = (width - image.shape[1]) // 2
    canvas[:, left : left + image.shape[1]] = image
    return canvas
