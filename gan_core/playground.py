"""Training playground: small GANs on 2-D data, trained in chunks and drawn as frames.

The tutorials' lesson, made visible: a GAN's discriminator estimates a Jensen-Shannon
divergence, which says nothing useful while the two distributions do not overlap, and its
generator tends to collapse onto a few modes; a Wasserstein critic gives a distance that keeps
pointing the right way (weight clipping keeps it Lipschitz crudely, a gradient penalty better).

    from gan_core.playground import PlaygroundSettings, train_stream
    for frame in train_stream(PlaygroundSettings("ring8", "wgan-gp", steps=2000, seed=0)):
        frame.image      # (H, W, 3) uint8: points, D / critic heatmap, gradient arrows, losses
        frame.metrics    # modes_covered, high_quality_fraction, wasserstein_sliced, ...

Every run owns its networks, optimisers and ``torch.Generator``: nothing reads or changes the
global RNG, and a seed gives the same run on the same CPU setup. No Gradio here; frames are
drawn with PIL (a runtime dependency already), fast enough to stream while training.

Recorded on ring8 with the defaults (benchmarks/RESULTS.md, pinned in tests/test_playground.py):
after 2,000 steps on seed 2 the GAN has collapsed onto one spot (0 modes of 8), WGAN-GP covers
all 8, the clipped WGAN none yet.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw, ImageFont
from torch import nn

from gan_core.sampling import check_seed

# --- named limits (a UI's sliders read these; the checks below enforce them) -----------------
TARGETS = ("ring8", "grid25", "moons", "spiral")
OBJECTIVES = ("gan", "wgan", "wgan-gp")
DEFAULT_STEPS = 2_000
MAX_STEPS = 20_000
DEFAULT_WIDTH = 64
MIN_WIDTH, MAX_WIDTH = 4, 256
DEPTH = 3  # hidden layers of the generator and of the discriminator / critic
Z_DIM = 8  # latent size; the arrows sit on a grid over its first two axes
BATCH_SIZE = 128
MIN_BATCH, MAX_BATCH = 8, 1024
MAX_LR = 0.1
MAX_N_CRITIC = 20
#: Metrics: this many generated points; a mode counts when MODE_SHARE of them lie within
#: MODE_SIGMAS standard deviations of it; those points are the "high-quality" ones.
EVAL_SAMPLES = 2_000
MODE_SHARE = 0.01
MODE_SIGMAS = 3.0
#: Frames: the default aims at this many seconds of training between two frames.
FRAME_SECONDS = 0.12
#: torch threads while a run trains or looks. Networks this small gain nothing from a second
#: thread, and on a busy 2-core machine two threads made training 20-50x slower
#: (benchmarks/RESULTS.md). Set for each call and restored after; OpenMP keeps the count per
#: thread, so a server's other requests keep theirs. Results are the same bits either way.
THREADS = 1

#: Per-objective defaults: optimiser, learning rate, critic steps per generator step.
DEFAULTS: dict[str, dict[str, Any]] = {
    # The non-saturating GAN of the tutorials: Adam as in DCGAN.
    "gan": {"lr": 1e-3, "n_critic": 1, "betas": (0.5, 0.999)},
    # Arjovsky et al. 2017, Algorithm 1: RMSProp 5e-5, clip c = 0.01, 5 critic steps.
    "wgan": {"lr": 5e-5, "n_critic": 5, "clip": 0.01},
    # Gulrajani et al. 2017, Algorithm 1: Adam betas (0, 0.9), lambda = 10, 5 critic steps;
    # but two time scales (Heusel et al. 2017): the critic at 1e-3, the generator at 0.3 x that.
    # At the paper's 1e-4, or 3e-4 for both, 2,000 steps covered 0-2 of 8 modes on every seed
    # tried; at 1e-3 for both, the run sometimes oscillated for 2,000 steps first; with the
    # slower generator all 24 runs tried covered 8 (benchmarks/RESULTS.md, "Training playground").
    "wgan-gp": {
        "lr": 1e-3,
        "g_lr_scale": 0.3,
        "n_critic": 5,
        "betas": (0.0, 0.9),
        "gp_weight": 10.0,
    },
}

#: what ``compare`` may say for "no second run"
NO_COMPARE = ("", "none")

TITLES = {"gan": "GAN", "gan-minimax": "GAN (minimax)", "wgan": "WGAN", "wgan-gp": "WGAN-GP"}


# --- targets -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Target:
    """A 2-D distribution with known modes.

    Gaussian mixtures: the modes are the components (``references`` = their centres).
    Curves (moons, spiral): the modes are equal-length *segments* of the curve; ``references``
    is a dense polyline whose points carry their segment's index, and a sample lies "within
    3 sigma of a mode" when it is within 3 sigma (the data's noise) of that segment.
    """

    name: str
    sigma: float  # standard deviation of the data around its modes
    centres: torch.Tensor  # (K, 2) mode centres (segment midpoints for curves)
    references: torch.Tensor  # (R, 2) points a sample is compared with
    reference_mode: torch.Tensor  # (R,) mode index of each reference point
    extent: float  # the plot shows [-extent, extent]^2
    draw: Callable[[int, torch.Generator], torch.Tensor]  # noise-free points on the modes
    is_mixture: bool

    @property
    def modes_total(self) -> int:
        return len(self.centres)

    def sample(self, n: int, generator: torch.Generator) -> torch.Tensor:
        """``n`` points (n, 2), drawn with ``generator`` only."""
        points = self.draw(n, generator)
        return points + self.sigma * torch.randn(n, 2, generator=generator)

    def assign(self, points: torch.Tensor) -> torch.Tensor:
        """Mode index of each point, or -1 when it is farther than 3 sigma from every mode."""
        distance, nearest = torch.cdist(points, self.references).min(dim=1)
        mode = self.reference_mode[nearest]
        return torch.where(distance <= MODE_SIGMAS * self.sigma, mode, torch.full_like(mode, -1))


def _mixture(name: str, centres: torch.Tensor, sigma: float, extent: float) -> Target:
    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        return centres[torch.randint(len(centres), (n,), generator=generator)]

    modes = torch.arange(len(centres))
    return Target(name, sigma, centres, centres, modes, extent, draw, True)


def _curve(
    name: str,
    curve: Callable[[torch.Tensor], torch.Tensor],
    pieces: list[tuple[float, float]],
    segments_per_piece: int,
    sigma: float,
    extent: float,
) -> Target:
    """A union of parametric curves ``curve(t)``, t in each piece's range, sampled uniformly
    along arc length and cut into equal-length segments (the "modes")."""
    dense, lengths = [], []
    for low, high in pieces:
        t = torch.linspace(low, high, 4001, dtype=torch.float64)
        xy = curve(t)
        step = (xy[1:] - xy[:-1]).norm(dim=1)
        dense.append((xy, torch.cat([torch.zeros(1, dtype=xy.dtype), step.cumsum(0)])))
        lengths.append(float(step.sum()))
    references, modes, centres = [], [], []
    spacing = sigma / 2  # polyline vertices closer than sigma/2: distances are exact enough
    for index, ((xy, arc), length) in enumerate(zip(dense, lengths)):
        count = max(2, math.ceil(length / spacing))
        s = torch.linspace(0, length, count, dtype=xy.dtype)
        points = _along(xy, arc, s)
        segment = (s / length * segments_per_piece).long().clamp(max=segments_per_piece - 1)
        references.append(points)
        modes.append(segment + index * segments_per_piece)
        mids = (torch.arange(segments_per_piece, dtype=xy.dtype) + 0.5) / segments_per_piece
        centres.append(_along(xy, arc, mids * length))
    total = sum(lengths)

    def draw(n: int, generator: torch.Generator) -> torch.Tensor:
        s = torch.rand(n, generator=generator, dtype=torch.float64) * total
        out = torch.empty(n, 2, dtype=torch.float64)
        start = 0.0
        for (xy, arc), length in zip(dense, lengths):
            inside = (s >= start) & (s < start + length)
            out[inside] = _along(xy, arc, s[inside] - start)
            start += length
        return out.float()

    return Target(
        name,
        sigma,
        torch.cat(centres).float(),
        torch.cat(references).float(),
        torch.cat(modes),
        extent,
        draw,
        False,
    )


def _along(xy: torch.Tensor, arc: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """Points at arc lengths ``s`` along the polyline ``xy`` (cumulative lengths ``arc``)."""
    index = torch.searchsorted(arc, s.contiguous()).clamp(1, len(arc) - 1)
    a, b = arc[index - 1], arc[index]
    w = ((s - a) / (b - a).clamp(min=1e-12)).unsqueeze(1)
    return xy[index - 1] * (1 - w) + xy[index] * w


def _moons(t: torch.Tensor) -> torch.Tensor:
    # t in [0, pi]: upper moon; t in [pi, 2 pi]: lower moon (scikit-learn's layout, centred)
    upper = torch.stack([torch.cos(t), torch.sin(t)], 1)
    lower = torch.stack([1 - torch.cos(t - math.pi), 0.5 - torch.sin(t - math.pi)], 1)
    xy = torch.where((t <= math.pi).unsqueeze(1), upper, lower)
    return (xy - torch.tensor([0.5, 0.25], dtype=t.dtype)) * 1.6


def _spiral(t: torch.Tensor) -> torch.Tensor:
    # Archimedean spiral, two turns out from the centre, radius 0.25 -> 2.45
    radius = 0.25 + 2.2 * (t - t[0]) / (t[-1] - t[0])
    return torch.stack([radius * torch.cos(t), radius * torch.sin(t)], 1)


def _build_targets() -> dict[str, Target]:
    angles = torch.arange(8) * (2 * math.pi / 8)
    ring = torch.stack([2 * torch.cos(angles), 2 * torch.sin(angles)], 1)
    grid = torch.cartesian_prod(torch.arange(-2.0, 3.0), torch.arange(-2.0, 3.0))
    return {
        "ring8": _mixture("ring8", ring, 0.05, 3.0),
        "grid25": _mixture("grid25", grid, 0.05, 3.0),
        "moons": _curve("moons", _moons, [(0.0, math.pi), (math.pi, 2 * math.pi)], 4, 0.05, 3.0),
        "spiral": _curve("spiral", _spiral, [(0.0, 4 * math.pi)], 10, 0.05, 3.0),
    }


TARGET_TABLE: dict[str, Target] = _build_targets()


def get_target(name: str) -> Target:
    try:
        return TARGET_TABLE[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown target {name!r}; choose one of {', '.join(TARGETS)}") from None


# --- settings and their checks ---------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class PlaygroundSettings:
    """One run (or, with ``compare``, two runs trained in step from the same seed).

    ``lr`` / ``n_critic`` None mean the objective's default (``DEFAULTS``); an explicit ``lr``
    applies to both runs of a side-by-side. ``lr`` is the discriminator's / critic's; the
    generator's is the same, except WGAN-GP's, 0.3 x (``g_lr_scale``). ``n_critic`` is for the
    critics (WGAN, WGAN-GP); the GAN takes one discriminator step per generator step, as in the
    tutorials.
    ``minimax`` trains a GAN generator with the saturating log(1 - D(G(z))) loss.
    """

    target: str = "ring8"
    objective: str = "gan"
    steps: int = DEFAULT_STEPS
    seed: int = 0
    width: int = DEFAULT_WIDTH
    lr: float | None = None
    n_critic: int | None = None
    minimax: bool = False
    batch_size: int = BATCH_SIZE
    compare: str | None = None  # a second objective for the side-by-side, or None

    def validated(self) -> PlaygroundSettings:
        """A checked copy with whole numbers as ints; ValueError says what is wrong."""
        get_target(self.target)
        objective = _objective(self.objective, "objective")
        compare = self.compare
        none = compare is None or (
            isinstance(compare, str) and compare.strip().lower() in NO_COMPARE
        )
        compare = None if none else _objective(compare, "second objective")
        lr = self.lr
        if lr is not None:
            try:
                lr = float(lr)
            except (TypeError, ValueError):
                raise ValueError(f"learning rate must be a number, got {self.lr!r}") from None
            if not math.isfinite(lr) or lr <= 0:
                raise ValueError(f"learning rate must be a positive number, got {self.lr!r}")
            if lr > MAX_LR:
                raise ValueError(f"learning rate must be at most {MAX_LR}, got {lr:g}")
        n_critic = self.n_critic
        if n_critic is not None:
            n_critic = _whole(n_critic, "critic steps per generator step", 1, MAX_N_CRITIC)
        if not isinstance(self.minimax, (bool, np.bool_)) and self.minimax not in (0, 1):
            raise ValueError(f"minimax must be true or false, got {self.minimax!r}")
        return dataclasses.replace(
            self,
            objective=objective,
            compare=compare,
            steps=_whole(self.steps, "steps", 1, MAX_STEPS),
            seed=check_seed(_whole(self.seed, "seed", 0, None)),
            width=_whole(self.width, "width", MIN_WIDTH, MAX_WIDTH),
            lr=lr,
            n_critic=n_critic,
            minimax=bool(self.minimax),
            batch_size=_whole(self.batch_size, "batch size", MIN_BATCH, MAX_BATCH),
        )

    def runs(self) -> list[PlaygroundSettings]:
        """The settings of each run: one, or two for a side-by-side."""
        first = dataclasses.replace(self, compare=None)
        if self.compare is None:
            return [first]
        return [first, dataclasses.replace(first, objective=self.compare)]


def _objective(name: Any, what: str) -> str:
    if isinstance(name, str) and name.strip().lower() in OBJECTIVES:
        return name.strip().lower()
    raise ValueError(f"unknown {what} {name!r}; choose one of {', '.join(OBJECTIVES)}")


def _whole(value: Any, what: str, low: int, high: int | None) -> int:
    """``value`` as an int in [low, high], accepting 3.0 (sliders send floats), else ValueError."""
    span = f"between {low:,} and {high:,}" if high is not None else f"at least {low:,}"
    if isinstance(value, bool):
        raise ValueError(f"{what} must be a whole number {span}, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a whole number {span}, got {value!r}") from None
    if not math.isfinite(number) or number != int(number):
        raise ValueError(f"{what} must be a whole number {span}, got {value!r}")
    number = int(number)
    if number < low or (high is not None and number > high):
        raise ValueError(f"{what} must be {span}, got {number:,}")
    return number


# --- networks ------------------------------------------------------------------------------------
def mlp(
    sizes: list[int], activation: Callable[[], nn.Module], generator: torch.Generator
) -> nn.Sequential:
    """Linear layers with ``activation`` between them, initialised from ``generator`` (PyTorch's
    default U(-1/sqrt(fan_in), 1/sqrt(fan_in)) init, without touching the global RNG)."""
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append(activation())
        with torch.device("meta"):
            layers.append(nn.Linear(fan_in, fan_out))
    net = nn.Sequential(*layers).to_empty(device="cpu")
    with torch.no_grad():
        for layer in net:
            if isinstance(layer, nn.Linear):
                bound = 1 / math.sqrt(layer.in_features)
                layer.weight.uniform_(-bound, bound, generator=generator)
                layer.bias.uniform_(-bound, bound, generator=generator)
    return net


def build_networks(width: int, generator: torch.Generator) -> tuple[nn.Sequential, nn.Sequential]:
    """Generator z (N, Z_DIM) -> x (N, 2): ReLU MLP. Discriminator / critic x -> one score
    (a logit for the GAN): LeakyReLU(0.2) MLP, no sigmoid, no normalisation."""
    hidden = [width] * DEPTH
    g = mlp([Z_DIM, *hidden, 2], nn.ReLU, generator)
    d = mlp([2, *hidden, 1], lambda: nn.LeakyReLU(0.2), generator)
    return g, d


# --- gradients by hand ---------------------------------------------------------------------------
# Training uses no autograd. These networks are so small that each autograd backward call and
# each per-tensor optimiser step cost more than their arithmetic (0.6-0.8 ms per backward call,
# benchmarks/RESULTS.md, "Training playground"), so a WGAN-GP step was mostly bookkeeping. For
# Linear layers with (leaky) ReLUs between them the chain rule is short enough to write out, the
# gradient penalty's "gradient of a gradient" included; tests/test_playground.py checks every
# gradient here against autograd. The frames (heatmap, arrows) still use autograd.
@dataclasses.dataclass
class MLPPass:
    """What a backward pass needs from a forward pass: each Linear layer's input and each
    activation's input (its sign decides the slope: 1, or the leak)."""

    inputs: list[torch.Tensor]
    pre_activations: list[torch.Tensor]
    leak: float


