"""Vector arithmetic (DCGAN): A - B + C over averaged exemplar latents, picked by hand or by
the attribute judge."""

from __future__ import annotations

import gradio as gr

from gan_core.arithmetic import ARITHMETIC_PRESETS, DEFAULT_EXEMPLARS, MAX_EXEMPLARS
from ui import limits, widgets
from ui.context import TabContext
from ui.studio import DCGAN, FACE_JUDGE, add_seed
from ui.widgets import GalleryClick, guarded, seeds_of, t

DEFAULT_PRESET = "glasses"


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    with ctx.model_tab("arithmetic", (DCGAN, FACE_JUDGE), "arith.help"):
        with gr.Row():
            gallery_seed = widgets.seed_box("arith.gallery_seed", 0)
            gallery_count = widgets.slider(limits.GALLERY, "arith.gallery_count")
            show = gr.Button(t("arith.show"))
        gallery = widgets.pick_gallery("arith.gallery", height=330)
        gallery_seeds = gr.State([])
        with gr.Row():
            target = gr.Radio(
                [("A", "A"), ("B", "B"), ("C", "C")], value="A", label=t("arith.target")
            )
            preset = gr.Dropdown(
                [(t(f"arith.preset.{key}"), key) for key in ARITHMETIC_PRESETS],
                value=DEFAULT_PRESET,
                label=t("arith.preset"),
            )
            auto = gr.Button(t("arith.autopick"))
        with gr.Row():
            row_a = gr.Textbox(label=t("arith.row_a"), placeholder="e.g. 3, 17, 42")
            row_b = gr.Textbox(label=t("arith.row_b"), placeholder="e.g. 5, 8, 21")
            row_c = gr.Textbox(label=t("arith.row_c"), placeholder="e.g. 1, 9, 30")
        with gr.Row():
            per_concept = gr.Slider(
                1,
                MAX_EXEMPLARS,
                value=DEFAULT_EXEMPLARS,
                step=1,
                label=t("arith.per_concept"),
                info=t("arith.per_concept_info"),
            )
            shell = gr.Checkbox(value=True, label=t("arith.shell"), info=t("arith.shell_info"))
        with gr.Row():
            noise = widgets.slider(limits.NOISE_SLIDER, "arith.noise")
            noise_seed = widgets.seed_box("arith.noise_seed", 0)
            go = gr.Button(t("arith.go"), variant="primary")
        with gr.Row():
            concepts = widgets.image_box("arith.concepts", scale=4)
            result = widgets.image_box("arith.result", scale=3)
        file = widgets.download_button()

    rows_typed = [row.input for row in (row_a, row_b, row_c)]
    ctx.starts_work("arithmetic", show.click, gallery.select, auto.click, go.click, *rows_typed)

    def show_faces(seed: float, count: float):
        items = studio.candidates(DCGAN, seed, count)
        return items, seeds_of(items)

    show.click(
        guarded(show_faces),
        [gallery_seed, gallery_count],
        [gallery, gallery_seeds],
        api_name="arithmetic_gallery",
    )

    def add_to_row(
        row: str, seeds: list[int], keep: float, a: str, b: str, c: str, evt: GalleryClick
    ):
        rows = {"A": a, "B": b, "C": c}
        if seeds and isinstance(evt.index, int) and evt.index < len(seeds):
            rows[row] = add_seed(rows[row], seeds[evt.index], keep=int(keep))
        return rows["A"], rows["B"], rows["C"]

    gallery.select(
        guarded(add_to_row),
        [target, gallery_seeds, per_concept, row_a, row_b, row_c],
        [row_a, row_b, row_c],
        api_name="arithmetic_pick",
    )

    def autopick(
        preset: str,
        seed: float,
        count: float,
        per_concept: float,
        shell: bool,
        noise: float,
        noise_seed: float,
    ):
        rows = studio.autopick(preset, seed, count, per_concept)
        return (*rows, *studio.arithmetic(*rows, noise, noise_seed, shell))

    auto.click(
        guarded(autopick),
        [preset, gallery_seed, gallery_count, per_concept, shell, noise, noise_seed],
        [row_a, row_b, row_c, concepts, result, file],
        api_name="arithmetic_autopick",
        concurrency_id="heavy",
        concurrency_limit=1,
    )

    def arithmetic(a: str, b: str, c: str, noise: float, seed: float, shell: bool):
        return tuple(studio.arithmetic(a, b, c, noise, seed, shell))

    go.click(
        guarded(arithmetic),
        [row_a, row_b, row_c, noise, noise_seed, shell],
        [concepts, result, file],
        api_name="arithmetic",
    )

    def first_look():
        """The default preset, auto-picked: the figure the tab is about, before any click."""
        faces = show_faces(0, limits.GALLERY.default)
        picked = autopick(
            DEFAULT_PRESET, 0, limits.GALLERY.default, DEFAULT_EXEMPLARS, True,
            limits.NOISE_SLIDER.default, 0,
        )  # fmt: skip
        return (*faces, *picked)

    ctx.on_load(
        "arithmetic",
        first_look,
        [gallery, gallery_seeds, row_a, row_b, row_c, concepts, result, file],
    )
