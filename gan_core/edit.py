"""Editing real photos: safe upload decoding, the face square, inpainting masks, DCGAN inversion.

Uploads come from strangers, so ``open_photo`` reads the header before decoding anything,
refuses decompression bombs and tiny images with a message a person can act on, honours EXIF
orientation and turns every PIL mode (grey, palette, RGBA, CMYK, 16-bit) into 8-bit RGB.

The face models were trained on aligned CelebA crops: the central square of 140/178 of the
photo's width. ``crop_face`` in its default "auto" mode finds the face (``gan_core.face``: dlib's
detector and 5 landmarks) and turns, scales and shifts it so the eyes and nose land where
CelebA's aligned crops have them; with no face found it falls back to the CelebA square for
photos of CelebA's aligned shape, else to the centre square, with a warning. "aligned" and
"centre" cut those squares without detection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import math
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image, ImageOps, UnidentifiedImageError

from gan_core import face as face_tools

#: Side of the face square as a fraction of an aligned CelebA photo's width (140 of 178 px),
#: the crop ``training/data.py`` uses for the face models.
CELEBA_CROP_FRACTION = 140 / 178
#: Width / height of an aligned CelebA photo (178 x 218); photos this shape get the CelebA crop.
CELEBA_ASPECT = 178 / 218
FACE_SIZE = 64
#: Smaller photos hold too little of a face to crop and upsample to 64 px.
MIN_SIDE = 32
#: 50 megapixels: larger than any phone photo, and ~200 MB decoded as RGB, which bounds memory.
MAX_PIXELS = 50_000_000
#: A painted mask covering more than this share of the face leaves nothing to fill from.
MAX_MASK_SHARE = 0.9

CROP_MODES = ("auto", "aligned", "centre")
PRESET_MASKS = ("eyes", "mouth", "centre", "lower_face")


# --- opening uploads ----------------------------------------------------------------------
def _open(source: Any) -> Image.Image:
    """A lazily opened PIL image (header read, pixels not yet decoded)."""
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, np.ndarray):
        array = source
        if array.dtype != np.uint8:
            array = _to_uint8(array.astype(np.float64))
        if array.ndim == 3 and array.shape[2] == 1:
            array = array[:, :, 0]
        return Image.fromarray(array)
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    elif isinstance(source, (str, Path)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"no image file at {path}")
    try:
        with warnings.catch_warnings():
            # PIL warns (not raises) between its limit and twice it; our own limit is lower.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            return Image.open(source)
    except Image.DecompressionBombError:
        raise ValueError(_too_many_pixels_message(None)) from None
    except UnidentifiedImageError:
        raise ValueError(
            "this file is not an image that can be read (use a JPEG, PNG, WebP, BMP, GIF or TIFF)"
        ) from None
    except OSError as error:
        raise ValueError(f"the image could not be opened ({error})") from None


def _too_many_pixels_message(size: tuple[int, int] | None) -> str:
    what = f"{size[0]}x{size[1]} pixels" if size else "too many pixels"
    return (
        f"the image is too large ({what}); the limit is {MAX_PIXELS // 1_000_000} megapixels. "
        "Please resize it and try again."
    )


def _to_uint8(array: np.ndarray) -> np.ndarray:
    """Scale a high-bit-depth or float array to 0..255 (16-bit PNGs, 32-bit TIFFs)."""
    array = np.nan_to_num(array.astype(np.float64))
    high = float(array.max()) if array.size else 0.0
    if high <= 1.0:
        scale = 255.0  # floats in [0, 1]
    elif high <= 255:
        scale = 1.0
    elif high <= 65535:
        scale = 255.0 / 65535.0
    else:
        scale = 255.0 / high
    return np.clip(array * scale, 0, 255).round().astype(np.uint8)


def _flatten_to_rgb(image: Image.Image) -> Image.Image:
    """Any PIL mode -> 8-bit RGB; transparency is composited over white."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):
        return Image.fromarray(_to_uint8(np.asarray(image))).convert("RGB")
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("RGB")
    if image.mode == "RGB":
        return image
    return image.convert("RGB")  # L, 1, P, CMYK, YCbCr, LAB, HSV


