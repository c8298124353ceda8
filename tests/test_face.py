"""Face detection and alignment (gan_core.face, edit.crop_face "auto") the way people use it.

Held-out CelebA faces (the last 160 of the shared 10,000; the landmark target was measured on
000001-009500) are enlarged, turned up to ±12° and pasted off-centre into 512x512 or
1024x1024 photos with a textured background, saved as JPEG and uploaded through
``edit.load_face``, as the app does. The face the app cuts from such a photo must agree with
the face it cuts from the aligned original: judged attributes, judge features (the
``judge-celeba64`` classifier) and pixels. Also: no face, two faces, a face at the edge, the
annotated photo and painted masks through a turned square.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from gan_core import edit
from gan_core import face as face_tools

HELD_OUT = range(9841, 10001)  # 009841.jpg ... 010000.jpg


# --- photos as people take them -------------------------------------------------------------
def textured_background(size: tuple[int, int], rng: np.random.Generator) -> Image.Image:
    """Blotches of colour, stripes and grain: something for the detector to be wrong about."""
    width, height = size
    blotches = Image.fromarray(rng.uniform(0, 255, (6, 8, 3)).astype(np.uint8))
    pixels = np.asarray(blotches.resize(size, Image.Resampling.BICUBIC), dtype=np.float32)
    yy, xx = np.mgrid[0:height, 0:width]
    angle, frequency = rng.uniform(0, np.pi), rng.uniform(0.02, 0.1)
    stripes = 40 * np.sin(frequency * (xx * np.cos(angle) + yy * np.sin(angle)))
    pixels = pixels + stripes[..., None] + rng.normal(0, 12, pixels.shape)
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def paste(
    background: Image.Image,
    photo: Image.Image,
    scale: float,
    angle: float,
    rng: np.random.Generator,
    at: tuple[int, int] | None = None,
) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """``photo`` enlarged ``scale`` x, turned ``angle`` degrees, pasted at a random place
    (or ``at``); returns the photo and the pasted region."""
    big = photo.resize(
        (round(photo.width * scale), round(photo.height * scale)), Image.Resampling.BICUBIC
    )
    turned = big.convert("RGBA").rotate(angle, Image.Resampling.BICUBIC, expand=True)
    if at is None:
        at = (
            int(rng.integers(0, max(1, background.width - turned.width))),
            int(rng.integers(0, max(1, background.height - turned.height))),
        )
    out = background.copy()
    out.paste(turned, at, turned)
    return out, (at[0], at[1], at[0] + turned.width, at[1] + turned.height)


def upload(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


# --- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def held_out(celeba_dir: Path) -> list[Path]:
    files = [celeba_dir / "img_align_celeba" / f"{i:06d}.jpg" for i in HELD_OUT]
    if not all(path.is_file() for path in files):
        pytest.skip(f"the held-out CelebA photos 009841-010000 are not all in {celeba_dir}")
    return files


@pytest.fixture(scope="module")
def judge():
    import gan_core
    from gan_core.checkpoint import CheckpointError

    try:
        return gan_core.load("judge-celeba64")
    except (CheckpointError, OSError) as error:
        pytest.skip(f"no face judge checkpoint ({error})")


@pytest.fixture(scope="module")
def crops(held_out: list[Path]) -> dict[str, object]:
    """For each held-out face: the app's crops of the aligned original ("auto", "aligned") and
    of the pasted photo ("auto", and the old "centre" for contrast)."""
    rng = np.random.default_rng(19)
    out: dict[str, list] = {key: [] for key in ("original", "aligned", "pasted", "centre")}
    modes, corners, turns = [], [], []
    for i, path in enumerate(held_out):
        photo = edit.open_photo(path)
        large = i % 4 == 3  # every fourth photo: 1024x1024, the face 4.5-6.5x
        size = (1024, 1024) if large else (512, 512)
        scale = rng.uniform(4.5, 6.5) if large else rng.uniform(2.2, 3.4)
        angle = (-12.0, 12.0)[i] if i < 2 else rng.uniform(-12, 12)
        pasted, _ = paste(textured_background(size, rng), photo, scale, angle, rng)
        original, aligned = edit.crop_face(photo, "auto"), edit.crop_face(photo, "aligned")
        found = edit.load_face(upload(pasted), "auto")
        out["original"].append(original.tensor)
        out["aligned"].append(aligned.tensor)
        out["pasted"].append(found.tensor)
        out["centre"].append(edit.load_face(upload(pasted), "centre").tensor)
        modes.append((original.mode, found.mode))
        if original.mode == found.mode == "detected":  # the square must turn with the face
            turns.append(tilt(found.quad) - tilt(original.quad) + angle)
        if original.mode == "detected":
            side = aligned.box[2] - aligned.box[0]
            offset = np.array(original.quad) - face_tools.box_quad(aligned.box)
            corners.append(np.linalg.norm(offset, axis=1).mean() * 64 / side)
    result: dict[str, object] = {key: torch.cat(value) for key, value in out.items()}
    result["modes"], result["corners"], result["turns"] = modes, np.array(corners), np.array(turns)
    return result


def tilt(quad) -> float:
    """Degrees of a square's top edge (y down: positive = clockwise on screen)."""
    (x0, y0), (x1, y1) = quad[0], quad[1]
    return float(np.degrees(np.arctan2(y1 - y0, x1 - x0)))


