"""The training CLI on real (small) slices of the offline data, with tiny networks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import torch
import torch.nn.functional as F
from run_checks import assert_states_equal, read_metrics, training_state
from safetensors.torch import load_file

import gan_core
from training.__main__ import main as train_main

TINY_SETTINGS = {
    "ae": (["--set", "hidden=64", "--set", "z_dim=4"], "mnist"),
    "vae": (["--set", "hidden=64", "--set", "z_dim=4"], "mnist"),
    "gan": (["--set", "hidden=64", "--set", "d_hidden=32"], "mnist"),
    "infogan": (["--set", "width=8"], "mnist"),
    "dcgan": (["--set", "g_width=4", "--set", "d_width=4"], "celeba"),
    "wgan-gp": (["--set", "g_width=4", "--set", "d_width=4", "--n-critic", "2"], "celeba"),
    "cvae-gan": (["--set", "width=4"], "celeba"),
    "convgan": (["--set", "width=4", "--data", "folder"], "folder"),
    "judge": (["--set", "width=4", "--data", "celeba"], "celeba"),
}


def run_cli(family, data_dir, out, *extra, cache_dir=None, steps=4):
    settings, kind = TINY_SETTINGS[family]
    folder = {
        "mnist": data_dir / "mnist",
        "celeba": data_dir / "celeba",
        "folder": data_dir / "celeba" / "img_align_celeba",
    }[kind]
    args = [
        family,
        "--data-dir",
        str(folder),
        "--out",
        str(out),
        "--steps",
        str(steps),
        "--batch-size",
        "8",
        "--limit",
        "128",
        "--log-every",
        "1",
        "--sample-every",
        "2",
        "--checkpoint-every",
        "2",
        *settings,
        *extra,
    ]
    if cache_dir is not None:
        args += ["--cache-dir", str(cache_dir)]
    return train_main(args)


@pytest.mark.parametrize("family", sorted(TINY_SETTINGS))
def test_every_family_trains_exports_and_loads(family, data_dir, tmp_path, cache_dir):
    out, export = tmp_path / "run", tmp_path / "export"
    code = run_cli(family, data_dir, out, "--export", str(export), cache_dir=cache_dir, steps=6)
    assert code == 0
    metrics = read_metrics(out)
    assert [m["step"] for m in metrics] == [1, 2, 3, 4, 5, 6]
    loss_names = [
        k for k in metrics[0] if k not in ("step", "images_per_second", "elapsed_seconds")
    ]
    # the losses move: training is really updating the networks
    assert any(metrics[0][k] != metrics[-1][k] for k in loss_names)
    assert (out / "samples").is_dir() and (out / "options.json").is_file()
    model = gan_core.load(export)
    assert model.family == family
    if family != "judge":
        assert sorted(p.name for p in (out / "samples").iterdir())[:2] == [
            "step-000000.png",
            "step-000002.png",
        ]
        images = model.sample(2, seed=0)
        assert images.shape[1:] == model.image_shape and 0 <= images.min() <= images.max() <= 1
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 6 and summary["final_losses"]


def test_vae_loss_goes_down_over_a_few_steps(data_dir, tmp_path):
    out = tmp_path / "vae"
    assert run_cli("vae", data_dir, out, steps=40) == 0
    metrics = read_metrics(out)
    first = sum(m["reconstruction"] for m in metrics[:5]) / 5
    last = sum(m["reconstruction"] for m in metrics[-5:]) / 5
    assert last < 0.8 * first


def test_vae_feature_loss_trains_and_leaves_the_checkpoint_as_it_was(data_dir, tmp_path):
    """--perceptual-weight adds a logged feature loss; the fixed random net is not exported."""
    plain, featured = tmp_path / "plain", tmp_path / "featured"
    assert run_cli("vae", data_dir, plain, "--export", str(plain / "export"), steps=3) == 0
    extra = ("--perceptual-weight", "2", "--export", str(featured / "export"))
    assert run_cli("vae", data_dir, featured, *extra, steps=3) == 0
    logged = read_metrics(featured)
    assert all(m["perceptual"] > 0 for m in logged) and "perceptual" not in read_metrics(plain)[0]
    # the feature loss changed the training: same seed, different reconstruction loss
    assert logged[-1]["reconstruction"] != read_metrics(plain)[-1]["reconstruction"]
    a = load_file(plain / "export" / "model.safetensors")
    b = load_file(featured / "export" / "model.safetensors")
    assert sorted(a) == sorted(b)


def test_vae_fit_prior_changes_only_the_sampling_prior(data_dir, tmp_path):
    """--fit-prior true: the same training, and at export the code whitening buffers hold a
    Gaussian fitted to posterior samples instead of N(0, I)'s zeros and ones."""
    plain, fitted = tmp_path / "plain", tmp_path / "fitted"
    assert run_cli("vae", data_dir, plain, "--export", str(plain / "export"), steps=3) == 0
    extra = ("--fit-prior", "true", "--export", str(fitted / "export"))
    assert run_cli("vae", data_dir, fitted, *extra, steps=3) == 0
    a = load_file(plain / "export" / "model.safetensors")
    b = load_file(fitted / "export" / "model.safetensors")
    assert sorted(a) == sorted(b)
    for key in a:
        if key in ("code_mean", "code_std"):
            continue
        assert torch.equal(a[key], b[key]), key  # the fit happens after training
    assert torch.equal(a["code_mean"], torch.zeros(4)) and torch.equal(a["code_std"], torch.ones(4))
    assert not torch.equal(b["code_mean"], a["code_mean"]) and (b["code_std"] > 0).all()
    assert not torch.allclose(b["code_std"], a["code_std"])
    model = gan_core.load(fitted / "export")
    assert model.sample(2, seed=0).shape == (2, 1, 28, 28)
    training = json.loads((fitted / "export" / "config.json").read_text())["training"]
    fit = training["fit_prior"]
    assert fit["posterior_samples"] == 128  # --limit 128: every training image, once
    assert fit["std_min"] == round(b["code_std"].min().item(), 3)
    assert "fit_prior" not in json.loads((plain / "export" / "config.json").read_text())["training"]
    from training.model_card import training_lines  # the card says which prior samples come from

    (line,) = [line for line in training_lines(training, {}) if "Sampling prior" in line]
    assert "128 posterior samples" in line and f"std {fit['std_min']}–{fit['std_max']}" in line


