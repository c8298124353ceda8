"""Shared fixtures: the offline data in ../shared/data and the released checkpoints."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch

from ui.studio import FACE_JUDGE, RELEASE_MODELS

ROOT = Path(__file__).resolve().parent.parent

torch.set_num_threads(min(2, os.cpu_count() or 1))


def find_data_dir() -> Path | None:
    candidates = [os.environ.get("GAN_STUDIO_DATA"), ROOT.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "mnist").is_dir():
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    found = find_data_dir()
    if found is None:
        pytest.skip(
            "offline data not found: set GAN_STUDIO_DATA or put shared/data beside the repo"
        )
    return found


@pytest.fixture(scope="session")
def mnist_dir(data_dir: Path) -> Path:
    return data_dir / "mnist"


@pytest.fixture(scope="session")
def celeba_dir(data_dir: Path) -> Path:
    return data_dir / "celeba"


@pytest.fixture(scope="session")
def cache_dir(tmp_path_factory) -> Path:
    """One decoded-image cache for the whole session (decoding happens once)."""
    return tmp_path_factory.mktemp("cache")


# --- The web app: release checkpoints and a running server --------------------------------------
APP_MODELS = (*RELEASE_MODELS, FACE_JUDGE)  # what the app needs: the releases + the face judge


@pytest.fixture(scope="session")
def release_checkpoints() -> Path:
    """The checkpoint folder the app will use (GAN_STUDIO_CHECKPOINTS or checkpoints/), or a
    skip naming what is missing, so app tests never pass against no models."""
    from gan_core.checkpoint import checkpoint_dir

    root = checkpoint_dir()
    missing = [
        name
        for name in APP_MODELS
        if not (
            (root / name / "config.json").is_file()
            and (root / name / "model.safetensors").is_file()
        )
    ]
    if missing:
        pytest.skip(
            f"release checkpoints missing in {root}: {', '.join(missing)}. Train and export them "
            "(python -m training ... --export checkpoints/<name>), or point GAN_STUDIO_CHECKPOINTS "
            "at a folder that has them"
        )
    return root


class RunningApp:
    """``python app.py`` in a subprocess on a free port (the way a person or a Space runs it)."""

    def __init__(self, checkpoints: Path, log_path: Path) -> None:
        import socket
        import subprocess
        import sys
        import time

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {
            **os.environ,
            "GAN_STUDIO_CHECKPOINTS": str(checkpoints),
            "GRADIO_SERVER_NAME": "127.0.0.1",
            "GRADIO_SERVER_PORT": str(self.port),
            "GRADIO_ANALYTICS_ENABLED": "False",
            "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2"),
        }
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.startup_seconds = self._wait_until_serving(started, timeout=90)

    def _wait_until_serving(self, started: float, timeout: float) -> float:
        import time
        import urllib.request

        while time.perf_counter() - started < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"app.py exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(self.url + "gradio_api/info", timeout=2) as reply:
                    if reply.status == 200:
                        return time.perf_counter() - started
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"app.py did not serve within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except Exception:
                self.process.kill()
        self._log.close()


@pytest.fixture(scope="session")
def app_server(release_checkpoints: Path, tmp_path_factory) -> RunningApp:
    """One app process for the API and browser tests."""
    app = RunningApp(release_checkpoints, tmp_path_factory.mktemp("app") / "app.log")
    yield app
    app.stop()
