"""What every tab's ``build(ctx)`` receives: the Studio, the model lists, and hooks."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import gradio as gr

from gan_core.checkpoint import CheckpointError
from ui import studio as studio_module
from ui.studio import RELEASE_MODELS, Studio
from ui.widgets import t


def status_value(studio: Studio, names: tuple[str, ...]) -> dict:
    """A visible warning naming the missing models of a tab, or a hidden Markdown."""
    message = studio.missing_message(*names)
    return gr.update(value=f"⚠️ {message}" if message else "", visible=bool(message))


@dataclasses.dataclass
class TabContext:
    """Shared by the tab modules while the demo is built (``ui.demo.build_demo``)."""

    studio: Studio
    #: the release models as dropdown choices, "(missing)" marking absent ones
    model_choices: list[tuple[str, str]]
    first_model: str
    face_model: str
    #: per tab with a missing-models warning: (its Markdown, the models it needs)
    statuses: dict[str, tuple[gr.Markdown, tuple[str, ...]]] = dataclasses.field(
        default_factory=dict
    )
    #: first-look handlers by name: (function, outputs), run when a visitor opens the page
    loaders: dict[str, tuple[Callable[[], Any], list[gr.components.Component]]] = dataclasses.field(
        default_factory=dict
    )
    #: per first look, the visitor's actions after which it is no longer shown
    started_by: dict[str, list[Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def create(cls, studio: Studio) -> TabContext:
        choices = [
            (name if studio.is_available(name) else f"{name} (missing)", name)
            for name in RELEASE_MODELS
        ]
        first = next((n for n in RELEASE_MODELS if studio.is_available(n)), RELEASE_MODELS[0])
        face = studio_module.DCGAN if studio.is_available(studio_module.DCGAN) else first
        return cls(studio, choices, first, face)

    t = staticmethod(t)

    @contextlib.contextmanager
    def model_tab(self, tab: str, models: tuple[str, ...], help_key: str) -> Iterator[None]:
        """A tab over some models: its title, a warning when one is missing, its help."""
        with gr.Tab(t(f"tab.{tab}"), id=tab):
            value = status_value(self.studio, models)
            markdown = gr.Markdown(value["value"], visible=value["visible"], elem_classes="status")
            self.statuses[tab] = (markdown, models)
            gr.Markdown(t(help_key))
            yield

    def on_load(
        self,
        name: str,
        fn: Callable[[], Any],
        outputs: list[gr.components.Component],
        started_by: Sequence[Any] = (),
    ) -> None:
        """Show a first result in these outputs when the page opens.

        The defaults are the same for every visitor, so the result is computed once (in the
        background right after start-up, see ``ui.demo.warm_up``) and reused until its files
        near the Studio's clean-up age. Errors are logged and leave the outputs empty (a
        missing model already has its warning). ``started_by`` lists the event triggers
        (``button.click``, ``photo.upload``, ``box.input``...) by which a visitor starts their
        own work in the tab: a first look not yet shown by then is dropped, so it cannot
        replace what they typed or uploaded (see ``ui.demo.unless_started``)."""
        self.loaders[name] = (self.cached(self.quietly(fn, len(outputs))), outputs)
        self.started_by[name] = list(started_by)

    def cached(self, fn: Callable[[], Any]) -> Callable[[], Any]:
        lock, memo = threading.Lock(), {}
        max_age = self.studio.max_file_age / 2

        def run() -> Any:
            with lock:
                if "value" not in memo or time.time() - memo["at"] > max_age:
                    memo.update(value=fn(), at=time.time())
                return memo["value"]

        return run

    def available(self, *names: str) -> bool:
        return all(self.studio.is_available(n) for n in names)

    def quietly(self, fn: Callable[[], Any], n_outputs: int) -> Callable[[], Any]:
        """``fn`` for a first look: a refusal or a broken checkpoint gives empty outputs."""

        def run() -> Any:
            try:
                return fn()
            except (ValueError, CheckpointError, OSError) as error:
                logging.getLogger("gan_studio.ui").warning("first look failed: %s", error)
                return tuple(None for _ in range(n_outputs)) if n_outputs > 1 else None

        return run
