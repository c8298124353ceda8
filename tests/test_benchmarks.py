"""The benchmarks run end to end on tiny networks, so their code cannot rot.

Nothing here asserts a timing: figures depend on the machine and its load, and belong in
benchmarks/RESULTS.md, measured on a quiet machine by ``python -m benchmarks``.
"""

from __future__ import annotations

import math

import pytest
import torch

from benchmarks import inference, run_all, train_throughput
from gan_core.checkpoint import save_pretrained
from gan_core.models.dcgan import DCGANConfig, DCGANGenerator
from gan_core.models.infogan import InfoGANConfig, InfoGANGenerator

TINY_TABLE = [
    "wgan-gp:g_width=4",
    "wgan-gp:d_width=4",
    "infogan:width=8",
    "cvae-gan:width=4",
]


def test_project_and_reference_steps_train(celeba_dir, cache_dir):
    device = torch.device("cpu")
    options = train_throughput.cli_options("dcgan", celeba_dir, ["g_width=4", "d_width=4"], 4)
    config = options["config"]
    assert options["hyper"]["lr"] == 2e-4 and options["hyper"]["flip_horizontal"] is True
    data, _ = train_throughput.load_project_data("celeba", celeba_dir, 64, 3, 32, cache_dir, device)
    amp = train_throughput.cli_bf16(device, config["image_size"])
    project = train_throughput.ProjectStep(
        "dcgan", config, options["hyper"], data, device, 4, amp=amp
    )
    assert project.channels_last  # the recipe applies channels_last itself on CPU
    loader = train_throughput.reference_loader(celeba_dir, 64, 4, workers=0, limit=32)
    reference = train_throughput.ReferenceDCGAN(DCGANConfig(**config), loader, device)
    before = [p.detach().clone() for p in project.recipe.model.parameters()]
    timings = train_throughput.compare(
        {"project": project, "reference": reference}, 2, 0, 1, device, log=lambda _: None
    )
    assert timings["project"].images == timings["reference"].images == 8
    assert timings["project"].steps == timings["reference"].steps == 2
    assert any(not torch.equal(a, b) for a, b in zip(before, project.recipe.model.parameters()))
    assert set(reference.last_losses) >= {"d", "g"}
    assert all(math.isfinite(v) for v in reference.last_losses.values())
    # --compare-fp32's variant: no bf16, contiguous tensors
    plain = train_throughput.ProjectStep(
        "dcgan", config, options["hyper"], data, device, 4, amp=False, channels_last=False
    )
    assert not plain.channels_last and plain() == 4


def test_throughput_run_and_report(data_dir, cache_dir):
    argv = ["--device", "cpu", "--g-width", "4", "--d-width", "4", "--batch-size", "4"]
    argv += ["--limit", "32", "--steps", "2", "--warmup", "1", "--workers", "0"]
    argv += ["--data-dir", str(data_dir), "--cache-dir", str(cache_dir), "--compare-fp32"]
    argv += ["--table-steps", "1", *[x for item in TINY_TABLE for x in ("--table-set", item)]]
    results = train_throughput.run(
        train_throughput.build_parser().parse_args(argv), log=lambda _: None
    )
    assert results["device_type"] == "cpu" and results["target"] == 1.5
    assert results["project"]["timed_steps"] == results["reference"]["timed_steps"] == 2
    assert results["ratio"] > 0 and isinstance(results["passed"], bool)
    assert [row["family"] for row in results["table"]] == ["wgan-gp", "infogan", "cvae-gan"]
    wgan = results["table"][0]
    assert wgan["images_per_step"] == 4 * wgan["n_critic"] and wgan["n_critic"] == 5
    assert wgan["widths"] == {"g_width": 4, "d_width": 4}
    assert all(v["images_per_second"] > 0 for v in results["variants"])
    report = train_throughput.format_report(results)
    assert "Speed-up" in report and ("PASS" in report or "FAIL" in report)
    assert "pytorch/examples dcgan (reference)" in report and "| cvae-gan |" in report


def test_throughput_refuses_a_missing_gpu():
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    assert train_throughput.main(["--device", "cuda", "--steps", "1"]) == 2


@pytest.fixture
def tiny_checkpoints(tmp_path, monkeypatch):
    root = tmp_path / "checkpoints"
    torch.manual_seed(0)
    save_pretrained(DCGANGenerator(DCGANConfig(g_width=4)), root / "dcgan-tiny")
    save_pretrained(InfoGANGenerator(InfoGANConfig(width=8)), root / "infogan-tiny")
    monkeypatch.setenv("GAN_STUDIO_CHECKPOINTS", str(root))
    return root