def test_prior_mixture_is_fitted_exported_and_sampled(data_dir, tmp_path):
    """--prior-components K: at export a K-component mixture is fitted to the whitened codes;
    the checkpoint rebuilds it, random latents follow it and a seed still fixes an image."""
    out = tmp_path / "vae"
    extra = ("--fit-prior", "true", "--prior-components", "3", "--export", str(out / "export"))
    assert run_cli("vae", data_dir, out, *extra, "--half", steps=3) == 0
    config = json.loads((out / "export" / "config.json").read_text())
    assert config["prior_components"] == 3
    mixture = config["training"]["prior_mixture"]
    assert mixture["components"] == 3 and mixture["codes"] == 128
    assert mixture["held_out_log_likelihood"] < mixture["train_log_likelihood"]
    model = gan_core.load(out / "export")
    assert model.prior_means.shape == (3, 4) and model.prior_scale_tril.shape == (3, 4, 4)
    assert torch.allclose(model.prior_weights.sum(), torch.tensor(1.0), atol=1e-3)
    z = model.random_latents(4000, torch.Generator().manual_seed(0))
    expected = (model.prior_weights.float()[:, None] * model.prior_means.float()).sum(0)
    assert torch.allclose(z.mean(0), expected, atol=0.1)  # the mixture's mean, not N(0, I)'s 0
    assert torch.equal(model.sample(2, seed=5), model.sample(2, seed=5))
    from ui.studio import Studio  # the app draws from the mixture too, seed 7 alike in any batch

    alone, _ = Studio._latents(model, [7])
    batch, _ = Studio._latents(model, [3, 7])
    assert torch.equal(alone[0], batch[1]) and not torch.equal(batch[0], batch[1])
    from training.model_card import training_lines

    (line,) = [line for line in training_lines(config["training"], {}) if "Random latents" in line]
    assert "3-component" in line and "128 training codes" in line
    model.clear_prior_mixture()  # what benchmarks/vae_prior.py compares the mixture with
    assert model.config.prior_components == 0 and "prior_means" not in model.state_dict()
    z = model.random_latents(4000, torch.Generator().manual_seed(0))
    assert z.mean(0).abs().max() < 0.1 and (z.std(0) - 1).abs().max() < 0.1


