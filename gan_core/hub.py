"""Publish GAN Studio on the Hugging Face Hub: one model repo per checkpoint, and the Space.

  python -m gan_core.hub push-models USER --dry-run       # repos, files, sizes, card metadata
  python -m gan_core.hub push-models USER [--only dcgan-celeba64]
  python -m gan_core.hub push-space USER/gan-studio --models-prefix USER --dry-run
  python -m gan_core.hub push-space USER/gan-studio --models-prefix USER

Each push is ``HfApi.create_repo(..., exist_ok=True)`` then one ``HfApi.upload_folder`` of a
staged copy holding exactly the files listed by ``--dry-run``: an HTTP upload in which
huggingface_hub sends large and binary files to the Hub's LFS/Xet storage itself. No git, so
no history (which holds weights over 10 MB) goes along. Log in first (``hf auth login``, or
set ``HF_TOKEN``).

The Space gets ``app.py``, ``ui/``, ``gan_core/``, ``requirements.txt``, ``README.md`` (its
YAML block is the Space's configuration; ``--models-prefix`` adds ``models:``, the repos that
``push-models`` publishes), ``LICENSE``, ``.gitattributes`` and ``checkpoints/`` (left out with
``--weights-from-hub``: the Space then loads ``PREFIX/<name>`` through the Space variable
``GAN_STUDIO_HUB_PREFIX``). Never tests, training code, runs or caches.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import shutil
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from gan_core import __version__
from gan_core.config import CONFIG_NAME

#: The repository holding ``gan_core`` (and ``app.py``, ``ui/``, ``checkpoints/``).
ROOT = Path(__file__).resolve().parent.parent
#: Top-level files a Space needs (the first three must exist) and the packages it imports.
SPACE_FILES = ("app.py", "requirements.txt", "README.md", "LICENSE", ".gitattributes")
SPACE_REQUIRED = ("app.py", "requirements.txt", "README.md")
SPACE_PACKAGES = ("gan_core", "ui")
CHECKPOINTS = "checkpoints"
#: Never sent: caches, editor and temporary files, anything hidden below the top level.
SKIPPED_DIRS = {"__pycache__"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".tmp", ".swp")
#: The Hub rejects plain-git files over 10 MB (and binary files of any size).
PLAIN_GIT_LIMIT = 10_000_000
#: The Space configuration's documented limit (https://hf.co/docs/hub/spaces-config-reference).
SHORT_DESCRIPTION_LIMIT = 60
PYTHON_VERSION = "3.11"  # what CI and the benchmarks run
#: Model card fields every checkpoint's README.md must carry (``training.model_card`` writes them).
CARD_REQUIRED = ("license", "library_name", "pipeline_tag", "tags", "datasets")
#: Space variable that makes the app load ``<prefix>/<name>`` from the Hub (see app.py).
HUB_PREFIX_VARIABLE = "GAN_STUDIO_HUB_PREFIX"


class HubError(ValueError):
    """A push that cannot go ahead (bad repo id, missing file, invalid metadata)."""


@dataclasses.dataclass
class Upload:
    """One repo's worth of files: exactly what ``upload_folder`` will receive."""

    repo_id: str
    repo_type: str  # "space" or "model"
    files: dict[str, Path]  # path in the repo -> local file
    generated: dict[str, str] = dataclasses.field(default_factory=dict)  # path -> new text
    metadata: dict[str, Any] = dataclasses.field(default_factory=dict)  # README front matter
    problems: list[str] = dataclasses.field(default_factory=list)  # why it may not be pushed

    def sizes(self) -> dict[str, int]:
        sizes = {path: source.stat().st_size for path, source in self.files.items()}
        sizes.update({path: len(text.encode()) for path, text in self.generated.items()})
        return dict(sorted(sizes.items()))

    def stage(self, folder: Path) -> None:
        """Copy the files (and write the generated ones) into ``folder`` as laid out in the repo."""
        for path, source in self.files.items():
            if path in self.generated:
                continue
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        for path, text in self.generated.items():
            target = folder / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")


# --- what is sent ------------------------------------------------------------------------------
def skipped(relative: Path) -> bool:
    return (
        any(part in SKIPPED_DIRS or part.startswith(".") for part in relative.parts)
        or relative.name.endswith(SKIPPED_SUFFIXES)
        or relative.name.endswith("~")
    )


