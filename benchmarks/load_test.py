"""Many concurrent API clients against the app: errors, latency per endpoint, memory over time.

    python benchmarks/load_test.py [--clients 16] [--requests 25] [--memory-requests 1000]
    python benchmarks/load_test.py --quick            # 4 clients x 5 requests, no memory phase
    python benchmarks/load_test.py --url http://host:7860/ [--pid PID]

Launches ``python app.py`` on a free local port (or uses ``--url``), then:

1. load phase: ``--clients`` threads, each its own ``gradio_client.Client``, send ``--requests``
   requests each, mixing the tabs (sample, interpolate, infogan, compare, attribute transfer and
   inpainting on example faces, vector arithmetic); reports the error count and p50 / p95
   latency per endpoint and overall;
2. memory phase: ``--memory-requests`` more requests from the same clients, sampling the server's
   resident memory (VmRSS from /proc; needs the app launched here, or ``--pid``) every 100
   requests; prints the first / last / max RSS and the least-squares slope, overall and over
   the second half (after caches and allocator pools have filled), which should be ~0.

Exit code 1 when any request failed (the first few errors are printed).
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gradio_client import Client, handle_file

ROOT = Path(__file__).resolve().parent.parent

FACE_MODELS = ("dcgan-celeba64", "wgan-gp-celeba64", "vae-celeba64")
DIGIT_MODELS = ("gan-mnist", "vae-mnist", "ae-mnist")


# --- the server -----------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch_app(
    checkpoints: str | None, script: Path = ROOT / "app.py"
) -> tuple[subprocess.Popen, str, Path]:
    """``python app.py`` (or another Gradio ``script``) on a free port, once it answers HTTP;
    returns the process, its URL and its log file."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {
        **os.environ,
        "GRADIO_SERVER_PORT": str(port),
        "GRADIO_SERVER_NAME": "127.0.0.1",
        "GRADIO_ANALYTICS_ENABLED": "False",
    }
    if checkpoints:
        env["GAN_STUDIO_CHECKPOINTS"] = checkpoints
    log_path = Path(tempfile.gettempdir()) / f"load-test-{port}.log"
    with open(log_path, "wb") as log:
        app = subprocess.Popen(
            [sys.executable, str(script)], cwd=ROOT, env=env, stdout=log, stderr=log
        )
    started = time.perf_counter()
    while time.perf_counter() - started < 120:
        if app.poll() is not None:
            raise SystemExit(f"{script.name} exited; see {log_path}")
        try:
            urllib.request.urlopen(url + "gradio_api/info", timeout=2).read()
            return app, url, log_path
        except OSError:
            time.sleep(0.2)
    app.terminate()
    raise SystemExit(f"{script.name} did not serve within 120 s; see {log_path}")


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of ``pid`` in MB (None when unknown or not on Linux)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# --- the requests ---------------------------------------------------------------------------
class Visitor:
    """One client (its own session), with example faces fetched once for the photo tabs."""

    def __init__(self, url: str, index: int) -> None:
        self.client = Client(url, verbose=False)
        self.random = random.Random(index)
        self.index = index
        self._photo: str | None = None
        self._editor: dict | None = None

    def photo(self) -> str:
        if self._photo is None:
            self._photo = self.client.predict(self.index, "auto", api_name="/transfer_example")[0]
        return self._photo

    def editor(self) -> dict:
        if self._editor is None:
            value = self.client.predict(self.index + 100, api_name="/inpaint_example")
            face = handle_file(value["background"])
            self._editor = {"background": face, "layers": [], "composite": face}
        return self._editor

    def sample(self) -> Any:
        name = self.random.choice(FACE_MODELS + DIGIT_MODELS)
        return self.client.predict(name, self.random.randrange(10_000), 4, 1.0, api_name="/sample")

    def interpolate(self) -> Any:
        name = self.random.choice(FACE_MODELS)
        a, b = self.random.randrange(1000), self.random.randrange(1000)
        return self.client.predict(name, a, b, 4, "slerp", api_name="/interpolate")

    def infogan(self) -> Any:
        code = round(self.random.uniform(-2, 2), 2)
        digit = self.random.randrange(10)
        return self.client.predict(
            self.random.randrange(1000), digit, code, 0.0, api_name="/infogan"
        )

    def compare(self) -> Any:
        return self.client.predict(self.random.randrange(1000), 2, api_name="/compare")

    def transfer(self) -> Any:
        wanted = self.random.sample(["Eyeglasses", "Smiling", "Male", "Blond_Hair"], 2)
        return self.client.predict(handle_file(self.photo()), "auto", wanted, api_name="/transfer")

    def inpaint(self) -> Any:
        mask = self.random.choice(["eyes", "mouth", "centre"])
        return self.client.predict(self.editor(), mask, "auto", 0, api_name="/inpaint")

    def arithmetic(self) -> Any:
        seeds = [", ".join(str(self.random.randrange(500)) for _ in range(2)) for _ in range(3)]
        return self.client.predict(*seeds, 0.25, 0, api_name="/arithmetic")


ENDPOINTS: tuple[str, ...] = (
    "sample",
    "interpolate",
    "infogan",
    "compare",
    "transfer",
    "inpaint",
    "arithmetic",
)


