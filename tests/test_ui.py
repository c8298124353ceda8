"""The app's structure (issue 18) and the Gradio workarounds (ui/widgets.py)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import gradio as gr
from gradio.helpers import special_args

from ui.widgets import GalleryClick, named_parameters

ROOT = Path(__file__).resolve().parent.parent


def test_library_and_training_import_no_app_code():
    code = (
        "import sys, gan_core, training.evaluate, training.model_card; "
        "assert 'gradio' not in sys.modules and 'ui' not in sys.modules, "
        "[m for m in sys.modules if m.startswith(('gradio', 'ui'))]"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_app_is_a_thin_launcher_over_one_module_per_tab():
    assert len((ROOT / "app.py").read_text().splitlines()) <= 80
    tabs = [p for p in (ROOT / "ui" / "tabs").glob("*.py") if p.name != "__init__.py"]
    assert len(tabs) >= 8
    assert not list((ROOT / "gan_core").glob("studio*"))
    for path in (ROOT / "ui").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 120, f"{path.name}:{node.name} has {length} lines"


def test_gradio_builds_the_gallery_click_from_the_annotation():
    """Fails when Gradio stops constructing EventData subclasses as ``cls(target, data)``."""

    def handler(seeds: list, evt: GalleryClick):
        return evt.index

    clicked, *_ = special_args(handler, [[1, 2]], event_data=gr.EventData(None, {"index": 1}))
    assert handler(*clicked) == 1
    through_api, *_ = special_args(handler, [[1, 2]], event_data=gr.EventData(None, {}))
    assert handler(*through_api) is None


def test_gradio_names_api_parameters_after_the_handler_signature():
    """Fails when Gradio stops reading ``__signature__`` for the API's parameter names."""
    with gr.Blocks() as demo:
        boxes = [gr.Number() for _ in range(3)]
        out = gr.Number()
        gr.Button().click(
            named_parameters(lambda *a: sum(a), ["seed", "c1", "c2"]), boxes, out, api_name="f"
        )
    info = demo.get_api_info()
    names = [p["parameter_name"] for p in info["named_endpoints"]["/f"]["parameters"]]
    assert names == ["seed", "c1", "c2"]


def starts(ctx, name: str) -> set[tuple[int, str]]:
    """(component id, event) of the triggers that start the visitor's own work in a tab."""
    return {(trigger.__self__._id, trigger.event_name) for trigger in ctx.started_by[name]}


def test_a_first_look_never_replaces_what_the_visitor_started(tmp_path):
    """Every first look, /status's included, is dropped once the visitor has started their
    own work in the tab; in Vector arithmetic, typing into a seed box is such a start (a late
    first look used to overwrite the typed seeds)."""
    from ui.context import note_started
    from ui.demo import build_demo, unless_started
    from ui.studio import Studio

    demo, ctx = build_demo(Studio(output_dir=tmp_path))
    deps = demo.get_config_file()["dependencies"]
    unqueued = [d for d in deps if d.get("queue") is False]
    for name in ctx.loaders:
        triggers = starts(ctx, name)
        assert triggers, f"nothing the visitor does stops the first look of {name}"
        assert any(triggers <= {tuple(t) for t in d["targets"]} for d in unqueued), name
    # /status (the Sample and InfoGAN first looks) reads the same per-visitor state
    status = next(d for d in deps if d.get("api_name") == "status")
    sample_starts = starts(ctx, "sample")
    marks = [d for d in unqueued if d["targets"] and tuple(d["targets"][0]) in sample_starts]
    assert marks and status["inputs"] == marks[0]["inputs"]
    row_a = ctx.loaders["arithmetic"][1][2]
    assert (row_a._id, "input") in starts(ctx, "arithmetic")
    # The page sends a trigger's handlers in registration order, and a note sent after the
    # tab's own handler arrived only once that had finished: each note must come first.
    for name in ctx.loaders:
        for trigger in starts(ctx, name):
            handlers = [i for i, d in enumerate(deps) if trigger in map(tuple, d["targets"])]
            note = next(i for i in handlers if deps[i].get("queue") is False)
            assert note == handlers[0], f"{name}: a handler of {trigger} precedes the note"

    started = {}
    look = unless_started("sample", lambda: ("grid", "file"), 2)
    assert look(started) == ("grid", "file")
    note_started("sample")(started)  # the same dict, changed in place, as Gradio's State is
    assert all(isinstance(v, type(gr.skip())) for v in look(started))


def test_the_tab_bar_holds_only_tabs(tmp_path):
    """Anything else inside gr.Tabs shifts the labels of the tabs after it (a gr.State there
    showed "Interpolate" twice and hid "Vector arithmetic" in a browser)."""
    from ui.demo import build_demo
    from ui.studio import Studio

    demo, _ = build_demo(Studio(output_dir=tmp_path))
    (tabs,) = [b for b in demo.blocks.values() if isinstance(b, gr.Tabs)]
    assert tabs.children and all(isinstance(c, gr.Tab) for c in tabs.children)
    labels = [c.label for c in tabs.children]
    assert len(set(labels)) == len(labels)