def _linear_layers(net: nn.Sequential) -> list[nn.Linear]:
    return [layer for layer in net if isinstance(layer, nn.Linear)]


def _leak(net: nn.Sequential) -> float:
    """The activations' slope below zero: 0 for ReLU, ``negative_slope`` for LeakyReLU."""
    for layer in net:
        if isinstance(layer, nn.LeakyReLU):
            return layer.negative_slope
        if isinstance(layer, nn.ReLU):
            return 0.0
    return 1.0  # a single Linear layer: no activation


def _activation_backward(grad: torch.Tensor, pre: torch.Tensor, leak: float) -> torch.Tensor:
    """``grad`` times the activation's slope at ``pre``: the kernels autograd itself calls for
    ReLU and LeakyReLU (one op, where a mask would take three)."""
    if leak == 0.0:
        return torch.ops.aten.threshold_backward(grad, pre, 0.0)
    return torch.ops.aten.leaky_relu_backward(grad, pre, leak, False)


def mlp_forward(net: nn.Sequential, x: torch.Tensor) -> tuple[torch.Tensor, MLPPass]:
    """``net(x)`` for a ``mlp``, keeping what ``mlp_backward`` needs."""
    layers, leak = _linear_layers(net), _leak(net)
    record = MLPPass([], [], leak)
    h = x
    for i, layer in enumerate(layers):
        record.inputs.append(h)
        h = torch.addmm(layer.bias, h, layer.weight.t())
        if i < len(layers) - 1:
            record.pre_activations.append(h)
            h = F.leaky_relu(h, leak) if leak else F.relu(h)
    return h, record