def agreement(judge, first: torch.Tensor, second: torch.Tensor) -> dict[str, np.ndarray]:
    """Per face: the share of the judge's 40 attributes decided alike, the cosine of the
    judge's features, and the mean absolute pixel difference (0..1)."""
    same = (judge.predict(first) > 0.5) == (judge.predict(second) > 0.5)
    cosine = torch.nn.functional.cosine_similarity(judge.features(first), judge.features(second))
    pixels = (first - second).abs().mean((1, 2, 3))
    return {
        "attributes": same.float().mean(1).numpy(),
        "cosine": cosine.numpy(),
        "pixels": pixels.numpy(),
    }


def summary(name: str, measured: dict[str, np.ndarray]) -> str:
    a, c, p = measured["attributes"], measured["cosine"], measured["pixels"]
    return (
        f"{name}: attributes agree {a.mean():.1%} (faces with >= 90%: {(a >= 0.9).mean():.0%}), "
        f"feature cosine median {np.median(c):.3f} (>= 0.9: {(c >= 0.9).mean():.0%}), "
        f"pixel error median {np.median(p):.4f}"
    )


# --- the main checks ------------------------------------------------------------------------
def test_pasted_turned_faces_are_cut_like_the_aligned_original(crops, judge):
    modes = crops["modes"]
    found = np.mean([pasted == "detected" for _, pasted in modes])
    measured = agreement(judge, crops["pasted"], crops["original"])
    before = agreement(judge, crops["centre"], crops["original"])  # no detection, as before
    print(f"\n{len(modes)} pasted faces, {found:.0%} found")
    print(summary("auto crop of the pasted photo vs of the aligned original", measured))
    print(summary("centre square of the pasted photo vs the aligned original", before))
    turns = np.abs(crops["turns"])
    print(
        f"turn of the square vs the paste's turn: median error {np.median(turns):.2f}°, "
        f"90th percentile {np.percentile(turns, 90):.2f}°, over 3°: {(turns > 3).mean():.1%}"
    )
    assert found >= 0.9
    assert measured["attributes"].mean() >= 0.95
    assert (measured["attributes"] >= 0.9).mean() >= 0.9
    assert np.median(measured["cosine"]) >= 0.95 and (measured["cosine"] >= 0.9).mean() >= 0.85
    assert np.median(measured["pixels"]) <= 0.03
    assert np.median(turns) <= 1.0 and (turns > 3).mean() <= 0.08
    # the comparison can tell: the centre square (the old crop) fails it by far
    assert np.median(before["cosine"]) < 0.6 and np.median(before["pixels"]) > 0.15


