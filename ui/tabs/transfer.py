"""Attribute transfer (CVAE-GAN): upload a face, toggle attributes, set the edit strength."""

from __future__ import annotations

import gradio as gr

from gan_core.checkpoint import CheckpointError
from gan_core.models.cvae_gan import DEFAULT_EDIT_STRENGTH
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
    t,
)

EXAMPLE_SEED = 7


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    try:
        attributes = list(studio.config(CVAE_GAN).get("attributes", []))
    except (CheckpointError, OSError, ValueError):
        attributes = []
    with ctx.model_tab("transfer", (CVAE_GAN,), "transfer.help"):
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                photo, crop, example_seed, example = photo_source(EXAMPLE_SEED)
            with gr.Column(scale=1, min_width=300):
                crop_view = crop_view_box()
                note = gr.Markdown()
                predicted = gr.Label(
                    label=t("transfer.predicted"),
                    num_top_classes=len(attributes) or 10,
                    show_heading=False,
                )
                wanted = gr.CheckboxGroup(attributes, label=t("transfer.attributes"))
                strength = gr.Slider(
                    0,
                    limits.MAX_EDIT_STRENGTH,
                    value=DEFAULT_EDIT_STRENGTH,
                    step=limits.EDIT_STRENGTH_STEP,
                    label=t("transfer.strength"),
                    info=t("transfer.strength.info"),
                )
                go = gr.Button(t("transfer.go"), variant="primary")
        with gr.Row():
            original = image_box("transfer.original", height=256)
            reconstruction = image_box("transfer.reconstruction", height=256)
            edited = image_box("transfer.edited", height=256)
        file = download_button()

    ctx.starts_work("transfer", photo.upload, crop.input, example.click, go.click, wanted.input)

    def analyse(path: str, crop: str):
        result = studio.analyse_face(path, crop)
        return result.probabilities, result.present, result.note

    new_photo = {
        "fn": new_photo_view(studio.crop_view, stale=4),
        "inputs": [photo, crop],
        "outputs": [crop_view, note, original, reconstruction, edited, file],
        "api_visibility": "private",
    }
    photo.upload(
        guarded(analyse), [photo, crop], [predicted, wanted, note], api_name="transfer_analyse"
    ).then(**new_photo)

    def reanalyse(path: str | None, crop: str):
        """Another crop of the same photo: the model sees another face, so predict again."""
        return analyse(path, crop) if path else (None, [], "")

    crop.input(
        guarded(reanalyse), [photo, crop], [predicted, wanted, note], api_visibility="private"
    ).then(**new_photo)

    def example_face(seed: float, crop: str):
        path = studio.save_png(studio.example_face(seed))
        return (path, *analyse(path, crop))

    example.click(
        guarded(example_face),
        [example_seed, crop],
        [photo, predicted, wanted, note],
        api_name="transfer_example",
    ).then(**new_photo)

    def transfer(path: str, crop: str, attrs: list[str], strength: float):
        return tuple(studio.transfer(path, crop, attrs, strength))[:4]  # API: 4 outputs

    go.click(
        guarded(transfer),
        [photo, crop, wanted, strength],
        [original, reconstruction, edited, file],
        api_name="transfer",
    ).then(guarded(studio.crop_view), [photo, crop], [crop_view, note], api_visibility="private")

    def first_look():
        """The example face, analysed, with its glasses toggled (the edit this tab is about)."""
        path, probabilities, present, message = example_face(EXAMPLE_SEED, "auto")
        toggled = sorted(set(present) ^ {"Eyeglasses"}) if "Eyeglasses" in attributes else present
        results = transfer(path, "auto", toggled, DEFAULT_EDIT_STRENGTH)
        annotated, message = studio.crop_view(path, "auto")
        return (path, probabilities, toggled, message, annotated, *results)

    ctx.on_load(
        "transfer",
        first_look,
        [photo, predicted, wanted, note, crop_view, original, reconstruction, edited, file],
    )
