"""Studio and app behaviour that needs no checkpoints: input checks, missing models, Hub names."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ui.studio import (
    COMPARE_MODELS,
    DCGAN,
    Studio,
    add_seed,
    check_count,
    check_number,
    enlarge,
    parse_seed_list,
    require_seed,
)


def test_number_checks_speak_plainly():
    assert check_count(4.0, "images") == 4
    assert check_number("0.5", "psi", 0, 1) == 0.5
    for bad, message in [
        (math.nan, "finite"),
        (math.inf, "finite"),
        ("many", "must be a number"),
        (None, "must be a number"),
        (100, "between 1 and 64"),
        (2.5, "whole number"),
    ]:
        with pytest.raises(ValueError, match=message):
            check_count(bad, "images")
    assert require_seed(7.0) == 7
    with pytest.raises(ValueError, match="seed is empty"):
        require_seed(" ")


def test_seed_lists_and_rows():
    assert parse_seed_list("3, 17 42", "row") == [3, 17, 42]
    assert parse_seed_list([1, 2], "row") == [1, 2]
    with pytest.raises(ValueError, match="at most 50"):
        parse_seed_list(",".join(map(str, range(51))), "row")
    assert add_seed("", 4) == "4"
    assert add_seed("1, 2, 3", 9) == "2, 3, 9"
    assert add_seed("1, 2", 1) == "2, 1"
    assert add_seed("junk", 5) == "5"
    assert add_seed("1, 2, 3", 9, keep=30) == "1, 2, 3, 9"  # the exemplars-per-concept slider


def test_enlarge_uses_whole_factors():
    tile = np.arange(28 * 28 * 3, dtype=np.uint8).reshape(28, 28, 3)
    big = enlarge(tile, 224)
    assert big.shape == (224, 224, 3) and np.array_equal(big[::8, ::8], tile)
    assert enlarge(big, 100) is big


def test_hub_prefix_names_repos(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # no network here: fail fast, and readably
    studio = Studio(hub_prefix="someone/", device="cpu")
    assert studio.source(DCGAN) == "someone/dcgan-celeba64"
    assert studio.is_available(DCGAN)  # only a download can tell
    with pytest.raises(ValueError, match="could not fetch 'someone/dcgan-celeba64'"):
        studio.model(DCGAN)
    assert studio.timeline(DCGAN) == []
    with pytest.raises(ValueError, match="unknown model"):
        studio.source("../../etc")


def test_missing_models_are_reported_not_crashed(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_CHECKPOINTS", str(tmp_path))
    studio = Studio(device="cpu", output_dir=tmp_path / "out")
    assert not studio.is_available(DCGAN)
    assert "Not available yet: dcgan-celeba64" in studio.missing_message(DCGAN)
    assert studio.missing_message() is None
    with pytest.raises(ValueError, match="could not be loaded"):
        studio.sample(DCGAN, 0, 1)
    assert studio.compare(0, 1) == [None] * len(COMPARE_MODELS)


def test_app_without_models_shows_warnings_and_keeps_serving(tmp_path, monkeypatch):
    gradio_client = pytest.importorskip("gradio_client")
    monkeypatch.setenv("GAN_STUDIO_CHECKPOINTS", str(tmp_path))
    from ui.demo import build_demo

    demo, _ = build_demo(Studio(device="cpu", output_dir=tmp_path / "out"))
    warnings = [
        block
        for block in demo.blocks.values()
        if "status" in (getattr(block, "elem_classes", None) or [])
    ]
    assert len(warnings) == 8 and all(block.visible for block in warnings)
    assert all("Not available yet" in block.value for block in warnings)
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, quiet=True, server_name="127.0.0.1")
    try:
        client = gradio_client.Client(url, verbose=False)
        *statuses, grid, png, digit = client.predict(api_name="/status")
        assert grid is None and digit is None
        with pytest.raises(Exception, match="not available|could not be loaded"):
            client.predict("dcgan-celeba64", 0, 4, 1.0, api_name="/sample")
        assert "No model card" in client.predict("gan-mnist", api_name="/model_card")
    finally:
        demo.close()
