"""Inpainting (CVAE-GAN): paint a hole or choose a preset mask -> the filled face."""

from __future__ import annotations

import gradio as gr

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

    def example_face(seed: float):
        path = studio.save_png(studio.example_face(seed))
        return {"background": path, "layers": [], "composite": path}

    new_photo = {
        "fn": new_photo_view(studio.crop_view, stale=3, photo_of=editor_photo),
        "inputs": [editor, crop],
        "outputs": [crop_view, note, masked, filled, file],
        "api_visibility": "private",
    }
    example.click(guarded(example_face), [example_seed], editor, api_name="inpaint_example").then(
        **new_photo
    )
    gr.on([editor.upload, crop.input], **new_photo)

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
