"""The whole page: the tabs from ``ui.tabs``, a first look on load, and launch settings.

Every event has an ``api_name``, so the HTTP API mirrors the tabs (README: "The HTTP API").
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import gradio as gr

from ui import limits
from ui.context import TabContext, status_value
from ui.studio import Studio
from ui.tabs import TABS
from ui.widgets import I18N, t

log = logging.getLogger("gan_studio.ui")

CSS = """
.pixelated img { image-rendering: pixelated; }
.pixelated .image-container { padding-top: 2.2em; box-sizing: border-box; }
.status { color: #b45309; font-weight: 600; }
"""
THEME = gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"])
#: Every session (a browser tab, a gradio_client, or each bare HTTP API call, which brings no
#: session id) gets its own copy of the UI state: about 0.37 MB for this app. Gradio keeps up
#: to 10,000 of them, i.e. gigabytes; the least recently used beyond this bound are dropped.
SESSION_CAPACITY = int(os.environ.get("GAN_STUDIO_SESSIONS", "300"))
#: The first-look results the ``/status`` endpoint returns (kept as before the tab split).
STATUS_LOOKS = ("sample", "infogan")
#: logged when the warm-up has filled every first look (benchmarks/app_latency.py waits for it)
FIRST_LOOKS_READY = "every first look is ready"


def build_demo(studio: Studio) -> tuple[gr.Blocks, TabContext]:
    """The page and the context its tabs registered their first looks in."""
    with gr.Blocks(title="GAN Studio", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown(t("title"))
        gr.Markdown(t("intro"))
        ctx = TabContext.create(studio)
        with gr.Tabs(overflow_behavior="wrap"):
            for tab in TABS:
                tab.build(ctx)
        wire_first_look(demo, ctx)
    demo.queue(default_concurrency_limit=2, max_size=64)
    return demo, ctx


def wire_first_look(demo: gr.Blocks, ctx: TabContext) -> None:
    """On page load: each tab's missing-model warning and a first result in every tab."""
    markdowns = [markdown for markdown, _ in ctx.statuses.values()]
    status_outputs = [c for name in STATUS_LOOKS for c in ctx.loaders[name][1]]

    def status(started: dict) -> tuple:
        updates = [status_value(ctx.studio, models) for _, models in ctx.statuses.values()]
        # Every look is computed before any is checked against ``started``: checked one by one,
        # the Sample look was let through while the InfoGAN one was still being computed, and
        # then replaced a grid the visitor generated meanwhile (seen in headless Chromium).
        values = {name: ctx.loaders[name][0]() for name in STATUS_LOOKS}
        looks = []
        for name in STATUS_LOOKS:
            n_outputs = len(ctx.loaders[name][1])
            value = skip_if_started(name, values[name], n_outputs, started)
            looks += list(value) if n_outputs > 1 else [value]
        return (*updates, *looks)

    # A State input is not part of the HTTP API: callers of /status still pass nothing.
    demo.load(status, ctx.started, [*markdowns, *status_outputs], api_name="status")
    for name, (fn, outputs) in ctx.loaders.items():
        if name not in STATUS_LOOKS:
            demo.load(
                unless_started(name, fn, len(outputs)),
                ctx.started,
                outputs,
                api_visibility="private",
                show_progress="minimal",
            )


def unless_started(name: str, look: Callable[[], Any], n_outputs: int) -> Callable[[dict], Any]:
    """A tab's first look, dropped when the visitor has started their own work in the tab by
    the time it is ready, so it never replaces what they typed or uploaded. (It can be many
    seconds late on a busy server or right after start-up. Gradio's ``cancels=`` was tried
    first: in headless Chromium 3 of 5 late looks still overwrote the typed seeds.)"""

    def run(started: dict) -> Any:
        return skip_if_started(name, look(), n_outputs, started)

    return run


def skip_if_started(name: str, value: Any, n_outputs: int, started: dict) -> Any:
    """``value`` (a computed first look), or no change to its outputs once the visitor has
    started work in tab ``name``."""
    if started.get(name):
        log.info("first look dropped: %s (the visitor started work in the tab)", name)
        return gr.skip() if n_outputs == 1 else tuple(gr.skip() for _ in range(n_outputs))
    return value


def warm_up(ctx: TabContext) -> threading.Thread:
    """Compute every tab's first look in the background, so the first visitor gets it from
    the cache (the page itself is served at once; this only fills the cache)."""

    def run() -> None:
        lower_this_threads_priority()
        order = [*STATUS_LOOKS, *(n for n in ctx.loaders if n not in STATUS_LOOKS)]
        for name in order:
            fn, _ = ctx.loaders[name]
            fn()
            log.info("first look ready: %s", name)
        log.info("%s (%d tabs)", FIRST_LOOKS_READY, len(order))

    thread = threading.Thread(target=run, name="first-look", daemon=True)
    thread.start()
    return thread


def lower_this_threads_priority(niceness: int = 10) -> None:
    """Make the calling thread (and the torch worker threads it starts, which inherit it) yield
    the CPU to visitors' requests: on Linux a thread's nice value is its own. Elsewhere a no-op."""
    with contextlib.suppress(AttributeError, OSError):  # no setpriority (Windows), not permitted
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), niceness)


def launch_options(studio: Studio) -> dict[str, Any]:
    """``demo.launch`` settings (GRADIO_SERVER_NAME / GRADIO_SERVER_PORT: Spaces sets both).
    Besides its own outputs, the app serves only its copies of the model cards' images."""
    published = studio.published_folder()
    return {
        "allowed_paths": [str(published)] if published else [],
        "server_name": os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        "max_file_size": limits.MAX_UPLOAD,
        "state_session_capacity": SESSION_CAPACITY,
        "i18n": I18N,
        "theme": THEME,
        "css": CSS,
        "show_error": True,
    }
