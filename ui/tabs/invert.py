"""Edit your photo: invert an uploaded face into the DCGAN latent, then add a concept vector."""

from __future__ import annotations

import gradio as gr

from ui import limits
from ui.context import TabContext
from ui.studio import DCGAN, EDIT_CONCEPTS, FACE_JUDGE
from ui.widgets import (
    crop_view_box,
    guarded,
    image_box,
    new_photo_view,
    photo_source,
    slider,
    t,
)

EXAMPLE_SEED = 11
DEFAULT_CONCEPT = "Eyeglasses"


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    with ctx.model_tab("invert", (DCGAN, FACE_JUDGE), "invert.help"):
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                photo, crop, example_seed, example = photo_source(EXAMPLE_SEED)
                crop_view = crop_view_box()
                steps = slider(limits.INVERSION_STEPS, "invert.steps")
                go = gr.Button(t("invert.go"), variant="primary")
            with gr.Column(scale=2):
                note = gr.Markdown()
                with gr.Row():
                    face = image_box("invert.face", height=256)
                    reconstruction = image_box("invert.reconstruction", height=256)
                    edited = image_box("invert.edited", height=256)
                with gr.Row():
                    concept = gr.Dropdown(
                        list(EDIT_CONCEPTS), value=DEFAULT_CONCEPT, label=t("invert.concept")
                    )
                    strength = slider(
                        limits.CONCEPT_STRENGTH, "invert.strength", info=t("invert.strength.info")
                    )
                    apply = gr.Button(t("invert.apply"), variant="primary")
        latent = gr.State(None)

    new_photo = {
        "fn": new_photo_view(studio.crop_view, stale=4),
        "inputs": [photo, crop],
        "outputs": [crop_view, note, face, reconstruction, edited, latent],
        "api_visibility": "private",
    }

    ctx.starts_work("invert", photo.upload, crop.input, example.click, go.click, apply.click)

    example.click(
        guarded(lambda seed: studio.save_png(studio.example_face(seed))),
        [example_seed],
        photo,
        api_name="invert_example",
    ).then(**new_photo)
    gr.on([photo.upload, crop.input], **new_photo)

    def invert(path: str, crop: str, steps: float, progress=gr.Progress()):  # noqa: B008
        progress(0, desc="Inverting")
        result = studio.invert(
            path,
            crop,
            steps,
            progress=lambda done, total: progress(done / max(total, 1), desc="Inverting"),
        )
        return result.face, result.reconstruction, result.z, result.note, None

    go.click(
        guarded(invert),
        [photo, crop, steps],
        [face, reconstruction, latent, note, edited],
        api_name="invert",
        concurrency_id="heavy",
        concurrency_limit=1,
    ).then(guarded(studio.crop_view), [photo, crop], [crop_view, note], api_visibility="private")
    gr.on(
        [apply.click, strength.release],
        guarded(studio.edit_latent),
        [latent, concept, strength],
        edited,
        api_name="invert_edit",
        trigger_mode="always_last",
    )

    def first_look():
        """The example face inverted and given the default concept: both steps, shown."""
        path = studio.save_png(studio.example_face(EXAMPLE_SEED))
        result = studio.invert(path, "auto", limits.INVERSION_STEPS.default)
        edit = studio.edit_latent(result.z, DEFAULT_CONCEPT, limits.CONCEPT_STRENGTH.default)
        annotated = studio.crop_view(path, "auto")[0]
        return path, result.face, result.reconstruction, result.z, result.note, edit, annotated

    ctx.on_load(
        "invert", first_look, [photo, face, reconstruction, latent, note, edited, crop_view]
    )
