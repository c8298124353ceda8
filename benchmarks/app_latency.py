"""How fast the app answers an InfoGAN slider move, compared with the bare model call.

    python benchmarks/app_latency.py [--calls 100] [--checkpoints DIR]

Launches ``python app.py`` on a free local port, then measures:

- cold start: process launch -> first HTTP answer, and -> first InfoGAN image served;
- one slider move through Gradio's HTTP call API: POST /gradio_api/call/infogan, read the event
  stream until ``complete``, fetch the image; median and p95 over ``--calls`` moves (each with a
  new code value). Twice: in one session, as a browser tab sends them (the headline figure),
  and with no session id, as a one-off ``curl`` does (Gradio then builds a session first);
- Gradio's own floor in the same run: a minimal app whose handler returns its input at once;
- the bare ``model.generate`` for the same input in this process, and the ratio;
- the same slider while a Training playground run (WGAN-GP, 3,000 steps) trains on the server:
  the other tabs must stay responsive while the playground works (issue 20);
- the app's resident memory (VmRSS from /proc) after every model has served a request.

Targets (issue 5): median <= 40 ms, <= 3x the bare call, cold start < 10 s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.load_test import launch_app  # noqa: E402
from gan_core.checkpoint import checkpoint_dir, load  # noqa: E402
from gan_core.sampling import make_generator  # noqa: E402
from ui.demo import FIRST_LOOKS_READY  # noqa: E402
from ui.studio import FACE_JUDGE, RELEASE_MODELS  # noqa: E402

#: Gradio's floor: the cheapest event it can serve (same queue, same HTTP API, no work).
FLOOR_APP = """
import gradio as gr
with gr.Blocks(analytics_enabled=False) as demo:
    value, echo = gr.Number(), gr.Number()
    value.change(lambda x: x, value, echo, api_name="echo")
demo.queue().launch()
"""


def call(
    base: str, api_name: str, data: list, fetch_files: bool = True, session: str | None = None
) -> list:
    """One request through the HTTP call API; returns the output data.

    ``session``: a session id kept across calls, as a browser tab keeps one. Without it every
    call is a new session, and Gradio builds that session's copy of the UI state first."""
    payload: dict = {"data": data}
    if session:
        payload["session_hash"] = session
    body = json.dumps(payload).encode()
    request = urllib.request.Request(
        f"{base}gradio_api/call/{api_name}",
        data=body,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as reply:
        event_id = json.load(reply)["event_id"]
    with urllib.request.urlopen(f"{base}gradio_api/call/{api_name}/{event_id}", timeout=120) as s:
        event = None
        for raw in s:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"{api_name} failed: {line[6:]}")
                output = json.loads(line[6:])
                break
        else:
            raise RuntimeError(f"{api_name}: the stream ended without a result")
    if fetch_files:
        for item in output:
            if isinstance(item, dict) and item.get("url"):
                with urllib.request.urlopen(item["url"], timeout=30) as image:
                    image.read()
    return output


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rss_mb(pid: int) -> tuple[float, float]:
    """(current, peak) resident memory of ``pid`` in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def bare_generate_ms(calls: int) -> tuple[float, float]:
    """Median and p95 of InfoGAN's generate for one digit, in this process (torch's default
    thread count, as in the app)."""
    model = load("infogan-mnist")
    z = torch.randn(1, model.z_dim, generator=make_generator(0))
    category = torch.tensor([3])
    times = []
    for i in range(calls + 5):
        codes = torch.tensor([[i / calls * 2 - 1, 0.0]])
        started = time.perf_counter()
        model.generate(z, category=category, continuous=codes)
        if i >= 5:  # warm-up
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), percentile(times, 0.95)


def timed_calls(base: str, api_name: str, inputs, calls: int, session: str | None) -> list[float]:
    """Milliseconds per call for ``calls`` calls of ``inputs(i)``, after 5 warm-up calls."""
    for i in range(5):
        call(base, api_name, inputs(i), session=session)
    times = []
    for i in range(calls):
        started = time.perf_counter()
        call(base, api_name, inputs(i), session=session)
        times.append((time.perf_counter() - started) * 1000)
    return times


def during_playground(base: str, inputs, calls: int) -> tuple[list[float], float]:
    """Slider calls (ms) made while one ``/playground_run`` trains, and that run's seconds."""
    finished = threading.Event()
    seconds, errors = [0.0], []
    # the raw HTTP API takes every input (gradio_client fills in the defaults itself)
    settings = ["ring8", "wgan-gp", 3000, 0, "none", False, 64, None, None]

    def train() -> None:
        started = time.perf_counter()
        try:
            call(base, "playground_run", settings, fetch_files=False)
        except RuntimeError as error:
            errors.append(error)
        finally:
            seconds[0] = time.perf_counter() - started
            finished.set()

    worker = threading.Thread(target=train, daemon=True)
    worker.start()
    time.sleep(1.0)  # past the queue, into training
    times = []
    while not finished.is_set() and len(times) < calls:
        started = time.perf_counter()
        call(base, "infogan", inputs(len(times)), session="benchmark-playground")
        times.append((time.perf_counter() - started) * 1000)
    worker.join()
    if errors or not times:
        raise SystemExit(f"the playground run failed or ended at once: {errors}")
    return times, seconds[0]


