"""The Studio behind the app, on the release checkpoints: shapes, seeds, files, messages.

Runs on whatever checkpoints GAN_STUDIO_CHECKPOINTS (or checkpoints/) holds, trained or smoke;
skips with the list of missing models when they are not all there.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from gan_core.sampling import MAX_SEED
from ui.studio import (
    ARITHMETIC_PRESETS,
    COMPARE_MODELS,
    DCGAN,
    EDIT_CONCEPTS,
    RELEASE_MODELS,
    Studio,
    parse_seed_list,
)

pytestmark = pytest.mark.usefixtures("release_checkpoints")


@pytest.fixture(scope="module")
def studio(release_checkpoints, tmp_path_factory) -> Studio:
    return Studio(device="cpu", output_dir=tmp_path_factory.mktemp("studio-out"))


@pytest.fixture(scope="module")
def face_png(studio) -> str:
    """A generated face saved as a file, as an upload would arrive."""
    return studio.save_png(studio.example_face(5))


def is_image(array, shape=None) -> bool:
    ok = isinstance(array, np.ndarray) and array.dtype == np.uint8 and array.ndim == 3
    return ok and array.shape[2] == 3 and (shape is None or array.shape[:2] == shape)


@pytest.mark.parametrize("name", RELEASE_MODELS)
def test_sample_grid_png_and_seed(studio, name):
    first = studio.sample(name, 5, 4, 1.0)
    again = studio.sample(name, 5, 4, 1.0)
    other = studio.sample(name, 6, 4, 1.0)
    assert is_image(first.grid) and min(first.grid.shape[:2]) >= 256
    assert np.array_equal(first.grid, again.grid)
    assert not np.array_equal(first.grid, other.grid)
    assert first.png != again.png  # a fresh file per request
    assert Image.open(first.png).size == first.grid.shape[1::-1]


def test_image_i_comes_from_seed_plus_i(studio):
    batch = studio.candidates(DCGAN, 10, 3)
    single = studio.candidates(DCGAN, 11, 1)
    assert batch[1][1] == "seed 11"
    # Same image; CPU kernels may round differently by batch size (seen on AVX2: 1 level, 0.01 %
    # of pixels), so allow one level of 255 but not a different face.
    difference = np.abs(batch[1][0].astype(int) - single[0][0].astype(int))
    assert difference.max() <= 1 and (difference > 0).mean() < 0.01
    assert np.abs(batch[2][0].astype(int) - single[0][0].astype(int)).mean() > 5


def test_truncation_zero_gives_the_mean_face(studio):
    seed_0, seed_7 = studio.sample(DCGAN, 0, 1, 0.0).grid, studio.sample(DCGAN, 7, 1, 0.0).grid
    assert np.array_equal(seed_0, seed_7)  # psi = 0 maps every latent to the mean
    assert not np.array_equal(studio.sample(DCGAN, 0, 1, 0.5).grid, seed_0)


def test_requests_in_parallel_give_the_same_images(studio):
    results: list[np.ndarray] = []
    threads = [
        threading.Thread(target=lambda: results.append(studio.sample(DCGAN, 42, 2).grid))
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and all(np.array_equal(results[0], r) for r in results)


def test_models_load_once(studio):
    assert studio.model(DCGAN) is studio.model(DCGAN)


def test_interpolation_strip_and_gif(studio):
    result = studio.interpolate(DCGAN, 1, 2, 6, "slerp")
    assert is_image(result.strip) and result.strip.shape[1] > 5 * result.strip.shape[0]
    with Image.open(result.gif) as gif:
        assert gif.n_frames == 2 * 6 - 2  # there and back
    ends = studio.candidates(DCGAN, 1, 1)[0][0]
    first_tile = np.asarray(Image.open(result.gif).convert("RGB"))
    assert first_tile.shape[0] >= ends.shape[0]
    lerp = studio.interpolate("infogan-mnist", 1, 2, 4, "lerp")
    assert is_image(lerp.strip)


def test_interpolation_video(studio):
    pytest.importorskip("av", reason="PyAV (in requirements.txt) encodes the MP4")
    import imageio.v3 as iio

    result = studio.interpolate(DCGAN, 1, 2, 5, "slerp")
    frames = iio.imread(result.mp4, plugin="pyav")
    assert frames.shape[0] == 2 * 5 - 2 and frames.shape[3] == 3
    with Image.open(result.gif) as gif:  # the video shows the GIF's frames (lossy, so close)
        gif.seek(2)
        third = np.asarray(gif.convert("RGB"), dtype=np.float32)
    assert frames.shape[1:3] == third.shape[:2]
    assert np.abs(frames[2].astype(np.float32) - third).mean() < 12


def test_vector_arithmetic(studio):
    rows = studio.autopick("glasses", 0, 24)
    seeds = [parse_seed_list(row, "row") for row in rows]
    assert all(len(row) == 3 for row in seeds)
    assert len({s for row in seeds for s in row}) == 9  # no face used twice
    first = studio.arithmetic(*rows, 0.25, 0)
    again = studio.arithmetic(*rows, 0.25, 0)
    assert is_image(first.concepts) and is_image(first.result)
    assert np.array_equal(first.result, again.result)
    assert Path(first.png).is_file()
    assert studio.autopick("smiling", 0, 24) != rows


def test_autopick_searches_past_the_gallery_for_many_exemplars(studio):
    """12 men with glasses are not among 16 faces (about 1 in 25 is one): the search goes on,
    and every pick is one the judge sees as matching its row."""
    rows = studio.autopick("glasses", 0, 16, 12)
    seeds = [parse_seed_list(row, "row") for row in rows]
    assert [len(row) for row in seeds] == [12, 12, 12]
    assert max(s for row in seeds for s in row) >= 16  # beyond the gallery
    assert len({s for row in seeds for s in row}) == 36
    for row, rule in zip(seeds, ARITHMETIC_PRESETS["glasses"]):
        images = studio._images(DCGAN, row)
        _, matches = studio._judge_scores(images, [rule])[0]
        assert bool(matches.all()), (rule, row)
    shell = studio.arithmetic(*rows, 0.0, 0, shell=True)
    plain = studio.arithmetic(*rows, 0.0, 0, shell=False)
    assert is_image(shell.concepts) and shell.concepts.shape == plain.concepts.shape
    assert not np.array_equal(shell.result, plain.result)  # averages of 12 are rescaled
    # at the end of the seed range the search stops there and takes the best it has
    last = studio.autopick("glasses", MAX_SEED - 15, 16, 3)
    assert all(max(parse_seed_list(row, "row")) <= MAX_SEED for row in last)


def test_infogan_render_and_sweeps(studio):
    base = studio.infogan(0, 3, 0.0, 0.0)
    moved = studio.infogan(0, 3, 1.5, 0.0)
    assert is_image(base, (224, 224))
    assert not np.array_equal(base, moved)
    assert np.array_equal(base, studio.infogan(0, 3, 0.0, 0.0))
    codes = studio.infogan_sweep(0, "c1", 5, 3, 0.0, 0.0)
    cats = studio.infogan_sweep(0, "category", 5, 3, 0.0, 0.0)
    assert is_image(codes) and codes.shape[0] > codes.shape[1]  # 10 rows x 5 steps
    assert is_image(cats) and cats.shape[1] > cats.shape[0]  # 5 seeds x 10 categories


def test_attribute_transfer(studio, face_png):
    analysis = studio.analyse_face(face_png)
    model = studio.model("cvae-gan-celeba64")
    assert set(analysis.probabilities) == set(model.attributes)
    assert all(0 <= p <= 1 for p in analysis.probabilities.values())
    result = studio.transfer(face_png, "auto", ["Eyeglasses", "Smiling"])
    for image in (result.original, result.reconstruction, result.edited):
        assert is_image(image, (256, 256))
    assert Path(result.png).is_file()


def test_edit_strength_zero_is_the_reconstruction_and_larger_strength_moves_further(
    studio, face_png
):
    present = set(studio.analyse_face(face_png).present)
    flipped = sorted(present ^ {"Eyeglasses"})  # add glasses, or take them off
    unchanged = studio.transfer(face_png, "auto", flipped, strength=0)
    assert np.array_equal(unchanged.edited, unchanged.reconstruction)
    distance = [
        np.abs(
            studio.transfer(face_png, "auto", flipped, s).edited.astype(int) - unchanged.edited
        ).mean()
        for s in (1, 2)
    ]
    assert 0 < distance[0] < distance[1]


def test_attribute_transfer_on_a_celeba_photo(studio):
    from conftest import find_data_dir

    data = find_data_dir()
    if data is None:
        pytest.skip("no offline CelebA photos (../shared/data) to try a real face")
    photo = data / "celeba" / "img_align_celeba" / "000001.jpg"
    analysis = studio.analyse_face(photo)
    assert "CelebA face square" in analysis.note
    assert is_image(studio.transfer(photo, "auto", analysis.present).edited)


def test_the_crop_view_warns_once_when_no_face_is_found(studio):
    """A photo with no face: the view says so, once (the note already starts with the warning)."""
    blank = np.full((200, 300, 3), 128, np.uint8)
    annotated, note = studio.crop_view(blank, "auto")
    assert annotated is not None and note.startswith("⚠️ No face found")
    assert note.count("⚠️") == 1


def test_inpainting_keeps_the_known_pixels(studio, face_png):
    result = studio.inpaint(face_png, "auto", "eyes", steps=5)
    assert is_image(result.masked) and result.masked.shape == result.filled.shape
    scale = result.filled.shape[0] // 64
    mask = np.kron(_eyes_mask(), np.ones((scale, scale)))
    known = mask == 0
    original = studio.transfer(face_png, "auto", []).original
    assert np.array_equal(result.filled[known], original[known])
    assert not np.array_equal(result.filled[~known], result.masked[~known])


def _eyes_mask() -> np.ndarray:
    from gan_core.edit import preset_mask

    return preset_mask("eyes")[0].numpy()


def test_inpainting_with_a_painted_layer(studio, face_png):
    layer = np.zeros((64, 64, 4), np.uint8)
    layer[40:56, 20:44, 3] = 255
    result = studio.inpaint(face_png, "auto", "painted", [layer], steps=0)
    assert is_image(result.filled)
    with pytest.raises(ValueError, match="empty"):
        studio.inpaint(face_png, "auto", "painted", [], steps=0)


def test_compare(studio):
    grids = studio.compare(0, 4)
    assert len(grids) == len(COMPARE_MODELS)
    assert all(grid is None or is_image(grid) for grid in grids)


def test_inversion_and_concept_edit(studio, face_png):
    seen = []
    result = studio.invert(face_png, "auto", 10, 0, progress=lambda d, t: seen.append(d))
    assert is_image(result.face) and is_image(result.reconstruction)
    assert len(result.z) == studio.model(DCGAN).z_dim and seen[-1] == 10
    unchanged = studio.edit_latent(result.z, "Smiling", 0.0)
    assert np.array_equal(unchanged, result.reconstruction)
    assert not np.array_equal(studio.edit_latent(result.z, "Smiling", 2.0), unchanged)


def test_timeline_frames_and_model_card(studio, release_checkpoints, tmp_path, monkeypatch):
    root = tmp_path / "checkpoints"
    folder = root / DCGAN
    (folder / "timeline").mkdir(parents=True)
    for step in (1000, 0, 500):
        Image.new("RGB", (66, 66), (step // 4, 0, 0)).save(folder / f"timeline/step-{step:06d}.png")
    (folder / "timeline" / "notes.txt").write_text("ignored")
    (folder / "README.md").write_text("---\nlicense: mit\n---\n# DCGAN card\n")
    monkeypatch.setenv("GAN_STUDIO_CHECKPOINTS", str(root))
    assert [step for step, _ in studio.timeline(DCGAN)] == [0, 500, 1000]
    frame = studio.timeline_frame(DCGAN, 2)
    assert (frame.step, frame.index, frame.count) == (1000, 2, 3) and is_image(frame.image)
    assert studio.model_card(DCGAN) == "# DCGAN card\n"
    assert "No model card" in studio.model_card("gan-mnist")
    with pytest.raises(ValueError, match="no training timeline"):
        studio.timeline_frame("gan-mnist", 0)
    with pytest.raises(ValueError, match="frame must be between"):
        studio.timeline_frame(DCGAN, 3)


def test_model_card_images_are_served_from_one_published_folder(tmp_path, monkeypatch):
    """Card images are copied to one folder the app may serve; the card links the copies,
    and a link leaving the card's folder (or a non-image) is neither copied nor rewritten."""
    root = tmp_path / "checkpoints"
    folder = root / DCGAN
    (folder / "timeline").mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(folder / "samples.png")
    Image.new("RGB", (8, 8)).save(folder / "timeline" / "step-000500.png")
    (folder / "config.json").write_text("{}")
    (tmp_path / "secret.png").write_bytes(b"not for the browser")
    (folder / "README.md").write_text(
        "![samples](samples.png) ![frame](timeline/step-000500.png) "
        "![up](../../secret.png) ![config](config.json)\n"
    )
    monkeypatch.setenv("GAN_STUDIO_CHECKPOINTS", str(root))
    studio = Studio(output_dir=tmp_path / "out")
    published = studio.published_folder()
    copies = sorted(p.relative_to(published).as_posix() for p in published.rglob("*.*"))
    assert copies == [f"{DCGAN}/samples.png", f"{DCGAN}/timeline/step-000500.png"]
    card = studio.model_card(DCGAN)
    assert f"(/gradio_api/file={(published / DCGAN / 'samples.png').as_posix()})" in card
    assert "![up](../../secret.png)" in card and "![config](config.json)" in card
    assert studio.published_folder() == published  # made once