def walk(folder: Path, prefix: str = "") -> dict[str, Path]:
    """Every file under ``folder`` but caches and hidden files -> {prefix + relative path: file}."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not skipped(relative):
            found[prefix + relative.as_posix()] = path
    return found


def checkpoint_names(root: Path = ROOT) -> list[str]:
    """The release folders under ``root/checkpoints`` (those holding a config.json)."""
    folder = root / CHECKPOINTS
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if (p / CONFIG_NAME).is_file())


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(the README's YAML block as a dict, {} without one; the text after it)."""
    from huggingface_hub import RepoCard

    try:
        card = RepoCard(text)
    except ValueError as error:  # invalid YAML
        raise HubError(f"the YAML block at the top is not valid: {error}") from None
    return card.data.to_dict(), card.text


def with_models(readme: str, models: list[str]) -> str:
    """The README with ``models:`` in its front matter set to ``models`` (order kept)."""
    from huggingface_hub import SpaceCard

    card = SpaceCard(readme)
    card.data.models = models
    return str(card)


def lfs_patterns(gitattributes: str) -> list[str]:
    """The patterns a .gitattributes file sends through Git LFS (``filter=lfs``)."""
    patterns = []
    for line in gitattributes.splitlines():
        fields = line.split()
        if fields and not fields[0].startswith("#") and "filter=lfs" in fields[1:]:
            patterns.append(fields[0])
    return patterns


def matches_lfs(path: str, patterns: Iterable[str]) -> bool:
    """Git's rule: a pattern without ``/`` matches the file name at any depth; one with ``/``
    matches the path from the top (``**`` spanning folders)."""
    name = path.rsplit("/", 1)[-1]
    for pattern in patterns:
        if "/" not in pattern:
            if fnmatch.fnmatchcase(name, pattern):
                return True
        elif fnmatch.fnmatchcase(path, pattern.lstrip("/").replace("**/", "*")):
            return True
    return False


def check_repo_id(repo_id: str, what: str) -> str:
    from huggingface_hub.utils import HFValidationError, validate_repo_id

    if repo_id.count("/") != 1:
        raise HubError(f"{what} must be USER/NAME (or ORG/NAME), got {repo_id!r}")
    try:
        validate_repo_id(repo_id)
    except HFValidationError as error:
        raise HubError(f"{what} {repo_id!r} is not a valid Hub repo id: {error}") from None
    return repo_id


def check_prefix(prefix: str) -> str:
    check_repo_id(f"{prefix}/x", "the prefix")
    return prefix


def space_problems(metadata: dict[str, Any], files: Iterable[str]) -> list[str]:
    """What the Hub (or a build on the wrong Python) would trip on in a Space's front matter."""
    problems = []
    for key in ("title", "sdk", "sdk_version", "app_file", "short_description"):
        if not metadata.get(key):
            problems.append(f"front matter has no {key}")
    description = str(metadata.get("short_description", ""))
    if len(description) > SHORT_DESCRIPTION_LIMIT:
        problems.append(
            f"short_description is {len(description)} characters; the Hub allows "
            f"{SHORT_DESCRIPTION_LIMIT}"
        )
    if str(metadata.get("python_version")) != PYTHON_VERSION:
        problems.append(
            f"python_version is {metadata.get('python_version')!r}, not {PYTHON_VERSION!r} "
            "(without it a Space builds on an older Python)"
        )
    if metadata.get("app_file") and metadata["app_file"] not in set(files):
        problems.append(f"app_file {metadata['app_file']!r} is not among the files sent")
    return problems


def card_problems(metadata: dict[str, Any]) -> list[str]:
    """Missing model card fields; ``license: other`` needs its name and link (Hub rule)."""
    problems = [f"card metadata has no {key}" for key in CARD_REQUIRED if not metadata.get(key)]
    if metadata.get("license") == "other":
        problems += [
            f"license: other without {key}"
            for key in ("license_name", "license_link")
            if not metadata.get(key)
        ]
    return problems


