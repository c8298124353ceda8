"""About: what each model is, and its model card."""

from __future__ import annotations

import gradio as gr

from ui.context import TabContext
from ui.widgets import guarded, t


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    with gr.Tab(t("tab.about"), id="about") as tab:
        gr.Markdown(t("about.models"))
        with gr.Row():
            model = gr.Dropdown(ctx.model_choices, value=ctx.first_model, label=t("model"))
            show = gr.Button(t("about.show"))
        card = gr.Markdown(label=t("about.card"))

    ctx.starts_work("about", show.click, model.input)

    def model_card(name: str) -> str:
        return studio.describe(name) + "\n\n" + studio.model_card(name)

    gr.on(
        [tab.select, show.click, model.change],
        guarded(model_card),
        [model],
        card,
        api_name="model_card",
    )
    ctx.on_load("about", lambda: model_card(ctx.first_model), [card])