def open_photo(source: Any, draft_size: int = 512) -> Image.Image:
    """Decode an upload safely into an upright 8-bit RGB PIL image.

    ``source`` is a path, bytes, a PIL image or an array. Raises ValueError with a readable
    message for non-images, damaged files, images over ``MAX_PIXELS`` (checked from the header,
    before decoding) and images under ``MIN_SIDE`` pixels. JPEGs are decoded at a reduced
    scale (``draft``) near ``draft_size``, which is all a 64 px face needs.
    """
    image = _open(source)
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise ValueError(_too_many_pixels_message((width, height)))
    try:
        if getattr(image, "n_frames", 1) > 1:
            image.seek(0)  # animated GIF / multi-page TIFF: the first frame
        if image.format == "JPEG" and draft_size:
            image.draft("RGB", (draft_size, draft_size))
        image.load()
    except Image.DecompressionBombError:
        raise ValueError(_too_many_pixels_message((width, height))) from None
    except (OSError, ValueError, SyntaxError) as error:
        raise ValueError(f"the image file is damaged or truncated ({error})") from None
    # A broken EXIF block raises many kinds of errors: keep the image as stored then.
    with contextlib.suppress(Exception):
        image = ImageOps.exif_transpose(image)
    image = _flatten_to_rgb(image)
    if min(image.size) < MIN_SIDE:
        raise ValueError(
            f"the image is too small ({image.size[0]}x{image.size[1]} pixels); "
            f"a face needs at least {MIN_SIDE}x{MIN_SIDE}"
        )
    return image


# --- the face square ------------------------------------------------------------------------
#: A face square more than this share outside the photo gets a caveat in the note.
OUTSIDE_NOTE_SHARE = 0.05
#: A detected face square smaller than this (photo pixels) is enlarged a lot: say it is blurry.
SMALL_FACE_SIDE = 40
NO_FACE_WARNING = (
    "⚠️ No face found in this photo (the detector looks for a face seen from the front)."
)


@dataclasses.dataclass
class FaceCrop:
    """A 64x64 face ready for the models, plus how it was cut from the photo.

    ``quad`` is the square actually cut (turned when a tilted face was straightened);
    ``box`` is the whole-pixel box around it, kept for callers that cut axis-aligned boxes.
    """

    tensor: torch.Tensor  # (1, 3, 64, 64) in [0, 1]
    box: tuple[int, int, int, int]  # (left, top, right, bottom) in the upright photo
    photo_size: tuple[int, int]  # (width, height) of the upright photo
    mode: str  # "detected" (face found and aligned), "aligned" or "centre"
    note: str  # for the UI: which crop, and any caveat (the warning too, when there is one)
    #: The upright photo, at most 768 px long, with the detector's box (green), other faces
    #: (yellow), the landmarks and the square cut for the models (orange; red with no face).
    annotated: np.ndarray | None = None  # (H, W, 3) uint8
    face_box: tuple[int, int, int, int] | None = None  # the detector's box for the face used
    faces: list[tuple[int, int, int, int]] = dataclasses.field(default_factory=list)  # all found
    #: Corners of the cut square in the photo: top-left, top-right, bottom-right, bottom-left.
    quad: tuple[tuple[float, float], ...] = ()
    landmarks: np.ndarray | None = None  # (5, 2) eye corners and nose base, photo pixels
    warning: str = ""  # non-empty when no face was found (also at the start of ``note``)

    @property
    def image(self) -> np.ndarray:
        """(64, 64, 3) uint8, for display."""
        return (self.tensor[0].permute(1, 2, 0) * 255).round().to(torch.uint8).numpy()