def test_inference_benchmark_measures_every_model(tiny_checkpoints):
    results = inference.run("cpu", repeats=2, warmup=1, log=lambda _: None)
    assert [row["model"] for row in results["rows"]] == ["dcgan-tiny", "infogan-tiny"]
    assert all(set(row["latency_ms"]) == {1, 16} for row in results["rows"])
    report = inference.format_report(results)
    assert "| dcgan-tiny | dcgan | 3x64x64 |" in report and "batch 16 (ms)" in report


def test_inference_benchmark_without_models(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_STUDIO_CHECKPOINTS", str(tmp_path))
    report = inference.format_report(inference.run("cpu", repeats=1, log=lambda _: None))
    assert "No models found" in report


def test_run_all_writes_results_with_the_machine(tiny_checkpoints, tmp_path, monkeypatch):
    monkeypatch.setattr(run_all, "APP_LATENCY", tmp_path / "absent.py")
    out = tmp_path / "RESULTS.md"
    assert run_all.main(["--quick", "--skip-training", "--out", str(out)]) == 0
    text = out.read_text()
    assert torch.__version__ in text and "| CPU |" in text and "--quick" in text
    assert "| infogan-tiny | infogan |" in text
    assert "app_latency.py` is not in this checkout" in text


def test_vae_reference_trains_to_its_cpu_budget_and_samples_faces():
    """The reference VAE stops at its CPU budget and decodes 3x64x64 images in [0, 1]."""
    from benchmarks.vae_reference import Sampler, train

    images = torch.randint(0, 256, (96, 3, 64, 64), dtype=torch.uint8)
    vae, run = train(images, minutes=0.05, cores=1, seed=0)
    assert run["steps"] >= 1 and run["images_seen"] >= 64 and run["cpu_minutes_machine"] >= 0.05
    faces = Sampler(vae).sample(4, seed=1)
    assert faces.shape == (4, 3, 64, 64) and 0 <= float(faces.min()) <= float(faces.max()) <= 1
    assert torch.equal(faces, Sampler(vae).sample(4, seed=1))


def test_vae_reference_writes_what_the_targets_read(data_dir, tmp_path, monkeypatch):
    """End to end on the real faces with a tiny budget: the JSON it writes names its machine
    and command, and ``training.targets`` finds the reference row in it."""
    import json
    import sys

    from benchmarks import vae_reference
    from training import targets

    out = tmp_path / "reference.json"
    argv = ["vae_reference", "--data-dir", str(data_dir), "--minutes", "0.02", "--cores", "1"]
    monkeypatch.setattr(sys, "argv", [*argv, "--samples", "64", "--out", str(out)])
    vae_reference.main()
    written = json.loads(out.read_text())
    assert written["command"].endswith(f"--out {out}") and written["measured_utc"]
    assert written["device"] and written["reference_run"]["steps"] >= 1
    row = targets.load_vae_reference(out)["models"][targets.VAE_REFERENCE_ROW]
    assert row["fd"] > 0 and 0 <= row["recall"] <= 1
    assert any(name.startswith("vae-celeba64 (shipped, weights of ") for name in written["models"])


def test_vae_prior_compares_mixtures_by_held_out_likelihood_and_judge(data_dir, tmp_path, capsys):
    """End to end on the real faces with a tiny conv VAE: three reference priors (N(0, I), the
    diagonal fit, decoded real codes) and one row per K, each with its held-out likelihood."""
    import json

    from benchmarks import vae_prior
    from gan_core.models.autoencoder import VAE, VAEConfig

    config = VAEConfig(channels=3, image_size=64, arch="conv", z_dim=6, base_channels=4)
    save_pretrained(VAE(config), tmp_path / "tiny-vae")
    argv = ["--model", str(tmp_path / "tiny-vae"), "--data-dir", str(data_dir), "--threads", "1"]
    assert vae_prior.main([*argv, "--components", "1", "2", "--samples", "100"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["prior"] for r in rows] == [
        "N(0, I) in the raw code space",
        "diagonal Gaussian (--fit-prior)",
        "codes of other training faces (ceiling)",
        "mixture K=1",
        "mixture K=2",
    ]
    assert all(r["fd"] > 0 and 0 <= r["recall"] <= 1 for r in rows)
    mixtures = rows[3:]
    assert all(r["codes"] >= 9000 and math.isfinite(r["held_out_log_likelihood"]) for r in mixtures)
    # more components always fit the fitting codes at least as well
    assert mixtures[1]["train_log_likelihood"] >= mixtures[0]["train_log_likelihood"] - 0.5
