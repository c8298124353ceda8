"""Deployable Space and publishable weights, without the network: the README's Space config,
every model card's metadata, LFS patterns for large files, what the push commands assemble
and which HfApi calls they make (a recording stand-in), the Hub timeouts of ``load``, and the
package metadata (one version, dependencies, console scripts)."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import tomllib
from huggingface_hub import ModelCardData

import gan_core
from gan_core import hub
from gan_core.checkpoint import CheckpointError

ROOT = Path(__file__).resolve().parent.parent

#: https://huggingface.co/docs/hub/spaces-config-reference (the fields the Hub reads).
SPACE_FIELDS = {
    "title", "emoji", "colorFrom", "colorTo", "sdk", "python_version", "sdk_version",
    "suggested_hardware", "suggested_storage", "app_file", "app_port", "app_build_command",
    "base_path", "fullWidth", "header", "short_description", "models", "datasets", "tags",
    "thumbnail", "pinned", "hf_oauth", "hf_oauth_scopes", "hf_oauth_expiration_minutes",
    "hf_oauth_authorized_org", "disable_embedding", "startup_duration_timeout",
    "custom_headers", "preload_from_hub", "license", "duplicated_from",
}  # fmt: skip
SPACE_COLOURS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}
#: Hub task ids (pipeline_tag) that fit these models.
TASKS = {"unconditional-image-generation", "image-to-image", "image-classification"}


def readme_metadata() -> dict:
    metadata, _ = hub.split_front_matter((ROOT / "README.md").read_text(encoding="utf-8"))
    return metadata


def card(name: str) -> tuple[dict, str]:
    return hub.split_front_matter(
        (ROOT / "checkpoints" / name / "README.md").read_text(encoding="utf-8")
    )


# --- the Space configuration ---------------------------------------------------------------------
def test_readme_front_matter_is_a_valid_space_config():
    metadata = readme_metadata()
    assert set(metadata) <= SPACE_FIELDS, set(metadata) - SPACE_FIELDS
    assert metadata["sdk"] == "gradio" and metadata["app_file"] == "app.py"
    assert (ROOT / metadata["app_file"]).is_file()
    assert re.fullmatch(r"\d+\.\d+\.\d+", str(metadata["sdk_version"]))
    gradio_pin = re.search(r"^gradio([^\s#]*)", (ROOT / "requirements.txt").read_text(), re.M)
    assert gradio_pin and str(metadata["sdk_version"]).split(".")[0] in gradio_pin.group(1)
    # quoted: unquoted YAML would read 3.11 as a float (and 3.10 as 3.1)
    assert metadata["python_version"] == "3.11" and isinstance(metadata["python_version"], str)
    assert 0 < len(metadata["short_description"]) <= 60
    assert {metadata["colorFrom"], metadata["colorTo"]} <= SPACE_COLOURS
    assert "models" not in metadata  # filled by push-space --models-prefix, where repos exist
    assert hub.space_problems(metadata, ["app.py"]) == []


def test_space_checks_catch_what_the_hub_rejects():
    good = readme_metadata()
    too_long = {**good, "short_description": "x" * 61}
    assert any("61 characters" in p for p in hub.space_problems(too_long, ["app.py"]))
    old_python = {k: v for k, v in good.items() if k != "python_version"}
    assert any("python_version" in p for p in hub.space_problems(old_python, ["app.py"]))
    assert any("app_file" in p for p in hub.space_problems(good, ["other.py"]))


# --- model cards ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", hub.checkpoint_names(ROOT))
def test_model_card_metadata(name):
    metadata, body = card(name)
    config = json.loads((ROOT / "checkpoints" / name / "config.json").read_text())
    assert hub.card_problems(metadata) == []
    assert metadata["library_name"] == "gan-studio"
    assert metadata["pipeline_tag"] in TASKS
    assert (metadata["pipeline_tag"] == "image-classification") == (config["family"] == "judge")
    assert all(re.fullmatch(r"[\w.-]+/[\w.-]+", d) for d in metadata["datasets"])
    dataset = config["data"]["dataset"]
    if dataset == "celeba":  # CelebA's terms pass to the weights: non-commercial research only
        assert metadata["license"] == "other"
        assert metadata["license_name"] and metadata["license_link"].startswith("https://")
        assert "non-commercial research only" in body
    else:
        assert dataset == "mnist" and metadata["license"] == "mit"
    assert dataset in metadata["tags"] and "gan-studio" in metadata["tags"]
    # huggingface_hub's own parser accepts the model-index (it raises on a malformed one)
    parsed = ModelCardData(**metadata)
    assert parsed.eval_results and parsed.model_name == name
    assert {r.metric_type for r in parsed.eval_results} == set(metadata["metrics"])
    assert all(r.task_type == metadata["pipeline_tag"] for r in parsed.eval_results)
    metrics_path = ROOT / "checkpoints" / name / "metrics.json"
    if metrics_path.is_file():  # the values are the measured ones, not stale copies
        measured = json.loads(metrics_path.read_text())["generated_vs_real"]
        values = {r.metric_type: r.metric_value for r in parsed.eval_results}
        assert values["judge-fd"] == measured["fd"] and values["recall"] == measured["recall"]
    assert body.lstrip().startswith(f"# {name}\n")


def test_card_metadata_is_what_the_generator_writes_now():
    """``python -m training.model_card --metadata-only`` would change no card."""
    model_card = importlib.import_module("training.model_card")
    for name in hub.checkpoint_names(ROOT):
        metadata, _ = card(name)
        config = json.loads((ROOT / "checkpoints" / name / "config.json").read_text())
        metrics_path = ROOT / "checkpoints" / name / "metrics.json"
        metrics = json.loads(metrics_path.read_text()) if metrics_path.is_file() else {}
        assert model_card.card_metadata(name, config, metrics) == metadata, name


def test_metadata_only_rewrites_the_block_and_keeps_the_text(tmp_path, monkeypatch):
    model_card = importlib.import_module("training.model_card")
    shutil.copytree(ROOT / "checkpoints" / "judge-mnist", tmp_path / "judge-mnist")
    monkeypatch.setenv("GAN_STUDIO_CHECKPOINTS", str(tmp_path))
    path = tmp_path / "judge-mnist" / "README.md"
    original = path.read_text()
    _, body = model_card.split_front_matter(original)
    path.write_text(body.lstrip("\n"))  # a card from before metadata blocks
    assert model_card.main(["--metadata-only", "--name", "judge-mnist"]) == 0
    assert path.read_text() == original
    assert model_card.main(["--metadata-only", "--name", "judge-mnist"]) == 0
    assert path.read_text() == original  # idempotent


# --- Git LFS -------------------------------------------------------------------------------------
def test_every_file_over_10_mb_matches_an_lfs_pattern():
    patterns = hub.lfs_of(ROOT)
    assert "*.safetensors" in patterns and "*.png" in patterns
    try:
        listing = subprocess.run(
            ["git", "ls-tree", "-r", "-l", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True)
    except OSError:
        pytest.skip("git is not installed")
    if listing.returncode or tracked.returncode:
        pytest.skip("not a git checkout")
    sizes = {}
    for line in listing.stdout.splitlines():  # committed blobs
        meta, path = line.split("\t", 1)
        if meta.split()[1] == "blob":
            sizes[path] = int(meta.split()[3])
    for path in tracked.stdout.decode().split("\0"):  # the work tree, staged files included
        if path and (ROOT / path).is_file():
            sizes[path] = max(sizes.get(path, 0), (ROOT / path).stat().st_size)
    large = {path for path, size in sizes.items() if size > hub.PLAIN_GIT_LIMIT}
    assert any(p.endswith(".safetensors") for p in large)  # the check has something to check
    assert [p for p in sorted(large) if not hub.matches_lfs(p, patterns)] == []


def test_lfs_pattern_matching_follows_git():
    patterns = hub.lfs_patterns("*.bin filter=lfs diff=lfs merge=lfs -text\n# *.txt filter=lfs\n")
    assert patterns == ["*.bin"]
    assert hub.matches_lfs("a/b/c.bin", patterns) and not hub.matches_lfs("c.bin.txt", patterns)
    assert hub.matches_lfs("saved_model/x/y.pb", ["saved_model/**/*"])
    assert not hub.matches_lfs("other/saved_model/y.pb", ["saved_model/**/*"])


# --- the push commands, with a recording stand-in for HfApi ---------------------------------------
class RecordingApi:
    """Records each call; ``upload_folder`` also records what the folder holds at that moment."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.uploaded: dict[str, dict[str, bytes]] = {}

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", {"repo_id": repo_id, **kwargs}))
        return f"https://huggingface.co/{repo_id}"

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", kwargs))
        folder = Path(kwargs["folder_path"])
        self.uploaded[kwargs["repo_id"]] = {
            p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*"))
            if p.is_file()
        }

        class Info:
            commit_url = f"https://huggingface.co/{kwargs['repo_id']}/commit/abc"

        return Info()

    def add_space_variable(self, repo_id, key, value, **kwargs):
        self.calls.append(("add_space_variable", {"repo_id": repo_id, key: value}))


