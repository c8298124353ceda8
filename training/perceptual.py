"""A feature loss for the VAE decoder that needs no downloaded weights and no judge.

Per-pixel likelihoods make a VAE average the plausible details of a face into blur. Comparing
images in the activations of a convolutional net instead (Hou et al. 2017, "Deep Feature
Consistent VAE", with VGG) rewards matching edges and textures. VGG weights cannot be
downloaded here, and the project's own ``judge-celeba64`` is what the samples are measured
with, so training on it would train on the metric. This net is therefore *untrained*: a fixed,
seeded stack of random convolutions. Random conv features still respond to local structure
(edges, blobs, texture at several scales; He et al. 2016 reconstruct images from random-weight
VGG features), which is the part the pixel loss gets wrong. Whether that is enough is an A/B
(benchmarks/RESULTS.md), which is why the loss is off unless ``--perceptual-weight`` is set.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

#: channels after each stride-2 convolution: 64 -> 32 -> 16 -> 8 pixels for 64x64 faces
WIDTHS = (32, 64, 128, 256)


class RandomFeatures(nn.Module):
    """A frozen random conv net: the same seed gives the same features on every machine."""

    def __init__(self, channels: int = 3, widths: tuple[int, ...] = WIDTHS, seed: int = 0) -> None:
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        layers = []
        for c_in, c_out in zip((channels, *widths), widths):
            conv = nn.Conv2d(c_in, c_out, 4, 2, 1)
            fan_in = c_in * 16
            with torch.no_grad():  # He init for LeakyReLU, from our own generator
                conv.weight.normal_(0, (2 / (1.04 * fan_in)) ** 0.5, generator=generator)
                conv.bias.zero_()
            layers.append(conv)
        self.layers = nn.ModuleList(layers)
        self.requires_grad_(False)
        self.eval()

    def forward(self, images: torch.Tensor) -> list[torch.Tensor]:
        features, x = [], images
        for conv in self.layers:
            x = F.leaky_relu(conv(x), 0.2)
            features.append(x)
        return features

    def train(self, mode: bool = True) -> RandomFeatures:
        return super().train(False)  # nothing here learns or changes with the mode


def feature_distance(
    net: RandomFeatures, output: torch.Tensor, target: torch.Tensor
) -> torch.Tensor:
    """Squared feature differences summed over every layer's positions and channels, divided
    by the channel count so each layer weighs alike, averaged over the batch: per image, like
    ``losses.reconstruction_bce``, so one weight balances the two."""
    total = output.new_zeros((), dtype=torch.float32)
    with torch.no_grad():
        wanted = net(target.float())
    for made, real in zip(net(output.float()), wanted, strict=True):
        total = total + (made - real).pow(2).sum() / made.shape[1]
    return total / output.shape[0]