def mlp_backward(
    net: nn.Sequential,
    record: MLPPass,
    grad_out: torch.Tensor,
    weight_grads: bool = False,
) -> tuple[torch.Tensor, torch.Tensor | None, list[torch.Tensor]]:
    """Back-propagate ``grad_out`` (d loss / d output, per row) through ``net``.

    Returns d loss / d input; the parameter gradients flattened in ``net.parameters()`` order
    (when ``weight_grads``), ready for a ``flat_parameters`` tensor; and for every row each
    layer's d / d(its output before the activation), first layer first.
    """
    layers = _linear_layers(net)
    delta, grads, deltas = grad_out, [], []
    for i in reversed(range(len(layers))):
        deltas.append(delta)
        if weight_grads:
            grads += [delta.sum(0), (delta.t() @ record.inputs[i]).reshape(-1)]
        delta = delta @ layers[i].weight
        if i:
            delta = _activation_backward(delta, record.pre_activations[i - 1], record.leak)
    flat = torch.cat(grads[::-1]) if weight_grads else None
    return delta, flat, deltas[::-1]


def critic_gradients(
    net: nn.Sequential, points: torch.Tensor, batch: int, objective: str, gp_weight: float
) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """The discriminator's / critic's loss terms and its parameter gradients, flattened.

    ``points`` is ``batch`` real rows, then ``batch`` generated rows, then (WGAN-GP) ``batch``
    interpolates where the penalty (|d score / d x| - 1)^2 is taken.
    """
    scores, record = mlp_forward(net, points)
    real, fake = scores[:batch], scores[batch : 2 * batch]
    if objective == "gan":  # binary cross-entropy on logits
        out = {"d_loss": F.softplus(-real).mean() + F.softplus(fake).mean()}
        slope = torch.cat([-torch.sigmoid(-real), torch.sigmoid(fake)]) / batch
    else:  # the critic maximises w = mean score on real - mean score on generated
        out = {"critic_w": real.mean() - fake.mean()}
        slope = torch.cat([torch.full_like(real, -1.0), torch.ones_like(fake)]) / batch
    if objective != "wgan-gp":
        return out, mlp_backward(net, record, slope, True)[1]
    # The interpolates' rows carry d score / d score = 1, so the same backward pass also gives
    # d score / d x at each of them: the gradient the penalty is about.
    slope = torch.cat([slope, torch.ones_like(real)])
    grad_x, _, deltas = mlp_backward(net, record, slope, False)
    rows = slice(0, 2 * batch)
    grad_x = grad_x[2 * batch :]
    norm = grad_x.norm(dim=1, keepdim=True)
    out["gp"] = ((norm - 1) ** 2).mean()
    # d(gp_weight * penalty) / d grad_x, then forwards through the backward pass above: with the
    # activation slopes fixed (piecewise constant), grad_x is linear in each weight matrix, and
    # the biases do not enter it at all.
    e = (2 * gp_weight / batch) * (norm - 1) / norm.clamp_min(1e-12) * grad_x
    layers, grads = _linear_layers(net), []
    for i, layer in enumerate(layers):
        # the loss's rows with their inputs, the interpolates' rows with e: one matmul
        weight = deltas[i].t() @ torch.cat([record.inputs[i][rows], e])
        grads += [weight.reshape(-1), deltas[i][rows].sum(0)]
        if i < len(layers) - 1:
            pre = record.pre_activations[i][2 * batch :]
            e = _activation_backward(e @ layer.weight.t(), pre, record.leak)
    return out, torch.cat(grads)


