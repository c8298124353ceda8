"""Training timeline: fixed-noise frames saved during training, one slider step per frame."""

from __future__ import annotations

from typing import Any

import gradio as gr

from ui.context import TabContext
from ui.studio import RELEASE_MODELS
from ui.widgets import guarded, image_box, t


def caption(frame: Any) -> str:
    return f"Step **{frame.step:,}** (frame {frame.index + 1} of {frame.count})"


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    # Open on a model that has frames (a local look-up; skipped for the Hub).
    with_frames = [] if studio.hub_prefix else [n for n in RELEASE_MODELS if studio.timeline(n)]
    first = with_frames[0] if with_frames else ctx.first_model
    with gr.Tab(t("tab.timeline"), id="timeline") as tab:
        gr.Markdown(t("timeline.help"))
        with gr.Row():
            model = gr.Dropdown(ctx.model_choices, value=first, label=t("model"))
            show = gr.Button(t("timeline.show"))
        frame_slider = gr.Slider(0, 1, value=0, step=1, label=t("timeline.frame"))
        frame_caption = gr.Markdown()
        image = image_box("timeline.image", height=480)

    ctx.starts_work("timeline", show.click, model.input, frame_slider.input)

    def open_timeline(name: str):
        frames = studio.timeline(name)
        if not frames:
            message = f"No training timeline for **{name}** yet (no timeline/ frames)."
            return gr.update(maximum=1, value=0), message, None
        frame = studio.timeline_frame(name, len(frames) - 1)
        return (
            gr.update(maximum=max(1, frame.count - 1), value=frame.index),
            caption(frame),
            frame.image,
        )

    gr.on(
        [tab.select, show.click, model.change],
        guarded(open_timeline),
        [model],
        [frame_slider, frame_caption, image],
        api_name="timeline",
    )

    def step(name: str, index: float):
        frame = studio.timeline_frame(name, index)
        return caption(frame), frame.image

    frame_slider.input(
        guarded(step),
        [model, frame_slider],
        [frame_caption, image],
        api_name="timeline_frame",
        trigger_mode="always_last",
        show_progress="hidden",
    )
    ctx.on_load("timeline", lambda: open_timeline(first), [frame_slider, frame_caption, image])
