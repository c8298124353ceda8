"""Compare models: the same number of samples from each, side by side (blur vs sharpness)."""

from __future__ import annotations

import gradio as gr

from ui import limits
from ui.context import TabContext
from ui.studio import COMPARE_MODELS
from ui.widgets import guarded, seed_box, slider, t


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    with ctx.model_tab("compare", COMPARE_MODELS, "compare.help"):
        with gr.Row():
            seed = seed_box()
            count = slider(limits.COMPARE_IMAGES, "count")
            go = gr.Button(t("compare.go"), variant="primary")
        images = []
        for row in (COMPARE_MODELS[:3], COMPARE_MODELS[3:]):
            with gr.Row(equal_height=False):
                for name in row:
                    with gr.Column(min_width=220):
                        images.append(
                            gr.Image(
                                label=name,
                                format="png",
                                interactive=False,
                                elem_classes="pixelated",
                                height=300,
                                buttons=["download"],
                            )
                        )
                        gr.Markdown(t(f"compare.{name}"))
                        gr.Markdown(studio.measured(name))

    ctx.starts_work("compare", go.click)

    go.click(guarded(studio.compare), [seed, count], images, api_name="compare")
    ctx.on_load("compare", lambda: tuple(studio.compare(0, limits.COMPARE_IMAGES.default)), images)