def flat_parameters(net: nn.Module) -> nn.Parameter:
    """One tensor holding all of ``net``'s parameters, which become views into it.

    An optimiser then updates one tensor per step instead of eight (``fused`` Adam: ~45 us
    against ~300 us for eight tensors with ``foreach`` here), and the clip is one op.
    """
    params = list(net.parameters())
    flat = nn.Parameter(torch.cat([p.detach().reshape(-1) for p in params]))
    offset = 0
    for p in params:
        p.data = flat.data[offset : offset + p.numel()].view_as(p)
        offset += p.numel()
    return flat


# --- one run -------------------------------------------------------------------------------------
@contextlib.contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run the block on ``n`` torch threads (this thread only), then restore the count."""
    before = torch.get_num_threads()
    if before == n:
        yield
        return
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def sliced_wasserstein(a: torch.Tensor, b: torch.Tensor, directions: torch.Tensor) -> float:
    """Sliced Wasserstein-1 between two equal-size point sets: the mean over unit
    ``directions`` of the exact 1-D W1 between the projections (sorted differences)."""
    return float(
        np.abs(_sorted_projections(a, directions) - _sorted_projections(b, directions)).mean()
    )


def _sorted_projections(points: torch.Tensor, directions: torch.Tensor) -> np.ndarray:
    # (directions, points), each row sorted (numpy's sort is ~5x faster than torch's here)
    return np.sort((directions @ points.T).numpy(), axis=1)


class PlaygroundRun:
    """One objective on one target: networks, optimisers and RNG of its own.

    ``train(n)`` runs n generator steps; ``snapshot()`` evaluates on fixed inputs (its own RNG
    stream, so looking never changes the training) and returns what a frame shows.
    """

    def __init__(self, settings: PlaygroundSettings) -> None:
        s = settings.validated()
        if s.compare is not None:
            raise ValueError("PlaygroundRun trains one objective; use train_stream for two")
        self.settings = s
        self.target = get_target(s.target)
        defaults = DEFAULTS[s.objective]
        self.objective = s.objective
        self.lr = s.lr if s.lr is not None else defaults["lr"]  # the discriminator's / critic's
        self.g_lr = self.lr * defaults.get("g_lr_scale", 1.0)
        self.n_critic = 1 if s.objective == "gan" else (s.n_critic or defaults["n_critic"])
        self.minimax = s.minimax and s.objective == "gan"
        self.rng = torch.Generator().manual_seed(s.seed)
        self.g, self.d = build_networks(s.width, self.rng)
        # Each network's weights live in one flat tensor (``flat_parameters``), and the
        # hand-derived gradients arrive flattened in the same order.
        self.g_flat, self.d_flat = flat_parameters(self.g), flat_parameters(self.d)
        if s.objective == "wgan":  # torch's RMSprop has no fused kernel; one tensor is cheap
            self.opt_g = torch.optim.RMSprop([self.g_flat], lr=self.g_lr, foreach=False)
            self.opt_d = torch.optim.RMSprop([self.d_flat], lr=self.lr, foreach=False)
            self._clip()
        else:
            betas = defaults["betas"]
            self.opt_g = torch.optim.Adam([self.g_flat], lr=self.g_lr, betas=betas, fused=True)
            self.opt_d = torch.optim.Adam([self.d_flat], lr=self.lr, betas=betas, fused=True)
        self.step = 0
        self.train_seconds = 0.0
        self.history: dict[str, list[float]] = {name: [] for name in self.loss_names}
        # Fixed evaluation inputs from a second stream: real points, latents, arrow latents.
        look = torch.Generator().manual_seed(s.seed + 7919)
        self.eval_real = self.target.sample(EVAL_SAMPLES, look)
        self.eval_z = torch.randn(EVAL_SAMPLES, Z_DIM, generator=look)
        q = torch.linspace(-1.6, 1.6, 13)  # a 13 x 13 grid over the first two latent axes
        grid = torch.cartesian_prod(q, q)
        self.arrow_z = torch.cat([grid, torch.zeros(len(grid), Z_DIM - 2)], 1)
        angles = torch.rand(64, generator=look) * math.pi
        self.directions = torch.stack([torch.cos(angles), torch.sin(angles)], 1)
        self.real_sorted = _sorted_projections(self.eval_real, self.directions)

    @property
    def title(self) -> str:
        return TITLES["gan-minimax" if self.minimax else self.objective]

    @property
    def loss_names(self) -> tuple[str, ...]:
        if self.objective == "gan":
            return ("d_loss", "g_loss")
        if self.objective == "wgan":
            return ("critic_w", "g_loss")
        return ("critic_w", "gp", "g_loss")

    # --- training -------------------------------------------------------------------------
    def _clip(self) -> None:
        c = DEFAULTS["wgan"]["clip"]
        with torch.no_grad():
            self.d_flat.clamp_(-c, c)

    def _z(self, n: int) -> torch.Tensor:
        return torch.randn(n, Z_DIM, generator=self.rng)

    def g_loss_per_point(self, scores: torch.Tensor) -> torch.Tensor:
        """The generator's loss for each generated point, from D's logit / the critic's score."""
        if self.objective != "gan":
            return -scores  # maximise the critic's score
        if self.minimax:
            return -F.softplus(scores)  # log(1 - D(x)): flat where D confidently says fake
        return F.softplus(-scores)  # -log D(x), the non-saturating loss

    def _d_step(self, batch: int) -> dict[str, torch.Tensor]:
        """One discriminator / critic step, gradients by hand (see ``critic_gradients``)."""
        real = self.target.sample(batch, self.rng)
        fake = mlp_forward(self.g, self._z(batch))[0]
        penalty = self.objective == "wgan-gp"
        if penalty:
            alpha = torch.rand(batch, 1, generator=self.rng)
            mixed = alpha * real + (1 - alpha) * fake
            points = torch.cat([real, fake, mixed])
        else:
            points = torch.cat([real, fake])
        out, self.d_flat.grad = critic_gradients(
            self.d, points, batch, self.objective, DEFAULTS["wgan-gp"]["gp_weight"]
        )
        self.opt_d.step()
        if self.objective == "wgan":
            self._clip()
        return out

    def _g_step(self, batch: int) -> torch.Tensor:
        """One generator step: the loss's gradient flows back through D into G's weights."""
        fake, g_pass = mlp_forward(self.g, self._z(batch))
        scores, d_pass = mlp_forward(self.d, fake)
        loss, d_scores = self.g_loss_and_slope(scores)
        d_fake = mlp_backward(self.d, d_pass, d_scores / batch)[0]
        self.g_flat.grad = mlp_backward(self.g, g_pass, d_fake, True)[1]
        self.opt_g.step()
        return loss

    def g_loss_and_slope(self, scores: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The generator's mean loss (``g_loss_per_point``) and, per point, d(loss of the
        point) / d(score)."""
        loss = self.g_loss_per_point(scores).mean()
        if self.objective != "gan":
            return loss, torch.full_like(scores, -1.0)
        if self.minimax:  # d(-softplus(s)) = -sigmoid(s): vanishes as s -> -inf
            return loss, -torch.sigmoid(scores)
        return loss, -torch.sigmoid(-scores)  # d softplus(-s)

    def train(self, n: int) -> None:
        """``n`` generator steps (each after ``n_critic`` discriminator / critic steps)."""
        started = time.perf_counter()
        batch = self.settings.batch_size
        with torch_threads(THREADS), torch.no_grad():
            for _ in range(min(n, self.settings.steps - self.step)):
                for _ in range(self.n_critic):
                    out = self._d_step(batch)
                out["g_loss"] = self._g_step(batch)
                for name in self.loss_names:
                    self.history[name].append(float(out[name].detach()))
                self.step += 1
        self.train_seconds += time.perf_counter() - started

    @property
    def done(self) -> bool:
        return self.step >= self.settings.steps

    # --- looking -----------------------------------------------------------------------------
    def snapshot(self, grid: int = 64) -> Snapshot:
        """Metrics and the frame's ingredients, from the fixed evaluation inputs."""
        with torch_threads(THREADS):
            return self._snapshot(grid)

    def _snapshot(self, grid: int) -> Snapshot:
        target = self.target
        with torch.inference_mode():
            fake = self.g(self.eval_z)
            modes = target.assign(fake)
            counts = torch.bincount(modes[modes >= 0], minlength=target.modes_total)
            covered = int((counts >= MODE_SHARE * EVAL_SAMPLES).sum())
            quality = float((modes >= 0).float().mean())
            lin = torch.linspace(-target.extent, target.extent, grid)
            ys, xs = torch.meshgrid(lin.flip(0), lin, indexing="ij")  # row 0 = top of the plot
            plane = torch.stack([xs.reshape(-1), ys.reshape(-1)], 1)
            field = self.d(plane).reshape(grid, grid)
            real_scores = self.d(self.eval_real)
            fake_scores = self.d(fake)
            projected = _sorted_projections(fake, self.directions)
            sliced = float(np.abs(projected - self.real_sorted).mean())  # sliced_wasserstein
        # The direction the generator's loss pushes each point: minus its gradient at the point.
        points = self.g(self.arrow_z).detach().requires_grad_(True)
        loss = self.g_loss_per_point(self.d(points)).sum()
        (grad,) = torch.autograd.grad(loss, points)
        push = -grad
        metrics: dict[str, Any] = {
            "objective": self.objective,
            "title": self.title,
            "step": self.step,
            "modes_covered": covered,
            "modes_total": target.modes_total,
            "high_quality_fraction": round(quality, 4),
            "wasserstein_sliced": round(sliced, 4),
            "g_gradient_norm": float(f"{float(push.norm(dim=1).mean()):.4g}"),
        }
        if self.objective == "gan":
            probability = torch.sigmoid(field)
            level = 0.5
            metrics["d_real"] = round(float(torch.sigmoid(real_scores).mean()), 4)
            metrics["d_fake"] = round(float(torch.sigmoid(fake_scores).mean()), 4)
            heat = probability
        else:
            estimate = float(real_scores.mean() - fake_scores.mean())
            metrics["wasserstein_critic"] = float(f"{estimate:.4g}")
            # the level halfway between the critic's mean on real and on generated points
            level = float(real_scores.mean() + fake_scores.mean()) / 2
            heat = field
        for name in self.loss_names:
            values = self.history[name]
            if values:
                recent = values[-min(len(values), 20) :]
                metrics[name] = float(f"{sum(recent) / len(recent):.4g}")
        metrics["train_seconds"] = round(self.train_seconds, 2)
        return Snapshot(
            metrics=metrics,
            real=self.eval_real[:600].numpy(),
            fake=fake[:1000].numpy(),
            heat=heat.numpy(),
            level=level,
            probability=self.objective == "gan",
            arrow_from=points.detach().numpy(),
            arrow_push=push.numpy(),
            rescale_arrows=self.objective == "wgan",
            history={k: list(v) for k, v in self.history.items()},
            target=target,
        )


