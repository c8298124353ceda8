"""Issue 7: a corpus of bad inputs, each sent to the Studio (in process) and to the running app
(gradio_client). Every refusal must be a readable message, every odd-but-valid upload (any colour
mode, EXIF rotation, animation) must be handled, and the app must keep serving afterwards.

The corpus files are made here, in a temp folder (no binary fixtures in git). One app process
serves the module (``app_server`` in conftest.py); one ``Studio`` runs the same cases in process.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import struct
import time
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from gan_core import edit
from gan_core.sampling import MAX_SEED
from ui.studio import DCGAN, Studio, enlarge

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402

pytestmark = pytest.mark.usefixtures("release_checkpoints")

#: Refusals of huge images must come from the header: well under this many seconds.
FAST_REFUSAL_SECONDS = 3.0
#: Mean absolute difference (0..255) allowed between a handled upload's face and the expected one
#: (JPEG and GIF quantisation); a wrongly rotated face differs by several times this.
FACE_TOLERANCE = 12.0


# --- the corpus files -----------------------------------------------------------------------
def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def header_bomb(width: int, height: int) -> bytes:
    """A valid-looking RGB PNG claiming ``width`` x ``height``, with one tiny IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 1024))
        + _png_chunk(b"IEND", b"")
    )


def encode(image: Image.Image, fmt: str, **params: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def exif_rotated(face: Image.Image, orientation: int, fmt: str = "JPEG") -> bytes:
    """``face`` stored turned the other way, with the EXIF tag that turns it upright again."""
    stored = {
        3: face.rotate(180),
        6: face.rotate(90, expand=True),
        8: face.rotate(-90, expand=True),
    }[orientation]
    exif = Image.Exif()
    exif[0x0112] = orientation
    params = {"quality": 95} if fmt == "JPEG" else {}
    return encode(stored, fmt, exif=exif, **params)


def build_corpus(folder: Path, face: Image.Image) -> tuple[dict[str, Path], dict[str, Image.Image]]:
    """The files (name -> path) and, for the accepted ones, the upright RGB photo they hold."""
    files: dict[str, bytes] = {}
    expected: dict[str, Image.Image] = {}
    jpeg = encode(face, "JPEG", quality=95)
    png = encode(face, "PNG")

    # Damaged and fake files.
    corrupt_jpeg = bytearray(jpeg)
    corrupt_jpeg[2:200] = bytes(range(198))  # the markers after SOI are garbage
    files["corrupt.jpg"] = bytes(corrupt_jpeg)
    files["truncated.jpg"] = jpeg[: len(jpeg) // 2]
    corrupt_png = bytearray(png)
    idat = png.index(b"IDAT") + 4
    corrupt_png[idat + 20 : idat + 400] = b"\xff" * 380  # pixel data and CRC broken
    files["corrupt.png"] = bytes(corrupt_png)
    files["truncated.png"] = png[: len(png) // 2]
    files["pdf-renamed.png"] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"
    files["html-renamed.jpg"] = b"<!doctype html><title>not a photo</title>" * 20
    files["empty.png"] = b""
    # Too small, too large.
    files["one-pixel.png"] = encode(Image.new("RGB", (1, 1), (200, 150, 120)), "PNG")
    files["thin-31x400.png"] = encode(face.resize((31, 400)), "PNG")
    files["huge-20000x20000.png"] = encode(Image.new("1", (20000, 20000)), "PNG")
    # 90 MP: above our 50 MP limit but under PIL's own hard limit (178 MP): our check must act.
    files["bomb-90mp.png"] = encode(Image.new("1", (10000, 9000)), "PNG")
    files["bomb-header-100000x100000.png"] = header_bomb(100_000, 100_000)

    # Odd but valid: must be accepted and look like the face.
    grey = face.convert("L")
    files["grey.png"] = encode(grey, "PNG")
    expected["grey.png"] = grey.convert("RGB")
    files["grey-alpha.png"] = encode(face.convert("LA"), "PNG")
    expected["grey-alpha.png"] = grey.convert("RGB")
    rgba = face.convert("RGBA")
    rgba.putalpha(255)
    files["rgba.png"] = encode(rgba, "PNG")
    expected["rgba.png"] = face
    palette = face.convert("P", palette=Image.Palette.ADAPTIVE, colors=256)
    files["palette.png"] = encode(palette, "PNG")
    expected["palette.png"] = palette.convert("RGB")
    files["cmyk.jpg"] = encode(face.convert("CMYK"), "JPEG", quality=95)
    expected["cmyk.jpg"] = face
    grey16 = np.asarray(grey, dtype=np.uint16) * 257
    files["grey-16bit.png"] = encode(Image.fromarray(grey16), "PNG")
    expected["grey-16bit.png"] = grey.convert("RGB")
    second = Image.new("P", face.size)
    files["animated.gif"] = encode(
        palette, "GIF", save_all=True, append_images=[second], duration=100, loop=0
    )
    expected["animated.gif"] = palette.convert("RGB")
    for orientation in (3, 6, 8):
        files[f"exif-{orientation}.jpg"] = exif_rotated(face, orientation)
        expected[f"exif-{orientation}.jpg"] = face
    files["exif-6.png"] = exif_rotated(face, 6, "PNG")
    expected["exif-6.png"] = face

    # Mask layers for the painted inpainting mask (RGBA, painted = opaque).
    full = np.zeros((64, 64, 4), np.uint8)
    full[..., 3] = 255
    files["mask-full.png"] = encode(Image.fromarray(full), "PNG")
    files["mask-empty.png"] = encode(Image.fromarray(np.zeros((64, 64, 4), np.uint8)), "PNG")
    wrong = np.zeros((20, 300, 4), np.uint8)  # another size and shape than the photo
    wrong[5:15, 100:200] = (255, 0, 255, 255)
    files["mask-wrong-size.png"] = encode(Image.fromarray(wrong), "PNG")

    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    paths["face.png"] = folder / "face.png"
    face.save(paths["face.png"])
    return paths, expected


# --- the cases ----------------------------------------------------------------------------
@dataclasses.dataclass
class Case:
    """One bad input. ``studio(s, f)`` calls the handler (``f``: corpus paths); ``api(f)`` gives
    (api_name, args) for gradio_client, or ("raw:<name>", data) for a bare HTTP call.
    ``error``: regex the message must match (None: the input must be accepted), ``api_error``
    the same for the app when Gradio's own checks answer first."""

    id: str
    studio: Callable[[Studio, dict[str, Path]], Any]
    api: Callable[[dict[str, Path]], tuple[str, tuple]]
    error: str | None
    api_error: str | None = None
    fast: bool = False

    def __post_init__(self) -> None:
        if self.api_error is None:
            self.api_error = self.error


def upload(name: str) -> Callable[[dict[str, Path]], tuple[str, tuple]]:
    return lambda f: ("/transfer_analyse", (handle_file(str(f[name])), "auto"))


def analyse(name: str) -> Callable[[Studio, dict[str, Path]], Any]:
    return lambda s, f: s.analyse_face(str(f[name]), "auto")


def editor(f: dict[str, Path], layers: list[str]) -> dict:
    face = handle_file(str(f["face.png"]))
    return {
        "background": face,
        "layers": [handle_file(str(f[name])) for name in layers],
        "composite": face,
    }


NOT_AN_IMAGE = r"not an image|cannot identify|could not be opened"
DAMAGED = r"damaged or truncated|could not be opened|truncated|broken"
GRADIO_RANGE = r"(less|greater) than (minimum|maximum) value|must be between"
TOO_LARGE = r"too large|exceeds limit|decompression bomb"

BAD_UPLOADS = [
    Case(
        "corrupt-jpeg", analyse("corrupt.jpg"), upload("corrupt.jpg"), DAMAGED + "|" + NOT_AN_IMAGE
    ),
    Case("truncated-jpeg", analyse("truncated.jpg"), upload("truncated.jpg"), DAMAGED),
    Case("corrupt-png", analyse("corrupt.png"), upload("corrupt.png"), DAMAGED),
    Case("truncated-png", analyse("truncated.png"), upload("truncated.png"), DAMAGED),
    Case("pdf-renamed-png", analyse("pdf-renamed.png"), upload("pdf-renamed.png"), NOT_AN_IMAGE),
    Case("html-renamed-jpg", analyse("html-renamed.jpg"), upload("html-renamed.jpg"), NOT_AN_IMAGE),
    Case("empty-file", analyse("empty.png"), upload("empty.png"), NOT_AN_IMAGE),
    Case("one-pixel", analyse("one-pixel.png"), upload("one-pixel.png"), r"too small \(1x1"),
    Case(
        "face-too-small",
        lambda s, f: s.invert(str(f["thin-31x400.png"]), "auto", 10),
        lambda f: ("/invert", (handle_file(str(f["thin-31x400.png"])), "auto", 10)),
        r"too small \(31x400",
    ),
    Case(
        "huge-20000x20000",
        lambda s, f: s.transfer(str(f["huge-20000x20000.png"]), "auto", []),
        lambda f: ("/transfer", (handle_file(str(f["huge-20000x20000.png"])), "auto", [])),
        r"too large",
        TOO_LARGE,
        fast=True,
    ),
    Case(
        "bomb-90mp",
        analyse("bomb-90mp.png"),
        upload("bomb-90mp.png"),
        r"too large \(10000x9000",
        fast=True,
    ),
    Case(
        "bomb-header",
        lambda s, f: s.inpaint(str(f["bomb-header-100000x100000.png"]), "auto", "eyes", None, 0),
        upload("bomb-header-100000x100000.png"),
        r"too large",
        TOO_LARGE,
        fast=True,
    ),
]

HANDLED_UPLOADS = [
    "grey.png",
    "grey-alpha.png",
    "rgba.png",
    "palette.png",
    "cmyk.jpg",
    "grey-16bit.png",
    "animated.gif",
    "exif-3.jpg",
    "exif-6.jpg",
    "exif-8.jpg",
    "exif-6.png",
]

MASKS = [
    Case(
        "mask-empty-no-layers",
        lambda s, f: s.inpaint(str(f["face.png"]), "auto", "painted", [], 0),
        lambda f: ("/inpaint", (editor(f, []), "painted", "auto", 0)),
        r"mask is empty",
    ),
    Case(
        "mask-empty-transparent-layer",
        lambda s, f: s.inpaint(str(f["face.png"]), "auto", "painted", [str(f["mask-empty.png"])]),
        lambda f: ("/inpaint", (editor(f, ["mask-empty.png"]), "painted", "auto", 0)),
        r"mask is empty",
    ),
    Case(
        "mask-full",
        lambda s, f: s.inpaint(str(f["face.png"]), "auto", "painted", [str(f["mask-full.png"])]),
        lambda f: ("/inpaint", (editor(f, ["mask-full.png"]), "painted", "auto", 0)),
        r"mask covers 100% of the face",
    ),
    Case(
        "mask-not-an-image",
        lambda s, f: s.inpaint(str(f["face.png"]), "auto", "painted", [str(f["pdf-renamed.png"])]),
        lambda f: ("/inpaint", (editor(f, ["pdf-renamed.png"]), "painted", "auto", 0)),
        NOT_AN_IMAGE,
    ),
    Case(
        "mask-wrong-ndim",
        lambda s, f: s.inpaint(str(f["face.png"]), "auto", "painted", [np.zeros((2, 2, 2, 2))]),
        lambda f: ("/inpaint", (editor(f, []), "lasso", "auto", 0)),
        r"mask layer must be an image|unknown preset",
        r"not in the list of choices|unknown preset",
    ),
    # Stretched onto the photo, as the editor shows it: accepted.
    Case(
        "mask-wrong-size",
        lambda s, f: s.inpaint(
            str(f["face.png"]), "auto", "painted", [str(f["mask-wrong-size.png"])], 0
        ),
        lambda f: ("/inpaint", (editor(f, ["mask-wrong-size.png"]), "painted", "auto", 0)),
        None,
    ),
]

NAN, INF = float("nan"), float("inf")
VALUES = [
    Case(
        "count-zero",
        lambda s, f: s.sample(DCGAN, 0, 0),
        lambda f: ("/sample", (DCGAN, 0, 0, 1.0)),
        r"number of images must be between 1 and 64",
        GRADIO_RANGE,
    ),
    Case(
        "too-many-images",
        lambda s, f: s.candidates(DCGAN, 0, 10**6),
        lambda f: ("/candidates", (DCGAN, 0, 10**6)),
        r"number of faces must be between 1 and 64",
        GRADIO_RANGE,
    ),
    Case(
        "truncation-negative",
        lambda s, f: s.sample(DCGAN, 0, 2, -0.1),
        lambda f: ("/sample", (DCGAN, 0, 2, -0.1)),
        r"truncation ψ must be between 0 and 1",
        GRADIO_RANGE,
    ),
    Case(
        "truncation-inf",
        lambda s, f: s.sample(DCGAN, 0, 2, INF),
        lambda f: ("/sample", (DCGAN, 0, 2, INF)),
        r"truncation ψ must be a finite",
        GRADIO_RANGE + "|finite|Infinity|JSON",
    ),
    Case(
        "frames-too-many",
        lambda s, f: s.interpolate(DCGAN, 0, 1, 49),
        lambda f: ("/interpolate", (DCGAN, 0, 1, 49, "slerp")),
        r"number of frames must be between 2 and 48",
        GRADIO_RANGE,
    ),
    Case(
        "infogan-code-huge",
        lambda s, f: s.infogan(0, 1, 1e9, 0.0),
        lambda f: ("/infogan", (0, 1, 1e9, 0.0)),
        r"code c1 must be between -5 and 5",
        GRADIO_RANGE,
    ),
    Case(
        "infogan-code-nan",
        lambda s, f: s.infogan(0, 1, 0.0, NAN),
        lambda f: ("/infogan", (0, 1, 0.0, NAN)),
        r"code c2 must be a finite",
        r"finite|NaN|JSON|must be between|than (minimum|maximum)",
    ),
    Case(
        "infogan-category-negative",
        lambda s, f: s.infogan(0, -1, 0.0, 0.0),
        lambda f: ("/infogan", (0, -1, 0.0, 0.0)),
        r"category must be between 0 and 9",
        GRADIO_RANGE,
    ),
    Case(
        "sweep-steps-too-many",
        lambda s, f: s.infogan_sweep(0, "c1", 17, 1, 0.0, 0.0),
        lambda f: ("/infogan_sweep", (0, "c1", 17, 1, 0.0, 0.0)),
        r"number of steps must be between 2 and 16",
        GRADIO_RANGE,
    ),
    Case(
        "inpaint-steps-too-many",
        lambda s, f: s.inpaint(str(f["face.png"]), "auto", "eyes", None, 201),
        lambda f: ("/inpaint", (editor(f, []), "eyes", "auto", 201)),
        r"refinement steps must be between 0 and 200",
        GRADIO_RANGE,
    ),
    Case(
        "arithmetic-noise-negative",
        lambda s, f: s.arithmetic("1", "2", "3", -1.0),
        lambda f: ("/arithmetic", ("1", "2", "3", -1.0, 0, True)),
        r"noise must be between 0 and 2",
        GRADIO_RANGE,
    ),
    Case(
        "strength-inf",
        lambda s, f: s.edit_latent([0.0] * s.model(DCGAN).z_dim, "Smiling", -INF),
        lambda f: ("/invert_edit", ("Smiling", -INF)),
        r"strength must be a finite",
        GRADIO_RANGE + "|finite|Infinity|JSON|invert a photo first",
    ),
    Case(
        "edit-strength-too-large",
        lambda s, f: s.transfer(str(f["face.png"]), "auto", ["Smiling"], 4),
        lambda f: ("/transfer", (handle_file(str(f["face.png"])), "auto", ["Smiling"], 4)),
        r"edit strength must be between 0 and 3",
        GRADIO_RANGE,
    ),
    Case(
        "seed-negative",
        lambda s, f: s.sample(DCGAN, -1, 2),
        lambda f: ("/sample", (DCGAN, -1, 2, 1.0)),
        r"seed must be between 0 and 4294967295, got -1",
        GRADIO_RANGE,
    ),
    Case(
        "seed-2-to-the-32",
        lambda s, f: s.interpolate(DCGAN, 0, 2**32, 4),
        lambda f: ("/interpolate", (DCGAN, 0, 2**32, 4, "slerp")),
        r"seed B: seed must be between 0 and 4294967295",
        GRADIO_RANGE,
    ),
    Case(
        "seed-2-to-the-64",
        lambda s, f: s.compare(2**64, 2),
        lambda f: ("/compare", (2**64, 2)),
        r"seed must be between 0 and 4294967295",
        GRADIO_RANGE,
    ),
    Case(
        "seed-fraction",
        lambda s, f: s.example_face(2.5),
        lambda f: ("/transfer_example", ("seven", "auto")),  # the seed box rounds 2.5
        r"seed must be a whole number",
        r"seed|number|could not convert|float",
    ),
    Case(
        "seed-nan",
        lambda s, f: s.infogan(NAN, 1, 0.0, 0.0),
        lambda f: ("/infogan", (NAN, 1, 0.0, 0.0)),
        r"noise seed: seed must be a whole number",
        r"whole number|finite|NaN|JSON",
    ),
    Case(
        "seed-plus-count-overflows",
        lambda s, f: s.sample(DCGAN, MAX_SEED, 4),
        lambda f: ("/sample", (DCGAN, MAX_SEED, 4, 1.0)),
        r"seed \+ count must stay below",
    ),
    Case(
        "seed-row-too-long",
        lambda s, f: s.arithmetic(",".join(map(str, range(51))), "2", "3", 0.1),
        lambda f: ("/arithmetic", (",".join(map(str, range(51))), "2", "3", 0.1, 0, True)),
        r"concept A has 51 seeds; use at most 50",
    ),
]

NAMES_AND_MISSING = [
    Case(
        "unknown-model",
        lambda s, f: s.sample("stylegan3-ffhq", 0, 2),
        lambda f: ("/sample", ("stylegan3-ffhq", 0, 2, 1.0)),
        r"unknown model 'stylegan3-ffhq'",
        r"not in the list of choices|unknown model",
    ),
    Case(
        "model-name-not-a-string",
        lambda s, f: s.model_card(None),
        lambda f: ("/model_card", (None,)),
        r"unknown model None",
        r"not in the list of choices|unknown model",
    ),
    Case(
        "unknown-crop",
        lambda s, f: s.analyse_face(str(f["face.png"]), "diagonal"),
        lambda f: ("/transfer_analyse", (handle_file(str(f["face.png"])), "diagonal")),
        r"crop must be one of",
        r"not in the list of choices|crop must be one of",
    ),
    Case(
        "unknown-attribute",
        lambda s, f: s.transfer(str(f["face.png"]), "auto", ["Wings"]),
        lambda f: ("/transfer", (handle_file(str(f["face.png"])), "auto", ["Wings"])),
        r"unknown attributes \['Wings'\]",
        r"not in the list of choices|unknown attributes",
    ),
    Case(
        "unknown-preset",
        lambda s, f: s.autopick("hats", 0, 16),
        lambda f: ("/arithmetic_autopick", ("hats", 0, 16, 3, True, 0.25, 0)),
        r"unknown preset 'hats'",
        r"not in the list of choices|unknown preset",
    ),
    Case(
        "autopick-too-many-exemplars",
        lambda s, f: s.autopick("glasses", 0, 16, 51),
        lambda f: ("/arithmetic_autopick", ("glasses", 0, 16, 51, True, 0.25, 0)),
        r"exemplars per concept must be between 1 and 50",
        GRADIO_RANGE,
    ),
    Case(
        "missing-all-arguments",
        lambda s, f: s.sample(DCGAN, None, None),
        lambda f: ("raw:sample", []),
        r"seed is empty",
        r"error|expected|argument|missing|not enough|needs",
    ),
    Case(
        "missing-photo",
        lambda s, f: s.transfer(None, "auto", []),
        lambda f: ("/transfer", (None, "auto", [])),
        r"no photo: upload a face photo",
    ),
    Case(
        "missing-infogan-code",
        lambda s, f: s.infogan(0, 1, 0.0),
        lambda f: ("raw:infogan", [0, 1, 0.0]),
        r"InfoGAN has 2 continuous codes, got 1",
        r"error|expected|argument|missing|not enough|needs|continuous codes",
    ),
    Case(
        "missing-latent",
        lambda s, f: s.edit_latent([], "Smiling", 1.0),
        lambda f: ("/invert_edit", ("Smiling", 1.0)),  # a new session: no inversion yet
        r"invert a photo first",
    ),
]

ERROR_CASES = BAD_UPLOADS + MASKS + VALUES + NAMES_AND_MISSING


# --- fixtures -------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def studio(release_checkpoints, tmp_path_factory) -> Studio:
    return Studio(device="cpu", output_dir=tmp_path_factory.mktemp("bad-inputs-out"))


@pytest.fixture(scope="module")
def corpus(studio, tmp_path_factory) -> tuple[dict[str, Path], dict[str, Image.Image]]:
    face = Image.fromarray(studio.example_face(5)).resize((160, 196))  # CelebA-like, not square
    return build_corpus(tmp_path_factory.mktemp("corpus"), face)


@pytest.fixture(scope="module")
def client(app_server) -> Client:
    return Client(app_server.url, verbose=False)


def raw_call(url: str, api_name: str, data: list) -> Any:
    """POST straight to the HTTP call API (no client filling in defaults)."""
    request = urllib.request.Request(
        f"{url}gradio_api/call/{api_name}",
        data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        event_id = json.load(reply)["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/{api_name}/{event_id}", timeout=30) as s:
        text = s.read().decode()
    if "event: error" in text:
        raise RuntimeError(text.split("event: error\ndata: ", 1)[1].splitlines()[0])
    return text


def call_api(client: Client, url: str, case: Case, files: dict[str, Path]) -> Any:
    api_name, args = case.api(files)
    if api_name.startswith("raw:"):
        return raw_call(url, api_name[4:], list(args))
    return client.predict(*args, api_name=api_name)


def assert_readable(message: str, pattern: str) -> None:
    assert re.search(pattern, message, re.IGNORECASE), message
    assert "Traceback" not in message and len(message) < 1000, message


def face_distance(actual: np.ndarray, upright: Image.Image) -> float:
    """Mean absolute difference between a returned 256 px face and the face of ``upright``."""
    wanted = enlarge(edit.load_face(upright).image)
    return float(np.abs(actual.astype(np.float64) - wanted.astype(np.float64)).mean())


def picture(path: str) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


# --- the tests ------------------------------------------------------------------------------
@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.id)
def test_studio_handler(studio, corpus, case):
    files, _ = corpus
    started = time.perf_counter()
    if case.error is None:
        case.studio(studio, files)
        return
    with pytest.raises(ValueError) as refused:
        case.studio(studio, files)
    assert_readable(str(refused.value), case.error)
    if case.fast:
        assert time.perf_counter() - started < FAST_REFUSAL_SECONDS


@pytest.mark.parametrize("case", ERROR_CASES, ids=lambda case: case.id)
def test_app_api(client, app_server, corpus, case):
    files, _ = corpus
    started = time.perf_counter()
    if case.error is None:
        call_api(client, app_server.url, case, files)
    else:
        with pytest.raises(Exception) as refused:  # noqa: B017 - the message is checked below
            call_api(client, app_server.url, case, files)
        assert_readable(str(refused.value), case.api_error)
        if case.fast:
            assert time.perf_counter() - started < FAST_REFUSAL_SECONDS
    assert app_server.process.poll() is None, app_server.log()


@pytest.mark.parametrize("name", HANDLED_UPLOADS)
def test_odd_upload_is_handled_by_the_studio(studio, corpus, name):
    files, expected = corpus
    result = studio.transfer(str(files[name]), "auto", [])
    assert result.original.shape == (256, 256, 3)
    assert face_distance(result.original, expected[name]) < FACE_TOLERANCE


@pytest.mark.parametrize("name", HANDLED_UPLOADS)
def test_odd_upload_is_handled_by_the_app(client, corpus, name):
    files, expected = corpus
    original, *_ = client.predict(handle_file(str(files[name])), "auto", [], api_name="/transfer")
    distance = face_distance(picture(original), expected[name])
    assert distance < FACE_TOLERANCE
    if name.startswith("exif"):  # the same pixels, not turned upright: clearly different
        with Image.open(files[name]) as stored:
            unturned = Image.fromarray(np.asarray(stored.convert("RGB")))  # EXIF dropped
        assert face_distance(picture(original), unturned) > 2 * distance + 5


def test_the_app_keeps_serving_after_the_corpus(client, app_server, corpus):
    files, _ = corpus
    grid, _ = client.predict(DCGAN, 1, 4, 0.8, api_name="/sample")
    assert picture(grid).ndim == 3
    digit = client.predict(0, 3, 0.5, -0.5, api_name="/infogan")
    assert picture(digit).shape == (224, 224, 3)
    predicted, _, _ = client.predict(
        handle_file(str(files["face.png"])), "auto", api_name="/transfer_analyse"
    )
    assert predicted["confidences"]
    assert app_server.process.poll() is None


def test_the_corpus_is_big_enough():
    cases = len(ERROR_CASES) + len(HANDLED_UPLOADS)
    assert cases >= 40 and len({c.id for c in ERROR_CASES}) == len(ERROR_CASES)
