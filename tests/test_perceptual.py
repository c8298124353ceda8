"""The VAE's feature loss: a fixed random net that sees blur and passes gradients."""

import torch
from torchvision.transforms.v2.functional import gaussian_blur

from training.perceptual import RandomFeatures, feature_distance


def faces_like(n: int = 4) -> torch.Tensor:
    """Smooth random images with edges: blocks of colour, upsampled, in [-1, 1]."""
    g = torch.Generator().manual_seed(0)
    blocks = torch.rand(n, 3, 8, 8, generator=g) * 2 - 1
    return torch.nn.functional.interpolate(blocks, size=64, mode="nearest")


def test_the_net_is_the_same_for_a_seed_and_never_trains():
    a, b, c = RandomFeatures(seed=0), RandomFeatures(seed=0), RandomFeatures(seed=1)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q) and not p.requires_grad
    assert not torch.equal(a.layers[0].weight, c.layers[0].weight)
    a.train()
    assert not a.training


def test_distance_is_zero_for_the_same_image_and_grows_with_blur():
    net, x = RandomFeatures(), faces_like()
    assert float(feature_distance(net, x, x)) == 0
    light = float(feature_distance(net, gaussian_blur(x, [5, 5], [0.8, 0.8]), x))
    heavy = float(feature_distance(net, gaussian_blur(x, [9, 9], [2.0, 2.0]), x))
    assert 0 < light < heavy


def test_gradient_reaches_the_output_and_not_the_target():
    net, x = RandomFeatures(), faces_like()
    output = gaussian_blur(x, [9, 9], [2.0, 2.0]).requires_grad_(True)
    target = x.clone().requires_grad_(True)
    feature_distance(net, output, target).backward()
    assert output.grad is not None and output.grad.abs().sum() > 0
    assert target.grad is None