def test_set_prior_mixture_rejects_wrong_shapes():
    from gan_core.models.autoencoder import VAE, VAEConfig

    model = VAE(VAEConfig(z_dim=4))
    with pytest.raises(ValueError, match=r"means \(K, 4\)"):
        model.set_prior_mixture(torch.ones(2), torch.zeros(2, 3), torch.eye(3).repeat(2, 1, 1))
    assert model.config.prior_components == 0


def test_resume_continues_exactly(data_dir, tmp_path, cache_dir):
    straight, split = tmp_path / "straight", tmp_path / "split"
    assert run_cli("dcgan", data_dir, straight, cache_dir=cache_dir, steps=4) == 0
    assert run_cli("dcgan", data_dir, split, cache_dir=cache_dir, steps=2) == 0
    assert run_cli("dcgan", data_dir, split, "--resume", cache_dir=cache_dir, steps=4) == 0
    assert training_state(straight)["step"] == 4
    assert_states_equal(training_state(straight), training_state(split))
    assert read_metrics(straight)[-1]["g"] == read_metrics(split)[-1]["g"]


def test_an_export_only_resume_keeps_the_runs_final_losses(data_dir, tmp_path, cache_dir):
    """--resume --export with no steps left (how a run stopped by --max-minutes is exported)
    reports the last logged losses, not an empty record, in the checkpoint's config."""
    out, export = tmp_path / "run", tmp_path / "export"
    extra = ("--log-every", "1")
    assert run_cli("gan", data_dir, out, *extra, cache_dir=cache_dir, steps=3) == 0
    logged = read_metrics(out)[-1]
    again = ("--resume", "--export", str(export), *extra)
    assert run_cli("gan", data_dir, out, *again, cache_dir=cache_dir, steps=3) == 0
    final = json.loads((export / "config.json").read_text())["training"]["final_losses"]
    assert final and final == {k: logged[k] for k in final}
    assert set(final) == {"d", "g"}


def test_max_minutes_is_a_budget_per_invocation(data_dir, tmp_path, cache_dir):
    """A resumed run gets a fresh --max-minutes: what earlier sessions spent does not count."""
    from training.loop import load_state, save_state_atomically

    out = tmp_path / "run"
    assert run_cli("gan", data_dir, out, cache_dir=cache_dir, steps=2) == 0
    state = load_state(out / "training_state.pt")
    state["elapsed_seconds"] = 10 * 3600.0  # ten hours in earlier sessions
    save_state_atomically(state, out / "training_state.pt")
    extra = ("--resume", "--max-minutes", "30")
    assert run_cli("gan", data_dir, out, *extra, cache_dir=cache_dir, steps=4) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["steps"] == 4 and not summary["stopped_early"]
    assert summary["wall_time_seconds"] >= 10 * 3600  # the total still adds every session


def test_ema_decay_ramps_up_from_the_first_updates():
    """The average follows the live weights early ((1+n)/(10+n)) and settles on the decay."""
    from training.recipes import ema_with_warmup

    update = ema_with_warmup(0.999)
    average, counter = torch.zeros(1), torch.zeros(1, dtype=torch.long)
    update([average, counter], [torch.ones(1), torch.full((1,), 7)], torch.tensor(1))
    torch.testing.assert_close(average, torch.tensor([1 - 2 / 11]))  # decay 2/11 after 1 update
    assert int(counter) == 7  # integer buffers take the live value
    late = torch.zeros(1)
    update([late], [torch.ones(1)], torch.tensor(1_000_000))
    torch.testing.assert_close(late, torch.tensor([0.001]))  # capped at 0.999