class NoNetworkApi:
    def __getattr__(self, name):
        raise AssertionError(f"--dry-run must not call HfApi.{name}")


@pytest.fixture
def small_repo(tmp_path):
    """A GAN Studio layout with one real checkpoint and the files that must not be sent."""
    root = tmp_path / "repo"
    for name in ("app.py", "requirements.txt", "README.md", "LICENSE", ".gitattributes"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, root / name)
    for package in ("gan_core", "ui"):
        shutil.copytree(ROOT / package, root / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copytree(ROOT / "checkpoints" / "judge-mnist", root / "checkpoints" / "judge-mnist")
    junk = [
        "tests/test_x.py",
        "training/loop.py",
        "runs/x/training_state.pt",
        "benchmarks/.cache/x.npy",
        "ui/__pycache__/studio.cpython-311.pyc",
        "gan_core/.hidden",
        "checkpoints/judge-mnist/model.safetensors.tmp",
        "checkpoints/notes/readme.txt",  # no config.json: not a checkpoint
    ]
    for path in junk:
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text("x")
    return root


def test_push_space_uploads_the_assembled_folder(small_repo):
    api = RecordingApi()
    hub.push_space("someone/gan-studio", api=api, root=small_repo, models_prefix="someone")
    names = [name for name, _ in api.calls]
    assert names == ["create_repo", "upload_folder"]
    create, upload = api.calls[0][1], api.calls[1][1]
    assert create == {
        "repo_id": "someone/gan-studio",
        "repo_type": "space",
        "exist_ok": True,
        "private": False,
        "space_sdk": "gradio",
    }
    assert upload["repo_type"] == "space" and upload["repo_id"] == "someone/gan-studio"
    assert upload["delete_patterns"] is None and gan_core.__version__ in upload["commit_message"]
    sent = api.uploaded["someone/gan-studio"]
    for path in ("app.py", "requirements.txt", ".gitattributes", "LICENSE", "gan_core/hub.py"):
        assert path in sent
    assert "ui/studio.py" in sent and "ui/tabs/about.py" in sent
    assert "checkpoints/judge-mnist/model.safetensors" in sent
    weights = small_repo / "checkpoints/judge-mnist/model.safetensors"
    assert sent["checkpoints/judge-mnist/model.safetensors"] == weights.read_bytes()
    assert not [p for p in sent if p.startswith(("tests/", "training/", "runs/", "benchmarks/"))]
    assert not [p for p in sent if "__pycache__" in p or p.endswith((".pyc", ".tmp"))]
    assert "gan_core/.hidden" not in sent and "checkpoints/notes/readme.txt" not in sent
    # README: models: added to the front matter, the rest byte for byte
    readme = sent["README.md"].decode()
    metadata, body = hub.split_front_matter(readme)
    assert metadata["models"] == ["someone/judge-mnist"]
    assert metadata["python_version"] == "3.11"
    assert body == hub.split_front_matter((small_repo / "README.md").read_text())[1]


def test_push_space_weights_from_hub_and_prune(small_repo):
    api = RecordingApi()
    hub.push_space(
        "someone/gan-studio",
        api=api,
        root=small_repo,
        models_prefix="org",
        weights_from_hub=True,
        prune=True,
    )
    assert [name for name, _ in api.calls] == ["create_repo", "upload_folder", "add_space_variable"]
    assert api.calls[1][1]["delete_patterns"] == "*"
    assert api.calls[2][1] == {"repo_id": "someone/gan-studio", "GAN_STUDIO_HUB_PREFIX": "org"}
    assert not [p for p in api.uploaded["someone/gan-studio"] if p.startswith("checkpoints/")]


def test_push_models_one_repo_per_checkpoint(small_repo):
    shutil.copytree(ROOT / "checkpoints" / "vae-mnist", small_repo / "checkpoints" / "vae-mnist")
    api = RecordingApi()
    hub.push_models("someone", api=api, root=small_repo)
    creates = [kw for name, kw in api.calls if name == "create_repo"]
    assert creates == [
        {"repo_id": f"someone/{n}", "repo_type": "model", "exist_ok": True, "private": False}
        for n in ("judge-mnist", "vae-mnist")
    ]
    assert [name for name, _ in api.calls] == ["create_repo", "upload_folder"] * 2
    folder = small_repo / "checkpoints" / "vae-mnist"
    expected = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    assert set(api.uploaded["someone/vae-mnist"]) == expected
    assert "model.safetensors.tmp" not in api.uploaded["someone/judge-mnist"]
    api = RecordingApi()
    hub.push_models("someone", api=api, root=small_repo, only=["vae-mnist"], private=True)
    assert [kw["repo_id"] for name, kw in api.calls] == ["someone/vae-mnist"] * 2
    assert api.calls[0][1]["private"] is True


def test_nothing_is_sent_when_metadata_is_wrong(small_repo):
    api = RecordingApi()
    card_path = small_repo / "checkpoints" / "judge-mnist" / "README.md"
    card_path.write_text(hub.split_front_matter(card_path.read_text())[1])  # no metadata
    with pytest.raises(hub.HubError, match="no license"):
        hub.push_models("someone", api=api, root=small_repo)
    readme = small_repo / "README.md"
    readme.write_text(readme.read_text().replace('python_version: "3.11"\n', ""))
    with pytest.raises(hub.HubError, match="python_version"):
        hub.push_space("someone/gan-studio", api=api, root=small_repo)
    assert api.calls == []
    assert hub.main(["push-space", "not a repo id", "--root", str(small_repo)], api=api) == 2
    assert hub.main(["push-models", "someone", "--only", "nope", "--root", str(small_repo)]) == 2
    assert api.calls == []


def test_dry_run_lists_the_space_and_every_model_repo(capsys):
    """The real repository: files, sizes, repo ids and each card's metadata; no HfApi call."""
    api = NoNetworkApi()
    args = ["--dry-run", "--root", str(ROOT)]
    assert hub.main(["push-models", "someone", *args], api=api) == 0
    models = capsys.readouterr().out
    for name in hub.checkpoint_names(ROOT):
        assert f"model someone/{name}: " in models
    assert models.count("  license: ") == len(hub.checkpoint_names(ROOT))
    assert "license_name: celeba-dataset-release-agreement" in models
    assert "model.safetensors  (LFS pattern)" in models and "PROBLEM" not in models
    assert hub.main(["push-space", "someone/gan-studio", "--models-prefix", "someone", *args]) == 0
    space = capsys.readouterr().out
    assert space.startswith("space someone/gan-studio: ")
    assert "  python_version: 3.11" in space and "README.md  (written for this upload" in space
    assert "someone/dcgan-celeba64" in space and "PROBLEM" not in space
    assert " checkpoints/cvae-gan-celeba64/model.safetensors  (LFS pattern)" in space
    assert " tests/" not in space and " training/" not in space and "__pycache__" not in space


# --- load(): revision and Hub timeouts ------------------------------------------------------------
def test_revision_is_passed_to_the_hub_with_explicit_timeouts(tmp_path, monkeypatch):
    import huggingface_hub

    snapshot = tmp_path / "snapshot"
    shutil.copytree(ROOT / "checkpoints" / "judge-mnist", snapshot)
    calls = []

    class Info:
        sha = "c" * 40

    def model_info(self, repo_id, revision=None, timeout=None, **kwargs):
        calls.append(("model_info", repo_id, revision, timeout))
        return Info()

    def hf_hub_download(repo_id, filename, revision=None, etag_timeout=None, **kwargs):
        calls.append(("download", filename, revision, etag_timeout, kwargs["local_files_only"]))
        return str(snapshot / filename)

    monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
    monkeypatch.setattr(huggingface_hub, "hf_hub_download", hf_hub_download)
    monkeypatch.setenv("GAN_STUDIO_HUB_TIMEOUT", "2.5")
    model = gan_core.load("someone/judge-mnist", revision="v0.6.0")
    assert model.checkpoint_path == snapshot
    assert calls == [
        ("model_info", "someone/judge-mnist", "v0.6.0", 2.5),
        ("download", "config.json", "c" * 40, 2.5, False),  # pinned to the resolved commit
        ("download", "model.safetensors", "c" * 40, 2.5, False),
    ]
    with pytest.raises(CheckpointError, match="applies to Hub repo ids"):
        gan_core.load("judge-mnist", revision="main")


@pytest.fixture
def stalled_hub(tmp_path, monkeypatch):
    """A server that accepts connections and never answers, as the Hub's endpoint."""
    import huggingface_hub.constants as constants

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    cache = tmp_path / "hub-cache"
    monkeypatch.setattr(constants, "ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("GAN_STUDIO_HUB_TIMEOUT", "1")
    yield cache
    server.close()
    for connection in held:
        connection.close()


def test_a_stalled_hub_fails_fast_or_uses_the_cache(stalled_hub):
    """Without the explicit timeouts huggingface_hub would wait minutes (60 s x retries)."""
    started = time.monotonic()
    with pytest.raises(CheckpointError, match="could not fetch 'someone/absent'.*ReadTimeout"):
        gan_core.load("someone/absent")
    assert time.monotonic() - started < 15
    repo = stalled_hub / "models--someone--judge-mnist"
    shutil.copytree(ROOT / "checkpoints" / "judge-mnist", repo / "snapshots" / ("a" * 40))
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    started = time.monotonic()
    assert gan_core.load("someone/judge-mnist").family == "judge"
    assert time.monotonic() - started < 15


def test_the_studio_cards_and_timelines_fail_fast_on_a_stalled_hub(stalled_hub, tmp_path):
    """The About and Timeline tabs read card files through snapshot_download: bounded too, and
    served from the local cache when the Hub does not answer."""
    from ui.studio import Studio

    studio = Studio(hub_prefix="someone", output_dir=tmp_path / "out")
    started = time.monotonic()
    assert "No model card" in studio.model_card("dcgan-celeba64")
    assert studio.timeline("dcgan-celeba64") == []
    assert time.monotonic() - started < 15
    repo = stalled_hub / "models--someone--dcgan-celeba64"
    (repo / "snapshots" / ("a" * 40)).mkdir(parents=True)
    (repo / "snapshots" / ("a" * 40) / "README.md").write_text("# cached card\n")
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text("a" * 40)
    started = time.monotonic()
    assert studio.model_card("dcgan-celeba64").startswith("# cached card")
    assert time.monotonic() - started < 15


# --- the package ---------------------------------------------------------------------------------
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_one_version_for_package_changelog_and_checkpoints():
    project = pyproject()
    assert "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "gan_core.__version__"}
    latest = re.search(r"^## (\d+\.\d+\.\d+)", (ROOT / "CHANGELOG.md").read_text(), re.M)
    assert latest and latest.group(1) == gan_core.__version__

    def as_tuple(version):
        return tuple(int(part) for part in version.split("."))

    # Shipped config.json files record the gan_core that wrote them (0.1.0 for every release
    # so far: the weights changed, the format did not); they are left as shipped. What holds:
    # a version in the same format, never newer than the package reading it.
    for name in hub.checkpoint_names(ROOT):
        config = json.loads((ROOT / "checkpoints" / name / "config.json").read_text())
        written = config["gan_core_version"]
        assert re.fullmatch(r"\d+\.\d+\.\d+", written), name
        assert as_tuple(written) <= as_tuple(gan_core.__version__), name


def test_new_checkpoints_record_the_package_version(tmp_path):
    model = gan_core.load("judge-mnist")
    folder = gan_core.save_pretrained(model, tmp_path / "copy")
    assert json.loads((folder / "config.json").read_text())["gan_core_version"] == (
        gan_core.__version__
    )


def test_dependencies_match_requirements_and_scripts_resolve():
    project = pyproject()["project"]

    def names(lines):
        return {
            re.split(r"[<>=!~\[ ;]", line.strip(), maxsplit=1)[0].lower().replace("_", "-")
            for line in lines
            if line.strip() and not line.strip().startswith(("#", "-r"))
        }

    requirements = (ROOT / "requirements.txt").read_text().splitlines()
    assert names(project["dependencies"]) == names(line.split("#")[0] for line in requirements)
    assert pyproject()["build-system"]["build-backend"] == "setuptools.build_meta"
    assert project["scripts"]["gan-studio"] == "app:main"
    for target in project["scripts"].values():
        module, function = target.split(":")
        assert callable(getattr(importlib.import_module(module), function)), target
    assert pyproject()["tool"]["setuptools"]["py-modules"] == ["app"]
