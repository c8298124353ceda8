"""Model configuration: one dataclass per family, stored as ``config.json`` beside the weights.

A checkpoint records the constructor arguments of its model (as nanoGPT and diffusers do), so
loading rebuilds the network from the config and never unpickles code.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

CONFIG_NAME = "config.json"
WEIGHTS_NAME = "model.safetensors"


@dataclasses.dataclass
class ModelConfig:
    """Fields common to every family; subclasses add their architecture hyper-parameters."""

    family: str = ""
    z_dim: int = 100
    channels: int = 1
    image_size: int = 28
    # Free-form records that travel with the weights (not used to build the network).
    data: dict[str, Any] = dataclasses.field(default_factory=dict)
    training: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        return (self.channels, self.image_size, self.image_size)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> ModelConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known - {"gan_core_version"})
        if unknown:
            raise ValueError(f"{cls.__name__} does not take the config keys {unknown}")
        return cls(**{k: v for k, v in values.items() if k in known})

    def save(self, folder: str | Path) -> Path:
        from gan_core import __version__

        path = Path(folder) / CONFIG_NAME
        payload = {**self.to_dict(), "gan_core_version": __version__}
        path.write_text(json.dumps(payload, indent=2, sort_keys=False) + "\n")
        return path