def test_ema_exports_the_average_and_resumes_it_exactly(data_dir, tmp_path, cache_dir):
    """--ema: the export is the running average, not the last step; a resumed run carries the
    average on (same bits as one straight run)."""
    straight, split, export = tmp_path / "straight", tmp_path / "split", tmp_path / "export"
    ema = ("--ema", "0.5")
    assert run_cli("dcgan", data_dir, straight, *ema, cache_dir=cache_dir, steps=4) == 0
    assert run_cli("dcgan", data_dir, split, *ema, cache_dir=cache_dir, steps=2) == 0
    first = torch.load(split / "training_state.pt", weights_only=True)
    assert run_cli(
        "dcgan", data_dir, split, *ema, "--resume", "--export", str(export),
        cache_dir=cache_dir, steps=4,
    ) == 0  # fmt: skip
    a = torch.load(straight / "training_state.pt", weights_only=True)
    b = torch.load(split / "training_state.pt", weights_only=True)
    assert int(a["ema"]["n_averaged"]) == int(b["ema"]["n_averaged"]) == 4
    for key, tensor in a["ema"].items():
        torch.testing.assert_close(b["ema"][key], tensor, rtol=0, atol=0)
    exported = load_file(export / "model.safetensors")
    live = b["networks"]["generator"]
    key = "net.1.weight"  # the first transposed convolution
    torch.testing.assert_close(exported[key], b["ema"]["module." + key], rtol=0, atol=0)
    assert not torch.equal(exported[key], live[key])  # not the last step's weights
    assert not torch.equal(first["ema"]["module." + key], exported[key])  # it kept averaging
    training = json.loads((export / "config.json").read_text())["training"]
    assert training["ema_decay"] == 0.5 and training["ema_steps"] == 4


