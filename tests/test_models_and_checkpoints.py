"""Public API shapes and ranges, save -> load round trips, and broken checkpoints."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import torch

import gan_core
from gan_core.checkpoint import CheckpointError
from gan_core.models.autoencoder import VAE, Autoencoder, AutoencoderConfig, VAEConfig
from gan_core.models.convgan import ConvGANConfig, ConvGenerator
from gan_core.models.cvae_gan import CVAEGAN, CVAEGANConfig, push_attributes
from gan_core.models.dcgan import DCGANConfig, DCGANDiscriminator, DCGANGenerator
from gan_core.models.gan import GANConfig, MLPGenerator
from gan_core.models.infogan import InfoGANConfig, InfoGANGenerator
from gan_core.models.wgan_gp import WGANCritic, WGANGPConfig, WGANGPGenerator

ROOT = Path(__file__).resolve().parents[1]

TINY = {
    "ae": lambda: Autoencoder(AutoencoderConfig(hidden=32, z_dim=4)),
    "vae": lambda: VAE(VAEConfig(hidden=32, z_dim=4)),
    "vae-conv": lambda: VAE(
        VAEConfig(arch="conv", channels=3, image_size=64, base_channels=4, z_dim=8)
    ),
    "gan": lambda: MLPGenerator(GANConfig(hidden=32, d_hidden=16, z_dim=8)),
    "convgan": lambda: ConvGenerator(ConvGANConfig(width=4)),
    "dcgan": lambda: DCGANGenerator(DCGANConfig(g_width=4, d_width=4, z_dim=8)),
    "wgan-gp": lambda: WGANGPGenerator(WGANGPConfig(g_width=4, d_width=4, z_dim=8)),
    "infogan": lambda: InfoGANGenerator(InfoGANConfig(width=8, z_dim=6)),
    "cvae-gan": lambda: CVAEGAN(CVAEGANConfig(width=4, z_dim=8)),
}


def _perturb(model: torch.nn.Module) -> None:
    """Move weights and BatchNorm statistics off their init so a round trip is meaningful."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for tensor in list(model.parameters()) + list(model.buffers()):
            if tensor.is_floating_point():
                tensor.add_((torch.rand(tensor.shape, generator=g) - 0.5) * 0.1)


@pytest.mark.parametrize("name", sorted(TINY))
def test_sample_shapes_ranges_determinism(name):
    model = TINY[name]()
    _perturb(model)
    images = model.sample(3, seed=7)
    assert images.shape == (3, *model.image_shape)
    assert images.min() >= 0 and images.max() <= 1
    torch.testing.assert_close(images, model.sample(3, seed=7))
    assert not torch.equal(images, model.sample(3, seed=8))
    assert model.training  # generate restores the caller's mode


@pytest.mark.parametrize("name", sorted(TINY))
def test_save_load_round_trip_is_exact(name, tmp_path):
    model = TINY[name]()
    _perturb(model)
    gan_core.save_pretrained(model, tmp_path / name)
    loaded = gan_core.load(tmp_path / name)
    assert type(loaded) is type(model)
    assert loaded.config.to_dict() == model.config.to_dict()
    torch.testing.assert_close(loaded.sample(4, seed=1), model.sample(4, seed=1), rtol=0, atol=0)
    config = json.loads((tmp_path / name / "config.json").read_text())
    assert config["family"] == model.family and "gan_core_version" in config


def test_half_precision_export_is_close(tmp_path):
    model = TINY["dcgan"]()
    _perturb(model)
    gan_core.save_pretrained(model, tmp_path / "half", half=True)
    loaded = gan_core.load(tmp_path / "half")
    assert next(loaded.parameters()).dtype == torch.float32
    torch.testing.assert_close(loaded.sample(2, seed=3), model.sample(2, seed=3), atol=2e-2, rtol=0)