@dataclasses.dataclass
class Snapshot:
    """What one panel of a frame draws, plus the run's metrics at that step."""

    metrics: dict[str, Any]
    real: np.ndarray  # (N, 2)
    fake: np.ndarray  # (M, 2)
    heat: np.ndarray  # (G, G) D's probability (GAN) or the critic's score; row 0 = top
    level: float  # the decision contour: D = 0.5, or the critic's real/fake midpoint
    probability: bool
    arrow_from: np.ndarray  # (K, 2) generated points from a grid over two latent axes
    arrow_push: np.ndarray  # (K, 2) minus the generator loss's gradient at them
    rescale_arrows: bool  # WGAN: the clipped critic's slope is tiny and arbitrary
    history: dict[str, list[float]]
    target: Target


# --- streaming ------------------------------------------------------------------------------
@dataclasses.dataclass
class Frame:
    image: np.ndarray  # (H, W, 3) uint8
    metrics: dict[str, Any]
    done: bool


def summary(snapshots: list[Snapshot], seconds: float) -> dict[str, Any]:
    """The first run's metrics at the top level (with ``steps`` and ``seconds``); a second
    run's under ``compare``."""
    first = dict(snapshots[0].metrics)
    out = {
        "target": snapshots[0].target.name,
        **first,
        "steps": first["step"],
        "seconds": round(seconds, 2),
    }
    if len(snapshots) > 1:
        out["compare"] = dict(snapshots[1].metrics)
    return out