def face_box(size: tuple[int, int], mode: str = "auto") -> tuple[tuple[int, int, int, int], str]:
    """The square to cut from a photo of ``size`` (w, h) without detection, and the mode used.

    "aligned": the CelebA face square (140/178 of the width, centred); "centre": the largest
    centred square; "auto": aligned when the photo has CelebA's 178:218 shape, else centre
    (``crop_face`` uses this for "auto" only when it finds no face).
    """
    if mode not in CROP_MODES:
        raise ValueError(f"crop must be one of {list(CROP_MODES)}, got {mode!r}")
    width, height = size
    if mode == "auto":
        mode = "aligned" if abs(width / height - CELEBA_ASPECT) < 0.03 else "centre"
    fraction = CELEBA_CROP_FRACTION if mode == "aligned" else 1.0
    side = max(1, round(min(width, height) * fraction))
    left, top = (width - side) // 2, (height - side) // 2
    return (left, top, left + side, top + side), mode


def _to_tensor(face: Image.Image) -> torch.Tensor:
    tensor = torch.from_numpy(np.asarray(face, dtype=np.float32) / 255).permute(2, 0, 1)
    return tensor.unsqueeze(0).contiguous()


def _square_note(used: str, size: tuple[int, int]) -> str:
    if used == "aligned":
        return "Aligned face photo: used the CelebA face square (the central 79% of the width)."
    width, height = size
    note = (
        "Used the centre square of the photo: works best with a face centred and filling most "
        "of the frame, looking at the camera."
    )
    kept = min(width, height) / max(width, height)
    if kept < 0.5:
        note += (
            f" This photo is very {'wide' if width > height else 'tall'}: the square keeps "
            f"only {kept:.0%} of it and may miss the face; crop it around the face first."
        )
    return note


