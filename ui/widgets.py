"""Widgets every tab shares, and the two small workarounds for Gradio behaviour.

Each builder returns Gradio components labelled through ``t`` (translated in the browser).
"""

from __future__ import annotations

import functools
import inspect
import logging
import secrets
from collections.abc import Callable
from typing import Any

import gradio as gr

from gan_core.checkpoint import CheckpointError
from gan_core.sampling import MAX_SEED
from ui.limits import Range
from ui.text import TRANSLATIONS

log = logging.getLogger("gan_studio.ui")

I18N = gr.I18n(**TRANSLATIONS)
t = I18N  # t("key") -> a label the browser translates


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the Studio's ValueError / CheckpointError into a gr.Error toast (app stays up)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except (ValueError, CheckpointError) as error:  # CheckpointError is a ValueError too
            message = str(error) or type(error).__name__
            log.info("refused in %s: %s", getattr(fn, "__name__", "handler"), message)
            raise gr.Error(message[:1].upper() + message[1:], print_exception=False) from None
        except Exception as error:  # a bug: log it, keep serving, say so politely
            log.exception("unexpected error in %s", getattr(fn, "__name__", "handler"))
            raise gr.Error(
                f"Something went wrong on the server ({type(error).__name__}). "
                "The app is still running: try again, or with other inputs."
            ) from None

    return wrapper


class GalleryClick(gr.EventData):
    """The index of a clicked gallery image, or None when the event came through the API.

    Workaround: Gradio builds an ``EventData`` subclass named in a handler's annotation by
    calling ``cls(target, data)`` with the browser's event payload. ``gr.SelectData.__init__``
    indexes ``data["index"]`` and so fails on API calls, which send no payload; this class
    reads the payload with ``.get`` instead (tests/test_ui.py checks Gradio still calls it so).
    """

    def __init__(self, target: Any, data: Any) -> None:
        super().__init__(target, data if isinstance(data, dict) else {})
        payload = data if isinstance(data, dict) else {}
        self.index = payload.get("index")
        self.value = payload.get("value")


def named_parameters(fn: Callable[..., Any], names: list[str]) -> Callable[..., Any]:
    """``fn(*args)`` under a signature with these parameter names.

    Workaround: Gradio names an endpoint's API parameters after the handler's signature
    (``inspect.signature``, which honours ``__signature__``); a handler taking ``*codes``
    would list them as param_2, param_3. The number of InfoGAN codes comes from the checkpoint,
    so the names are set at build time (tests/test_ui.py checks the API shows them).
    """

    def call(*args: Any) -> Any:
        return fn(*args)

    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    call.__signature__ = inspect.Signature([inspect.Parameter(n, kind) for n in names])
    call.__name__ = getattr(fn, "__name__", "call")
    return call


def random_seed() -> int:
    """A fresh seed from the OS (no global RNG state is read or changed)."""
    return secrets.randbelow(2**31)


def slider(limit: Range, label: str, **kwargs: Any) -> gr.Slider:
    """A slider over a named limit (ui/limits.py), starting at its default."""
    return gr.Slider(
        limit.low, limit.high, value=limit.default, step=limit.step, label=t(label), **kwargs
    )


def seed_box(label: str = "seed", value: int = 0) -> gr.Number:
    return gr.Number(value=value, label=t(label), precision=0, minimum=0, maximum=MAX_SEED)


def image_box(label: str, **kwargs: Any) -> gr.Image:
    """An output picture: PNG (lossless), pixelated scaling, a download button."""
    kwargs.setdefault("buttons", ["download", "fullscreen"])
    return gr.Image(
        label=t(label), format="png", interactive=False, elem_classes="pixelated", **kwargs
    )


def download_button() -> gr.DownloadButton:
    """The file written for this request (a fresh temp file), one click to save."""
    return gr.DownloadButton(t("download"), size="sm", variant="secondary")


def pick_gallery(label: str, height: int) -> gr.Gallery:
    """Generated images to click on (a click picks one, so no preview pop-up); PNG, 8 a row."""
    return gr.Gallery(label=t(label), columns=8, height=height, allow_preview=False, format="png")


def crop_radio() -> gr.Radio:
    return gr.Radio(
        [(t("crop.auto"), "auto"), (t("crop.aligned"), "aligned"), (t("crop.centre"), "centre")],
        value="auto",
        label=t("crop"),
        info=t("crop.info"),
    )


def example_row(seed: int) -> tuple[gr.Number, gr.Button]:
    """A seed and a button that puts a generated example face in the photo box."""
    with gr.Row():
        return seed_box("example_seed", seed), gr.Button(t("example"))


def photo_source(example_seed: int) -> tuple[gr.Image, gr.Radio, gr.Number, gr.Button]:
    """The photo tabs' input: an upload box, how to crop it, and the example-face row."""
    # type="filepath" + image_mode=None: Gradio hands over the upload untouched, and
    # gan_core.edit decodes it safely (pixel limit, EXIF orientation, any colour mode).
    photo = gr.Image(
        label=t("photo"),
        type="filepath",
        image_mode=None,
        sources=["upload", "clipboard", "webcam"],
        height=300,
    )
    return photo, crop_radio(), *example_row(example_seed)


def crop_view_box() -> gr.Image:
    """The uploaded photo with the face box and the square the models see."""
    return gr.Image(
        label=t("crop.view"), format="png", interactive=False, height=300, buttons=["fullscreen"]
    )


def new_photo_view(
    crop_view: Callable[[Any, str], tuple[Any, str]],
    stale: int = 0,
) -> Callable[..., tuple]:
    """The private handler run when a photo tab gets a new photo or crop: the photo with the
    face box (``crop_view``), its note, and ``stale`` earlier results emptied, so a result of
    the previous photo never sits beside the new one."""

    def show(photo: Any, crop: str) -> tuple:
        annotated, note = crop_view(photo, crop)
        return (annotated, note, *([None] * stale))

    return guarded(show)


def seeds_of(items: list[tuple[Any, str]]) -> list[int]:
    """The seeds behind gallery items captioned '... seed N'."""
    return [int(caption.split()[-1]) for _, caption in items]
