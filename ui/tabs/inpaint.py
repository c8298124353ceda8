"""Inpainting (CVAE-GAN): paint a hole or choose a preset mask -> the filled face."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import gradio as gr
import numpy as np

from ui import limits
from ui.context import TabContext
from ui.studio import CVAE_GAN
from ui.widgets import (
    crop_radio,
    crop_view_box,
    download_button,
    example_row,
    guarded,
    image_box,
    new_photo_view,
    slider,
    t,
)

EXAMPLE_SEED = 7
MASKS = ("painted", "eyes", "mouth", "centre", "lower_face")
DEFAULT_MASK = "eyes"


def editor_photo(value: dict | None):
    """The photo under the brush strokes: the editor's background, else its composite."""
    value = value or {}
    photo = value.get("background")
    return photo if photo is not None else value.get("composite")


def photo_fingerprint(value: dict | None) -> str | None:
    """Which photo the editor holds (a file path, or a hash of its pixels)."""
    photo = editor_photo(value)
    if photo is None or isinstance(photo, str):
        return photo
    return hashlib.blake2b(np.ascontiguousarray(photo).tobytes(), digest_size=16).hexdigest()


def upload_settled(
    show: Callable[..., tuple], outputs: int
) -> tuple[Callable[..., tuple], Callable[..., tuple]]:
    """Work around Gradio's ImageEditor sending its previous photo with ``upload``.

    In Gradio 6.31 the editor dispatches ``upload`` before the new photo reaches its value:
    in headless Chromium about half the uploads reached the server with the previous photo
    (2026-12-03), and the crop view then showed the old face beside the new photo. So the view
    is made once on the event and once more when that call has finished, by when the value
    holds the new photo; the second call does nothing when the photo is the one just shown.
    tests/test_browser.py uploads into this tab, and tests/test_ui.py checks both calls.
    Returns (first, again): each takes (editor value, crop, shown) and returns ``show``'s
    ``outputs`` values and what it showed, for a ``gr.State``.
    """

    def first(value: dict | None, crop: str, shown: str | None = None) -> tuple:
        return (*show(value, crop), photo_fingerprint(value))

    def again(value: dict | None, crop: str, shown: str | None) -> tuple:
        fingerprint = photo_fingerprint(value)
        if fingerprint == shown:
            return tuple(gr.skip() for _ in range(outputs + 1))
        return (*show(value, crop), fingerprint)

    return first, again


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    with ctx.model_tab("inpaint", (CVAE_GAN,), "inpaint.help"):
        with gr.Row():
            with gr.Column(scale=3, min_width=320):
                editor = gr.ImageEditor(
                    label=t("inpaint.editor"),
                    type="numpy",
                    image_mode="RGBA",
                    sources=["upload", "clipboard"],
                    brush=gr.Brush(colors=["#ff00ff"], color_mode="fixed", default_size=12),
                    layers=False,
                    transforms=(),
                    height=420,
                )
                example_seed, example = example_row(EXAMPLE_SEED)
            with gr.Column(scale=2, min_width=280):
                mask = gr.Radio(
                    [(t(f"inpaint.mask.{key}"), key) for key in MASKS],
                    value=DEFAULT_MASK,
                    label=t("inpaint.mask"),
                    info=t("inpaint.mask.info"),
                )
                crop = crop_radio()
                steps = slider(limits.INPAINT_STEPS, "inpaint.steps")
                go = gr.Button(t("inpaint.go"), variant="primary")
        with gr.Row():
            crop_view = crop_view_box()
            masked = image_box("inpaint.masked", height=256)
            filled = image_box("inpaint.filled", height=256)
        note = gr.Markdown()
        file = download_button()
        shown = gr.State(None)  # which photo the crop view shows (see upload_settled)

    def example_face(seed: float):
        path = studio.save_png(studio.example_face(seed))
        return {"background": path, "layers": [], "composite": path}

    first, again = upload_settled(
        new_photo_view(studio.crop_view, stale=3, photo_of=editor_photo), outputs=5
    )
    new_photo = {
        "inputs": [editor, crop, shown],
        "outputs": [crop_view, note, masked, filled, file, shown],
        "api_visibility": "private",
    }
    example.click(guarded(example_face), [example_seed], editor, api_name="inpaint_example").then(
        first, **new_photo
    )
    crop.input(first, **new_photo)
    editor.upload(first, **new_photo).then(again, **new_photo)

    def inpaint(value: dict | None, mask: str, crop: str, steps: float):
        layers = (value or {}).get("layers")
        return tuple(studio.inpaint(editor_photo(value), crop, mask, layers, steps))[:3]  # API

    def crop_view_of(value: dict | None, crop: str):
        return studio.crop_view(editor_photo(value), crop)

    go.click(
        guarded(inpaint),
        [editor, mask, crop, steps],
        [masked, filled, file],
        api_name="inpaint",
        concurrency_id="heavy",
        concurrency_limit=1,
    ).then(guarded(crop_view_of), [editor, crop], [crop_view, note], api_visibility="private")

    def first_look():
        value = example_face(EXAMPLE_SEED)
        results = inpaint(value, DEFAULT_MASK, "auto", limits.INPAINT_STEPS.default)
        return (value, *results, *crop_view_of(value, "auto"))

    ctx.on_load("inpaint", first_look, [editor, masked, filled, file, crop_view, note])
