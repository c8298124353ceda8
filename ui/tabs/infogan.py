"""InfoGAN codes: the digit and continuous-code sliders; the image follows the drag live."""

from __future__ import annotations

import contextlib

import gradio as gr

from gan_core.checkpoint import CheckpointError
from ui import limits
from ui.context import TabContext
from ui.studio import INFOGAN
from ui.widgets import guarded, image_box, named_parameters, seed_box, slider, t


def build(ctx: TabContext) -> None:
    studio = ctx.studio
    n_categories, n_continuous = 10, 2
    if studio.is_available(INFOGAN):
        with contextlib.suppress(CheckpointError, OSError):
            n_categories, n_continuous = studio.infogan_codes()
    code_names = [f"c{i + 1}" for i in range(n_continuous)]
    with ctx.model_tab("infogan", (INFOGAN,), "info.help"):
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                seed = seed_box()
                category = gr.Slider(
                    0,
                    n_categories - 1,
                    value=0,
                    step=1,
                    label=t("info.category"),
                    elem_id="infogan-category",
                )
                codes = [
                    gr.Slider(
                        limits.CODE_SLIDER.low,
                        limits.CODE_SLIDER.high,
                        value=limits.CODE_SLIDER.default,
                        step=limits.CODE_SLIDER.step,
                        label=name,
                        info=t("info.code"),
                        elem_id=f"infogan-{name}",
                    )
                    for name in code_names
                ]
            with gr.Column(scale=1, min_width=260):
                image = image_box(
                    "info.image", height=280, elem_id="infogan-image", show_label=True
                )
        with gr.Row():
            sweep_code = gr.Radio(
                [(t("info.category_short"), "category")] + [(n, n) for n in code_names],
                value="c1" if n_continuous else "category",
                label=t("info.sweep_code"),
            )
            sweep_steps = slider(limits.SWEEP_STEPS, "info.sweep_steps")
            sweep = gr.Button(t("info.sweep"))
        sweep_grid = image_box("info.sweep_grid")

    ctx.starts_work("infogan", seed.input, *(s.input for s in (category, *codes)))
    ctx.starts_work("infogan_sweep", sweep.click)

    # .input fires only for people (not for programmatic updates) and, with "always_last", a
    # drag queues at most one more render after the running one, always with the newest
    # values: the image follows the slider, never lags.
    gr.on(
        [s.input for s in (category, *codes)] + [seed.input],
        guarded(named_parameters(studio.infogan, ["seed", "category", *code_names])),
        [seed, category, *codes],
        image,
        api_name="infogan",
        trigger_mode="always_last",
        show_progress="hidden",
        concurrency_id="live",
        concurrency_limit=2,
    )
    sweep.click(
        guarded(
            named_parameters(
                studio.infogan_sweep, ["seed", "code", "steps", "category", *code_names]
            )
        ),
        [seed, sweep_code, sweep_steps, category, *codes],
        sweep_grid,
        api_name="infogan_sweep",
    )
    zeros = [limits.CODE_SLIDER.default] * n_continuous
    default_code = "c1" if n_continuous else "category"
    ctx.on_load("infogan", lambda: studio.infogan(0, 0, *zeros), [image])
    ctx.on_load(
        "infogan_sweep",
        lambda: studio.infogan_sweep(0, default_code, limits.SWEEP_STEPS.default, 0, *zeros),
        [sweep_grid],
    )