def space_upload(
    repo_id: str,
    root: Path = ROOT,
    models_prefix: str | None = None,
    weights_from_hub: bool = False,
) -> Upload:
    """The Space: the app, its packages, requirements, README (configuration) and weights."""
    check_repo_id(repo_id, "the Space")
    if models_prefix is not None:
        check_prefix(models_prefix)
    if weights_from_hub and models_prefix is None:
        raise HubError("--weights-from-hub needs --models-prefix (where the weights are)")
    missing = [name for name in SPACE_REQUIRED if not (root / name).is_file()]
    if missing:
        raise HubError(f"{root} has no {', '.join(missing)}: not the GAN Studio repository?")
    files = {name: root / name for name in SPACE_FILES if (root / name).is_file()}
    for package in SPACE_PACKAGES:
        files.update(walk(root / package, f"{package}/"))
    if not weights_from_hub:
        for name in checkpoint_names(root):
            files.update(walk(root / CHECKPOINTS / name, f"{CHECKPOINTS}/{name}/"))
    readme = (root / "README.md").read_text(encoding="utf-8")
    generated = {}
    if models_prefix is not None:
        models = [f"{models_prefix}/{name}" for name in checkpoint_names(root)]
        readme = with_models(readme, models)
        generated["README.md"] = readme
    metadata, _ = split_front_matter(readme)
    return Upload(
        repo_id,
        "space",
        files,
        generated,
        metadata,
        problems=space_problems(metadata, files),
    )


def model_uploads(
    prefix: str, root: Path = ROOT, only: Iterable[str] | None = None
) -> list[Upload]:
    """One model repo ``PREFIX/<name>`` per checkpoint folder (all of its files)."""
    check_prefix(prefix)
    names = checkpoint_names(root)
    if only:
        unknown = sorted(set(only) - set(names))
        if unknown:
            raise HubError(f"no checkpoint named {unknown} (available: {', '.join(names)})")
        names = [name for name in names if name in set(only)]
    if not names:
        raise HubError(f"no checkpoint folders (with {CONFIG_NAME}) under {root / CHECKPOINTS}")
    uploads = []
    for name in names:
        folder = root / CHECKPOINTS / name
        card = folder / "README.md"
        if card.is_file():
            metadata, _ = split_front_matter(card.read_text(encoding="utf-8"))
            problems = card_problems(metadata)
        else:
            metadata, problems = {}, [f"{card} is missing: python -m training.model_card"]
        uploads.append(
            Upload(f"{prefix}/{name}", "model", walk(folder), metadata=metadata, problems=problems)
        )
    return uploads


# --- how it is sent ------------------------------------------------------------------------------
def default_api():
    from huggingface_hub import HfApi

    return HfApi()


def describe(upload: Upload, lfs: list[str], out: TextIO) -> None:
    """The ``--dry-run`` listing: repo, files with sizes, the README's metadata, problems."""
    sizes = upload.sizes()
    print(
        f"{upload.repo_type} {upload.repo_id}: {len(sizes)} files, {human(sum(sizes.values()))}",
        file=out,
    )
    for key, value in upload.metadata.items():
        if key == "model-index":
            value = ", ".join(
                f"{m['type']}={m['value']}"
                for entry in value
                for result in entry.get("results", [])
                for m in result.get("metrics", [])
            )
        elif key == "short_description":
            value = f"{value!r} ({len(str(value))} characters)"
        print(f"  {key}: {value}", file=out)
    for path, size in sizes.items():
        notes = []
        if path in upload.generated:
            notes.append("written for this upload")
        if matches_lfs(path, lfs):
            notes.append("LFS pattern")
        elif size > PLAIN_GIT_LIMIT:
            notes.append("over 10 MB with no LFS pattern in .gitattributes")
        note = f"  ({'; '.join(notes)})" if notes else ""
        print(f"  {human(size):>9}  {path}{note}", file=out)
    for problem in upload.problems:
        print(f"  PROBLEM: {problem}", file=out)


