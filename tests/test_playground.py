"""Training playground: input checks, determinism, frames, the recorded lesson, the tab's API.

A run trains and looks on ``pg.THREADS`` (one) torch thread whatever its caller's count:
results are bitwise the same on two, measured, and one is much faster on a busy 2-core machine
for networks this small.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gan_core import playground as pg

#: Recorded on CPU (Intel Xeon with AMX, torch 2.14.1; benchmarks/RESULTS.md, "Training
#: playground"): modes covered of 8 on ring8 after 2,000 generator steps, default networks and
#: optimisers, seed 2: GAN 0 (its samples sit on one spot beside a mode), WGAN 0 (clipping has
#: barely moved it), WGAN-GP 8. Runs are deterministic per seed, but another CPU's float
#: kernels change the bits and adversarial training amplifies that, so the test pins bands
#: that held when every weight was nudged by 1e-6 (relative) on this seed: GAN 0-1 modes in
#: 5 of 5 nudged runs, WGAN-GP 8 in 3 of 3.
LESSON_SEED = 2
LESSON_BANDS = {"gan": range(0, 2), "wgan": range(0, 2), "wgan-gp": range(8, 9)}


@pytest.fixture
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


# --- targets and metrics --------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, modes", [("ring8", 8), ("grid25", 25), ("moons", 8), ("spiral", 10)]
)
def test_targets_sample_their_own_modes(name, modes):
    target = pg.get_target(name)
    assert target.modes_total == modes
    points = target.sample(pg.EVAL_SAMPLES, torch.Generator().manual_seed(0))
    assert points.shape == (pg.EVAL_SAMPLES, 2) and points.abs().max() < target.extent
    assigned = target.assign(points)
    # real data: (almost) every point within 3 sigma of a mode, and every mode covered
    assert (assigned >= 0).float().mean() > 0.98
    counts = torch.bincount(assigned[assigned >= 0], minlength=modes)
    assert (counts >= pg.MODE_SHARE * pg.EVAL_SAMPLES).all()
    again = target.sample(pg.EVAL_SAMPLES, torch.Generator().manual_seed(0))
    assert torch.equal(points, again)


def test_a_collapsed_sample_covers_one_mode():
    target = pg.get_target("ring8")
    points = target.centres[:1] + 0.01 * torch.randn(500, 2, generator=torch.Generator())
    assigned = target.assign(points)
    assert set(assigned.tolist()) == {0}
    far = torch.tensor([[0.0, 0.0], [2.5, 2.5]])
    assert target.assign(far).tolist() == [-1, -1]


def test_sliced_wasserstein_is_zero_on_itself_and_grows_with_a_shift():
    a = pg.get_target("ring8").sample(1000, torch.Generator().manual_seed(1))
    directions = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    assert pg.sliced_wasserstein(a, a, directions) == 0
    shifted = pg.sliced_wasserstein(a, a + torch.tensor([1.0, 0.0]), directions)
    assert shifted == pytest.approx(0.5, abs=1e-5)  # 1 along x, 0 along y


# --- input checks ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "changes, message",
    [
        ({"target": "torus"}, "unknown target 'torus'; choose one of ring8"),
        ({"objective": "lsgan"}, "unknown objective 'lsgan'"),
        ({"compare": "vae"}, "unknown second objective 'vae'"),
        ({"steps": 0}, "steps must be between 1 and 20,000, got 0"),
        ({"steps": 10**9}, "steps must be between 1 and 20,000, got 1,000,000,000"),
        ({"steps": 2.5}, "steps must be a whole number"),
        ({"steps": float("nan")}, "steps must be a whole number"),
        ({"steps": "many"}, "steps must be a whole number"),
        ({"lr": float("nan")}, "learning rate must be a positive number, got nan"),
        ({"lr": float("inf")}, "learning rate must be a positive number"),
        ({"lr": 0}, "learning rate must be a positive number, got 0"),
        ({"lr": -1e-3}, "learning rate must be a positive number"),
        ({"lr": 5.0}, "learning rate must be at most 0.1"),
        ({"lr": "fast"}, "learning rate must be a number"),
        ({"width": 2}, "width must be between 4 and 256, got 2"),
        ({"width": 10_000}, "width must be between 4 and 256"),
        ({"n_critic": 0}, "critic steps per generator step must be between 1 and 20"),
        ({"seed": -1}, "seed must be"),
        ({"seed": 2**40}, "seed must be between 0 and"),
        ({"batch_size": 1}, "batch size must be between 8 and 1,024"),
    ],
)
def test_bad_settings_are_refused_with_a_readable_message(changes, message):
    settings = pg.PlaygroundSettings(**{"target": "ring8", "objective": "gan", **changes})
    with pytest.raises(ValueError) as error:
        settings.validated()
    assert message in str(error.value)


def test_limits_are_module_constants_and_sliders_floats_are_accepted():
    assert pg.MAX_STEPS == 20_000 and pg.MIN_WIDTH < pg.DEFAULT_WIDTH <= pg.MAX_WIDTH
    s = pg.PlaygroundSettings("ring8", "WGAN-GP ", steps=300.0, seed=4.0, width=32.0).validated()
    assert (s.objective, s.steps, s.seed, s.width) == ("wgan-gp", 300, 4, 32)
    assert pg.PlaygroundSettings(compare="none").validated().compare is None
    assert pg.PlaygroundSettings(compare="wgan").validated().runs()[1].objective == "wgan"


# --- determinism and frames ------------------------------------------------------------------
def test_same_seed_same_run_other_seed_other_run_and_no_global_rng(one_thread):
    def final(seed, objective):
        run = pg.PlaygroundRun(pg.PlaygroundSettings("ring8", objective, steps=30, seed=seed))
        run.train(30)
        return run.snapshot()

    state = torch.get_rng_state()
    for objective in pg.OBJECTIVES:
        a, b, c = final(3, objective), final(3, objective), final(4, objective)
        assert np.array_equal(a.fake, b.fake) and a.metrics == {
            **b.metrics,
            "train_seconds": a.metrics["train_seconds"],
        }
        assert not np.array_equal(a.fake, c.fake)
    assert torch.equal(torch.get_rng_state(), state)  # the global RNG was never used


def test_chunking_does_not_change_the_outcome(one_thread):
    settings = pg.PlaygroundSettings("moons", "wgan-gp", steps=24, seed=2)
    whole = list(pg.train_stream(settings, every=24, render_frames=False))[-1]
    chunked = list(pg.train_stream(settings, every=5, render_frames=False))
    assert [f.metrics["step"] for f in chunked] == [0, 5, 10, 15, 20, 24]
    assert [f.done for f in chunked] == [False] * 5 + [True]
    keys = ("modes_covered", "high_quality_fraction", "wasserstein_sliced", "critic_w", "gp")
    assert {k: whole.metrics[k] for k in keys} == {k: chunked[-1].metrics[k] for k in keys}


@pytest.mark.parametrize("compare", [None, "wgan"])
def test_frames_are_pictures_with_metrics(compare, one_thread):
    settings = pg.PlaygroundSettings("grid25", "gan", steps=12, seed=0, compare=compare)
    frames = list(pg.train_stream(settings, every=6))
    assert len(frames) == 3 and frames[-1].done
    height, width = frames[0].image.shape[:2]
    assert frames[0].image.dtype == np.uint8 and frames[0].image.shape[2] == 3
    assert width > height if compare else width < height  # one column per run
    assert all(f.image.shape == frames[0].image.shape for f in frames)
    metrics = frames[-1].metrics
    for key in ("modes_covered", "modes_total", "high_quality_fraction", "steps", "seconds"):
        assert key in metrics
    assert metrics["modes_total"] == 25 and metrics["steps"] == 12
    assert ("compare" in metrics) == bool(compare)
    if compare:
        assert (
            metrics["compare"]["objective"] == "wgan" and "wasserstein_critic" in metrics["compare"]
        )
    # the picture changes as the networks train
    assert not np.array_equal(frames[0].image, frames[-1].image)


def test_a_run_trains_on_its_own_thread_count_and_restores_the_callers():
    seen = []
    run = pg.PlaygroundRun(pg.PlaygroundSettings("ring8", "gan", steps=2))

    def g_step(batch, step=run._g_step):
        seen.append(torch.get_num_threads())
        return step(batch)

    run._g_step = g_step
    before = torch.get_num_threads()
    run.train(2)
    assert seen == [pg.THREADS] * 2 and torch.get_num_threads() == before


def test_minimax_gradients_vanish_where_the_non_saturating_ones_do_not(one_thread):
    """Once D confidently rejects the fakes, log(1 - D) is flat there; -log D is not."""
    runs = {}
    for minimax in (False, True):
        run = pg.PlaygroundRun(pg.PlaygroundSettings("ring8", "gan", steps=300, minimax=minimax))
        for p in run.g.parameters():
            p.requires_grad_(False)  # train D only: it becomes confident
        for _ in range(150):
            run._d_step(128)
        runs[minimax] = run.snapshot().metrics
    assert runs[False]["d_fake"] < 0.2  # D says "fake" with confidence
    assert runs[True]["g_gradient_norm"] < 0.25 * runs[False]["g_gradient_norm"]


# --- hand-derived gradients ------------------------------------------------------------------
def _autograd_critic_grads(net, points, batch, objective, gp_weight):
    points = points.clone().requires_grad_(objective == "wgan-gp")
    scores = net(points)
    real, fake = scores[:batch], scores[batch : 2 * batch]
    if objective == "gan":
        loss = F.softplus(-real).mean() + F.softplus(fake).mean()
    else:
        loss = fake.mean() - real.mean()
    if objective == "wgan-gp":
        (grad_x,) = torch.autograd.grad(scores[2 * batch :].sum(), points, create_graph=True)
        gp = ((grad_x[2 * batch :].norm(dim=1) - 1) ** 2).mean()
        loss = loss + gp_weight * gp
    grads = torch.autograd.grad(loss, list(net.parameters()))
    return torch.cat([g.reshape(-1) for g in grads])


def _close(hand, reference):
    return (hand - reference).abs().max() <= 1e-5 * reference.abs().max()


@pytest.mark.parametrize("objective", ["gan", "wgan", "wgan-gp"])
def test_critic_gradients_match_autograd(objective):
    rng = torch.Generator().manual_seed(5)
    _, d = pg.build_networks(16, rng)
    batch = 32
    rows = 3 if objective == "wgan-gp" else 2
    points = torch.randn(rows * batch, 2, generator=rng) * 2
    out, hand = pg.critic_gradients(d, points, batch, objective, gp_weight=10.0)
    reference = _autograd_critic_grads(d, points, batch, objective, 10.0)
    assert hand.shape == reference.shape and _close(hand, reference)
    names = {"gan": {"d_loss"}, "wgan": {"critic_w"}, "wgan-gp": {"critic_w", "gp"}}
    assert set(out) == names[objective]


@pytest.mark.parametrize("objective, minimax", [("gan", False), ("gan", True), ("wgan", False)])
def test_generator_gradients_match_autograd(objective, minimax):
    """What ``_g_step`` computes: the loss's gradient back through D into G's weights."""
    run = pg.PlaygroundRun(pg.PlaygroundSettings("ring8", objective, steps=5, minimax=minimax))
    run.train(3)  # away from the initial networks
    z = torch.randn(64, pg.Z_DIM, generator=torch.Generator().manual_seed(1))
    fake, g_pass = pg.mlp_forward(run.g, z)
    scores, d_pass = pg.mlp_forward(run.d, fake)
    loss, slope = run.g_loss_and_slope(scores)
    d_fake = pg.mlp_backward(run.d, d_pass, slope / len(z))[0]
    hand = pg.mlp_backward(run.g, g_pass, d_fake, True)[1]
    reference_loss = run.g_loss_per_point(run.d(run.g(z))).mean()
    reference = torch.cat(
        [g.reshape(-1) for g in torch.autograd.grad(reference_loss, list(run.g.parameters()))]
    )
    assert torch.allclose(loss, reference_loss) and _close(hand, reference)


def test_flat_parameters_are_the_networks_weights():
    g, _ = pg.build_networks(16, torch.Generator().manual_seed(0))
    flat = pg.flat_parameters(g)
    assert flat.numel() == sum(p.numel() for p in g.parameters())
    with torch.no_grad():
        flat.zero_()
    assert all((p == 0).all() for p in g.parameters())  # views, not copies


# --- the lesson --------------------------------------------------------------------------------
def test_the_lesson_gan_collapses_where_wgan_gp_covers_every_mode(one_thread):
    """Recorded outcome, same starting networks for every objective. Which seed makes the GAN
    collapse depends on the CPU's rounding (seed 2: 0 modes on an Intel Xeon, 8 on an AMD
    EPYC; seeds 0-7 on the EPYC: 8, 0, 8, 8, 7, 7, 0, 1), so the GAN is checked over seeds
    0-3 (each CPU kind seen so far collapses on one of them), WGAN-GP and WGAN on the lesson
    seed."""
    measured = {}
    for objective in ("wgan", "wgan-gp"):
        _, metrics = pg.run_to_end(pg.PlaygroundSettings("ring8", objective, 2000, LESSON_SEED))
        measured[objective] = metrics["modes_covered"]
    gan = [
        pg.run_to_end(pg.PlaygroundSettings("ring8", "gan", 2000, seed))[1]["modes_covered"]
        for seed in range(4)
    ]
    assert measured["wgan-gp"] in LESSON_BANDS["wgan-gp"], measured
    assert measured["wgan"] in LESSON_BANDS["wgan"], measured
    assert min(gan) in LESSON_BANDS["gan"], gan  # collapsed on at least one seed


# --- the tab's API handler (called directly, no server) ---------------------------------------
def test_playground_run_api_handler(one_thread):
    """The endpoint's function: the first four inputs, the rest defaulted (the full
    ("ring8", "wgan-gp", 2000, 0) call is measured in benchmarks/RESULTS.md: 8 of 8 modes)."""
    from ui.tabs.playground import run_playground, stream_playground

    image, metrics = run_playground("ring8", "wgan-gp", 40, 0)
    assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
    assert metrics["modes_total"] == 8 and 0 <= metrics["modes_covered"] <= 8
    assert metrics["steps"] == 40 and metrics["seconds"] > 0 and metrics["target"] == "ring8"
    assert 0 <= metrics["high_quality_fraction"] <= 1 and "compare" not in metrics
    assert math.isfinite(metrics["wasserstein_critic"]) and metrics["objective"] == "wgan-gp"
    # the streaming handler: every frame is (image, metrics); a side-by-side by default there
    frames = list(stream_playground("spiral", "gan", 3, 1, "wgan-gp"))
    assert frames[0][1]["steps"] == 0 and frames[-1][1]["steps"] == 3
    assert frames[-1][1]["compare"]["step"] == 3 and frames[-1][0].shape[1] > image.shape[1]


def test_handlers_take_the_inputs_dataclass_signature():
    """One list of inputs (PlaygroundInputs): the handlers' signature, so the API's names."""
    import dataclasses
    import inspect

    from ui.tabs.playground import PlaygroundInputs, run_playground, stream_playground

    fields = [f.name for f in dataclasses.fields(PlaygroundInputs)]
    assert fields[:4] == ["target", "objective", "steps", "seed"]
    for handler in (run_playground, stream_playground):
        parameters = inspect.signature(handler).parameters
        assert list(parameters) == fields
        assert all(p.default is inspect.Parameter.empty for p in list(parameters.values())[:4])
        assert all(p.default is not inspect.Parameter.empty for p in list(parameters.values())[4:])
    assert inspect.isgeneratorfunction(stream_playground)


def test_handlers_turn_bad_values_into_messages():
    import gradio as gr

    from ui.tabs.playground import run_playground, stream_playground
    from ui.widgets import guarded

    for args, message in [
        (("torus", "gan", 100, 0), "Unknown target"),
        (("ring8", "gan", 0, 0), "Steps must be between 1 and 20,000"),
        (("ring8", "gan", 10**9, 0), "Steps must be between 1 and 20,000"),
    ]:
        with pytest.raises(gr.Error, match=message):
            guarded(run_playground)(*args)
        with pytest.raises(gr.Error, match=message):
            next(stream_playground(*args))
    with pytest.raises(gr.Error, match="Learning rate must be a positive number, got nan"):
        guarded(run_playground)("ring8", "gan", 10, 0, "none", False, 64, float("nan"))
