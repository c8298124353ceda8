"""GAN Studio: the interactive demo. ``python app.py`` locally; the same file runs as a Space.

UI wiring only: every event calls a ``ui.studio.Studio`` method. Settings, all optional:

- ``GAN_STUDIO_CHECKPOINTS``: folder of release checkpoints (default ``checkpoints/``);
- ``GAN_STUDIO_HUB_PREFIX``: load ``<prefix>/<name>`` from the Hugging Face Hub instead;
- ``GAN_STUDIO_DEVICE``: ``cpu`` or ``cuda`` (default: CUDA when there is one);
- ``GRADIO_SERVER_NAME`` / ``GRADIO_SERVER_PORT``: where to listen (Spaces sets both);
- ``GAN_STUDIO_SESSIONS``: how many sessions' state the server keeps (default 300, see below).

Language: English or 中文 from the browser's language; switch under Settings (footer) → Language.
"""

import contextlib
import ctypes
import functools
import inspect
import logging
import os
import secrets
from collections.abc import Callable
from typing import Any

# Gradio keeps a record of every event and, after each one, summarises all of them with pandas
# (10,000 by default): per-request work and memory that grow with traffic. A short window,
# summarised now and then, keeps a slider move as cheap after a day as after a minute.
os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "500")
os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "100")


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """glibc gives each of Gradio's worker threads its own heap ("arena", up to 8 per core);
    freed image buffers scattered across them are not returned, so RSS crept up ~3.5 MB per
    100 requests under load. Two arenas kept it flat (benchmarks/RESULTS.md). Same as
    ``MALLOC_ARENA_MAX=2``, which wins if set; a no-op off glibc."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(-8, arenas))  # -8 = M_ARENA_MAX in <malloc.h>
    except (OSError, AttributeError):
        return False


limit_malloc_arenas()  # before gradio/torch start any thread

import gradio as gr

from gan_core.checkpoint import CheckpointError
from gan_core.sampling import MAX_SEED
from ui.studio import (
    ARITHMETIC_PRESETS,
    COMPARE_MODELS,
    CVAE_GAN,
    DCGAN,
    DEFAULT_EDIT_STRENGTH,
    DEFAULT_EXEMPLARS,
    EDIT_CONCEPTS,
    FACE_JUDGE,
    INFOGAN,
    MAX_EDIT_STRENGTH,
    MAX_EXEMPLARS,
    RELEASE_MODELS,
    Studio,
    add_seed,
)
from ui.text import TRANSLATIONS

log = logging.getLogger("gan_studio.app")

MAX_UPLOAD = "10mb"
# Every session (a browser tab, a gradio_client, or each bare HTTP API call, which brings no
# session id) gets its own copy of the UI state: about 0.37 MB for this app. Gradio keeps up to
# 10,000 of them, i.e. gigabytes; the least recently used beyond this bound are dropped.
SESSION_CAPACITY = int(os.environ.get("GAN_STUDIO_SESSIONS", "300"))
I18N = gr.I18n(**TRANSLATIONS)
t = I18N  # t("key") -> a label the browser translates
CSS = """
.pixelated img { image-rendering: pixelated; }
.pixelated .image-container { padding-top: 2.2em; box-sizing: border-box; }
.status { color: #b45309; font-weight: 600; }
"""
THEME = gr.themes.Soft(font=["ui-sans-serif", "system-ui", "sans-serif"])


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
            log.info("refused in %s: %s", fn.__name__, message)
            raise gr.Error(message[:1].upper() + message[1:], print_exception=False) from None
        except Exception as error:  # a bug: log it, keep serving, say so politely
            log.exception("unexpected error in %s", fn.__name__)
            raise gr.Error(
                f"Something went wrong on the server ({type(error).__name__}). "
                "The app is still running: try again, or with other inputs."
            ) from None

    return wrapper


class Click(gr.SelectData):
    """A gallery click; through the API (no click data) ``index`` is None and the handler
    leaves its outputs as they were: API callers set the seeds directly instead."""

    def __init__(self, target: Any, data: Any) -> None:
        data = data if isinstance(data, dict) else {}
        gr.EventData.__init__(self, target, data)
        self.index = data.get("index")
        self.value = data.get("value")
        self.selected = data.get("selected", True)


def random_seed() -> int:
    """A fresh seed from the OS (no global RNG state is read or changed)."""
    return secrets.randbelow(2**31)


def status_value(studio: Studio, names: tuple[str, ...]) -> dict:
    """A visible warning naming the missing models of a tab, or a hidden Markdown."""
    message = studio.missing_message(*names)
    return gr.update(value=f"⚠️ {message}" if message else "", visible=bool(message))


def with_code_names(fn: Callable[..., Any], leading: list[str], n_codes: int) -> Callable:
    """``fn(*args)`` with parameters named ``leading`` + c1..cK, so the API lists the InfoGAN
    codes by name instead of param_2, param_3."""

    def call(*args: Any) -> Any:
        return fn(*args)

    names = leading + [f"c{i + 1}" for i in range(n_codes)]
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    call.__signature__ = inspect.Signature([inspect.Parameter(n, kind) for n in names])
    call.__name__ = getattr(fn, "__name__", "call")
    return call


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


def build_demo(studio: Studio) -> gr.Blocks:
    """The whole UI; every event has an ``api_name`` so the API mirrors the tabs."""
    n_categories, n_continuous = 10, 2
    if studio.is_available(INFOGAN):
        with contextlib.suppress(CheckpointError, OSError):
            n_categories, n_continuous = studio.infogan_codes()
    try:
        attributes = list(studio.config(CVAE_GAN).get("attributes", []))
    except (CheckpointError, OSError, ValueError):
        attributes = []
    tab_models = {
        "sample": RELEASE_MODELS,
        "interpolate": RELEASE_MODELS,
        "arithmetic": (DCGAN, FACE_JUDGE),
        "infogan": (INFOGAN,),
        "transfer": (CVAE_GAN,),
        "inpaint": (CVAE_GAN,),
        "compare": COMPARE_MODELS,
        "invert": (DCGAN, FACE_JUDGE),
    }
    model_choices = [
        (name if studio.is_available(name) else f"{name} (missing)", name)
        for name in RELEASE_MODELS
    ]
    first_model = next((n for n in RELEASE_MODELS if studio.is_available(n)), RELEASE_MODELS[0])
    face_model = DCGAN if studio.is_available(DCGAN) else first_model
    # Open the timeline tab on a model that has frames (a local look-up; skipped for the Hub).
    with_frames = [] if studio.hub_prefix else [n for n in RELEASE_MODELS if studio.timeline(n)]
    timeline_model_name = with_frames[0] if with_frames else first_model

    with gr.Blocks(title="GAN Studio", analytics_enabled=False, delete_cache=(3600, 3600)) as demo:
        gr.Markdown(t("title"))
        gr.Markdown(t("intro"))
        statuses: dict[str, gr.Markdown] = {}

        @contextlib.contextmanager
        def model_tab(tab: str, help_key: str):
            """A tab over some models: its title, a warning when one is missing, its help."""
            with gr.Tab(t(f"tab.{tab}"), id=tab):
                value = status_value(studio, tab_models[tab])
                statuses[tab] = gr.Markdown(
                    value["value"], visible=value["visible"], elem_classes="status"
                )
                gr.Markdown(t(help_key))
                yield

        with gr.Tabs(overflow_behavior="wrap"):
            # --- Sample ---------------------------------------------------------------------
            with model_tab("sample", "sample.help"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=280):
                        sample_model = gr.Dropdown(
                            model_choices, value=face_model, label=t("model")
                        )
                        with gr.Row():
                            sample_seed = seed_box()
                            sample_dice = gr.Button(t("randomise"), size="md")
                        sample_count = gr.Slider(1, 64, value=16, step=1, label=t("count"))
                        sample_psi = gr.Slider(
                            0,
                            1,
                            value=1.0,
                            step=0.05,
                            label=t("sample.truncation"),
                            info=t("sample.truncation.info"),
                        )
                        sample_go = gr.Button(t("sample.go"), variant="primary")
                    with gr.Column(scale=2):
                        sample_grid = image_box("sample.grid", height=520)
                        sample_file = download_button()

                sample_go.click(
                    guarded(lambda name, seed, n, psi: tuple(studio.sample(name, seed, n, psi))),
                    [sample_model, sample_seed, sample_count, sample_psi],
                    [sample_grid, sample_file],
                    api_name="sample",
                )

                def sample_random(name: str, n: float, psi: float):
                    seed = random_seed()
                    return (seed, *studio.sample(name, seed, n, psi))

                sample_dice.click(
                    guarded(sample_random),
                    [sample_model, sample_count, sample_psi],
                    [sample_seed, sample_grid, sample_file],
                    api_name="sample_random",
                )

            # --- Interpolate ----------------------------------------------------------------
            with model_tab("interpolate", "interp.help"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=280):
                        interp_model = gr.Dropdown(
                            model_choices, value=face_model, label=t("model")
                        )
                        with gr.Row():
                            interp_a = seed_box("interp.seed_a", 1)
                            interp_b = seed_box("interp.seed_b", 2)
                        interp_frames = gr.Slider(2, 48, value=10, step=1, label=t("interp.frames"))
                        interp_method = gr.Radio(
                            ["slerp", "lerp"], value="slerp", label=t("interp.method")
                        )
                        interp_go = gr.Button(t("interp.go"), variant="primary")
                    with gr.Column(scale=2):
                        interp_strip = image_box("interp.strip")
                        with gr.Row():
                            interp_gif = gr.Image(
                                label=t("interp.gif"),
                                type="filepath",
                                interactive=False,
                                buttons=["download"],  # three icons would cover the label
                                elem_classes="pixelated",
                                height=200,
                                scale=2,
                            )
                            interp_video = gr.Video(
                                label=t("interp.mp4"),
                                interactive=False,
                                autoplay=True,
                                loop=True,
                                height=200,
                                scale=2,
                            )
                            with gr.Column(scale=1):
                                interp_file = download_button()
                with gr.Accordion(t("interp.pick"), open=True):
                    with gr.Row():
                        cand_seed = seed_box("interp.candidates_seed", 0)
                        cand_count = gr.Slider(
                            4, 32, value=16, step=1, label=t("interp.candidates_count")
                        )
                        cand_target = gr.Radio(
                            [("A", "A"), ("B", "B")], value="A", label=t("interp.target")
                        )
                        cand_go = gr.Button(t("interp.show"))
                    cand_gallery = pick_gallery("interp.gallery", height=300)
                    cand_seeds = gr.State([])

                def run_interpolation(name: str, a: float, b: float, n: float, method: str):
                    strip, gif, mp4 = studio.interpolate(name, a, b, n, method)
                    return strip, gif, gif, mp4

                interp_go.click(
                    guarded(run_interpolation),
                    [interp_model, interp_a, interp_b, interp_frames, interp_method],
                    [interp_strip, interp_gif, interp_file, interp_video],
                    api_name="interpolate",
                )

                def show_candidates(name: str, seed: float, count: float):
                    items = studio.candidates(name, seed, count)
                    return items, [int(caption.split()[-1]) for _, caption in items]

                cand_go.click(
                    guarded(show_candidates),
                    [interp_model, cand_seed, cand_count],
                    [cand_gallery, cand_seeds],
                    api_name="candidates",
                )

                def pick_end(target: str, seeds: list[int], a: float, b: float, evt: Click):
                    if not seeds or not isinstance(evt.index, int) or evt.index >= len(seeds):
                        return a, b
                    chosen = seeds[evt.index]
                    return (chosen, b) if target == "A" else (a, chosen)

                cand_gallery.select(
                    guarded(pick_end),
                    [cand_target, cand_seeds, interp_a, interp_b],
                    [interp_a, interp_b],
                    api_name="pick_end",
                )

            # --- Vector arithmetic ----------------------------------------------------------
            with model_tab("arithmetic", "arith.help"):
                with gr.Row():
                    arith_seed = seed_box("arith.gallery_seed", 0)
                    arith_count = gr.Slider(9, 64, value=32, step=1, label=t("arith.gallery_count"))
                    arith_show = gr.Button(t("arith.show"))
                arith_gallery = pick_gallery("arith.gallery", height=330)
                arith_seeds = gr.State([])
                with gr.Row():
                    arith_target = gr.Radio(
                        [("A", "A"), ("B", "B"), ("C", "C")], value="A", label=t("arith.target")
                    )
                    arith_preset = gr.Dropdown(
                        [(t(f"arith.preset.{key}"), key) for key in ARITHMETIC_PRESETS],
                        value="glasses",
                        label=t("arith.preset"),
                    )
                    arith_auto = gr.Button(t("arith.autopick"))
                with gr.Row():
                    row_a = gr.Textbox(label=t("arith.row_a"), placeholder="e.g. 3, 17, 42")
                    row_b = gr.Textbox(label=t("arith.row_b"), placeholder="e.g. 5, 8, 21")
                    row_c = gr.Textbox(label=t("arith.row_c"), placeholder="e.g. 1, 9, 30")
                with gr.Row():
                    arith_per_concept = gr.Slider(
                        1,
                        MAX_EXEMPLARS,
                        value=DEFAULT_EXEMPLARS,
                        step=1,
                        label=t("arith.per_concept"),
                        info=t("arith.per_concept_info"),
                    )
                    arith_shell = gr.Checkbox(
                        value=True, label=t("arith.shell"), info=t("arith.shell_info")
                    )
                with gr.Row():
                    arith_noise = gr.Slider(0, 1, value=0.25, step=0.05, label=t("arith.noise"))
                    arith_noise_seed = seed_box("arith.noise_seed", 0)
                    arith_go = gr.Button(t("arith.go"), variant="primary")
                with gr.Row():
                    arith_concepts = image_box("arith.concepts", scale=4)
                    arith_result = image_box("arith.result", scale=3)
                arith_file = download_button()

                def show_faces(seed: float, count: float):
                    items = studio.candidates(DCGAN, seed, count)
                    return items, [int(caption.split()[-1]) for _, caption in items]

                arith_show.click(
                    guarded(show_faces),
                    [arith_seed, arith_count],
                    [arith_gallery, arith_seeds],
                    api_name="arithmetic_gallery",
                )

                def add_to_row(
                    target: str, seeds: list[int], keep: float, a: str, b: str, c: str, evt: Click
                ):
                    rows = {"A": a, "B": b, "C": c}
                    if seeds and isinstance(evt.index, int) and evt.index < len(seeds):
                        rows[target] = add_seed(rows[target], seeds[evt.index], keep=int(keep))
                    return rows["A"], rows["B"], rows["C"]

                arith_gallery.select(
                    guarded(add_to_row),
                    [arith_target, arith_seeds, arith_per_concept, row_a, row_b, row_c],
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

                arith_auto.click(
                    guarded(autopick),
                    [
                        arith_preset,
                        arith_seed,
                        arith_count,
                        arith_per_concept,
                        arith_shell,
                        arith_noise,
                        arith_noise_seed,
                    ],
                    [row_a, row_b, row_c, arith_concepts, arith_result, arith_file],
                    api_name="arithmetic_autopick",
                    concurrency_id="heavy",
                    concurrency_limit=1,
                )
                arith_go.click(
                    guarded(
                        lambda a, b, c, noise, seed, shell: tuple(
                            studio.arithmetic(a, b, c, noise, seed, shell)
                        )
                    ),
                    [row_a, row_b, row_c, arith_noise, arith_noise_seed, arith_shell],
                    [arith_concepts, arith_result, arith_file],
                    api_name="arithmetic",
                )

            # --- InfoGAN --------------------------------------------------------------------
            with model_tab("infogan", "info.help"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=300):
                        info_seed = seed_box()
                        info_category = gr.Slider(
                            0,
                            n_categories - 1,
                            value=0,
                            step=1,
                            label=t("info.category"),
                            elem_id="infogan-category",
                        )
                        info_codes = [
                            gr.Slider(
                                -2,
                                2,
                                value=0,
                                step=0.05,
                                label=f"c{i + 1}",
                                info=t("info.code"),
                                elem_id=f"infogan-c{i + 1}",
                            )
                            for i in range(n_continuous)
                        ]
                    with gr.Column(scale=1, min_width=260):
                        info_image = image_box(
                            "info.image", height=280, elem_id="infogan-image", show_label=True
                        )
                with gr.Row():
                    info_sweep_code = gr.Radio(
                        [(t("info.category_short"), "category")]
                        + [(f"c{i + 1}", f"c{i + 1}") for i in range(n_continuous)],
                        value="c1" if n_continuous else "category",
                        label=t("info.sweep_code"),
                    )
                    info_steps = gr.Slider(2, 16, value=7, step=1, label=t("info.sweep_steps"))
                    info_sweep = gr.Button(t("info.sweep"))
                info_grid = image_box("info.sweep_grid")

                info_inputs = [info_seed, info_category, *info_codes]
                # .input fires only for people (not for programmatic updates) and, with
                # "always_last", a drag queues at most one more render after the running one,
                # always with the newest values: the image follows the slider, never lags.
                gr.on(
                    [slider.input for slider in (info_category, *info_codes)] + [info_seed.input],
                    guarded(with_code_names(studio.infogan, ["seed", "category"], n_continuous)),
                    info_inputs,
                    info_image,
                    api_name="infogan",
                    trigger_mode="always_last",
                    show_progress="hidden",
                    concurrency_id="live",
                    concurrency_limit=2,
                )
                info_sweep.click(
                    guarded(
                        with_code_names(
                            studio.infogan_sweep,
                            ["seed", "code", "steps", "category"],
                            n_continuous,
                        )
                    ),
                    [info_seed, info_sweep_code, info_steps, info_category, *info_codes],
                    info_grid,
                    api_name="infogan_sweep",
                )

            # --- Attribute transfer ---------------------------------------------------------
            with model_tab("transfer", "transfer.help"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=300):
                        (
                            transfer_photo,
                            transfer_crop,
                            transfer_example_seed,
                            transfer_example,
                        ) = photo_source(7)
                    with gr.Column(scale=1, min_width=300):
                        transfer_note = gr.Markdown()
                        transfer_predicted = gr.Label(
                            label=t("transfer.predicted"),
                            num_top_classes=len(attributes) or 10,
                            show_heading=False,
                        )
                        transfer_checks = gr.CheckboxGroup(
                            attributes, label=t("transfer.attributes")
                        )
                        transfer_strength = gr.Slider(
                            0,
                            MAX_EDIT_STRENGTH,
                            value=DEFAULT_EDIT_STRENGTH,
                            step=0.25,
                            label=t("transfer.strength"),
                            info=t("transfer.strength.info"),
                        )
                        transfer_go = gr.Button(t("transfer.go"), variant="primary")
                with gr.Row():
                    transfer_original = image_box("transfer.original", height=256)
                    transfer_recon = image_box("transfer.reconstruction", height=256)
                    transfer_edited = image_box("transfer.edited", height=256)
                transfer_file = download_button()

                def analyse(photo: str, crop: str):
                    result = studio.analyse_face(photo, crop)
                    return result.probabilities, result.present, result.note

                transfer_photo.upload(
                    guarded(analyse),
                    [transfer_photo, transfer_crop],
                    [transfer_predicted, transfer_checks, transfer_note],
                    api_name="transfer_analyse",
                )

                def transfer_example_face(seed: float, crop: str):
                    path = studio.save_png(studio.example_face(seed))
                    return (path, *analyse(path, crop))

                transfer_example.click(
                    guarded(transfer_example_face),
                    [transfer_example_seed, transfer_crop],
                    [transfer_photo, transfer_predicted, transfer_checks, transfer_note],
                    api_name="transfer_example",
                )
                transfer_go.click(
                    guarded(
                        lambda photo, crop, wanted, strength: tuple(
                            studio.transfer(photo, crop, wanted, strength)
                        )
                    ),
                    [transfer_photo, transfer_crop, transfer_checks, transfer_strength],
                    [transfer_original, transfer_recon, transfer_edited, transfer_file],
                    api_name="transfer",
                )

            # --- Inpainting -----------------------------------------------------------------
            with model_tab("inpaint", "inpaint.help"):
                with gr.Row():
                    with gr.Column(scale=3, min_width=320):
                        inpaint_editor = gr.ImageEditor(
                            label=t("inpaint.editor"),
                            type="numpy",
                            image_mode="RGBA",
                            sources=["upload", "clipboard"],
                            brush=gr.Brush(colors=["#ff00ff"], color_mode="fixed", default_size=12),
                            layers=False,
                            transforms=(),
                            height=420,
                        )
                        inpaint_example_seed, inpaint_example = example_row(7)
                    with gr.Column(scale=2, min_width=280):
                        inpaint_mask = gr.Radio(
                            [
                                (t(f"inpaint.mask.{key}"), key)
                                for key in ("painted", "eyes", "mouth", "centre", "lower_face")
                            ],
                            value="eyes",
                            label=t("inpaint.mask"),
                            info=t("inpaint.mask.info"),
                        )
                        inpaint_crop = crop_radio()
                        inpaint_steps = gr.Slider(
                            0, 200, value=60, step=10, label=t("inpaint.steps")
                        )
                        inpaint_go = gr.Button(t("inpaint.go"), variant="primary")
                with gr.Row():
                    inpaint_masked = image_box("inpaint.masked", height=256)
                    inpaint_filled = image_box("inpaint.filled", height=256)
                inpaint_file = download_button()

                def inpaint_example_face(seed: float):
                    path = studio.save_png(studio.example_face(seed))
                    return {"background": path, "layers": [], "composite": path}

                inpaint_example.click(
                    guarded(inpaint_example_face),
                    [inpaint_example_seed],
                    inpaint_editor,
                    api_name="inpaint_example",
                )

                def inpaint(editor: dict | None, mask: str, crop: str, steps: float):
                    editor = editor or {}
                    photo = editor.get("background")
                    if photo is None:
                        photo = editor.get("composite")
                    return tuple(studio.inpaint(photo, crop, mask, editor.get("layers"), steps))

                inpaint_go.click(
                    guarded(inpaint),
                    [inpaint_editor, inpaint_mask, inpaint_crop, inpaint_steps],
                    [inpaint_masked, inpaint_filled, inpaint_file],
                    api_name="inpaint",
                    concurrency_id="heavy",
                    concurrency_limit=1,
                )

            # --- Compare --------------------------------------------------------------------
            with model_tab("compare", "compare.help"):
                with gr.Row():
                    compare_seed = seed_box()
                    compare_count = gr.Slider(1, 36, value=16, step=1, label=t("count"))
                    compare_go = gr.Button(t("compare.go"), variant="primary")
                compare_images = []
                for row in (COMPARE_MODELS[:3], COMPARE_MODELS[3:]):
                    with gr.Row(equal_height=False):
                        for name in row:
                            with gr.Column(min_width=220):
                                compare_images.append(
                                    gr.Image(
                                        label=name,
                                        format="png",
                                        interactive=False,
                                        elem_classes="pixelated",
                                        height=300,
                                        buttons=["download"],
                                    )
                                )
                                gr.Markdown(t(f"compare.{name}"))
                compare_go.click(
                    guarded(studio.compare),
                    [compare_seed, compare_count],
                    compare_images,
                    api_name="compare",
                )

            # --- Edit your own photo (DCGAN inversion) --------------------------------------
            with model_tab("invert", "invert.help"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=300):
                        invert_photo, invert_crop, invert_example_seed, invert_example = (
                            photo_source(11)
                        )
                        invert_steps = gr.Slider(
                            10, 500, value=120, step=10, label=t("invert.steps")
                        )
                        invert_go = gr.Button(t("invert.go"), variant="primary")
                    with gr.Column(scale=2):
                        invert_note = gr.Markdown()
                        with gr.Row():
                            invert_face = image_box("invert.face", height=256)
                            invert_recon = image_box("invert.reconstruction", height=256)
                            invert_edited = image_box("invert.edited", height=256)
                        with gr.Row():
                            invert_concept = gr.Dropdown(
                                list(EDIT_CONCEPTS), value="Eyeglasses", label=t("invert.concept")
                            )
                            invert_strength = gr.Slider(
                                -3,
                                3,
                                value=1.5,
                                step=0.1,
                                label=t("invert.strength"),
                                info=t("invert.strength.info"),
                            )
                            invert_apply = gr.Button(t("invert.apply"), variant="primary")
                invert_z = gr.State(None)

                invert_example.click(
                    guarded(lambda seed: studio.save_png(studio.example_face(seed))),
                    [invert_example_seed],
                    invert_photo,
                    api_name="invert_example",
                )

                def run_inversion(photo: str, crop: str, steps: float, progress=gr.Progress()):  # noqa: B008
                    progress(0, desc="Inverting")
                    result = studio.invert(
                        photo,
                        crop,
                        steps,
                        progress=lambda done, total: progress(
                            done / max(total, 1), desc="Inverting"
                        ),
                    )
                    return result.face, result.reconstruction, result.z, result.note, None

                invert_go.click(
                    guarded(run_inversion),
                    [invert_photo, invert_crop, invert_steps],
                    [invert_face, invert_recon, invert_z, invert_note, invert_edited],
                    api_name="invert",
                    concurrency_id="heavy",
                    concurrency_limit=1,
                )
                gr.on(
                    [invert_apply.click, invert_strength.release],
                    guarded(studio.edit_latent),
                    [invert_z, invert_concept, invert_strength],
                    invert_edited,
                    api_name="invert_edit",
                    trigger_mode="always_last",
                )

            # --- Training timeline ----------------------------------------------------------
            with gr.Tab(t("tab.timeline"), id="timeline") as timeline_tab:
                gr.Markdown(t("timeline.help"))
                with gr.Row():
                    timeline_model = gr.Dropdown(
                        model_choices, value=timeline_model_name, label=t("model")
                    )
                    timeline_show = gr.Button(t("timeline.show"))
                timeline_slider = gr.Slider(0, 1, value=0, step=1, label=t("timeline.frame"))
                timeline_caption = gr.Markdown()
                timeline_image = image_box("timeline.image", height=480)

                def timeline_open(name: str):
                    frames = studio.timeline(name)
                    if not frames:
                        message = f"No training timeline for **{name}** yet (no timeline/ frames)."
                        return gr.update(maximum=1, value=0), message, None
                    frame = studio.timeline_frame(name, len(frames) - 1)
                    return (
                        gr.update(maximum=max(1, frame.count - 1), value=frame.index),
                        _frame_caption(frame),
                        frame.image,
                    )

                gr.on(
                    [timeline_tab.select, timeline_show.click, timeline_model.change],
                    guarded(timeline_open),
                    [timeline_model],
                    [timeline_slider, timeline_caption, timeline_image],
                    api_name="timeline",
                )

                def timeline_step(name: str, index: float):
                    frame = studio.timeline_frame(name, index)
                    return _frame_caption(frame), frame.image

                timeline_slider.input(
                    guarded(timeline_step),
                    [timeline_model, timeline_slider],
                    [timeline_caption, timeline_image],
                    api_name="timeline_frame",
                    trigger_mode="always_last",
                    show_progress="hidden",
                )

            # --- About ----------------------------------------------------------------------
            with gr.Tab(t("tab.about"), id="about") as about_tab:
                gr.Markdown(t("about.models"))
                with gr.Row():
                    card_model = gr.Dropdown(model_choices, value=first_model, label=t("model"))
                    card_show = gr.Button(t("about.show"))
                card_text = gr.Markdown(label=t("about.card"))
                gr.on(
                    [about_tab.select, card_show.click, card_model.change],
                    guarded(lambda name: studio.describe(name) + "\n\n" + studio.model_card(name)),
                    [card_model],
                    card_text,
                    api_name="model_card",
                )

        def on_load():
            """Refresh each tab's missing-model warning; draw a first sample grid and digit."""
            updates = [status_value(studio, tab_models[tab]) for tab in statuses]
            grid, png, digit = None, None, None
            try:
                if studio.is_available(face_model):
                    grid, png = studio.sample(face_model, 0, 16, 1.0)
                if studio.is_available(INFOGAN):
                    digit = studio.infogan(0, 0, *([0.0] * n_continuous))
            except (ValueError, CheckpointError) as error:  # a broken checkpoint: say so in logs
                log.warning("first images failed: %s", error)
            return (*updates, grid, png, digit)

        demo.load(
            on_load,
            None,
            [*statuses.values(), sample_grid, sample_file, info_image],
            api_name="status",
        )
    return demo


def _frame_caption(frame: Any) -> str:
    return f"Step **{frame.step:,}** (frame {frame.index + 1} of {frame.count})"


studio = Studio.from_env()
demo = build_demo(studio)
demo.queue(default_concurrency_limit=2, max_size=64)

if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        max_file_size=MAX_UPLOAD,
        state_session_capacity=SESSION_CAPACITY,
        i18n=I18N,
        theme=THEME,
        css=CSS,
        show_error=True,
    )