def human(size: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000
    raise AssertionError("unreachable")


def send(upload: Upload, api, *, private: bool, prune: bool, message: str) -> str:
    """``create_repo(exist_ok=True)`` + ``upload_folder`` of the staged files; the commit URL."""
    if upload.problems:
        raise HubError(f"{upload.repo_id} not pushed: " + "; ".join(upload.problems))
    extra = {}
    if upload.repo_type == "space":  # create_repo needs the SDK of a new Space
        extra["space_sdk"] = upload.metadata.get("sdk", "gradio")
    api.create_repo(
        upload.repo_id, repo_type=upload.repo_type, exist_ok=True, private=private, **extra
    )
    with tempfile.TemporaryDirectory(prefix="gan-studio-upload-") as tmp:
        upload.stage(Path(tmp))
        info = api.upload_folder(
            repo_id=upload.repo_id,
            repo_type=upload.repo_type,
            folder_path=tmp,
            commit_message=message,
            delete_patterns="*" if prune else None,  # .gitattributes is never deleted
        )
    return str(getattr(info, "commit_url", info))


def push_space(
    repo_id: str,
    *,
    api=None,
    root: Path = ROOT,
    models_prefix: str | None = None,
    weights_from_hub: bool = False,
    private: bool = False,
    prune: bool = False,
    dry_run: bool = False,
    out: TextIO | None = None,
) -> Upload:
    out = out or sys.stdout
    upload = space_upload(repo_id, root, models_prefix, weights_from_hub)
    if dry_run:
        describe(upload, lfs_of(root), out)
        return upload
    api = api or default_api()
    url = send(upload, api, private=private, prune=prune, message=f"GAN Studio {__version__}")
    if weights_from_hub:
        api.add_space_variable(upload.repo_id, HUB_PREFIX_VARIABLE, models_prefix)
    print(f"pushed {upload.repo_id}: {url}", file=out)
    return upload


def push_models(
    prefix: str,
    *,
    api=None,
    root: Path = ROOT,
    only: Iterable[str] | None = None,
    private: bool = False,
    prune: bool = False,
    dry_run: bool = False,
    out: TextIO | None = None,
) -> list[Upload]:
    out = out or sys.stdout
    uploads = model_uploads(prefix, root, only)
    if dry_run:
        for upload in uploads:
            describe(upload, lfs_of(root), out)
        return uploads
    blocked = [f"{u.repo_id}: {'; '.join(u.problems)}" for u in uploads if u.problems]
    if blocked:  # before anything is sent
        raise HubError("nothing pushed; fix the model cards first: " + " | ".join(blocked))
    api = api or default_api()
    for upload in uploads:
        name = upload.repo_id.split("/", 1)[1]
        url = send(
            upload, api, private=private, prune=prune, message=f"{name} (GAN Studio {__version__})"
        )
        print(f"pushed {upload.repo_id}: {url}", file=out)
    return uploads


def lfs_of(root: Path) -> list[str]:
    path = root / ".gitattributes"
    return lfs_patterns(path.read_text()) if path.is_file() else []


def main(argv: list[str] | None = None, api=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gan_core.hub",
        description="Upload the GAN Studio Space and its checkpoints to the Hugging Face Hub.",
        epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    space = commands.add_parser("push-space", help="upload the app as a Gradio Space")
    space.add_argument("repo", help="the Space, USER/NAME")
    space.add_argument(
        "--models-prefix", help="USER (or ORG) the models are published under: fills models:"
    )
    space.add_argument(
        "--weights-from-hub",
        action="store_true",
        help="leave checkpoints/ out; the Space loads PREFIX/<name> (sets GAN_STUDIO_HUB_PREFIX)",
    )
    models = commands.add_parser("push-models", help="one model repo PREFIX/<name> per checkpoint")
    models.add_argument("prefix", help="USER or ORG")
    models.add_argument("--only", action="append", metavar="NAME", help="this checkpoint only")
    for command in (space, models):
        command.add_argument("--dry-run", action="store_true", help="list what would be sent")
        command.add_argument("--private", action="store_true", help="create private repos")
        command.add_argument(
            "--prune", action="store_true", help="delete remote files that are not sent"
        )
        command.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    common = {"api": api, "root": args.root, "private": args.private, "prune": args.prune}
    try:
        if args.command == "push-space":
            push_space(
                args.repo,
                models_prefix=args.models_prefix,
                weights_from_hub=args.weights_from_hub,
                dry_run=args.dry_run,
                **common,
            )
        else:
            push_models(args.prefix, only=args.only, dry_run=args.dry_run, **common)
    except (HubError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except Exception as error:  # the Hub's and the network's errors come in many classes
        print(f"error: the upload failed ({type(error).__name__}: {error})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