@pytest.mark.parametrize(
    "args, message",
    [
        (["nope"], "invalid choice"),
        (["gan", "--out", "x"], "--data-dir"),
        (["gan", "--data-dir", "/does/not/exist", "--out", "x"], "does not exist"),
        (["gan", "--data-dir", ".", "--out", "x", "--steps", "0"], "--steps must be positive"),
        (["gan", "--data-dir", ".", "--out", "x", "--batch-size", "1"], "at least 2"),
        (["gan", "--data-dir", ".", "--out", "x", "--set", "colour=3"], "no config field"),
        (["gan", "--data-dir", ".", "--out", "x", "--set", "z_dim"], "KEY=VALUE"),
        (["gan", "--data-dir", ".", "--out", "x", "--steps", "2", "--epochs", "1"], "not allowed"),
        (["gan", "--data-dir", ".", "--out", "x", "--lr", "-1"], "learning rates"),
        (["gan", "--data-dir", ".", "--out", "x", "--device", "cuda:0"], "CUDA|cuda"),
        (["gan", "--data-dir", ".", "--out", "x", "--device", "banana"], "not a device"),
        (["gan", "--data-dir", ".", "--out", "x", "--sync-batchnorm"], "needs CUDA"),
        (["gan", "--data-dir", ".", "--out", "x", "--ema", "1"], "--ema is a decay"),
        (["wgan", "--data-dir", ".", "--out", "x", "--clip", "0"], "--clip is the critic's"),
        (["wgan", "--data-dir", ".", "--out", "x", "--clip", "-1"], "positive number.*got -1"),
        (["wgan", "--data-dir", ".", "--out", "x", "--clip", "nan"], "--clip .* got nan"),
        (["wgan", "--data-dir", ".", "--out", "x", "--instance-noise", "-0.5"], ">= 0.*-0.5"),
        (
            ["infogan", "--data-dir", ".", "--out", "x", "--code-range", "0"],
            "--code-range .* got 0",
        ),
        (["infogan", "--data-dir", ".", "--out", "x", "--code-range", "inf"], "positive.*got inf"),
        (["infogan", "--data-dir", ".", "--out", "x", "--code-std", "-1"], "--code-std .* got -1"),
        (
            ["infogan", "--data-dir", ".", "--out", "x", "--hold-category-range", "-2"],
            "--hold-category-range .* got -2",
        ),
        (
            ["dcgan", "--data-dir", ".", "--out", "x", "--hold-category-range", "2"],
            "InfoGAN generator loss, not dcgan",
        ),
        (["infogan", "--data-dir", ".", "--out", "x", "--code-weight", "nan"], "weight.*got nan"),
        (
            ["dcgan", "--data-dir", ".", "--out", "x", "--code-std", "1"],
            "set InfoGAN's codes, not dcgan's",
        ),
        (
            ["wgan", "--data-dir", ".", "--out", "x", "--instance-noise", "0.1"]
            + ["--instance-noise-steps", "0"],
            "--instance-noise-steps .* must be at least 1, got 0",
        ),
        (["vae", "--data-dir", ".", "--out", "x", "--perceptual-weight", "-1"], ">= 0.*got -1"),
        (
            ["dcgan", "--data-dir", ".", "--out", "x", "--perceptual-weight", "1"],
            "decoder loss of the ae and vae families, not dcgan",
        ),
        (
            ["cvae-gan", "--data-dir", ".", "--out", "x", "--latent-adversary-weight", "nan"],
            "--latent-adversary-weight is a loss weight.*got nan",
        ),
        (
            ["dcgan", "--data-dir", ".", "--out", "x", "--fit-prior", "true"],
            "--fit-prior fits the vae family's sampling prior, not dcgan's",
        ),
        (
            ["vae", "--data-dir", ".", "--out", "x", "--prior-components", "5"],
            "only happens with --fit-prior true",
        ),
        (
            ["dcgan", "--data-dir", ".", "--out", "x", "--prior-components", "5"],
            "ae and vae families' sampling prior, not dcgan's",
        ),
        (["ae", "--data-dir", ".", "--out", "x", "--prior-components", "-1"], "a count.*got -1"),
        (
            ["vae", "--data-dir", ".", "--out", "x", "--set", "prior_components=2"],
            "fitted at export: use --prior-components",
        ),
        (
            ["vae", "--data-dir", ".", "--out", "x", "--latent-adversary-weight", "0.1"],
            "encoder loss of the cvae-gan family, not vae",
        ),
        (
            ["dcgan", "--data-dir", ".", "--out", "x", "--edit-weight", "1"],
            "generator loss of the cvae-gan family, not dcgan",
        ),
        (["cvae-gan", "--data-dir", ".", "--out", "x", "--edit-weight", "-1"], ">= 0.*got -1"),
    ],
)
def test_bad_arguments_give_a_clear_error(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "training", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(gan_core.checkpoint.DEFAULT_CHECKPOINT_DIR.parent), "PATH": ""},
        timeout=120,
    )
    if torch.cuda.is_available() and "cuda" in " ".join(args):
        pytest.skip("this machine has CUDA")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    import re

    assert re.search(message, result.stderr), result.stderr


def test_missing_data_is_reported_before_training(tmp_path):
    (tmp_path / "celeba" / "img_align_celeba").mkdir(parents=True)
    code = train_main(
        ["dcgan", "--data-dir", str(tmp_path / "celeba"), "--out", str(tmp_path / "run")]
    )
    assert code == 2
    assert not (tmp_path / "run" / "metrics.jsonl").exists()


def test_dry_run_prints_resolved_options(tmp_path, capsys, mnist_dir):
    code = train_main(
        ["infogan", "--data-dir", str(mnist_dir), "--out", str(tmp_path / "x"), "--dry-run"]
    )
    assert code == 0
    options = json.loads(capsys.readouterr().out)
    assert options["family"] == "infogan" and options["batch_size"] == 64
    assert options["hyper"]["lr"] == 1e-3 and options["data"] == "mnist"
    assert not (tmp_path / "x").exists()