def test_real_timelines_are_readable(studio):
    for name in RELEASE_MODELS:
        frames = studio.timeline(name)
        if frames:
            assert is_image(studio.timeline_frame(name, len(frames) - 1).image)


BAD_INPUTS = [
    (lambda s: s.sample("stylegan9", 0, 4), "unknown model"),
    (lambda s: s.sample(DCGAN, -1, 4), "between 0 and"),
    (lambda s: s.sample(DCGAN, MAX_SEED + 1, 1), "between 0 and"),
    (lambda s: s.sample(DCGAN, MAX_SEED, 2), "seed \\+ count"),
    (lambda s: s.sample(DCGAN, "abc", 4), "whole number"),
    (lambda s: s.sample(DCGAN, float("nan"), 4), "whole number"),
    (lambda s: s.sample(DCGAN, None, 4), "seed is empty"),
    (lambda s: s.sample(DCGAN, 0, 0), "number of images must be between 1 and 64"),
    (lambda s: s.sample(DCGAN, 0, 65), "number of images must be between 1 and 64"),
    (lambda s: s.sample(DCGAN, 0, 2.5), "whole number"),
    (lambda s: s.sample(DCGAN, 0, 4, float("nan")), "finite"),
    (lambda s: s.sample(DCGAN, 0, 4, 1.5), "truncation"),
    (lambda s: s.interpolate(DCGAN, 0, 1, 1), "number of frames"),
    (lambda s: s.interpolate(DCGAN, 0, 1, 4, "cubic"), "slerp"),
    (lambda s: s.arithmetic("", "1", "2", 0.1), "concept A has no faces"),
    (lambda s: s.arithmetic("1, x", "1", "2", 0.1), "concept A seed 'x'"),
    (lambda s: s.arithmetic("1", "1", "2", float("inf")), "noise must be a finite"),
    (lambda s: s.autopick("hats", 0, 16), "unknown preset"),
    (lambda s: s.autopick("glasses", 0, 16, 0), "exemplars per concept must be between 1"),
    (lambda s: s.infogan(0, 10, 0.0, 0.0), "category must be between 0 and 9"),
    (lambda s: s.infogan(0, 1, float("inf"), 0.0), "code c1 must be a finite"),
    (lambda s: s.infogan(0, 1, 0.0), "2 continuous codes"),
    (lambda s: s.infogan_sweep(0, "c7", 5, 1, 0.0, 0.0), "code must be"),
    (lambda s: s.analyse_face(None), "no photo"),
    (lambda s: s.transfer(s.save_png(s.example_face(1)), "auto", ["Wings"]), "unknown attr"),
    (lambda s: s.inpaint(s.save_png(s.example_face(1)), "auto", "nose"), "unknown preset"),
    (lambda s: s.invert(s.save_png(s.example_face(1)), "auto", 100000), "steps"),
    (lambda s: s.edit_latent(None, "Smiling", 1.0), "invert a photo first"),
    (lambda s: s.edit_latent([0.0] * 3, "Smiling", 1.0), "finite numbers"),
    (lambda s: s.edit_latent([0.0] * 100, "Wings", 1.0), "unknown concept"),
    (lambda s: s.compare(0, 100), "number of images"),
]


@pytest.mark.parametrize("call, message", BAD_INPUTS)
def test_bad_input_gives_a_readable_value_error(studio, call, message):
    with pytest.raises(ValueError, match=message):
        call(studio)


def test_a_bad_upload_is_a_value_error(studio, tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(ValueError, match="not an image"):
        studio.analyse_face(text)
    tiny = tmp_path / "tiny.png"
    Image.new("RGB", (20, 20)).save(tiny)
    with pytest.raises(ValueError, match="too small"):
        studio.transfer(tiny, "auto", [])


def test_edit_concepts_are_judge_attributes(studio):
    classes = set(studio.judge().config.classes)
    assert set(EDIT_CONCEPTS) <= classes
    direction = studio.concept_direction("Eyeglasses", pool=32, top=4)
    assert direction.shape == (studio.model(DCGAN).z_dim,) and torch.isfinite(direction).all()
