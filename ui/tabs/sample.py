"""Sample: seed, count, truncation -> a grid of images to download."""

from __future__ import annotations

import gradio as gr

from ui import limits
from ui.context import TabContext
from ui.studio import RELEASE_MODELS
from ui.widgets import download_button, guarded, image_box, random_seed, seed_box, slider, t


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    with ctx.model_tab("sample", RELEASE_MODELS, "sample.help"), gr.Row():
        with gr.Column(scale=1, min_width=280):
            model = gr.Dropdown(ctx.model_choices, value=ctx.face_model, label=t("model"))
            with gr.Row():
                seed = seed_box()
                dice = gr.Button(t("randomise"), size="md")
            count = slider(limits.IMAGES, "count")
            psi = slider(limits.TRUNCATION, "sample.truncation", info=t("sample.truncation.info"))
            go = gr.Button(t("sample.go"), variant="primary")
        with gr.Column(scale=2):
            grid = image_box("sample.grid", height=520)
            file = download_button()

    ctx.starts_work("sample", go.click, dice.click, model.input)

    def sample(name: str, seed: float, n: float, psi: float):
        return tuple(studio.sample(name, seed, n, psi))

    go.click(guarded(sample), [model, seed, count, psi], [grid, file], api_name="sample")
    # A grid left from the previous model under the new model's name would mislead.
    model.input(guarded(sample), [model, seed, count, psi], [grid, file], api_visibility="private")

    def sample_random(name: str, n: float, psi: float):
        seed = random_seed()
        return (seed, *studio.sample(name, seed, n, psi))

    dice.click(
        guarded(sample_random), [model, count, psi], [seed, grid, file], api_name="sample_random"
    )
    ctx.on_load(
        "sample",
        lambda: sample(ctx.face_model, 0, limits.IMAGES.default, limits.TRUNCATION.default),
        [grid, file],
    )
