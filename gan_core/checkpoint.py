"""A checkpoint is a folder: ``config.json`` + ``model.safetensors``. Nothing is ever unpickled.

``load`` takes a release name (a folder under ``checkpoints/``), a local folder, or a Hugging
Face Hub repo id (optionally at a ``revision``: branch, tag or commit), which resolves through
``huggingface_hub`` to the same layout.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from gan_core.config import CONFIG_NAME, WEIGHTS_NAME
from gan_core.models.base import GenerativeModel
from gan_core.models.judges import Judge
from gan_core.registry import GENERATIVE_FAMILIES, model_class

#: What ``load`` returns: a generative model (``sample``/``generate``) or a judge (classifier).
Model = GenerativeModel | Judge

#: Release checkpoints shipped with the project; override with GAN_STUDIO_CHECKPOINTS.
DEFAULT_CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"

#: Seconds to wait for the Hub's answer before using the local cache; override with
#: GAN_STUDIO_HUB_TIMEOUT (read at each download, unlike huggingface_hub's own HF_HUB_*
#: variables, which it reads once when it is first imported).
DEFAULT_HUB_TIMEOUT = 5.0


class CheckpointError(ValueError):
    """A checkpoint that cannot be used, with a message naming the file and the problem."""


def checkpoint_dir() -> Path:
    return Path(os.environ.get("GAN_STUDIO_CHECKPOINTS", DEFAULT_CHECKPOINT_DIR))


def list_models(include_judges: bool = False) -> list[str]:
    """Names of the checkpoints under ``checkpoints/`` (generative models unless asked)."""
    root = checkpoint_dir()
    if not root.is_dir():
        return []
    names = []
    for folder in sorted(root.iterdir()):
        config_path = folder / CONFIG_NAME
        if not config_path.is_file():
            continue
        try:
            family = json.loads(config_path.read_text()).get("family")
        except (OSError, ValueError):
            continue
        if family in GENERATIVE_FAMILIES or (include_judges and family == "judge"):
            names.append(folder.name)
    return names


def save_pretrained(model: Model, folder: str | Path, half: bool = False) -> Path:
    """Write ``config.json`` and inference weights; ``half`` stores floats as fp16."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    model.config.save(folder)
    state = {}
    for name, tensor in model.state_dict().items():
        tensor = tensor.detach().cpu().contiguous()
        if half and tensor.is_floating_point() and "running_var" not in name:
            tensor = tensor.half()
        state[name] = tensor
    tmp = folder / (WEIGHTS_NAME + ".tmp")
    save_file(state, str(tmp), metadata={"family": model.config.family})
    os.replace(tmp, folder / WEIGHTS_NAME)
    return folder


def resolve(name_or_path: str | Path, revision: str | None = None) -> Path:
    """Name, folder or Hub repo id -> a local folder holding the checkpoint files.

    ``revision`` (a branch, tag or commit of a Hub repo) applies to repo ids only.
    """
    text = str(name_or_path)
    if not text.strip():
        raise CheckpointError("no model name given")
    path = Path(text).expanduser()
    if revision is not None and (path.is_dir() or "/" not in text):
        raise CheckpointError(
            f"revision={revision!r} applies to Hub repo ids (user/name), not to {text!r}"
        )
    if path.is_dir():
        return path
    release = checkpoint_dir() / text
    if "/" not in text and "\\" not in text:
        if release.is_dir():
            return release
        available = ", ".join(list_models(include_judges=True)) or "none"
        raise CheckpointError(
            f"no model named {text!r} in {checkpoint_dir()} (available: {available})"
        )
    if path.exists():
        raise CheckpointError(f"{path} is a file; a checkpoint is a folder with {CONFIG_NAME}")
    if text.count("/") == 1 and not text.startswith((".", "/", "~")):
        return _download_from_hub(text, revision)
    raise CheckpointError(f"checkpoint folder {path} does not exist")


def hub_timeout() -> float:
    """GAN_STUDIO_HUB_TIMEOUT in seconds (default 5), read at each call."""
    try:
        value = float(os.environ.get("GAN_STUDIO_HUB_TIMEOUT", DEFAULT_HUB_TIMEOUT))
    except ValueError:
        return DEFAULT_HUB_TIMEOUT
    return value if value > 0 else DEFAULT_HUB_TIMEOUT


