"""Domain judges: small classifiers whose penultimate features replace Inception for FID/KID.

Inception weights cannot be downloaded offline, and a digit or face-attribute network trained
on the same data is a sharper judge of these domains anyway. ``features`` feeds the Fréchet
distance; ``forward`` gives class or attribute logits for the conditional metrics.
"""

from __future__ import annotations

import dataclasses

import torch
from torch import nn

from gan_core.config import ModelConfig


@dataclasses.dataclass
class JudgeConfig(ModelConfig):
    family: str = "judge"
    z_dim: int = 0
    classes: list[str] = dataclasses.field(default_factory=list)
    multi_label: bool = False  # attributes (sigmoid each) rather than one class (softmax)
    width: int = 32
    feature_dim: int = 128


class Judge(nn.Module):
    """conv tower (stride 2 until 7x7 or 4x4) -> features (feature_dim) -> logits."""

    family = "judge"
    config_class = JudgeConfig

    def __init__(self, config: JudgeConfig) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = []
        c_in, c_out, size = config.channels, config.width, config.image_size
        while size > 7:
            layers += [
                nn.Conv2d(c_in, c_out, 3, 1, 1),
                nn.BatchNorm2d(c_out),
                nn.ReLU(True),
                nn.Conv2d(c_out, c_out, 4, 2, 1),
                nn.BatchNorm2d(c_out),
                nn.ReLU(True),
            ]
            c_in, c_out, size = c_out, c_out * 2, size // 2
        layers += [
            nn.Flatten(),
            nn.Linear(c_in * size * size, config.feature_dim),
            nn.BatchNorm1d(config.feature_dim),
            nn.ReLU(True),
        ]
        self.body = nn.Sequential(*layers)
        self.dropout = nn.Dropout(0.3)
        self.head = nn.Linear(config.feature_dim, len(config.classes))

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return self.config.image_shape

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Images in [-1, 1] -> logits."""
        return self.head(self.dropout(self.body(x)))

    @torch.inference_mode()
    def features(self, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
        """Images in [0, 1] -> penultimate features (N, feature_dim), in eval mode."""
        self.eval()
        device = next(self.parameters()).device
        out = [
            self.body(chunk.to(device, torch.float32) * 2 - 1) for chunk in images.split(batch_size)
        ]
        return torch.cat(out).float().cpu()

    @torch.inference_mode()
    def predict(self, images: torch.Tensor, batch_size: int = 500) -> torch.Tensor:
        """Images in [0, 1] -> class probabilities (softmax) or attribute probabilities."""
        self.eval()
        device = next(self.parameters()).device
        logits = torch.cat(
            [self(chunk.to(device, torch.float32) * 2 - 1) for chunk in images.split(batch_size)]
        )
        probs = torch.sigmoid(logits) if self.config.multi_label else logits.softmax(1)
        return probs.float().cpu()
