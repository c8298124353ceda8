"""``benchmarks/load_test.py --quick`` (4 clients x 5 requests) against the module's app: every
request must succeed. No latency assertions (CI machines vary); a 60 s cap on the whole run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("gradio_client")

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_quick_load_has_no_errors(app_server):
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "load_test.py"),
            "--quick",
            "--url",
            app_server.url,
            "--pid",
            str(app_server.process.pid),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "errors: 0 of 20" in result.stdout and "TOTAL ERRORS: 0" in result.stdout
    assert app_server.process.poll() is None