def test_auto_on_an_aligned_celeba_photo_is_nearly_the_celeba_square(crops, judge):
    modes = crops["modes"]
    found = np.mean([original == "detected" for original, _ in modes])
    measured = agreement(judge, crops["original"], crops["aligned"])
    corners = crops["corners"]
    print(f"\n{found:.0%} of {len(modes)} aligned originals found")
    print(summary("auto vs 'aligned' on the aligned originals", measured))
    print(
        f"corners of the auto square vs the CelebA square, in 64 px: median "
        f"{np.median(corners):.2f}, 90th percentile {np.percentile(corners, 90):.2f}"
    )
    assert found >= 0.9
    assert measured["attributes"].mean() >= 0.95
    assert np.median(measured["cosine"]) >= 0.93
    assert np.median(measured["pixels"]) <= 0.09
    assert np.median(corners) <= 4.0


def test_the_target_is_where_the_held_out_faces_have_their_landmarks(held_out):
    marks = [face_tools.celeba_landmarks(path) for path in held_out[::2]]
    marks = np.stack([m for m in marks if m is not None])
    assert len(marks) >= 0.9 * len(held_out[::2])
    assert np.abs(np.median(marks, 0) - face_tools.CELEBA_LANDMARKS).max() < 0.8


# --- the cases around it --------------------------------------------------------------------
def test_no_face_gives_the_centre_square_with_a_warning():
    photo = textured_background((640, 480), np.random.default_rng(3))
    face = edit.load_face(upload(photo), "auto")
    assert face.mode == "centre" and face.box == (80, 0, 560, 480)
    assert face.warning.startswith("⚠️ No face found") and face.note.startswith(face.warning)
    assert "centre square" in face.note and face.face_box is None and face.faces == []
    assert face.annotated.shape == (480, 640, 3)
    red = (face.annotated[..., 0] > 200) & (face.annotated[..., 1] < 80)
    assert red[:, 80:90].any()  # the square's left edge, drawn in red
    # a faceless photo with CelebA's aligned shape still gets the CelebA square, with the warning
    celeba_shaped = edit.crop_face(textured_background((178, 218), np.random.default_rng(4)))
    assert celeba_shaped.mode == "aligned" and celeba_shaped.warning


def test_two_faces_the_largest_is_used_and_the_note_says_so(held_out, judge):
    small, large = (edit.open_photo(path) for path in held_out[:2])
    rng = np.random.default_rng(5)
    photo, _ = paste(textured_background((640, 480), rng), small, 2.6, 5, rng, (10, 150))
    photo, large_region = paste(photo, large, 3.6, -8, rng, (262, 20))
    face = edit.load_face(upload(photo), "auto")
    assert face.mode == "detected" and len(face.faces) == 2 and face.face_box == face.faces[0]
    assert "2 faces in the photo: used the largest" in face.note
    centre = ((face.face_box[0] + face.face_box[2]) / 2, (face.face_box[1] + face.face_box[3]) / 2)
    left, top, right, bottom = large_region
    assert left < centre[0] < right and top < centre[1] < bottom
    alone = edit.crop_face(large, "auto")
    assert agreement(judge, face.tensor, alone.tensor)["cosine"][0] > 0.9


def test_annotated_photo_shows_the_box_and_the_turned_square(held_out):
    rng = np.random.default_rng(6)
    photo, _ = paste(
        textured_background((1024, 1024), rng), edit.open_photo(held_out[5]), 6, 12, rng
    )
    face = edit.load_face(upload(photo), "auto")
    assert face.mode == "detected" and "turned" in face.note
    width, height = face.photo_size  # a JPEG is decoded near 512 px (open_photo's draft)
    assert face.annotated.dtype == np.uint8 and face.annotated.shape == (height, width, 3)
    scale = 1.0
    left, top, right, bottom = (round(v * scale) for v in face.face_box)
    edge = face.annotated[top - 2 : top + 3, left + 5 : right - 5].reshape(-1, 3)
    assert ((edge[:, 1] > 180) & (edge[:, 0] < 60)).mean() > 0.3  # the green box's top edge

    quad = np.array(face.quad)
    upright = tilt(edit.crop_face(edit.open_photo(held_out[5]), "auto").quad)
    assert abs(tilt(quad) - upright + 12) < 3  # the square turned with the face (12° CCW)
    x, y = (quad[0] + quad[1]) / 2 * scale  # the middle of the square's top edge: orange
    patch = face.annotated[round(y) - 3 : round(y) + 4, round(x) - 3 : round(x) + 4].reshape(-1, 3)
    assert ((patch[:, 0] > 200) & (patch[:, 1] > 100) & (patch[:, 1] < 180)).any()