def _detected_crop(photo: Image.Image, found: face_tools.Alignment, size: int) -> FaceCrop:
    quad = found.quad
    annotated = face_tools.annotate(photo, quad, found.face_box, found.faces[1:], found.landmarks)
    small = photo.reduce(max(1, max(photo.size) // 256))  # a fast box filter
    fill = tuple(int(v) for v in np.asarray(small).mean((0, 1)))  # the photo's average colour
    face = face_tools.warp_quad(photo, quad, size, fill=fill)  # fills what is outside the photo
    turned = f", turned {abs(found.rotation):.0f}° upright" if abs(found.rotation) >= 1 else ""
    note = (
        "Found a face and aligned it to the CelebA face square (eyes and nose moved to where "
        f"CelebA's aligned faces have them{turned})."
    )
    if len(found.faces) > 1:
        note += f" {len(found.faces)} faces in the photo: used the largest (green box)."
    outside = face_tools.outside_share(quad, photo.size)
    if outside > OUTSIDE_NOTE_SHARE:
        note += (
            f" The face is near the edge: {outside:.0%} of the square lies outside the photo "
            "and is filled with the photo's average colour."
        )
    side = float(np.linalg.norm(quad[1] - quad[0]))
    if side < SMALL_FACE_SIDE:
        note += f" The face is small ({side:.0f} px across): the 64 px crop will be blurry."
    return FaceCrop(
        _to_tensor(face),
        face_tools.quad_bounds(quad),
        photo.size,
        "detected",
        note,
        annotated=annotated,
        face_box=found.face_box,
        faces=list(found.faces),
        quad=tuple((float(x), float(y)) for x, y in quad),
        landmarks=found.landmarks,
    )


def crop_face(photo: Image.Image, mode: str = "auto", size: int = FACE_SIZE) -> FaceCrop:
    """Cut the face square out of an upright RGB photo and resize it to ``size``.

    "auto" detects the face and aligns it (``gan_core.face``); with no face it warns and falls
    back to the square ``face_box`` picks. "aligned" and "centre" cut those squares directly.
    """
    if mode not in CROP_MODES:
        raise ValueError(f"crop must be one of {list(CROP_MODES)}, got {mode!r}")
    warning = label = ""
    if mode == "auto":
        try:
            found = face_tools.align(photo, size)
        except face_tools.DetectorUnavailable as error:
            found, label = None, "no face detection"
            warning = f"⚠️ Face detection is not available ({error})."
        if found is not None:
            return _detected_crop(photo, found, size)
        warning, label = warning or NO_FACE_WARNING, label or "no face found"
    box, used = face_box(photo.size, mode)
    face = photo.crop(box).resize((size, size), Image.Resampling.LANCZOS)
    note = _square_note(used, photo.size)
    if warning:
        note = f"{warning} {note}"
    quad = face_tools.box_quad(box)
    return FaceCrop(
        _to_tensor(face),
        box,
        photo.size,
        used,
        note,
        annotated=face_tools.annotate(photo, quad, warning=label),
        quad=tuple((float(x), float(y)) for x, y in quad),
        warning=warning,
    )


def load_face(source: Any, mode: str = "auto", size: int = FACE_SIZE) -> FaceCrop:
    """``open_photo`` + ``crop_face``: any upload -> a 64x64 face tensor with a note."""
    return crop_face(open_photo(source), mode, size)


# --- inpainting masks -----------------------------------------------------------------------
# Rows and columns on the 64 px CelebA face square (eyes at y~33, nose y~44, mouth y~52).
_PRESET_BOXES: dict[str, tuple[int, int, int, int]] = {  # (top, bottom, left, right)
    "eyes": (25, 40, 10, 54),
    "mouth": (43, 58, 18, 46),
    "centre": (16, 48, 16, 48),
    "lower_face": (40, 64, 8, 56),
}


def preset_mask(name: str, size: int = FACE_SIZE) -> torch.Tensor:
    """A (1, size, size) mask, 1 = missing, for "eyes", "mouth", "centre" or "lower_face"."""
    if name not in _PRESET_BOXES:
        raise ValueError(f"unknown preset mask {name!r}; choose one of {list(PRESET_MASKS)}")
    top, bottom, left, right = (round(v * size / FACE_SIZE) for v in _PRESET_BOXES[name])
    mask = torch.zeros(1, size, size)
    mask[:, top:bottom, left:right] = 1
    return mask


def check_mask(mask: torch.Tensor) -> torch.Tensor:
    """Refuse an empty mask (nothing to fill) or a near-full one (nothing to fill from)."""
    share = float(mask.float().mean())
    if share == 0:
        raise ValueError(
            "the mask is empty: paint over the part of the face to fill in "
            "(inside the face square), or choose a preset mask"
        )
    if share > MAX_MASK_SHARE:
        raise ValueError(
            f"the mask covers {share:.0%} of the face; leave at least "
            f"{1 - MAX_MASK_SHARE:.0%} of it visible so there is something to fill from"
        )
    return mask


def _alpha_of(layer: Any) -> np.ndarray | None:
    """A painted layer (array or PIL, RGBA or not) -> float coverage in [0, 1], (H, W)."""
    if layer is None:
        return None
    if isinstance(layer, (str, Path)):
        layer = _open(layer)
    if isinstance(layer, Image.Image):
        layer = np.asarray(layer.convert("RGBA"))
    array = np.asarray(layer)
    if array.ndim == 2:
        return (array > 0).astype(np.float32)
    if array.ndim == 3 and array.shape[2] == 4:
        return array[:, :, 3].astype(np.float32) / 255
    if array.ndim == 3:  # no alpha: painted = not black
        return (array.max(axis=2) > 0).astype(np.float32)
    raise ValueError(f"a mask layer must be an image, got an array of shape {array.shape}")


def mask_from_layers(
    layers: list[Any] | None,
    photo_size: tuple[int, int],
    box: tuple[int, int, int, int],
    size: int = FACE_SIZE,
    quad: Any = None,
) -> torch.Tensor:
    """Brush layers from an image editor -> a (1, size, size) binary mask on the face square.

    Layers of any size are stretched onto the photo (``photo_size``, as the editor shows it),
    cut with the same ``box`` as the face (or, given a ``FaceCrop.quad``, through the same
    turned square), shrunk to ``size`` and binarised. A stroke counts where it covers at least
    a quarter of a 64 px cell, so thin brush strokes survive.
    """
    coverage = None
    for layer in layers or []:
        alpha = _alpha_of(layer)
        if alpha is None:
            continue
        if coverage is None:
            coverage = alpha
            continue
        if alpha.shape != coverage.shape:
            resized = Image.fromarray((alpha * 255).astype(np.uint8), mode="L").resize(
                coverage.shape[::-1], Image.Resampling.BILINEAR
            )
            alpha = np.asarray(resized, dtype=np.float32) / 255
        coverage = np.maximum(coverage, alpha)
    if coverage is None or not coverage.any():
        raise ValueError(
            "the mask is empty: paint over the part of the face to fill in, or choose a preset mask"
        )
    painted = Image.fromarray((coverage * 255).astype(np.uint8), mode="L")
    if painted.size != tuple(photo_size):
        painted = painted.resize(tuple(photo_size), Image.Resampling.BILINEAR)
    if quad is not None and len(quad) == 4:
        cell = face_tools.warp_quad(painted, np.asarray(quad), size, Image.Resampling.BILINEAR)
    else:
        cell = painted.crop(box).resize((size, size), Image.Resampling.BOX)
    mask = torch.from_numpy((np.asarray(cell, dtype=np.float32) / 255 >= 0.25).astype(np.float32))
    return check_mask(mask.unsqueeze(0))


# --- DCGAN latent inversion -----------------------------------------------------------------
@dataclasses.dataclass
class Inversion:
    """A latent ``z`` (1, z_dim) whose image ``reconstruction`` (1, C, H, W) matches a photo."""

    z: torch.Tensor
    reconstruction: torch.Tensor
    losses: list[float]


def invert(
    model: torch.nn.Module,
    target: torch.Tensor,
    steps: int = 150,
    restarts: int = 8,
    lr: float = 0.05,
    prior_weight: float = 1e-2,
    generator: torch.Generator | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Inversion:
    """Find z with G(z) close to ``target`` (1, C, H, W) in [0, 1]: Adam on z, G frozen.

    Warm start: the best of ``restarts`` random latents. Loss: pixel MSE plus a small prior
    that keeps the mean of z^2 near 1, where the generator saw its training latents, so the
    result still responds to concept vectors. ``progress(step, steps)`` reports each step.
    Gradients are taken for z only (``autograd.grad``), so the shared model is never touched.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    if not isinstance(restarts, int) or restarts < 1:
        raise ValueError(f"restarts must be a whole number >= 1, got {restarts!r}")
    device = next(model.parameters()).device
    target = torch.as_tensor(target, dtype=torch.float32).to(device)
    if target.ndim != 4 or target.shape[0] != 1 or tuple(target.shape[1:]) != model.image_shape:
        raise ValueError(
            f"target must have shape (1, {model.image_shape}), got {tuple(target.shape)}"
        )
    model.eval()
    candidates = torch.randn(restarts, model.z_dim, generator=generator).to(device)
    with torch.inference_mode():
        errors = ((model.generate(candidates) - target) ** 2).mean((1, 2, 3))
    start = candidates[int(errors.argmin())].clone()

    losses: list[float] = []
    with torch.inference_mode(False), torch.enable_grad():
        z = start.clone().unsqueeze(0).requires_grad_(True)
        target = target.clone()
        optimiser = torch.optim.Adam([z], lr=lr)
        for step in range(steps):
            image = (model.decode(z) + 1) / 2
            loss = ((image - target) ** 2).mean() + prior_weight * ((z**2).mean() - 1) ** 2
            (z.grad,) = torch.autograd.grad(loss, [z])
            optimiser.step()
            losses.append(float(loss.detach()))
            if progress is not None:
                progress(step + 1, steps)
    z = z.detach()
    reconstruction = model.generate(z)
    if not math.isfinite(losses[-1] if losses else 0.0):
        raise ValueError("the inversion diverged (NaN loss); try fewer steps")
    return Inversion(z.cpu(), reconstruction.cpu(), losses)
