"""Find the face in a photo and cut it out the way CelebA's aligned frames hold a face.

The face models saw aligned CelebA crops: eyes and nose at nearly the same place in every
64x64 square. A photo of someone else has the face anywhere, at any size, a little tilted, so
``align`` finds it and works out the square that moves it to that place:

1. detect faces with dlib's HOG frontal face detector (inside the ``dlib-bin`` wheel), on a
   copy of the photo scaled so its longer side is ``DETECT_MIN_SIDE``..``DETECT_MAX_SIDE``
   (small photos are enlarged: the detector finds no face under ~80 px); if nothing is found,
   once more with the detector's own 2x upsampling. Several faces: the largest is used;
2. mark 5 landmarks (outer and inner corner of each eye, base of the nose) with dlib's
   ``shape_predictor_5_face_landmarks.dat`` from the ``face-recognition-models`` package
   (a data file read by dlib: nothing is downloaded, nothing unpickled);
3. fit a similarity transform (rotation, one scale, translation; weighted least squares over
   the 5 points) taking those landmarks to ``CELEBA_LANDMARKS``, where the same model puts
   them on CelebA's aligned faces; ``warp_quad`` then resamples the photo through that square.
   ``annotate`` draws the box and the square on the photo, to show the user what was used.

``python -m gan_core.face --measure-target ../shared/data/celeba`` re-measures the target.
Everything here is plain numpy / PIL; the detector is loaded once, on first use.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import importlib.util
import math
import sys
import threading
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

#: The 5 landmarks in the 64x64 face square the models were trained on (x right, y down, in
#: pixels with (0, 0) the square's top-left corner, so a pixel's centre is at +0.5), in dlib's
#: order (LANDMARK_NAMES): outer and inner corner of the eye on the image's right, outer and
#: inner corner of the other eye, base of the nose.
#: Measured 2026-12-02 with ``python -m gan_core.face --measure-target ../shared/data/celeba``
#: (``measure_target``): the shared 89x109 aligned CelebA JPEGs 000001-009500 (009501-010000
#: are held out for the tests) run through ``detect`` exactly as an upload is (enlarged to
#: 256 px, HOG detector, 5-point model, second pass on the face turned upright); 9,193 of the
#: 9,500 had a face. Each face's landmarks were mapped into the crop ``training/data.py``
#: takes (``edit.face_box(size, "aligned")``: the central 140/178 of the width, resized to 64)
#: and the mean of each coordinate's central half taken (the median is within 0.1 px).
#: Spread between faces (median absolute deviation): 0.4-0.6 px for the eye corners, 1.25 px
#: (x) and 0.9 px (y) for the nose.
CELEBA_LANDMARKS = np.array(
    [
        [44.75, 34.29],
        [37.73, 34.66],
        [20.18, 34.24],
        [27.17, 34.66],
        [32.31, 47.98],
    ]
)
TARGET_SIZE = 64  # the square CELEBA_LANDMARKS is measured in
LANDMARK_NAMES = (
    "eye on the image's right, outer corner",
    "eye on the image's right, inner corner",
    "eye on the image's left, outer corner",
    "eye on the image's left, inner corner",
    "base of the nose",
)
#: Weights in the similarity fit. The nose counts a quarter: when the head is turned a little
#: the nose base moves sideways off the eyes' midline, and at full weight it tilts the square
#: (on the held-out aligned CelebA faces, the spread of the fitted rotation about CelebA's own
#: fell from 1.8 to 1.2 degrees, median absolute deviation; scale and shift spread unchanged).
LANDMARK_WEIGHTS = np.array([1.0, 1.0, 1.0, 1.0, 0.25])
LANDMARK_MODEL = "shape_predictor_5_face_landmarks.dat"
#: Detection runs on a copy whose longer side is at least / at most this (time grows with area:
#: ~40 ms at 512 px on one core; a face in a portrait this size is far above the 80 px minimum).
DETECT_MIN_SIDE = 256
DETECT_MAX_SIDE = 512
#: The 2x-upsampled second pass also fires on textures (2 of 60 faceless 512 px test
#: backgrounds, scores 0.01 and 0.09) but gives small real faces 0.05-2.9 (50 of 53 above 0.2).
UPSAMPLED_MIN_SCORE = 0.2
#: Supersampling for the warp: render at 4x the output, then Lanczos down (no aliasing).
SUPERSAMPLE = 4
#: Longest side of the annotated copy of the photo returned for display.
ANNOTATED_MAX_SIDE = 768


class DetectorUnavailable(RuntimeError):
    """dlib or the landmark model is not installed."""


@dataclasses.dataclass
class Alignment:
    """Where the face is in a photo and the square that aligns it (photo pixel coordinates)."""

    quad: np.ndarray  # (4, 2): the square's corners top-left, top-right, bottom-right, bottom-left
    face_box: tuple[int, int, int, int]  # the detector's box (left, top, right, bottom)
    landmarks: np.ndarray  # (5, 2), in the order of LANDMARK_NAMES
    faces: list[tuple[int, int, int, int]]  # every detected box, largest first
    rotation: float  # degrees between the square's edges and the photo's axes


# --- the models -------------------------------------------------------------------------------
def landmark_model_path() -> Path:
    """The 5-point model inside the ``face-recognition-models`` package. The package's own
    ``__init__`` imports ``pkg_resources`` (gone from current setuptools), so it is located
    without importing it."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise DetectorUnavailable(
            "the face landmark model is not installed: pip install face-recognition-models"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / "models" / LANDMARK_MODEL
    if not path.is_file():
        raise DetectorUnavailable(f"the face landmark model is missing: no {path}")
    return path