def test_a_face_at_the_edge_says_part_of_the_square_is_outside(held_out):
    rng = np.random.default_rng(7)
    background = textured_background((512, 512), rng)
    photo, _ = paste(background, edit.open_photo(held_out[3]), 3, 0, rng, (-60, 100))
    face = edit.load_face(upload(photo), "auto")  # the face's left side 7 px from the edge
    assert face.mode == "detected" and "near the edge" in face.note


def test_a_painted_mask_follows_the_turned_square(held_out):
    rng = np.random.default_rng(8)
    photo, _ = paste(
        textured_background((512, 512), rng), edit.open_photo(held_out[4]), 3, -10, rng
    )
    photo = edit.open_photo(upload(photo))
    face = edit.crop_face(photo, "auto")
    assert face.mode == "detected"
    # paint over the eyes as the person sees them: the preset eye box, carried into the photo
    quad = np.array(face.quad)
    top, bottom, left, right = 25, 40, 10, 54
    corners = [(left, top), (right, top), (right, bottom), (left, bottom)]
    u, v = (quad[1] - quad[0]) / 64, (quad[3] - quad[0]) / 64
    painted = [tuple(quad[0] + x * u + y * v) for x, y in corners]
    layer = Image.new("RGBA", photo.size)
    ImageDraw.Draw(layer).polygon(painted, fill=(255, 0, 255, 255))
    mask = edit.mask_from_layers([np.asarray(layer)], photo.size, face.box, quad=face.quad)
    preset = edit.preset_mask("eyes")
    iou = float((mask * preset).sum() / ((mask + preset) > 0).sum())
    assert iou > 0.85


def test_similarity_fit_recovers_a_known_transform():
    rng = np.random.default_rng(9)
    points = rng.uniform(0, 100, (5, 2))
    angle, scale, shift = np.radians(10), 0.4, np.array([3.0, -7.0])
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = face_tools.fit_similarity(points, points @ rotation.T + shift, [1, 1, 1, 1, 0.25])
    assert np.allclose(matrix, np.hstack([rotation, shift[:, None]]))
    square = face_tools.square_in_photo(matrix, 64)
    assert np.allclose(square @ rotation.T + shift, face_tools.box_quad((0, 0, 64, 64)))


def test_without_the_detector_auto_warns_and_keeps_working(monkeypatch):
    def missing():
        raise face_tools.DetectorUnavailable("pip install dlib-bin")

    monkeypatch.setattr(face_tools, "_models", missing)
    face = edit.crop_face(textured_background((300, 200), np.random.default_rng(10)))
    assert (
        face.mode == "centre" and "not available" in face.warning and face.box == (50, 0, 250, 200)
    )


def test_the_studio_detects_a_photo_file_once_per_crop(held_out, tmp_path, monkeypatch):
    """Each upload tab runs its request and then its crop view on the same file: one detection."""
    from ui.studio import Studio

    calls = []
    real = edit.load_face
    monkeypatch.setattr(edit, "load_face", lambda *a, **k: calls.append(a[1:]) or real(*a, **k))
    studio = Studio(output_dir=tmp_path / "out")
    path = tmp_path / "portrait.png"
    edit.open_photo(held_out[0]).save(path)
    first = studio._face(str(path), "auto")
    first.tensor.zero_()  # a caller editing its copy does not change the cached face
    again = studio._face(str(path), "auto")
    assert calls == [("auto",)] and again.tensor.abs().sum() > 0
    studio._face(str(path), "centre")
    assert calls == [("auto",), ("centre",)]
    Image.new("RGB", (64, 64)).save(path)  # the file changed: detect again
    studio._face(str(path), "auto")
    assert len(calls) == 3