def train_stream(
    settings: PlaygroundSettings,
    every: int | None = None,
    frame_seconds: float = FRAME_SECONDS,
    render_frames: bool = True,
) -> Iterator[Frame]:
    """Train ``settings`` (one run, or two in step) and yield a frame after each chunk.

    ``every``: generator steps per frame; None adapts the chunk so that about
    ``frame_seconds`` of training separate two frames. The outcome does not depend on the
    chunking (frames look through a separate RNG stream). The first frame shows step 0, the
    last has ``done=True``. ``render_frames=False`` skips drawing (metrics only).
    """
    s = settings.validated()
    if every is not None:
        every = _whole(every, "steps per frame", 1, MAX_STEPS)
    started = time.perf_counter()
    runs = [PlaygroundRun(r) for r in s.runs()]

    def frame(done: bool) -> Frame:
        snapshots = [run.snapshot() for run in runs]
        image = render(snapshots) if render_frames else np.zeros((1, 1, 3), np.uint8)
        return Frame(image, summary(snapshots, time.perf_counter() - started), done)

    yield frame(False)
    chunk = every or 5
    while not runs[0].done:
        tick = time.perf_counter()
        for run in runs:
            run.train(chunk)
        if every is None:  # aim the next chunk at frame_seconds of training
            per_step = (time.perf_counter() - tick) / chunk
            chunk = int(min(max(1, frame_seconds / max(per_step, 1e-6)), 2 * chunk + 1))
        yield frame(runs[0].done)


