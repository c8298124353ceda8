"""Inpainting (CVAE-GAN): paint a hole or choose a preset mask -> the filled face."""

from __future__ import annotations

import gradio as gr

from ui import limits
from ui.context import TabContext
from ui.studio import CVAE_GAN
from ui.widgets import (
    crop_view_box,
    download_button,
    guarded,
    image_box,
    new_photo_view,
    photo_source,
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


def editor_value(path: str | None) -> dict | None:
    """The editor showing ``path`` with no strokes yet (a new photo's old strokes would not fit)."""
    return {"background": path, "layers": [], "composite": path} if path else None


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    with ctx.model_tab("inpaint", (CVAE_GAN,), "inpaint.help"):
        with gr.Row():
            with gr.Column(scale=2, min_width=280):
                photo, crop, example_seed, example = photo_source(EXAMPLE_SEED)
            with gr.Column(scale=3, min_width=320):
                # The photo comes from the box beside it, not from the editor's own upload:
                # Gradio 6.31's ImageEditor fires ``upload`` before its value holds the new
                # photo (in headless Chromium about half the uploads reached the server with
                # the previous one, 2026-12-03), while gr.Image's upload carries the new file.
                editor = gr.ImageEditor(
                    label=t("inpaint.editor"),
                    type="numpy",
                    image_mode="RGBA",
                    sources=(),
                    brush=gr.Brush(colors=["#ff00ff"], color_mode="fixed", default_size=12),
                    layers=False,
                    transforms=(),
                    height=420,
                )
            with gr.Column(scale=2, min_width=240):
                mask = gr.Radio(
                    [(t(f"inpaint.mask.{key}"), key) for key in MASKS],
                    value=DEFAULT_MASK,
                    label=t("inpaint.mask"),
                    info=t("inpaint.mask.info"),
                )
                steps = slider(limits.INPAINT_STEPS, "inpaint.steps")
                go = gr.Button(t("inpaint.go"), variant="primary")
        with gr.Row():
            crop_view = crop_view_box()
            masked = image_box("inpaint.masked", height=256)
            filled = image_box("inpaint.filled", height=256)
        note = gr.Markdown()
        file = download_button()
        example_path = gr.State(None)  # the example face's file, for the photo box

    show = new_photo_view(studio.crop_view, stale=3)

    ctx.starts_work("inpaint", photo.upload, photo.clear, crop.input, example.click, go.click)

    def new_photo(path: str | None, crop: str) -> tuple:
        """A new photo: into the editor with no strokes, its crop view, old results emptied."""
        return (editor_value(path), *show(path, crop))

    photo_changed = {
        "fn": new_photo,
        "inputs": [photo, crop],
        "outputs": [editor, crop_view, note, masked, filled, file],
        "api_visibility": "private",
    }
    photo.upload(**photo_changed)
    photo.clear(**photo_changed)
    crop.input(
        show, [photo, crop], [crop_view, note, masked, filled, file], api_visibility="private"
    )

    def example_face(seed: float) -> tuple:
        path = studio.save_png(studio.example_face(seed))
        return editor_value(path), path

    example.click(
        guarded(example_face),
        [example_seed],
        [editor, example_path],  # the API returns the editor's value only (State is not in it)
        api_name="inpaint_example",
    ).then(
        lambda path, crop: (path, *show(path, crop)),
        [example_path, crop],
        [photo, crop_view, note, masked, filled, file],
        api_visibility="private",
    )

    def inpaint(value: dict | None, mask: str, crop: str, steps: float):
        layers = (value or {}).get("layers")
        return tuple(studio.inpaint(editor_photo(value), crop, mask, layers, steps))[:3]  # API

    go.click(
        guarded(inpaint),
        [editor, mask, crop, steps],
        [masked, filled, file],
        api_name="inpaint",
        concurrency_id="heavy",
        concurrency_limit=1,
    )

    def first_look():
        value, path = example_face(EXAMPLE_SEED)
        results = inpaint(value, DEFAULT_MASK, "auto", limits.INPAINT_STEPS.default)
        return (path, value, *results, *studio.crop_view(path, "auto"))

    ctx.on_load("inpaint", first_look, [photo, editor, masked, filled, file, crop_view, note])
