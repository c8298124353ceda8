"""Training: data loaders, one shared loop, per-family recipes and evaluation."""