def run_to_end(settings: PlaygroundSettings) -> tuple[np.ndarray, dict[str, Any]]:
    """Train to the end without intermediate frames; the final frame and its metrics."""
    s = settings.validated()
    started = time.perf_counter()
    runs = [PlaygroundRun(r) for r in s.runs()]
    for run in runs:
        run.train(s.steps)
    snapshots = [run.snapshot() for run in runs]
    return render(snapshots), summary(snapshots, time.perf_counter() - started)


# --- drawing --------------------------------------------------------------------------------
PANEL = 400  # pixels per side of the plane
STRIP = 130  # loss-curve strip height
HEADER = 40
GAP = 12
REAL_RGB = (22, 128, 60)
FAKE_RGB = (126, 34, 206)
ARROW_RGB = (30, 30, 30)
CONTOUR_RGB = (20, 20, 20)
LOSS_RGB = [(37, 99, 235), (220, 38, 38), (217, 119, 6)]
# heat colours: the generated side (purple) -> neutral -> the real side (green)
_LOW = np.array([226, 205, 247.0])
_MID = np.array([248, 248, 248.0])
_HIGH = np.array([197, 232, 205.0])
_FONT_CACHE: dict[int, Any] = {}


def _font(size: int):
    if size not in _FONT_CACHE:
        try:
            _FONT_CACHE[size] = ImageFont.load_default(size=size)
        except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
            _FONT_CACHE[size] = ImageFont.load_default()
    return _FONT_CACHE[size]


def _heat_lut() -> np.ndarray:
    """256 colours from the generated side (purple) through neutral to the real side (green)."""
    t = np.linspace(-1, 1, 256)[:, None]
    rgb = np.where(t >= 0, _MID + (_HIGH - _MID) * t, _MID + (_LOW - _MID) * (-t))
    return rgb.round().astype(np.uint8)


_LUT = _heat_lut()


def _heat_signed(heat: np.ndarray, level: float, probability: bool) -> np.ndarray:
    """The field relative to its contour level, scaled to [-1, 1] (0 = on the contour)."""
    t = heat - level
    scale = 0.5 if probability else float(np.percentile(np.abs(t), 98)) or 1.0
    return np.clip(t / scale, -1, 1)


def _upsample(field: np.ndarray, size: int) -> np.ndarray:
    tensor = torch.from_numpy(np.ascontiguousarray(field, dtype=np.float32))[None, None]
    up = F.interpolate(tensor, size=(size, size), mode="bilinear", align_corners=True)
    return up[0, 0].numpy()


def _panel(snap: Snapshot) -> Image.Image:
    """The plane: heatmap, decision contour, mode rings, points and gradient arrows."""
    target = snap.target
    signed = _upsample(_heat_signed(snap.heat, snap.level, snap.probability), PANEL)
    pixels = _LUT[((signed + 1) * 127.5).astype(np.uint8)]
    side = signed >= 0
    edge = np.zeros_like(side)
    edge[:-1, :] |= side[:-1, :] != side[1:, :]
    edge[:, :-1] |= side[:, :-1] != side[:, 1:]
    pixels[edge] = CONTOUR_RGB

    def to_pixels(xy: np.ndarray) -> np.ndarray:
        scale = (PANEL - 1) / (2 * target.extent)
        col = (xy[:, 0] + target.extent) * scale
        row = (target.extent - xy[:, 1]) * scale
        return np.stack([col, row], 1)

    for points, colour in ((snap.real, REAL_RGB), (snap.fake, FAKE_RGB)):
        p = np.round(to_pixels(points)).astype(int)
        keep = (p[:, 0] >= 1) & (p[:, 0] < PANEL - 1) & (p[:, 1] >= 1) & (p[:, 1] < PANEL - 1)
        c, r = p[keep, 0], p[keep, 1]
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                if abs(dr) + abs(dc) < 2:  # a small plus sign
                    pixels[r + dr, c + dc] = colour
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    scale = (PANEL - 1) / (2 * target.extent)
    if target.is_mixture:  # the 3-sigma ball of each mode
        radius = MODE_SIGMAS * target.sigma * scale
        for cx, cy in to_pixels(target.centres.numpy()):
            draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], outline=(90, 90, 90))
    # Arrows: GAN and WGAN-GP at a common scale (0.25 plane units per unit of gradient, at
    # most 0.6); WGAN's are rescaled so the longest is 0.4 units.
    push = snap.arrow_push
    norms = np.linalg.norm(push, axis=1)
    if snap.rescale_arrows:
        factor = 0.4 / max(float(norms.max()), 1e-12)
        length = norms * factor
    else:
        length = np.minimum(norms * 0.25, 0.6)
    direction = push / np.maximum(norms, 1e-12)[:, None]
    tips = snap.arrow_from + direction * length[:, None]
    starts, ends = to_pixels(snap.arrow_from), to_pixels(tips)
    for (x0, y0), (x1, y1), n in zip(starts, ends, length):
        draw.line([x0, y0, x1, y1], fill=ARROW_RGB, width=1)
        if n * scale > 4:
            angle = math.atan2(y1 - y0, x1 - x0)
            for turn in (2.6, -2.6):
                draw.line(
                    [x1, y1, x1 + 4 * math.cos(angle + turn), y1 + 4 * math.sin(angle + turn)],
                    fill=ARROW_RGB,
                )
        draw.point([x0, y0], fill=ARROW_RGB)
    draw.rectangle([0, 0, PANEL - 1, PANEL - 1], outline=(120, 120, 120))
    return image