def test_cvae_gan_latent_adversary_trains_a_guesser_that_is_not_exported(data_dir, tmp_path):
    """--latent-adversary-weight trains a z -> attributes guesser beside E, G, C and D and
    pushes the encoder against it, resumes with it, and leaves the export as it was."""

    def train(name, weight, *more, steps=2):
        out = tmp_path / name
        extra = ("--latent-adversary-weight", weight, "--export", str(out / "export"), *more)
        assert run_cli("cvae-gan", data_dir, out, *extra, steps=steps) == 0
        return out, load_file(out / "export" / "model.safetensors")

    (plain, off), (_, faint), (adversary, on) = (
        train("off", "0"),
        train("faint", "1e-30"),
        train("on", "1"),
    )
    logged = read_metrics(adversary)
    assert all(m["z_guess"] > 0 and m["z_confusion"] > 0 for m in logged)
    assert "z_guess" not in read_metrics(plain)[0]
    state = training_state(adversary)
    assert "latent_classifier" in state["networks"] and "latent_classifier" in state["optimizers"]
    assert sorted(off) == sorted(on)  # the guesser stays out of the checkpoint
    # Same seed and the same guesser; only its weight in the encoder's loss differs.
    encoder = [k for k in on if k.startswith("encoder_")]
    assert any(not torch.equal(faint[k], on[k]) for k in encoder)
    train("on", "1", "--resume", steps=3)
    assert training_state(adversary)["step"] == 3


def test_cvae_gan_edit_weight_adds_a_generator_loss_on_the_flipped_attribute(data_dir, tmp_path):
    """--edit-weight logs C's loss on the one flipped attribute and trains G with it: the same
    seed with a negligible weight gives other generator weights than with weight 1."""

    def train(name, weight):
        out = tmp_path / name
        extra = ("--edit-weight", weight, "--export", str(out / "export"))
        assert run_cli("cvae-gan", data_dir, out, *extra, steps=2) == 0
        return out, load_file(out / "export" / "model.safetensors")

    (plain, _), (_, faint) = train("off", "0"), train("faint", "1e-30")
    edited, on = train("on", "1")
    assert "edit" not in read_metrics(plain)[0]
    assert all(0 < m["edit"] < 10 for m in read_metrics(edited))
    generator = [k for k in on if k.startswith("generator")]
    assert generator and any(not torch.equal(faint[k], on[k]) for k in generator)


def test_exported_weights_hold_only_inference_networks(data_dir, tmp_path, cache_dir):
    export = tmp_path / "export"
    assert (
        run_cli(
            "cvae-gan",
            data_dir,
            tmp_path / "run",
            "--export",
            str(export),
            steps=1,
            cache_dir=cache_dir,
        )
        == 0
    )
    keys = load_file(str(export / "model.safetensors"))
    assert any(k.startswith("generator.") for k in keys)
    assert any(k.startswith("classifier.") for k in keys)
    assert not any("discriminator" in k for k in keys)


@pytest.mark.parametrize("code_range", [1.0, 2.0])
def test_infogan_trains_its_continuous_codes_over_code_range(
    code_range, data_dir, tmp_path, monkeypatch
):
    """--code-range widens U(-1, 1) to U(-r, r): the codes the generator sees in training."""
    from gan_core.models.infogan import InfoGANGenerator

    seen = []
    decode = InfoGANGenerator.decode

    def spy(self, z, category, continuous, **kwargs):
        if self.training:
            seen.append(continuous.detach().abs().max().item())
        return decode(self, z, category, continuous, **kwargs)

    monkeypatch.setattr(InfoGANGenerator, "decode", spy)
    extra = ["--code-range", str(code_range), "--batch-size", "64"]
    assert run_cli("infogan", data_dir, tmp_path / "run", *extra, steps=3) == 0
    assert seen and max(seen) <= code_range
    assert max(seen) > 0.9 * code_range  # 64 x 2 draws: the edge of the range is reached


