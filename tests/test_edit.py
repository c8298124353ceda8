"""gan_core.edit: uploads from strangers (modes, orientation, bombs), face crops, masks, inversion.

No checkpoints needed: images are made here, and inversion runs on a tiny untrained DCGAN.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
import torch
from PIL import Image

from gan_core import edit
from gan_core.models.dcgan import DCGANConfig, DCGANGenerator


def png_bytes(image: Image.Image, **params) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=params.pop("format", "PNG"), **params)
    return buffer.getvalue()


def gradient(size=(120, 90), mode="RGB") -> Image.Image:
    w, h = size
    x = np.linspace(0, 255, w, dtype=np.uint8)[None, :].repeat(h, 0)
    return Image.fromarray(np.stack([x, x[::-1, ::-1], np.full_like(x, 90)], -1)).convert(mode)


@pytest.mark.parametrize("mode", ["L", "1", "P", "RGBA", "LA", "CMYK", "YCbCr", "I", "F"])
def test_every_colour_mode_becomes_rgb(mode):
    photo = edit.open_photo(gradient(mode=mode))
    assert photo.mode == "RGB" and photo.size == (120, 90)


def test_sixteen_bit_png_keeps_its_range():
    array = np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16)
    photo = edit.open_photo(png_bytes(Image.fromarray(array)))
    values = np.asarray(photo)[..., 0]
    assert values.min() == 0 and values.max() == 255  # scaled, not clipped to white


def test_transparent_pixels_become_white():
    rgba = Image.new("RGBA", (40, 40), (255, 0, 0, 0))
    assert np.asarray(edit.open_photo(png_bytes(rgba)))[0, 0].tolist() == [255, 255, 255]


def test_exif_orientation_is_applied():
    image = gradient((80, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees to view
    photo = edit.open_photo(png_bytes(image, format="JPEG", exif=exif))
    assert photo.size == (40, 80)


def test_too_small_and_not_an_image():
    with pytest.raises(ValueError, match="too small"):
        edit.open_photo(png_bytes(gradient((31, 200))))
    with pytest.raises(ValueError, match="not an image"):
        edit.open_photo(b"definitely not a picture")
    with pytest.raises(ValueError, match="no image file"):
        edit.open_photo("/nonexistent/face.png")


def test_truncated_file_is_refused():
    data = png_bytes(gradient((300, 300)), format="JPEG", quality=95)
    with pytest.raises(ValueError, match="damaged or truncated"):
        edit.open_photo(data[: len(data) // 3])


def test_decompression_bomb_is_refused_from_the_header(tmp_path):
    # A 1-bit PNG of 20000 x 20000 pixels is tiny on disk but 400 megapixels decoded.
    path = tmp_path / "bomb.png"
    Image.new("1", (20000, 20000)).save(path)
    started = time.perf_counter()
    with pytest.raises(ValueError, match="too large"):
        edit.open_photo(path)
    assert time.perf_counter() - started < 1.0  # refused before decoding


def test_crop_modes():
    aligned = gradient((178, 218))
    face = edit.crop_face(aligned)
    assert face.mode == "aligned" and face.box == (19, 39, 159, 179)
    assert face.tensor.shape == (1, 3, 64, 64) and face.image.shape == (64, 64, 3)
    assert float(face.tensor.min()) >= 0 and float(face.tensor.max()) <= 1
    wide = edit.crop_face(gradient((400, 100)))
    assert wide.mode == "centre" and wide.box == (150, 0, 250, 100)
    assert "very wide" in wide.note
    assert edit.crop_face(aligned, "centre").mode == "centre"
    with pytest.raises(ValueError, match="crop must be"):
        edit.crop_face(aligned, "sideways")


def test_preset_masks():
    for name in edit.PRESET_MASKS:
        mask = edit.preset_mask(name)
        assert mask.shape == (1, 64, 64) and 0.02 < float(mask.mean()) < 0.5
    assert float(edit.preset_mask("eyes")[0, 33, 20]) == 1  # over the left eye
    with pytest.raises(ValueError, match="unknown preset"):
        edit.preset_mask("nose")


def test_mask_from_painted_layer_of_another_size():
    layer = np.zeros((100, 100, 4), np.uint8)  # the editor's canvas, photo is 200 x 200
    layer[40:60, 40:60, 3] = 255  # a painted square in the middle
    mask = edit.mask_from_layers([layer], (200, 200), (0, 0, 200, 200))
    assert mask.shape == (1, 64, 64)
    assert float(mask[0, 32, 32]) == 1 and float(mask[0, 5, 5]) == 0
    assert 0.02 < float(mask.mean()) < 0.06  # ~ (20/100)^2


def test_empty_and_full_masks_are_refused():
    with pytest.raises(ValueError, match="empty"):
        edit.mask_from_layers([np.zeros((50, 50, 4), np.uint8)], (50, 50), (0, 0, 50, 50))
    with pytest.raises(ValueError, match="empty"):
        edit.mask_from_layers([], (50, 50), (0, 0, 50, 50))
    with pytest.raises(ValueError, match="covers"):
        edit.mask_from_layers([np.full((50, 50, 4), 255, np.uint8)], (50, 50), (0, 0, 50, 50))


def test_inversion_lowers_the_error_and_is_seeded():
    with torch.random.fork_rng():  # seeded weights for this throwaway model, no global leak
        torch.manual_seed(0)
        model = DCGANGenerator(DCGANConfig(g_width=8, z_dim=16)).eval()
    target = model.generate(torch.randn(1, 16, generator=torch.Generator().manual_seed(1)))
    seen = []
    first = edit.invert(
        model,
        target,
        steps=25,
        generator=torch.Generator().manual_seed(3),
        progress=lambda done, total: seen.append((done, total)),
    )
    again = edit.invert(model, target, steps=25, generator=torch.Generator().manual_seed(3))
    assert first.z.shape == (1, 16) and first.reconstruction.shape == (1, 3, 64, 64)
    assert first.losses[-1] < first.losses[0]
    assert torch.equal(first.z, again.z)
    assert seen[-1] == (25, 25) and len(seen) == 25
    assert all(p.grad is None for p in model.parameters())  # the shared model is untouched
    with pytest.raises(ValueError, match="target must have shape"):
        edit.invert(model, target[:, :1], steps=1)