def wait_for_warm_up(log: Path, started: float, timeout: float = 300) -> float:
    """Seconds from ``started`` until the app's log says the last tab's first look is ready."""
    while time.perf_counter() - started < timeout:
        if FIRST_LOOKS_READY in log.read_text(errors="replace"):
            return time.perf_counter() - started
        time.sleep(0.5)
    raise SystemExit(f"the first-look warm-up did not finish within {timeout:.0f} s; see {log}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--checkpoints", type=Path, default=None)
    args = parser.parse_args()
    if args.checkpoints:
        os.environ["GAN_STUDIO_CHECKPOINTS"] = str(args.checkpoints)
    root = checkpoint_dir()
    if not (root / "infogan-mnist" / "model.safetensors").is_file():
        raise SystemExit(f"skipped: no infogan-mnist checkpoint in {root} (train and export it)")

    def slider(i: int) -> list:  # a new code value each call, like a drag
        value = round(-2 + 4 * i / max(1, args.calls - 1), 3)
        return [0, 3, value, -value / 2]

    started = time.perf_counter()
    app, base, log = launch_app(str(args.checkpoints) if args.checkpoints else None)
    try:
        serving = time.perf_counter() - started
        call(base, "infogan", [0, 3, 0.0, 0.0])
        first_image = time.perf_counter() - started
        # While the app computes every tab's first look in the background (ui.demo.warm_up):
        warming = timed_calls(base, "infogan", slider, args.calls, session="benchmark-warm-up")
        warmed = wait_for_warm_up(log, started)
        tab = timed_calls(base, "infogan", slider, args.calls, session="benchmark-tab")
        stateless = timed_calls(base, "infogan", slider, args.calls, session=None)
        beside, playground_seconds = during_playground(base, slider, args.calls)

        loaded = []
        for name in RELEASE_MODELS:  # every model serves one request, then the judge
            try:
                call(base, "sample", [name, 0, 4, 1.0], fetch_files=False)
                loaded.append(name)
            except RuntimeError as error:
                print(f"(skipped {name}: {error})")
        try:
            autopick = ["glasses", 0, 16, 30, True, 0.25, 0]
            call(base, "arithmetic_autopick", autopick, fetch_files=False)
            loaded.append(FACE_JUDGE)
        except RuntimeError as error:
            print(f"(skipped the judge: {error})")
        rss, peak = rss_mb(app.pid)
    finally:
        app.terminate()
        app.wait(timeout=15)
    with tempfile.TemporaryDirectory() as folder:
        floor_script = Path(folder) / "floor_app.py"
        floor_script.write_text(FLOOR_APP)
        floor_app, floor_base, _ = launch_app(None, script=floor_script)
        try:
            floor = timed_calls(floor_base, "echo", lambda i: [i], args.calls, "benchmark-tab")
        finally:
            floor_app.terminate()
            floor_app.wait(timeout=15)
    bare_median, bare_p95 = bare_generate_ms(args.calls)

    tab_median, tab_p95 = statistics.median(tab), percentile(tab, 0.95)
    floor_median = statistics.median(floor)
    print(f"\nInfoGAN slider move via HTTP, {args.calls} calls; checkpoints: {root}\n")
    print("| measure | value | target |")
    print("| --- | --- | --- |")
    print(f"| app call in a browser session, median | {tab_median:.1f} ms | <= 40 ms |")
    print(f"| app call in a browser session, p95 | {tab_p95:.1f} ms | |")
    print(
        f"| same, during the first-look warm-up, median / p95 | {statistics.median(warming):.1f}"
        f" / {percentile(warming, 0.95):.1f} ms | |"
    )
    print(f"| first-look warm-up finished after | {warmed:.0f} s | |")
    print(
        f"| same, while a playground run trains ({len(beside)} calls in its "
        f"{playground_seconds:.0f} s), median / p95 | {statistics.median(beside):.1f} / "
        f"{percentile(beside, 0.95):.1f} ms | |"
    )
    print(
        f"| app call without a session (one-off client), median | "
        f"{statistics.median(stateless):.1f} ms | |"
    )
    print(f"| Gradio floor: a handler that returns its input, median | {floor_median:.1f} ms | |")
    threads = torch.get_num_threads()
    print(f"| bare `generate`, median ({threads} thread(s)) | {bare_median:.2f} ms | |")
    print(f"| bare `generate`, p95 | {bare_p95:.2f} ms | |")
    print(f"| app / bare (medians) | {tab_median / bare_median:.1f}x | <= 3x |")
    print(f"| Gradio floor / bare (medians) | {floor_median / bare_median:.1f}x | |")
    print(f"| cold start to first HTTP answer | {serving:.1f} s | < 10 s |")
    print(f"| cold start to first InfoGAN image | {first_image:.1f} s | < 10 s |")
    print(f"| RSS, {len(loaded)} models loaded (peak) | {rss:.0f} MB ({peak:.0f} MB) | |")
    print(
        f"\n(above Gradio's floor, the app spends {tab_median - floor_median:.1f} ms: the model, "
        "the PNG, and fetching it)"
    )


if __name__ == "__main__":
    main()