def test_infogan_hold_category_range_asks_g_to_keep_the_category_beyond_the_codes_range(
    data_dir, tmp_path, monkeypatch
):
    """--hold-category-range 2: each generator step renders the same latents and categories a
    second time with codes from U(-2, 2) and adds Q's cross-entropy for the category there;
    the codes Q learns to read stay in U(-1, 1)."""
    from gan_core.models.infogan import InfoGANGenerator
    from training.recipes import InfoGANRecipe

    calls, decode = [], InfoGANGenerator.decode

    def spy(self, z, category, continuous, **kwargs):
        if self.training:
            calls.append((z.detach().clone(), category.clone(), continuous.abs().max().item()))
        return decode(self, z, category, continuous, **kwargs)

    held, category_held = [], InfoGANRecipe.category_held

    def spy_held(self, z, category, code_range):
        loss = category_held(self, z, category, code_range)
        held.append(loss.detach())
        return loss

    monkeypatch.setattr(InfoGANGenerator, "decode", spy)
    monkeypatch.setattr(InfoGANRecipe, "category_held", spy_held)
    extra = ["--hold-category-range", "2", "--batch-size", "64"]
    assert run_cli("infogan", data_dir, tmp_path / "run", *extra, steps=3) == 0
    assert len(held) == 3 and all(torch.isfinite(x) and x > 0 for x in held)
    assert len(calls) == 6  # per step: the trained codes, then the held ones
    for (z, category, trained), (z2, category2, wide) in zip(calls[::2], calls[1::2]):
        assert torch.equal(z, z2) and torch.equal(category, category2)
        assert trained <= 1 < wide <= 2  # 64 x 2 draws from U(-2, 2) pass 1 (p ~ 1 - 2^-128)

    calls.clear(), held.clear()
    assert run_cli("infogan", data_dir, tmp_path / "off", "--batch-size", "64", steps=3) == 0
    assert len(calls) == 3 and not held  # off by default


def test_infogan_fixed_code_std_ignores_q_variance_and_is_applied(data_dir, tmp_path, monkeypatch):
    """--code-std 1 is the InfoGAN authors' squared error on the continuous codes, whatever
    log-variance Q predicts; the recipe hands --code-std and --code-weight to the loss."""
    from training import losses

    g = torch.Generator().manual_seed(0)
    logits, mean = torch.randn(8, 10, generator=g), torch.randn(8, 2, generator=g)
    category, codes = torch.randint(0, 10, (8,), generator=g), torch.rand(8, 2, generator=g)
    expected = F.cross_entropy(logits, category) + 0.5 * ((codes - mean) ** 2).sum(1).mean()
    for log_var in (torch.zeros(8, 2), torch.full((8, 2), -3.0)):
        fixed = losses.mutual_information(logits, mean, log_var, category, codes, 1.0, 1.0)
        torch.testing.assert_close(fixed, expected)
    learned = losses.mutual_information(
        logits, mean, torch.full((8, 2), -3.0), category, codes, 1.0
    )
    assert learned > expected + 1  # exp(3) times the squared error, less 3 per code

    seen = []
    original = losses.mutual_information

    def spy(*args, **kwargs):
        seen.append((kwargs["continuous_weight"], kwargs["fixed_std"]))
        return original(*args, **kwargs)

    monkeypatch.setattr(losses, "mutual_information", spy)
    extra = ["--code-std", "0.5", "--code-weight", "2"]
    assert run_cli("infogan", data_dir, tmp_path / "run", *extra, steps=1) == 0
    assert seen and set(seen) == {(2.0, 0.5)}
    seen.clear()  # the family's defaults: the authors' fixed std 1, weight 1 (won the A/B)
    assert run_cli("infogan", data_dir, tmp_path / "default", steps=1) == 0
    assert seen and set(seen) == {(1.0, 1.0)}
    seen.clear()  # how the 0.7.0 weights were trained: Q's learned variance, weight 0.1
    old = ["--code-std", "0", "--code-weight", "0.1"]
    assert run_cli("infogan", data_dir, tmp_path / "old", *old, steps=1) == 0
    assert seen and set(seen) == {(0.1, 0.0)}