def test_infogan_conditions():
    model = TINY["infogan"]()
    assert (model.n_categories, model.n_continuous) == (10, 2)
    z = torch.randn(4, model.z_dim)
    out = model.generate(z, category=torch.tensor([0, 1, 2, 3]), continuous=torch.zeros(4, 2))
    assert out.shape == (4, 1, 28, 28)
    with pytest.raises(ValueError, match="category"):
        model.generate(z, category=torch.tensor([0, 1, 2, 10]), continuous=torch.zeros(4, 2))
    with pytest.raises(ValueError, match="continuous"):
        model.generate(z, category=torch.zeros(4).long(), continuous=torch.zeros(4, 3))
    with pytest.raises(TypeError, match="does not take"):
        model.generate(z, category=torch.zeros(4).long(), continuous=torch.zeros(4, 2), colour=1)


def test_cvae_gan_api():
    model = TINY["cvae-gan"]()
    assert "Eyeglasses" in model.attributes and len(model.attributes) >= 8
    x = torch.rand(2, 3, 64, 64)
    attrs = torch.zeros(2, len(model.attributes))
    z = model.encode(x, attrs)
    assert z.shape == (2, model.z_dim)
    assert model.generate(z, attrs=attrs).shape == (2, 3, 64, 64)
    assert model.predict_attributes(x).shape == (2, len(model.attributes))
    mask = torch.zeros(2, 1, 64, 64)
    mask[:, :, 20:40, 20:40] = 1
    filled = model.inpaint(x, mask, steps=3, rounds=1)
    keep = mask.expand_as(x) == 0
    torch.testing.assert_close(filled[keep], x[keep])  # known pixels untouched
    with pytest.raises(ValueError, match="mask"):
        model.inpaint(x, torch.zeros(2, 1, 32, 32))
    with pytest.raises(ValueError, match="unknown attributes"):
        model.attribute_vector(Wings=True)


def test_autoencoder_encode_round_trip_shape():
    model = TINY["ae"]()
    x = torch.rand(5, 1, 28, 28)
    z = model.encode(x)
    assert z.shape == (5, 4)
    assert model.generate(z).shape == x.shape
    with pytest.raises(ValueError, match="shape"):
        model.encode(torch.rand(5, 3, 28, 28))


def test_generate_rejects_bad_latents():
    model = TINY["dcgan"]()
    with pytest.raises(ValueError, match="shape"):
        model.generate(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="NaN"):
        model.generate(torch.full((2, model.z_dim), float("nan")))
    with pytest.raises(ValueError, match="positive"):
        model.sample(0)


# --- broken checkpoints: one clear message each, nothing executed -----------------------------
@pytest.fixture()
def good_checkpoint(tmp_path):
    model = TINY["dcgan"]()
    return gan_core.save_pretrained(model, tmp_path / "good")


def test_missing_folder_and_unknown_name(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        gan_core.load(tmp_path / "nope" / "deeper")
    with pytest.raises(CheckpointError, match="no model named 'nope'"):
        gan_core.load("nope")


def test_missing_and_truncated_weights(good_checkpoint):
    weights = good_checkpoint / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="model.safetensors is not a readable safetensors"):
        gan_core.load(good_checkpoint)
    weights.unlink()
    with pytest.raises(CheckpointError, match="model.safetensors is missing"):
        gan_core.load(good_checkpoint)


class _Boom:
    def __reduce__(self):
        return (exec, ("import pathlib; pathlib.Path('PWNED').write_text('x')",))


