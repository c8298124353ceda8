"""Training playground: small GANs trained live on 2-D data, the frames streamed as they train.

Layout and events only; the training, metrics and drawing are ``gan_core.playground``.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator
from typing import Any

import gradio as gr
import numpy as np

from gan_core import playground as pg
from ui.context import TabContext
from ui.widgets import guarded, image_box, seed_box, t

#: One playground run at a time on the server: more would queue (the other tabs keep their
#: own concurrency slots, so they stay responsive while a run trains).
CONCURRENCY = {"concurrency_id": "playground", "concurrency_limit": 1}
#: The second objective's "none" (a single run).
NONE = "none"
DEFAULT_COMPARE = "wgan-gp"  # the tab opens on GAN vs WGAN-GP: the lesson at a glance
#: The recorded lesson (tests/test_playground.py): WGAN-GP ends on all 8 modes; the GAN ends
#: collapsed (0 of 8) on seed 2 on an Intel Xeon, but covers 8 there on an AMD EPYC.
LESSON_SEED = 2
DEFAULT_N_CRITIC = pg.DEFAULTS["wgan"]["n_critic"]


@dataclasses.dataclass(frozen=True)
class PlaygroundInputs:
    """The tab's inputs, in the order its widgets and the API send them.

    Their names, order and defaults are written here only: the handlers take the values
    positionally (``run_playground("ring8", "wgan-gp", 2000, 0)``) under this signature, which
    is also what the API names its parameters after. Empty advanced boxes (``lr``, ``n_critic``)
    mean the objective's own default.
    """

    target: str
    objective: str
    steps: float
    seed: float
    compare: str | None = NONE
    minimax: bool = False
    width: float = pg.DEFAULT_WIDTH
    lr: float | None = None
    n_critic: float | None = None

    def settings(self) -> pg.PlaygroundSettings:
        """Checked settings (ValueError with a readable message)."""
        return pg.PlaygroundSettings(
            target=self.target,
            objective=self.objective,
            steps=self.steps,
            seed=self.seed,
            width=self.width,
            lr=None if self.lr in (None, "") else self.lr,
            n_critic=None if self.n_critic in (None, "") else self.n_critic,
            minimax=self.minimax,
            compare=self.compare,
        ).validated()


#: The handlers' signature: PlaygroundInputs' fields. Gradio reads ``__signature__`` for the
#: API's parameter names (tests/test_ui.py checks it still does), and help() shows it.
SIGNATURE = inspect.signature(PlaygroundInputs).replace(return_annotation=inspect.Signature.empty)


def run_playground(*values: Any, **named: Any) -> tuple[np.ndarray, dict[str, Any]]:
    """Train to the end, then return the final frame and its metrics (the API endpoint)."""
    return pg.run_to_end(PlaygroundInputs(*values, **named).settings())


def stream_playground(*values: Any, **named: Any) -> Iterator[tuple[np.ndarray, dict[str, Any]]]:
    """Frames while training (about 5 per second); Stop cancels between two frames."""
    # A generator: check the settings first so a mistake is a toast, not a broken stream.
    settings = guarded(PlaygroundInputs.settings)(PlaygroundInputs(*values, **named))
    for frame in pg.train_stream(settings):
        yield frame.image, frame.metrics


run_playground.__signature__ = stream_playground.__signature__ = SIGNATURE


def first_look() -> tuple[np.ndarray, dict[str, Any]]:
    """The default run at step 0 (untrained networks), shown when the page opens."""
    settings = PlaygroundInputs("ring8", "gan", 1, LESSON_SEED, DEFAULT_COMPARE).settings()
    frame = next(pg.train_stream(settings))
    return frame.image, frame.metrics


def build(ctx: TabContext) -> None:
    objectives = [("GAN", "gan"), ("WGAN", "wgan"), ("WGAN-GP", "wgan-gp")]
    with gr.Tab(t("tab.playground"), id="playground"):
        gr.Markdown(t("playground.help"))
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                target = gr.Radio(
                    [(t(f"playground.target.{name}"), name) for name in pg.TARGETS],
                    value="ring8",
                    label=t("playground.target"),
                )
                objective = gr.Radio(objectives, value="gan", label=t("playground.objective"))
                compare = gr.Radio(
                    [(t("playground.none"), NONE), *objectives],
                    value=DEFAULT_COMPARE,
                    label=t("playground.compare"),
                    info=t("playground.compare.info"),
                )
                minimax = gr.Checkbox(
                    False, label=t("playground.minimax"), info=t("playground.minimax.info")
                )
                steps = gr.Slider(
                    100,
                    pg.MAX_STEPS,
                    value=pg.DEFAULT_STEPS,
                    step=100,
                    label=t("playground.steps"),
                )
                seed = seed_box("seed", LESSON_SEED)
                with gr.Accordion(t("playground.advanced"), open=False):
                    width = gr.Slider(
                        pg.MIN_WIDTH,
                        pg.MAX_WIDTH,
                        value=pg.DEFAULT_WIDTH,
                        step=4,
                        label=t("playground.width"),
                        info=t("playground.width.info"),
                    )
                    lr = gr.Number(
                        value=None,
                        minimum=0,
                        maximum=pg.MAX_LR,
                        label=t("playground.lr"),
                        info=t("playground.lr.info"),
                    )
                    n_critic = gr.Slider(
                        1,
                        pg.MAX_N_CRITIC,
                        value=DEFAULT_N_CRITIC,
                        step=1,
                        label=t("playground.n_critic"),
                        info=t("playground.n_critic.info"),
                    )
                with gr.Row():
                    run = gr.Button(t("playground.run"), variant="primary")
                    stop = gr.Button(t("playground.stop"), variant="stop")
            with gr.Column(scale=2):
                frame = image_box("playground.frame", elem_id="playground-frame")
                metrics = gr.JSON(label=t("playground.metrics"), elem_id="playground-metrics")
        with gr.Accordion(t("playground.objectives.title"), open=True):
            gr.Markdown(t("playground.objectives"))
        with gr.Accordion(t("playground.reading.title"), open=False):
            gr.Markdown(t("playground.reading"))
        # The API endpoint's own inputs: plain boxes, so a bad value reaches gan_core's checks
        # (and their messages) instead of a slider's range check; one run, the objective's
        # own learning rate and critic steps unless given (the widgets open on a side-by-side).
        api_inputs = [
            gr.Textbox("ring8", visible=False),
            gr.Textbox("gan", visible=False),
            gr.Number(pg.DEFAULT_STEPS, visible=False),
            gr.Number(0, visible=False),
            gr.Textbox(NONE, visible=False),
            gr.Checkbox(False, visible=False),
            gr.Number(pg.DEFAULT_WIDTH, visible=False),
            gr.Number(None, visible=False),
            gr.Number(None, visible=False),
        ]
        api_trigger = gr.Button(visible=False)

    ctx.starts_work("playground", run.click)

    inputs = [target, objective, steps, seed, compare, minimax, width, lr, n_critic]  # in order
    streaming = run.click(
        stream_playground,
        inputs,
        [frame, metrics],
        api_name="playground_stream",
        show_progress="minimal",
        **CONCURRENCY,
    )
    stop.click(None, None, None, cancels=[streaming], api_visibility="private")
    api_trigger.click(
        guarded(run_playground),
        api_inputs,
        [frame, metrics],
        api_name="playground_run",
        **CONCURRENCY,
    )
    ctx.on_load("playground", first_look, [frame, metrics])