def test_snapshots_report_quality_at_cpu_budgets(data_dir, tmp_path):
    """``--snapshot-every`` folders load as models, and ``training.evaluate --snapshots`` reads
    them: a run this short ends before the first budget, so one row, from its last snapshot."""
    from training.evaluate import quality_per_cpu_hour

    run = tmp_path / "run"
    assert run_cli("infogan", data_dir, run, "--snapshot-every", "2", steps=4) == 0
    assert sorted(p.name for p in (run / "snapshots").iterdir()) == ["step-000002", "step-000004"]
    rows = quality_per_cpu_hour(run, data_dir, n=100)
    assert [row["snapshot"] for row in rows] == ["step-000004"]
    row = rows[0]
    assert row["budget_minutes"] == 30 and 0 <= row["cpu_minutes"] < 30
    assert 0 <= row["category_accuracy"] <= 1 and set(row["digit_kept_sweep"]) == {"code0", "code1"}
    assert row["fd"] > 0 and 0 <= row["recall"] <= 1
    # --budgets: each budget takes the last snapshot not past it (CPU time set by hand here)
    for name, cpu_seconds in (("step-000002", 600), ("step-000004", 1800)):
        config_path = run / "snapshots" / name / "config.json"
        config = json.loads(config_path.read_text())
        config["training"]["cpu_seconds"] = cpu_seconds  # 5 and 15 machine-minutes on 2 cores
        config_path.write_text(json.dumps(config))
    rows = quality_per_cpu_hour(run, data_dir, n=100, budgets=(4, 10, 20))
    assert [(r["budget_minutes"], r["snapshot"]) for r in rows] == [
        (10, "step-000002"),
        (20, "step-000004"),
    ]
    assert [r["cpu_minutes"] for r in rows] == [5.0, 15.0]


def test_cvae_gan_snapshots_report_the_strength_1_edits(data_dir, tmp_path):
    """A CVAE-GAN recipe is judged by its edits, so its snapshot rows carry them (and PSNR)."""
    from training.evaluate import quality_per_cpu_hour

    run = tmp_path / "run"
    assert run_cli("cvae-gan", data_dir, run, "--snapshot-every", "2", steps=2) == 0
    (row,) = quality_per_cpu_hour(run, data_dir, n=40)
    assert set(row["strength_1_edits"]) == {"Eyeglasses", "Smiling", "Male"}
    for figures in row["strength_1_edits"].values():
        assert 0 <= figures["flip_success"] <= 1 and 0 <= figures["others_kept"] <= 1
    assert 0 < row["reconstruction_psnr_db"] < 60


def test_ema_snapshots_keep_the_raw_weights_beside_the_average(data_dir, tmp_path):
    """With ``--ema`` the snapshot is the average; the raw weights of the same step go to
    ``raw/snapshots/`` so ``--snapshots RUN/raw`` compares EMA on and off at equal CPU."""

    run = tmp_path / "run"
    assert run_cli("dcgan", data_dir, run, "--snapshot-every", "2", "--ema", "0.5", steps=4) == 0
    for step in ("step-000002", "step-000004"):
        average = load_file(run / "snapshots" / step / "model.safetensors")
        raw = load_file(run / "raw" / "snapshots" / step / "model.safetensors")
        assert average.keys() == raw.keys()
        assert any(not torch.equal(average[k], raw[k]) for k in average)
        assert gan_core.load(run / "raw" / "snapshots" / step).config.training["steps"] == int(
            step[-6:]
        )
    from training.evaluate import quality_per_cpu_hour

    (row,) = quality_per_cpu_hour(run / "raw", data_dir, n=64)
    assert row["snapshot"] == "step-000004" and row["fd"] > 0
    tone = row["pixel_statistics"]  # face models: the tone figures beside FD and recall
    assert 0 < tone["mean_luminance"] < 1 and tone["contrast"] > 0
    assert 0 <= tone["dark_pixel_share"] <= 1