def _smooth(values: list[float], points: int) -> np.ndarray:
    """At most ``points`` values: the means of equal consecutive blocks."""
    array = np.asarray(values, dtype=np.float64)
    if len(array) <= points:
        return array
    blocks = np.array_split(array, points)
    return np.array([b.mean() for b in blocks])


def _strip(snap: Snapshot, width: int) -> Image.Image:
    """Loss curves so far, one shared robust y-range, a legend."""
    image = Image.new("RGB", (width, STRIP), "white")
    draw = ImageDraw.Draw(image)
    font = _font(12)
    left, top, right, bottom = 44, 18, width - 6, STRIP - 16
    draw.rectangle([left, top, right, bottom], outline=(160, 160, 160))
    # The critics' generator loss, -E f(G(z)), drifts with the critic's arbitrary offset: it is
    # in the metrics, not on this axis.
    names = [n for n in snap.history if snap.probability or n != "g_loss"]
    series = {k: _smooth(snap.history[k], right - left) for k in names if snap.history[k]}
    x = 0
    for i, name in enumerate(names):
        colour = LOSS_RGB[i % len(LOSS_RGB)]
        label = {"critic_w": "critic W estimate", "gp": "penalty"}.get(name, name)
        draw.text((left + x, 2), label, fill=colour, font=font)
        x += int(draw.textlength(label, font=font)) + 14
    steps = snap.metrics["step"]
    draw.text((right - 70, bottom + 2), f"step {steps:,}", fill=(90, 90, 90), font=font)
    if not series:
        return image
    everything = np.concatenate(list(series.values()))
    low, high = np.percentile(everything, [1, 99])
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    pad = 0.08 * (high - low)
    low, high = low - pad, high + pad
    draw.text((2, top - 2), f"{high:.3g}", fill=(90, 90, 90), font=font)
    draw.text((2, bottom - 12), f"{low:.3g}", fill=(90, 90, 90), font=font)
    if low < 0 < high:
        y0 = bottom - (0 - low) / (high - low) * (bottom - top)
        draw.line([left, y0, right, y0], fill=(215, 215, 215))
    for name, values in series.items():
        colour = LOSS_RGB[names.index(name) % len(LOSS_RGB)]
        n = len(values)
        xs = left + np.arange(n) * (right - left) / max(n - 1, 1)
        ys = bottom - (np.clip(values, low, high) - low) / (high - low) * (bottom - top)
        if n == 1:
            draw.point([float(xs[0]), float(ys[0])], fill=colour)
        else:
            draw.line(list(zip(xs.tolist(), ys.tolist())), fill=colour, width=1)
    return image


def _header(snap: Snapshot, width: int) -> Image.Image:
    image = Image.new("RGB", (width, HEADER), "white")
    draw = ImageDraw.Draw(image)
    m = snap.metrics
    title = f"{m['title']} on {snap.target.name} · step {m['step']:,}"
    draw.text((2, 1), title, fill=(20, 20, 20), font=_font(15))
    line = (
        f"modes {m['modes_covered']}/{m['modes_total']} · high quality "
        f"{100 * m['high_quality_fraction']:.0f}% · sliced W {m['wasserstein_sliced']:.3f}"
    )
    if "wasserstein_critic" in m:
        line += f" · critic W {m['wasserstein_critic']:.3g}"
    else:
        line += f" · D(real) {m['d_real']:.2f} D(fake) {m['d_fake']:.2f}"
    draw.text((2, 21), line, fill=(60, 60, 60), font=_font(12))
    return image


def render(snapshots: list[Snapshot]) -> np.ndarray:
    """One picture: a column per run (header, plane, loss strip), side by side."""
    with torch_threads(THREADS):  # the heatmap's upsampling is a torch op
        return _render(snapshots)


def _render(snapshots: list[Snapshot]) -> np.ndarray:
    columns = []
    for snap in snapshots:
        column = Image.new("RGB", (PANEL, HEADER + PANEL + STRIP), "white")
        column.paste(_header(snap, PANEL), (0, 0))
        column.paste(_panel(snap), (0, HEADER))
        column.paste(_strip(snap, PANEL), (0, HEADER + PANEL))
        columns.append(column)
    width = len(columns) * PANEL + (len(columns) + 1) * GAP
    height = HEADER + PANEL + STRIP + 2 * GAP + 16
    canvas = Image.new("RGB", (width, height), "white")
    for i, column in enumerate(columns):
        canvas.paste(column, (GAP + i * (PANEL + GAP), GAP))
    legend = ImageDraw.Draw(canvas)
    font = _font(12)
    x, y = GAP, height - GAP - 10
    for label, colour in (
        ("+ real", REAL_RGB),
        ("+ generated", FAKE_RGB),
        ("arrows: where G's loss pushes a generated point", ARROW_RGB),
        ("line: D = 0.5 / critic midpoint", CONTOUR_RGB),
    ):
        size = int(legend.textlength(label, font=font))
        if x + size > width - GAP:
            break  # a single column has room for the first labels only
        legend.text((x, y), label, fill=colour, font=font)
        x += size + 16
    return np.asarray(canvas)
