"""The original WGAN family: networks, the training CLI on every offline data source, resume,
export and load, weight clipping and annealed instance noise."""

from __future__ import annotations

import json

import pytest
import torch
from run_checks import assert_states_equal, read_metrics, training_state
from torch import nn

import gan_core
from gan_core.models.wgan import WGANClippedCritic, WGANConfig, WGANGenerator, geometry
from gan_core.registry import model_class
from training.__main__ import main as train_main
from training.recipes import RECIPES, Hyper

TINY = ["--set", "g_width=4", "--set", "d_width=4", "--n-critic", "2"]


def run_cli(data_dir, kind, out, *extra, cache_dir=None, steps=4):
    folder = {
        "mnist": data_dir / "mnist",
        "celeba": data_dir / "celeba",
        "folder": data_dir / "celeba" / "img_align_celeba",
    }[kind]
    args = ["wgan", "--data", kind, "--data-dir", str(folder), "--out", str(out)]
    args += ["--steps", str(steps), "--batch-size", "8", "--limit", "128", "--log-every", "1"]
    args += ["--sample-every", "2", "--checkpoint-every", "2", *TINY, *extra]
    if cache_dir is not None:
        args += ["--cache-dir", str(cache_dir)]
    return train_main(args)


@pytest.mark.parametrize("size, base", [(28, 7), (32, 4), (64, 4)])
def test_networks_cover_mnist_cifar_and_celeba_sizes(size, base):
    config = WGANConfig(channels=1 if size == 28 else 3, image_size=size, g_width=4, d_width=4)
    generator, critic = WGANGenerator(config), WGANClippedCritic(config)
    images = generator(torch.randn(3, config.z_dim))
    assert images.shape == (3, *config.image_shape)
    assert critic(images).shape == (3,)
    assert geometry(size)[0] == base
    # a critic: no sigmoid at the end and no BatchNorm anywhere
    assert not any(isinstance(m, (nn.BatchNorm2d, nn.Sigmoid)) for m in critic.modules())
    assert model_class("wgan") is WGANGenerator


def test_power_of_two_sizes_are_exactly_dcgan_networks():
    from gan_core.models.dcgan import DCGANConfig, DCGANGenerator

    ours = WGANGenerator(WGANConfig(g_width=4)).state_dict()
    dcgan = DCGANGenerator(DCGANConfig(g_width=4)).state_dict()
    assert {k: v.shape for k, v in ours.items()} == {k: v.shape for k, v in dcgan.items()}


@pytest.mark.parametrize("size", [0, 7, 9, 100])
def test_unsupported_sizes_are_refused_clearly(size):
    with pytest.raises(ValueError, match="power of two"):
        WGANGenerator(WGANConfig(image_size=size))


@pytest.mark.parametrize("kind", ["mnist", "celeba", "folder"])
def test_trains_exports_and_loads_on_every_data_source(kind, data_dir, tmp_path, cache_dir):
    out, export = tmp_path / "run", tmp_path / "export"
    code = run_cli(data_dir, kind, out, "--export", str(export), cache_dir=cache_dir, steps=4)
    assert code == 0
    metrics = read_metrics(out)
    assert [m["step"] for m in metrics] == [1, 2, 3, 4]
    assert metrics[0]["critic"] != metrics[-1]["critic"]
    options = json.loads((out / "options.json").read_text())
    assert options["hyper"]["lr"] == 5e-5 and options["hyper"]["clip"] == 0.01
    model = gan_core.load(export)
    assert model.family == "wgan"
    images = model.sample(2, seed=0)
    assert images.shape[1:] == model.image_shape and 0 <= images.min() <= images.max() <= 1
    # the critic's weights stay inside [-c, c]
    state = torch.load(out / "training_state.pt", weights_only=True)
    assert max(t.abs().max() for t in state["networks"]["critic"].values()) <= 0.01 + 1e-9
    assert "critic" in state["optimizers"] and "square_avg" in str(state["optimizers"]["critic"])


def test_resume_continues_exactly(data_dir, tmp_path, cache_dir):
    straight, split = tmp_path / "straight", tmp_path / "split"
    noise = ("--instance-noise", "0.1", "--instance-noise-steps", "3")
    assert run_cli(data_dir, "mnist", straight, *noise, cache_dir=cache_dir, steps=4) == 0
    assert run_cli(data_dir, "mnist", split, *noise, cache_dir=cache_dir, steps=2) == 0
    assert run_cli(data_dir, "mnist", split, *noise, "--resume", cache_dir=cache_dir) == 0
    assert training_state(straight)["step"] == 4
    assert_states_equal(training_state(straight), training_state(split))
    assert read_metrics(straight)[-1]["g"] == read_metrics(split)[-1]["g"]
    # the noise anneals linearly to 0 over --instance-noise-steps generator steps
    assert [round(m["noise"], 4) for m in read_metrics(straight)] == [0.1, 0.0667, 0.0333, 0.0]


def test_instance_noise_schedule_and_bad_values():
    recipe_cls = RECIPES["wgan"]
    config = WGANConfig(image_size=32, g_width=4, d_width=4)
    recipe = recipe_cls(
        config, Hyper(instance_noise=0.2, instance_noise_steps=10), torch.device("cpu"), False
    )
    assert recipe.noise_std(0) == pytest.approx(0.2)
    assert recipe.noise_std(5) == pytest.approx(0.1)
    assert recipe.noise_std(10) == recipe.noise_std(50) == 0
    assert isinstance(recipe._optimizers["critic"], torch.optim.RMSprop)
    for bad in (Hyper(clip=0), Hyper(instance_noise=-1), Hyper(instance_noise_steps=0)):
        with pytest.raises(ValueError):
            recipe_cls(config, bad, torch.device("cpu"), False)
