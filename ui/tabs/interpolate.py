"""Interpolate: two seeds (typed or clicked in a gallery) -> a strip, a GIF and an MP4."""

from __future__ import annotations

import gradio as gr

from ui import limits
from ui.context import TabContext
from ui.studio import RELEASE_MODELS
from ui.widgets import (
    GalleryClick,
    download_button,
    guarded,
    image_box,
    pick_gallery,
    seed_box,
    seeds_of,
    slider,
    t,
)


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    with ctx.model_tab("interpolate", RELEASE_MODELS, "interp.help"):
        with gr.Row():
            with gr.Column(scale=1, min_width=280):
                model = gr.Dropdown(ctx.model_choices, value=ctx.face_model, label=t("model"))
                with gr.Row():
                    seed_a = seed_box("interp.seed_a", 1)
                    seed_b = seed_box("interp.seed_b", 2)
                frames = slider(limits.FRAMES, "interp.frames")
                method = gr.Radio(["slerp", "lerp"], value="slerp", label=t("interp.method"))
                go = gr.Button(t("interp.go"), variant="primary")
            with gr.Column(scale=2):
                strip = image_box("interp.strip")
                with gr.Row():
                    gif = gr.Image(
                        label=t("interp.gif"),
                        type="filepath",
                        interactive=False,
                        buttons=["download"],  # three icons would cover the label
                        elem_classes="pixelated",
                        height=200,
                        scale=2,
                    )
                    video = gr.Video(
                        label=t("interp.mp4"),
                        interactive=False,
                        autoplay=True,
                        loop=True,
                        height=200,
                        scale=2,
                    )
                    with gr.Column(scale=1):
                        file = download_button()
        with gr.Accordion(t("interp.pick"), open=True):
            with gr.Row():
                cand_seed = seed_box("interp.candidates_seed", 0)
                cand_count = slider(limits.CANDIDATES, "interp.candidates_count")
                target = gr.Radio([("A", "A"), ("B", "B")], value="A", label=t("interp.target"))
                cand_go = gr.Button(t("interp.show"))
            gallery = pick_gallery("interp.gallery", height=300)
            cand_seeds = gr.State([])

    ctx.starts_work("interpolate", go.click, cand_go.click, gallery.select, model.input)

    def interpolate(name: str, a: float, b: float, n: float, path: str):
        strip, gif, mp4 = studio.interpolate(name, a, b, n, path)
        return strip, gif, gif, mp4

    go.click(
        guarded(interpolate),
        [model, seed_a, seed_b, frames, method],
        [strip, gif, file, video],
        api_name="interpolate",
    )

    def show_candidates(name: str, seed: float, count: float):
        items = studio.candidates(name, seed, count)
        return items, seeds_of(items)

    cand_go.click(
        guarded(show_candidates),
        [model, cand_seed, cand_count],
        [gallery, cand_seeds],
        api_name="candidates",
    )

    def refresh(name: str, a: float, b: float, n: float, path: str, seed: float, count: float):
        """A new model redraws both the strip and the candidates (the old ones are not its)."""
        return (*interpolate(name, a, b, n, path), *show_candidates(name, seed, count))

    model.input(
        guarded(refresh),
        [model, seed_a, seed_b, frames, method, cand_seed, cand_count],
        [strip, gif, file, video, gallery, cand_seeds],
        api_visibility="private",
    )

    def pick_end(end: str, seeds: list[int], a: float, b: float, evt: GalleryClick):
        if not seeds or not isinstance(evt.index, int) or evt.index >= len(seeds):
            return a, b
        chosen = seeds[evt.index]
        return (chosen, b) if end == "A" else (a, chosen)

    gallery.select(
        guarded(pick_end),
        [target, cand_seeds, seed_a, seed_b],
        [seed_a, seed_b],
        api_name="pick_end",
    )

    def first_look():
        return (
            *interpolate(ctx.face_model, 1, 2, limits.FRAMES.default, "slerp"),
            *show_candidates(ctx.face_model, 0, limits.CANDIDATES.default),
        )

    ctx.on_load("interpolate", first_look, [strip, gif, file, video, gallery, cand_seeds])