class Recorder:
    """Latencies and errors from all threads; calls ``on_hundred`` every 100 requests."""

    def __init__(self, on_hundred: Callable[[int], None] | None = None) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: list[tuple[str, str]] = []
        self.done = 0
        self.on_hundred = on_hundred

    def run(self, visitor: Visitor, endpoint: str) -> None:
        started = time.perf_counter()
        try:
            getattr(visitor, endpoint)()
            error = None
        except Exception as caught:  # any failure counts: the report lists them
            error = f"{type(caught).__name__}: {caught}"
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.done += 1
            done = self.done
            if error is None:
                self.latencies[endpoint].append(elapsed)
            else:
                self.errors.append((endpoint, error))
        if self.on_hundred and done % 100 == 0:
            self.on_hundred(done)


def run_phase(visitors: list[Visitor], per_client: int, recorder: Recorder) -> float:
    """Each visitor sends ``per_client`` requests (tabs in turn, offset per client), in parallel.
    Returns the wall time in seconds."""

    def work(visitor: Visitor) -> None:
        for i in range(per_client):
            recorder.run(visitor, ENDPOINTS[(visitor.index + i) % len(ENDPOINTS)])

    threads = [threading.Thread(target=work, args=(v,)) for v in visitors]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


# --- the report -----------------------------------------------------------------------------
def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def slope(points: list[tuple[int, float]]) -> float:
    """Least-squares slope of (requests, MB) points, in MB per 100 requests."""
    if len(points) < 2:
        return 0.0
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mean_x) ** 2 for x in xs)
    cov = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    return cov / var * 100 if var else 0.0


def print_latencies(recorder: Recorder, wall: float) -> None:
    print("| endpoint | requests | p50 ms | p95 ms |")
    print("| --- | ---: | ---: | ---: |")
    everything: list[float] = []
    for endpoint in ENDPOINTS:
        values = recorder.latencies.get(endpoint, [])
        everything += values
        if values:
            p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
            print(f"| {endpoint} | {len(values)} | {p50:.0f} | {p95:.0f} |")
    if everything:
        p50, p95 = percentile(everything, 0.5), percentile(everything, 0.95)
        print(f"| **all** | {len(everything)} | {p50:.0f} | {p95:.0f} |")
        print(f"\nthroughput: {len(everything) / wall:.1f} requests/s over {wall:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--requests", type=int, default=25, help="per client")
    parser.add_argument("--memory-requests", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="4 clients x 5, no memory phase")
    parser.add_argument("--url", default=None, help="a running app instead of launching one")
    parser.add_argument("--pid", type=int, default=None, help="its process id, for the RSS")
    parser.add_argument("--checkpoints", default=None, help="GAN_STUDIO_CHECKPOINTS for the app")
    args = parser.parse_args(argv)
    if args.quick:
        args.clients, args.requests, args.memory_requests = 4, 5, 0

    app = None
    if args.url:
        url, pid = args.url.rstrip("/") + "/", args.pid
    else:
        app, url, log_path = launch_app(args.checkpoints)
        pid = app.pid
        print(f"launched app.py (pid {pid}) at {url}; log: {log_path}")
    try:
        visitors = [Visitor(url, i) for i in range(args.clients)]
        print(f"RSS before load: {rss_mb(pid) or float('nan'):.0f} MB")
        load = Recorder()
        wall = run_phase(visitors, args.requests, load)
        total = args.clients * args.requests
        print(f"\n## Load: {args.clients} clients x {args.requests} requests = {total}\n")
        print(f"errors: {len(load.errors)} of {total}\n")
        print_latencies(load, wall)
        print(f"\nRSS after load: {rss_mb(pid) or float('nan'):.0f} MB")
        errors = list(load.errors)

        if args.memory_requests > 0:
            points: list[tuple[int, float]] = []
            first = rss_mb(pid)
            if first is not None:
                points.append((0, first))

            def sample_rss(done: int) -> None:
                value = rss_mb(pid)
                if value is not None:
                    points.append((done, value))

            memory = Recorder(on_hundred=sample_rss)
            per_client = -(-args.memory_requests // args.clients)  # ceiling
            wall = run_phase(visitors, per_client, memory)
            print(f"\n## Memory: {memory.done} more requests, RSS every 100\n")
            print(f"errors: {len(memory.errors)} of {memory.done}\n")
            print_latencies(memory, wall)
            errors += memory.errors
            if points:
                values = [mb for _, mb in sorted(points)]
                print("\nRSS samples (MB): " + ", ".join(f"{v:.0f}" for v in values))
                ordered = sorted(points)
                settled = ordered[len(ordered) // 2 :]  # the first half lets caches fill
                print(
                    f"RSS first {values[0]:.0f} MB, last {values[-1]:.0f} MB, "
                    f"max {max(values):.0f} MB; slope {slope(ordered):+.2f} MB per 100 "
                    f"requests overall, {slope(settled):+.2f} over the second half "
                    f"({settled[0][0]}-{settled[-1][0]})"
                )
            else:
                print("\nRSS: unknown (pass --pid with --url, on Linux)")
    finally:
        if app is not None:
            app.terminate()
            try:
                app.wait(timeout=15)
            except subprocess.TimeoutExpired:
                app.kill()

    print(f"\nTOTAL ERRORS: {len(errors)}")
    for endpoint, message in errors[:10]:
        print(f"  {endpoint}: {message[:300]}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