def test_pickle_renamed_is_refused_and_never_run(good_checkpoint, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (good_checkpoint / "model.safetensors").write_bytes(pickle.dumps(_Boom()))
    with pytest.raises(CheckpointError, match="pickle"):
        gan_core.load(good_checkpoint)
    assert not (tmp_path / "PWNED").exists()


def test_wrong_shapes_and_wrong_family(good_checkpoint):
    config = json.loads((good_checkpoint / "config.json").read_text())
    (good_checkpoint / "config.json").write_text(json.dumps({**config, "g_width": 8}))
    with pytest.raises(CheckpointError, match="wrong shapes"):
        gan_core.load(good_checkpoint)
    (good_checkpoint / "config.json").write_text(json.dumps({**config, "family": "gan"}))
    with pytest.raises(CheckpointError, match="does not describe a valid model|does not match"):
        gan_core.load(good_checkpoint)
    (good_checkpoint / "config.json").write_text(json.dumps({**config, "family": "stylegan9"}))
    with pytest.raises(CheckpointError, match="unknown model family 'stylegan9'"):
        gan_core.load(good_checkpoint)
    (good_checkpoint / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="not 'infogan'"):
        gan_core.load(good_checkpoint, family="infogan")
    (good_checkpoint / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="not valid JSON"):
        gan_core.load(good_checkpoint)


def test_hub_repo_id_resolves_through_the_cache(good_checkpoint, tmp_path, monkeypatch):
    """A repo id is fetched with huggingface_hub; offline, a pre-filled cache is used."""
    import shutil

    cache = tmp_path / "hub"
    snapshot = cache / "models--someone--tiny-dcgan" / "snapshots" / ("a" * 40)
    shutil.copytree(good_checkpoint, snapshot)
    (cache / "models--someone--tiny-dcgan" / "refs").mkdir()
    (cache / "models--someone--tiny-dcgan" / "refs" / "main").write_text("a" * 40)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    import huggingface_hub.constants as constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    model = gan_core.load("someone/tiny-dcgan")
    assert model.family == "dcgan"
    with pytest.raises(CheckpointError, match="could not fetch 'someone/absent'"):
        gan_core.load("someone/absent")


def test_push_attributes_extrapolates_only_the_changed_attributes():
    source = torch.tensor([[1.0, 0.0, 1.0, 0.0]])
    target = torch.tensor([[0.0, 1.0, 1.0, 0.0]])
    assert torch.equal(push_attributes(source, target, 1.0), target)
    assert torch.equal(push_attributes(source, target, 0.0), source)
    assert torch.equal(push_attributes(source, target, 2.0), torch.tensor([[-1.0, 2.0, 1.0, 0.0]]))
    with pytest.raises(ValueError, match="strength must be a finite"):
        push_attributes(source, target, float("nan"))


def test_wgan_gp_critic_sees_contrast():
    """The old critic (layer norm, no biases) scored x and 0.5 * x alike, so its generator was
    never pushed towards dark pixels; the critic must tell a faded image from the original."""
    torch.manual_seed(0)
    config = WGANGPConfig(g_width=4, d_width=8)
    images = torch.rand(4, 3, 64, 64) * 2 - 1
    faded = 0.5 * images
    blind = DCGANDiscriminator(config, norm="layer")  # the pre-0.9.0 critic
    torch.testing.assert_close(blind(faded), blind(images), rtol=1e-4, atol=1e-5)
    critic = WGANCritic(config)
    assert not any(isinstance(m, torch.nn.GroupNorm) for m in critic.modules())
    assert (critic(faded) - critic(images)).abs().min() > 1e-4


@pytest.mark.parametrize(
    "card", sorted(p.parent.name for p in (ROOT / "checkpoints").glob("*/config.json"))
)
def test_every_release_cards_command_is_one_the_cli_accepts(card):
    """A model card's recorded command is how a reader reproduces the release: every command
    line in it (comments aside) must still parse and pass the training CLI's checks."""
    import shlex

    from training.__main__ import build_parser, resolve_options

    config = json.loads((ROOT / "checkpoints" / card / "config.json").read_text())
    lines = [
        line
        for line in config.get("training", {}).get("command", "").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert lines, f"{card}: no training command recorded"
    for line in lines:
        words = shlex.split(line)
        assert words[:3] == ["python", "-m", "training"], line
        resolve_options(build_parser().parse_args(words[3:]))