@functools.cache
def _models() -> tuple[Any, Any]:
    try:
        import dlib
    except ImportError:
        raise DetectorUnavailable(
            "the face detector is not installed: pip install dlib-bin"
        ) from None
    return dlib.get_frontal_face_detector(), dlib.shape_predictor(str(landmark_model_path()))


_LOCK = threading.Lock()  # dlib's objects are not documented as thread-safe; calls are short


def available() -> bool:
    """True when dlib and the landmark model can be loaded."""
    try:
        _models()
    except DetectorUnavailable:
        return False
    return True


# --- detection and landmarks ------------------------------------------------------------------
def _working_copy(photo: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    """A grey copy whose longer side is DETECT_MIN_SIDE..DETECT_MAX_SIDE, and its (x, y) scale."""
    long_side = max(photo.size)
    scale = min(max(1.0, DETECT_MIN_SIDE / long_side), DETECT_MAX_SIDE / long_side)
    grey = photo
    if scale != 1.0:
        size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
        if scale < 1:  # PIL's filters antialias when shrinking; reducing_gap: a fast box first
            grey = photo.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        else:
            grey = photo.resize(size, Image.Resampling.BICUBIC)
    grey = grey.convert("L")
    return np.asarray(grey), np.array([grey.width / photo.width, grey.height / photo.height])


def _eye_line(points: np.ndarray) -> float:
    """Degrees of the line through the outer eye corners (y down: positive = clockwise)."""
    dx, dy = points[0] - points[2]
    return math.degrees(math.atan2(dy, dx))


def _landmarks(grey: Image.Image, rect: Any, angle: float = 0.0) -> np.ndarray:
    """The 5 landmarks of the face in ``rect`` (a dlib rectangle on ``grey``), predicted on the
    region around it turned ``angle`` degrees (PIL's sense: counter-clockwise on screen) and
    mapped back: (5, 2) in ``grey``'s pixel coordinates, pixel centres at +0.5."""
    import dlib

    _, predictor = _models()
    width, height = rect.right() + 1 - rect.left(), rect.bottom() + 1 - rect.top()
    centre = np.array([rect.left() + width / 2, rect.top() + height / 2])
    side = 2 * max(width, height)  # the predictor looks a little outside the box
    left, top = (np.round(centre - side / 2)).astype(int).tolist()
    local = centre - [left, top]
    region = grey.crop((left, top, left + side, top + side))
    if angle:
        region = region.rotate(angle, Image.Resampling.BILINEAR, center=tuple(local))
    box = dlib.rectangle(
        *(int(round(v)) for v in (local[0] - width / 2, local[1] - height / 2)),
        *(int(round(v)) - 1 for v in (local[0] + width / 2, local[1] + height / 2)),
    )
    shape = predictor(np.asarray(region), box)
    points = np.array([[p.x, p.y] for p in shape.parts()], dtype=np.float64) + 0.5
    # PIL turned each point p to local + R (p - local), R = [[c, s], [-s, c]]; undo it
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    points = local + (points - local) @ np.array([[c, s], [-s, c]])
    return points + [left, top]


def detect(photo: Image.Image) -> tuple[list[tuple[int, int, int, int]], list[np.ndarray]]:
    """Every face in an RGB photo: boxes (left, top, right, bottom), largest first, and each
    face's 5 landmarks (5, 2) in photo pixel coordinates (pixel centres at +0.5).

    The landmark model starts from an upright mean face inside the detector's box, so on a
    tilted face it can miss the tilt: the landmarks are predicted a second time on the region
    turned upright by the first estimate (on held-out faces pasted at ±8-12°, this halved the
    share whose fitted rotation was off by over 3°, from 3.6% to 1.8%)."""
    detector, _ = _models()
    grey, scale = _working_copy(photo)
    with _LOCK:
        rects = list(detector.run(grey, 0, 0.0)[0])
        if not rects:  # faces of 40-80 px: 4x the pixels, so only when nothing else is found
            found, scores, _ = detector.run(grey, 1, 0.0)
            rects = [r for r, score in zip(found, scores) if score >= UPSAMPLED_MIN_SCORE]
        rects.sort(key=lambda r: r.area(), reverse=True)
        image = Image.fromarray(grey)
        points = []
        for rect in rects:
            first = _landmarks(image, rect)
            points.append(_landmarks(image, rect, _eye_line(first)) / scale)
    boxes = []
    for rect in rects:
        corners = np.array([[rect.left(), rect.top()], [rect.right() + 1, rect.bottom() + 1]])
        left, top, right, bottom = np.round(corners / scale).astype(int).ravel().tolist()
        boxes.append((left, top, right, bottom))
    return boxes, points


# --- the similarity transform -----------------------------------------------------------------
def fit_similarity(
    source: np.ndarray, target: np.ndarray, weights: np.ndarray | None = None
) -> np.ndarray:
    """The 2x3 matrix [[a, -b, tx], [b, a, ty]] minimising sum w |M [p; 1] - q|^2 over the
    point pairs (rotation + one scale + translation, no shear or mirror; weighted least
    squares in closed form)."""
    source, target = np.asarray(source, np.float64), np.asarray(target, np.float64)
    w = np.ones(len(source)) if weights is None else np.asarray(weights, np.float64)
    ms, mt = w @ source / w.sum(), w @ target / w.sum()
    s, t = source - ms, target - mt
    norm = float(w @ (s**2).sum(1))
    if norm == 0:
        raise ValueError("the landmarks coincide: no transform fits them")
    a = float(w @ (s * t).sum(1)) / norm
    b = float(w @ (s[:, 0] * t[:, 1] - s[:, 1] * t[:, 0])) / norm
    rotation = np.array([[a, -b], [b, a]])
    return np.hstack([rotation, (mt - rotation @ ms)[:, None]])


def square_in_photo(matrix: np.ndarray, size: float) -> np.ndarray:
    """The corners (TL, TR, BR, BL) in the photo of the output square [0, size]^2 that
    ``matrix`` (photo -> square) maps onto."""
    linear, shift = matrix[:, :2], matrix[:, 2]
    corners = np.array([[0, 0], [size, 0], [size, size], [0, size]], dtype=np.float64)
    return (corners - shift) @ np.linalg.inv(linear).T


def box_quad(box: tuple[float, float, float, float]) -> np.ndarray:
    """An axis-aligned box (left, top, right, bottom) as corners TL, TR, BR, BL."""
    left, top, right, bottom = box
    return np.array([[left, top], [right, top], [right, bottom], [left, bottom]], np.float64)


def quad_bounds(quad: np.ndarray) -> tuple[int, int, int, int]:
    """The smallest whole-pixel box (left, top, right, bottom) holding a quad."""
    low, high = np.floor(quad.min(0)), np.ceil(quad.max(0))
    return int(low[0]), int(low[1]), int(high[0]), int(high[1])


def align(photo: Image.Image, size: int = TARGET_SIZE) -> Alignment | None:
    """Detect the largest face and the square that puts its landmarks on CELEBA_LANDMARKS
    (scaled to ``size``), or None when there is no face."""
    boxes, points = detect(photo)
    if not boxes:
        return None
    target = CELEBA_LANDMARKS * (size / TARGET_SIZE)
    matrix = fit_similarity(points[0], target, LANDMARK_WEIGHTS)
    rotation = math.degrees(math.atan2(matrix[1, 0], matrix[0, 0]))
    return Alignment(square_in_photo(matrix, size), boxes[0], points[0], boxes, rotation)


# --- resampling through a quad ----------------------------------------------------------------
def warp_quad(
    image: Image.Image,
    quad: np.ndarray,
    size: int,
    resample: Image.Resampling = Image.Resampling.BICUBIC,
    supersample: int = SUPERSAMPLE,
    fill: Any = None,
) -> Image.Image:
    """The square ``size`` x ``size`` seen through ``quad`` (corners TL, TR, BR, BL; a
    parallelogram) in ``image``: rendered at ``supersample`` x the size and reduced with
    Lanczos (BOX for masks), so a large face is not aliased. Outside the image: ``fill``."""
    quad = np.asarray(quad, np.float64)
    side = float(np.linalg.norm(quad[1] - quad[0]))  # the square's side in image pixels
    render = size * supersample
    factor = int(side / render / 1.5)  # shrink big photos first: bicubic reads only 4x4 taps
    if factor >= 2:
        image = image.reduce(factor)
        quad = quad / factor
    # AFFINE maps an output pixel (u, v) to the input point (a u + b v + c, d u + e v + f).
    top_left, top_right, bottom_left = quad[0], quad[1], quad[3]
    du, dv = (top_right - top_left) / render, (bottom_left - top_left) / render
    data = (du[0], dv[0], top_left[0], du[1], dv[1], top_left[1])
    out = image.transform(
        (render, render), Image.Transform.AFFINE, data, resample=resample, fillcolor=fill
    )
    if supersample == 1:
        return out
    smooth = resample == Image.Resampling.BICUBIC  # an image; else a mask: average its coverage
    return out.resize((size, size), Image.Resampling.LANCZOS if smooth else Image.Resampling.BOX)


def outside_share(quad: np.ndarray, photo_size: tuple[int, int]) -> float:
    """The share of the square ``quad`` that lies outside the photo (sampled on a 16x16 grid)."""
    quad = np.asarray(quad, np.float64)
    steps = (np.arange(16) + 0.5) / 16
    u, v = np.meshgrid(steps, steps)
    points = quad[0] + u[..., None] * (quad[1] - quad[0]) + v[..., None] * (quad[3] - quad[0])
    width, height = photo_size
    inside = (
        (points[..., 0] >= 0)
        & (points[..., 0] <= width)
        & (points[..., 1] >= 0)
        & (points[..., 1] <= height)
    )
    return float(1 - inside.mean())


# --- showing what was used --------------------------------------------------------------------
def annotate(
    photo: Image.Image,
    quad: np.ndarray,
    face_box: tuple[int, int, int, int] | None = None,
    others: list[tuple[int, int, int, int]] | None = None,
    landmarks: np.ndarray | None = None,
    warning: str = "",
    max_side: int = ANNOTATED_MAX_SIDE,
) -> np.ndarray:
    """A copy of the photo (longer side at most ``max_side``) with the face the detector used
    (green box, landmarks as dots), other faces (thin yellow boxes) and the square cut for the
    models (orange outline; its top edge thicker, so a turned square shows which way is up).
    With ``warning`` (no face found) the square is red and the warning is written on it."""
    scale = min(1.0, max_side / max(photo.size))
    canvas = photo if photo.mode == "RGB" else photo.convert("RGB")
    if scale < 1:
        size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
        canvas = canvas.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        scale = canvas.width / photo.width
    else:
        canvas = canvas.copy()
    draw = ImageDraw.Draw(canvas)
    width = max(2, round(max(canvas.size) / 160))
    for box in others or []:
        draw.rectangle([v * scale for v in box], outline=(255, 220, 0), width=max(1, width // 2))
    if face_box is not None:
        draw.rectangle([v * scale for v in face_box], outline=(0, 220, 90), width=width)
    colour = (235, 40, 40) if warning else (255, 140, 0)
    corners = [tuple(p) for p in np.asarray(quad) * scale]
    draw.line([*corners, corners[0]], fill=colour, width=width, joint="curve")
    draw.line(corners[:2], fill=colour, width=width * 2)
    if landmarks is not None:
        radius = max(2, width)
        for x, y in np.asarray(landmarks) * scale:
            draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=(0, 220, 90))
    if warning:
        try:
            font = ImageFont.load_default(size=max(12, round(max(canvas.size) / 30)))
        except (ImportError, OSError):  # Pillow built without FreeType: the small bitmap font
            font = ImageFont.load_default()
        x, y = corners[0][0] + 2 * width, corners[0][1] + 2 * width
        draw.text((x, y), warning, fill=colour, font=font, stroke_width=2, stroke_fill="white")
    return np.asarray(canvas)


# --- measuring the target on CelebA -----------------------------------------------------------
def celeba_files(folder: Path, limit: int | None = 9500) -> list[Path]:
    """The aligned CelebA JPEGs under ``folder`` (``celeba`` or ``celeba/img_align_celeba``),
    sorted, the first ``limit`` of them (the default leaves the last 500 of 10,000 out)."""
    folder = Path(folder)
    if (folder / "img_align_celeba").is_dir():
        folder = folder / "img_align_celeba"
    files = sorted(folder.glob("*.jpg"))
    if not files:
        raise ValueError(f"no aligned CelebA JPEGs in {folder}")
    return files[:limit] if limit else files


def celeba_landmarks(path: Path, size: int = TARGET_SIZE) -> np.ndarray | None:
    """One aligned CelebA photo's 5 landmarks in the face square the models see (the central
    140/178 of the width, as ``edit.face_box(..., "aligned")`` cuts it, resized to ``size``),
    or None when no face is detected. ``detect`` enlarges it as it enlarges any small upload
    (the shared copies are 89x109: to 209x256)."""
    from gan_core.edit import face_box

    with Image.open(path) as image:
        photo = image.convert("RGB")
    (left, top, right, _), _ = face_box(photo.size, "aligned")
    boxes, points = detect(photo)
    if not boxes:
        return None
    return (points[0] - [left, top]) * (size / (right - left))


def measure_target(files: list[Path], progress: bool = True) -> dict[str, Any]:
    """Landmarks of every face in ``files`` -> per coordinate, the mean of the central half
    (``target``, what CELEBA_LANDMARKS holds), the median, the mean and the median absolute
    deviation, with how many photos had a face."""
    found = []
    for i, path in enumerate(files):
        marks = celeba_landmarks(path)
        if marks is not None:
            found.append(marks)
        if progress and (i + 1) % 500 == 0:
            print(f"  {i + 1}/{len(files)} photos, {len(found)} faces", file=sys.stderr)
    if not found:
        raise ValueError("no face was detected in any of the photos")
    stack = np.stack(found)
    median = np.median(stack, 0)
    low, high = np.percentile(stack, [25, 75], axis=0)
    central = np.where((stack >= low) & (stack <= high), stack, np.nan)
    return {
        "photos": len(files),
        "faces": len(found),
        # the mean of the central half, point by point: robust to a few bad detections like the
        # median, but not rounded to the detector's pixel grid (0.39 px here) as the median is
        "target": np.nanmean(central, 0),
        "median": median,
        "mean": stack.mean(0),
        "mad": np.median(np.abs(stack - median), 0),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m gan_core.face",
        description="Face detection for GAN Studio: measure where CelebA's aligned frames put "
        "the 5 landmarks, or show what the detector finds in a photo.",
        epilog="examples:\n  python -m gan_core.face --measure-target ../shared/data/celeba\n"
        "  python -m gan_core.face photo.jpg --out annotated.png",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("photo", nargs="?", help="a photo to detect the face in")
    parser.add_argument("--out", help="where to write the annotated photo (with a photo)")
    parser.add_argument("--measure-target", metavar="CELEBA_DIR", help="aligned CelebA folder")
    parser.add_argument("--limit", type=int, default=9500, help="first N CelebA files (9500)")
    args = parser.parse_args(argv)
    if args.measure_target:
        result = measure_target(celeba_files(Path(args.measure_target), args.limit))
        print(f"{result['faces']} faces in {result['photos']} photos")
        columns = ("central-half mean", "median", "mean", "MAD")
        print(f"{'landmark (x, y in the 64 px square)':<40}" + "".join(f"{c:>19}" for c in columns))
        for i, name in enumerate(LANDMARK_NAMES):
            values = [result[key][i] for key in ("target", "median", "mean", "mad")]
            print(f"{name:<40}" + "".join(f"{x:11.2f} {y:6.2f} " for x, y in values))
        rows = ",\n".join(f"        [{x:.2f}, {y:.2f}]" for x, y in result["target"])
        print(f"\nCELEBA_LANDMARKS = np.array(\n    [\n{rows},\n    ]\n)")
        return
    if not args.photo:
        parser.error("give a photo, or --measure-target CELEBA_DIR")
    from gan_core import edit

    face = edit.load_face(args.photo)
    print(face.note)
    if args.out:
        Image.fromarray(face.annotated).save(args.out)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
