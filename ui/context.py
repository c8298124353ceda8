"""What every tab's ``build(ctx)`` receives: the Studio, the model lists, and hooks."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterator
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
    #: per visitor: the tabs in which they started their own work (``create`` makes it inside
    #: ``gr.Blocks`` above the tabs: a State made inside ``gr.Tabs`` but outside a tab shifted
    #: the tab labels, "Interpolate" twice and "Vector arithmetic" gone, seen in headless Chromium)
    started: gr.State
    #: per tab with a missing-models warning: (its Markdown, the models it needs)
    statuses: dict[str, tuple[gr.Markdown, tuple[str, ...]]] = dataclasses.field(
        default_factory=dict
    )
    #: first-look handlers by name: (function, outputs), run when a visitor opens the page
    loaders: dict[str, tuple[Callable[[], Any], list[gr.components.Component]]] = dataclasses.field(
        default_factory=dict
    )
    #: per first look, the visitor's actions after which it is no longer shown (the record of
    #: what each tab declared to ``starts_work``; tests check it against the wiring)
    started_by: dict[str, list[Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def create(cls, studio: Studio) -> TabContext:
        """Call inside ``gr.Blocks``, before ``gr.Tabs``: it places the per-visitor State."""
        choices = [
            (name if studio.is_available(name) else f"{name} (missing)", name)
            for name in RELEASE_MODELS
        ]
        first = next((n for n in RELEASE_MODELS if studio.is_available(n)), RELEASE_MODELS[0])
        face = studio_module.DCGAN if studio.is_available(studio_module.DCGAN) else first
        return cls(studio, choices, first, face, started=gr.State({}))

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

    def starts_work(self, name: str, *triggers: Any) -> None:
        """Declare the event triggers (``button.click``, ``photo.upload``, ``box.input``...) by
        which a visitor starts their own work in the tab whose first look is ``name``: a first
        look not yet shown by then is dropped, so it cannot replace what they typed, uploaded
        or generated (see ``ui.demo.unless_started``).

        Call it right after the tab's layout, before the tab's own handlers of these triggers:
        the page sends a trigger's handlers in the order they were registered, and a note
        registered after a handler arrived only once that handler had finished, too late to
        stop a first look (seen in headless Chromium: the Sample tab's seed-0 look replaced
        the grid a visitor had just generated)."""
        self.started_by[name] = list(triggers)
        gr.on(list(triggers), note_started(name), self.started, None, queue=False,
              api_visibility="private", show_progress="hidden")  # fmt: skip

    def on_load(self, name: str, fn: Callable[[], Any], outputs: list[gr.components.Component]):
        """Show a first result in these outputs when the page opens (``starts_work`` says
        when it is no longer wanted).

        The defaults are the same for every visitor, so the result is computed once (in the
        background right after start-up, see ``ui.demo.warm_up``) and reused until its files
        near the Studio's clean-up age. Errors are logged and leave the outputs empty (a
        missing model already has its warning)."""
        self.loaders[name] = (self.cached(self.quietly(fn, len(outputs))), outputs)

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


def note_started(name: str) -> Callable[[dict], None]:
    """Mark the tab as started in the visitor's own state (changed in place: a first look
    running meanwhile holds the same dict and reads it once it is ready)."""

    def run(started: dict) -> None:
        started[name] = True

    return run