def _download_from_hub(repo_id: str, revision: str | None = None) -> Path:
    """The snapshot folder of ``repo_id`` at ``revision`` holding config.json + weights.

    Timeouts: setting ``HF_HUB_ETAG_TIMEOUT`` here would do nothing, since huggingface_hub
    reads its environment once, at its first import (which Gradio has usually done already).
    So the timeout is passed to the calls: one ``model_info`` request (no retries) resolves the
    revision to a commit; if the Hub does not answer within ``hub_timeout()`` seconds, the local
    cache is used at once, as before for any Hub error. (Asked for a file it has not cached,
    ``hf_hub_download`` alone retries a timed-out metadata request with 60 s timeouts, five
    times.) Downloads use huggingface_hub's ``HF_HUB_DOWNLOAD_TIMEOUT`` (10 s without data by
    default, set before it is imported).
    """
    from huggingface_hub import HfApi, hf_hub_download
    from huggingface_hub.errors import (
        HFValidationError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    timeout = hub_timeout()
    online, commit, reason = False, None, ""
    try:
        commit = HfApi().model_info(repo_id, revision=revision, timeout=timeout).sha
        online = True
    except HFValidationError as error:
        raise CheckpointError(f"{repo_id!r} is not a valid Hub repo id: {error}") from None
    except RevisionNotFoundError:
        reason = f"the Hub has no revision {revision!r} of it"
    except RepositoryNotFoundError:
        reason = "no such model repo, or it is private or gated: log in with `hf auth login`"
    except Exception as error:  # offline, timed out, Hub down: try the local cache
        reason = f"{type(error).__name__}: {error}"
    try:
        paths = [
            Path(
                hf_hub_download(
                    repo_id,
                    filename,
                    revision=commit or revision,
                    etag_timeout=timeout,
                    local_files_only=not online,
                )
            )
            for filename in (CONFIG_NAME, WEIGHTS_NAME)
        ]
    except Exception as error:  # network errors come in many classes; all mean the same here
        if online:
            reason = f"{type(error).__name__}: {error}"
        raise CheckpointError(
            f"could not fetch {repo_id!r} from the Hugging Face Hub ({reason}) and it is not in "
            "the local cache. Offline? Pass a local folder instead."
        ) from None
    return paths[0].parent


def read_config(folder: Path) -> dict:
    config_path = folder / CONFIG_NAME
    if not config_path.is_file():
        raise CheckpointError(f"{config_path} is missing: a checkpoint folder needs {CONFIG_NAME}")
    try:
        values = json.loads(config_path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CheckpointError(f"{config_path} is not valid JSON: {error}") from None
    if not isinstance(values, dict) or "family" not in values:
        raise CheckpointError(f"{config_path} has no 'family' entry")
    return values


def load(
    name_or_path: str | Path,
    device: str | torch.device = "cpu",
    family: str | None = None,
    *,
    revision: str | None = None,
) -> Model:
    """Build the model from ``config.json`` and fill it from ``model.safetensors``.

    ``family`` (optional) insists on a family, e.g. the app asking for an InfoGAN.
    ``revision`` (Hub repo ids only) picks a branch, tag or commit, e.g. ``revision="v0.6.0"``.
    """
    folder = resolve(name_or_path, revision)
    values = read_config(folder)
    if family is not None and values["family"] != family:
        raise CheckpointError(
            f"{folder / CONFIG_NAME} describes a {values['family']!r} model, not {family!r}"
        )
    try:
        cls = model_class(values["family"])
    except ValueError as error:
        raise CheckpointError(f"{folder / CONFIG_NAME}: {error}") from None
    try:
        config = cls.config_class.from_dict(values)
        model = cls(config)
    except (TypeError, ValueError) as error:
        raise CheckpointError(
            f"{folder / CONFIG_NAME} does not describe a valid model: {error}"
        ) from None
    weights_path = folder / WEIGHTS_NAME
    if not weights_path.is_file():
        raise CheckpointError(f"{weights_path} is missing")
    try:
        state = load_file(str(weights_path))
    except (SafetensorError, OSError, ValueError, RuntimeError) as error:
        raise CheckpointError(
            f"{weights_path} is not a readable safetensors file ({error}); it may be truncated, "
            "or a pickle renamed (pickles are never loaded)"
        ) from None
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = [
        f"{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    ]
    if missing or unexpected or wrong:
        details = "; ".join(
            part
            for part in (
                f"missing {missing[:5]}" if missing else "",
                f"unexpected {unexpected[:5]}" if unexpected else "",
                f"wrong shapes {wrong[:3]}" if wrong else "",
            )
            if part
        )
        raise CheckpointError(f"{weights_path} does not match {folder / CONFIG_NAME}: {details}")
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()})
    model.checkpoint_path = folder
    return model.to(device).eval()
