"""The training CLI under faults (issue 7): kill -9 and resume, corrupt or inconsistent data,
divergence, unwritable folders. Tiny networks on small slices so each test takes seconds; every
failure must be a one-line error with an exit code, never a traceback or a damaged run folder.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from run_checks import assert_states_equal, flatten_tensors, read_metrics

import training.loop
from training.__main__ import main as train_main
from training.recipes import DCGANRecipe

ROOT = Path(__file__).resolve().parent.parent
#: as TINY_SETTINGS["dcgan"] in test_training.py: 4-channel-wide networks, a step in milliseconds
TINY_DCGAN = ["--set", "g_width=4", "--set", "d_width=4"]
SMALL_RUN = ["--batch-size", "8", "--limit", "64", "--log-every", "1"]


def dcgan_args(data_dir: Path, out: Path, steps: int, *extra: str) -> list[str]:
    """CLI arguments for a tiny DCGAN run on a CelebA-layout folder."""
    return [
        "dcgan",
        "--data-dir",
        str(data_dir),
        "--out",
        str(out),
        "--steps",
        str(steps),
        *SMALL_RUN,
        *TINY_DCGAN,
        *extra,
    ]


def make_celeba_copy(celeba_dir: Path, root: Path, count: int = 40) -> Path:
    """A small CelebA layout: ``count`` symlinked faces and a trimmed attribute file."""
    images = root / "img_align_celeba"
    images.mkdir(parents=True)
    lines = (celeba_dir / "list_attr_celeba.txt").read_text().splitlines()
    rows = lines[2 : 2 + count]
    for row in rows:
        name = row.split()[0]
        (images / name).symlink_to(celeba_dir / "img_align_celeba" / name)
    (root / "list_attr_celeba.txt").write_text("\n".join([str(count), lines[1], *rows]) + "\n")
    return root


def corrupt_two_images(folder: Path, names: list[str]) -> None:
    """A truncated JPEG and a text file named .jpg, replacing two real images."""
    truncated, text = folder / names[0], folder / names[1]
    data = truncated.read_bytes()
    truncated.unlink()
    truncated.write_bytes(data[: len(data) // 3])
    text.unlink()
    text.write_text("this is not a JPEG\n")


# --- kill -9 and resume -------------------------------------------------------------------------
def test_kill_9_then_resume_matches_an_uninterrupted_run(celeba_dir, tmp_path):
    steps = 40
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}

    def command(out: Path, *extra: str) -> list[str]:
        return [
            sys.executable,
            "-m",
            "training",
            *dcgan_args(celeba_dir, out, steps, *extra),
            "--sample-every",
            "4",
            "--checkpoint-every",
            "4",
            "--threads",
            "1",
            "--cache-dir",
            str(tmp_path / "cache"),
        ]

    def start(out: Path) -> subprocess.Popen:
        with open(tmp_path / f"{out.name}.log", "wb") as log:  # the child keeps its own copy
            return subprocess.Popen(command(out), cwd=ROOT, env=env, stdout=log, stderr=log)

    straight_out, victim_out = tmp_path / "straight", tmp_path / "victim"
    straight, victim = start(straight_out), start(victim_out)
    try:
        _kill_then_resume(straight, victim, straight_out, victim_out, steps, command, env)
    finally:
        for process in (straight, victim):
            if process.poll() is None:
                process.kill()
                process.wait()


def _kill_then_resume(
    straight: subprocess.Popen,
    victim: subprocess.Popen,
    straight_out: Path,
    victim_out: Path,
    steps: int,
    command,
    env: dict,
) -> None:
    """SIGKILL the victim after a checkpoint and more steps, resume it, compare."""
    tmp_path = victim_out.parent
    # Kill once a checkpoint exists and more steps have run after it.
    deadline = time.monotonic() + 240
    while True:
        assert victim.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "the run made no progress"
        metrics = victim_out / "metrics.jsonl"
        lines = metrics.read_text().splitlines() if metrics.exists() else []
        if lines and lines[-1].endswith("}") and json.loads(lines[-1])["step"] >= 10:
            break
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    assert victim.wait(timeout=30) == -signal.SIGKILL
    state_path = victim_out / "training_state.pt"
    killed_state = torch.load(state_path, weights_only=True)  # complete at the moment of the kill
    saved_step = killed_state["step"]
    assert 8 <= saved_step < steps and saved_step % 4 == 0
    before = [m for m in read_metrics(victim_out) if m["step"] <= saved_step]
    assert [m["step"] for m in before] == list(range(1, saved_step + 1))
    samples_before = {
        p.name: p.read_bytes() for p in (victim_out / "samples").glob("*.png")
    }  # samples are written before the checkpoint of the same step
    assert f"step-{saved_step:06d}.png" in samples_before
    # A temp file left by a kill during a write must never be taken for the state.
    (victim_out / ".training_state.pt.4242.tmp").write_bytes(b"half a pickle")

    resumed = subprocess.run(
        command(victim_out, "--resume"),
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert f"at step {saved_step}" in resumed.stderr
    assert straight.wait(timeout=300) == 0, (tmp_path / "straight.log").read_text()[-3000:]

    assert_states_equal(
        torch.load(straight_out / "training_state.pt", weights_only=True),
        torch.load(state_path, weights_only=True),
    )
    after = read_metrics(victim_out)
    assert after[: len(before)] == before  # nothing already saved was lost or rewritten
    assert [m["step"] for m in after] == list(range(1, steps + 1))  # replayed steps once
    straight_metrics = read_metrics(straight_out)
    for a, b in zip(after, straight_metrics):
        assert (a["step"], a["d"], a["g"]) == (b["step"], b["d"], b["g"])
    for name, data in samples_before.items():
        assert (victim_out / "samples" / name).read_bytes() == data


def test_a_crash_while_writing_the_state_keeps_the_previous_one(
    celeba_dir, tmp_path, cache_dir, monkeypatch
):
    out = tmp_path / "run"
    common = ["--checkpoint-every", "2", "--cache-dir", str(cache_dir)]
    assert train_main(dcgan_args(celeba_dir, out, 2, *common)) == 0
    good = (out / "training_state.pt").read_bytes()
    real_save = torch.save

    def save_half_then_die(obj, handle, *args, **kwargs):
        real_save(obj, handle, *args, **kwargs)
        handle.truncate(handle.tell() // 2)
        raise KeyboardInterrupt  # stands in for the process dying mid-write

    monkeypatch.setattr(training.loop.torch, "save", save_half_then_die)
    with pytest.raises(KeyboardInterrupt):
        train_main(dcgan_args(celeba_dir, out, 4, *common, "--resume"))
    monkeypatch.undo()
    assert (out / "training_state.pt").read_bytes() == good
    assert torch.load(out / "training_state.pt", weights_only=True)["step"] == 2
    assert list(out.glob(".training_state.pt.*.tmp"))  # the half-written file stayed aside
    assert train_main(dcgan_args(celeba_dir, out, 4, *common, "--resume")) == 0
    assert torch.load(out / "training_state.pt", weights_only=True)["step"] == 4


# --- corrupt images -----------------------------------------------------------------------------
def test_corrupt_images_in_a_folder_are_skipped_and_counted(celeba_dir, tmp_path, capsys):
    folder = tmp_path / "images"
    folder.mkdir()
    for source in sorted((celeba_dir / "img_align_celeba").iterdir())[:22]:
        shutil.copy(source, folder / source.name)
    corrupt_two_images(folder, sorted(p.name for p in folder.iterdir())[5:7])
    (folder / "empty.jpg").write_bytes(b"")
    args = [
        "convgan",
        "--data",
        "folder",
        "--data-dir",
        str(folder),
        "--out",
        str(tmp_path / "run"),
    ]
    args += ["--steps", "2", "--batch-size", "8", "--log-every", "1", "--set", "width=4"]
    assert train_main(args) == 0
    assert "skipped 3 unreadable image(s)" in capsys.readouterr().err
    assert len(read_metrics(tmp_path / "run")) == 2


def test_corrupt_images_in_celeba_are_skipped_and_counted(celeba_dir, tmp_path, capsys, caplog):
    root = make_celeba_copy(celeba_dir, tmp_path / "celeba", count=40)
    corrupt_two_images(root / "img_align_celeba", ["000003.jpg", "000017.jpg"])
    cache = ["--cache-dir", str(tmp_path / "cache")]
    with caplog.at_level("INFO"):
        assert train_main(dcgan_args(root, tmp_path / "run", 2, *cache)) == 0
    assert "skipped 2 unreadable image(s)" in capsys.readouterr().err
    assert "000003.jpg" in caplog.text and "000017.jpg" in caplog.text  # each file is named
    assert "dcgan on cpu: 38 images" in caplog.text
    # A second run reads the decoded cache and still leaves the unreadable files out.
    caplog.clear()
    with caplog.at_level("INFO"):
        assert train_main(dcgan_args(root, tmp_path / "again", 2, *cache)) == 0
    assert "skipped 2 unreadable image(s)" in capsys.readouterr().err
    assert "dcgan on cpu: 38 images" in caplog.text


# --- inconsistent CelebA layouts ----------------------------------------------------------------
def _drop_attribute_file(root: Path) -> str:
    (root / "list_attr_celeba.txt").unlink()
    return "list_attr_celeba.txt"


def _fewer_rows(root: Path) -> str:
    path = root / "list_attr_celeba.txt"
    path.write_text("\n".join(path.read_text().splitlines()[:-3]) + "\n")
    return "announces 40 rows but has 37"


def _more_rows(root: Path) -> str:
    path = root / "list_attr_celeba.txt"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines + lines[-2:]) + "\n")
    return "announces 40 rows but has 42"


def _short_row(root: Path) -> str:
    path = root / "list_attr_celeba.txt"
    lines = path.read_text().splitlines()
    lines[9] = " ".join(lines[9].split()[:-1])
    path.write_text("\n".join(lines) + "\n")
    return "row 10 has 39 values, not 40"


def _non_numeric_value(root: Path) -> str:
    path = root / "list_attr_celeba.txt"
    lines = path.read_text().splitlines()
    lines[5] = lines[5].replace("-1", "yes", 1)
    path.write_text("\n".join(lines) + "\n")
    return "row 6"


def _bad_header(root: Path) -> str:
    path = root / "list_attr_celeba.txt"
    lines = path.read_text().splitlines()
    path.write_text("\n".join(["forty", *lines[1:]]) + "\n")
    return "not in the list_attr_celeba.txt format"


def _missing_image(root: Path) -> str:
    (root / "img_align_celeba" / "000012.jpg").unlink()
    return "000012.jpg"


@pytest.mark.parametrize(
    "damage",
    [
        _drop_attribute_file,
        _fewer_rows,
        _more_rows,
        _short_row,
        _non_numeric_value,
        _bad_header,
        _missing_image,
    ],
    ids=lambda f: f.__name__.strip("_"),
)
def test_inconsistent_celeba_fails_before_training(damage, celeba_dir, tmp_path, capsys):
    root = make_celeba_copy(celeba_dir, tmp_path / "celeba", count=40)
    expected = damage(root)
    out = tmp_path / "run"
    assert train_main(dcgan_args(root, out, 2, "--cache-dir", str(tmp_path / "cache"))) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err, err
    assert str(root) in err  # names the file or folder at fault
    assert not (out / "metrics.jsonl").exists() and not (out / "training_state.pt").exists()


# --- divergence ---------------------------------------------------------------------------------
def _patch_train_step(monkeypatch, after_step: int, action) -> None:
    """From 0-based step ``after_step`` on, let ``action(recipe, losses)`` spoil the step."""
    real = DCGANRecipe.train_step

    def train_step(self, batch, step):
        losses = real(self, batch, step)
        return action(self, losses) if step >= after_step else losses

    monkeypatch.setattr(DCGANRecipe, "train_step", train_step)


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_a_non_finite_loss_stops_the_run_and_keeps_the_last_good_checkpoint(
    bad, celeba_dir, tmp_path, cache_dir, monkeypatch, capsys
):
    _patch_train_step(monkeypatch, 6, lambda recipe, losses: {**losses, "g": torch.tensor(bad)})
    out = tmp_path / "run"
    args = dcgan_args(celeba_dir, out, 20, "--checkpoint-every", "3", "--cache-dir", str(cache_dir))
    assert train_main(args) == 3
    err = capsys.readouterr().err
    assert "training diverged" in err and f"g became {bad}" in err and "at step 7" in err
    state = torch.load(out / "training_state.pt", weights_only=True)
    assert state["step"] == 6  # the last checkpoint before the bad step
    assert all(torch.isfinite(t).all() for t in flatten_tensors(state["networks"]).values())
    metrics = read_metrics(out)
    assert [m["step"] for m in metrics] == list(range(1, 7))
    assert all(math.isfinite(m["g"]) for m in metrics)


def test_weights_that_became_nan_are_never_checkpointed(
    celeba_dir, tmp_path, cache_dir, monkeypatch, capsys
):
    """An optimiser step can overflow while the loss it was computed from is still finite."""

    def poison(recipe, losses):
        with torch.no_grad():
            next(recipe.model.parameters()).fill_(math.nan)
        return losses

    _patch_train_step(monkeypatch, 5, poison)  # poisons the weights during step 6 = a checkpoint
    out = tmp_path / "run"
    args = dcgan_args(celeba_dir, out, 20, "--checkpoint-every", "3", "--cache-dir", str(cache_dir))
    assert train_main(args) == 3
    assert "training diverged" in capsys.readouterr().err
    state = torch.load(out / "training_state.pt", weights_only=True)
    assert state["step"] == 3
    assert all(torch.isfinite(t).all() for t in flatten_tensors(state["networks"]).values())


def test_an_absurd_learning_rate_diverges_with_a_clear_message(
    celeba_dir, tmp_path, cache_dir, capsys
):
    out = tmp_path / "run"
    args = dcgan_args(celeba_dir, out, 20, "--lr", "1e30", "--cache-dir", str(cache_dir))
    assert train_main([*args, "--checkpoint-every", "5"]) == 3
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith("error: training diverged: loss") and "became nan" in last
    if (out / "training_state.pt").exists():  # any checkpoint written holds finite weights
        state = torch.load(out / "training_state.pt", weights_only=True)
        assert all(torch.isfinite(t).all() for t in flatten_tensors(state["networks"]).values())
        assert "last good checkpoint" in last
    else:
        assert "no checkpoint had been written yet" in last


# --- unwritable folders -------------------------------------------------------------------------
def test_an_output_folder_under_a_file_fails_at_start(celeba_dir, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert train_main(dcgan_args(celeba_dir, blocker / "run", 2)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write to") and str(blocker / "run") in err


def test_a_read_only_output_folder_fails_at_start(celeba_dir, tmp_path, capsys):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        try:
            (folder / "probe").write_text("x")
        except OSError:
            pass
        else:
            pytest.skip("this user (root?) can write to a chmod 555 folder; see the test above")
        assert train_main(dcgan_args(celeba_dir, folder / "run", 2)) == 2
        assert "cannot write to" in capsys.readouterr().err
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("where", ["under-a-file", "is-a-file"])
def test_an_unwritable_export_folder_fails_before_training(where, celeba_dir, tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    export = blocker / "export" if where == "under-a-file" else blocker
    out = tmp_path / "run"
    assert train_main(dcgan_args(celeba_dir, out, 2, "--export", str(export))) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and str(blocker) in err, err
    assert not (out / "metrics.jsonl").exists()
    assert blocker.read_text() == "not a folder"


# --- MNIST --------------------------------------------------------------------------------------
def _truncated_gzip(folder: Path, images: bytes) -> str:
    packed = gzip.compress(images, compresslevel=1)
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(packed[: len(packed) // 2])
    return "t10k-images-idx3-ubyte.gz"


def _truncated_raw(folder: Path, images: bytes) -> str:
    (folder / "t10k-images-idx3-ubyte").write_bytes(images[: len(images) - 1000])
    return "t10k-images-idx3-ubyte is truncated"


def _not_gzip(folder: Path, images: bytes) -> str:
    (folder / "t10k-images-idx3-ubyte.gz").write_bytes(images[:5000])  # raw bytes named .gz
    return "t10k-images-idx3-ubyte.gz"


@pytest.mark.parametrize(
    "damage", [_truncated_gzip, _truncated_raw, _not_gzip], ids=lambda f: f.__name__.strip("_")
)
def test_a_truncated_mnist_file_is_a_clear_error(damage, mnist_dir, tmp_path, capsys):
    folder = tmp_path / "mnist"
    folder.mkdir()
    labels = mnist_dir / "t10k-labels-idx1-ubyte.gz"
    shutil.copy(labels, folder / labels.name)
    if damage is _truncated_raw:
        (folder / "t10k-labels-idx1-ubyte").write_bytes(gzip.decompress(labels.read_bytes()))
        (folder / labels.name).unlink()
    images = gzip.decompress((mnist_dir / "t10k-images-idx3-ubyte.gz").read_bytes())
    expected = damage(folder, images)
    out = tmp_path / "run"
    args = ["gan", "--data-dir", str(folder), "--out", str(out), "--steps", "2"]
    assert train_main([*args, "--set", "hidden=64", "--set", "d_hidden=32"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and str(folder) in err, err
    assert not (out / "metrics.jsonl").exists()
