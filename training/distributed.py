"""Data-parallel training under ``torchrun``: one process per device, gradients averaged.

Each process holds full copies of the networks and trains on its own shard of every epoch.
At start rank 0's weights are broadcast; after every backward, before every optimiser step,
the gradients of that optimiser's parameters are all-reduced and averaged, which is exactly
the arithmetic of ``DistributedDataParallel``. GAN steps run D several times per backward
(real, fake, the gradient penalty's double backward, InfoGAN's Q head on a generator step),
a pattern DDP's reducer does not allow, so the all-reduce is issued here explicitly, one
flattened bucket per optimiser step. BatchNorm statistics are synchronised with
``--sync-batchnorm`` (SyncBatchNorm), otherwise each rank normalises its own shard.
"""

from __future__ import annotations

import datetime
import os

import torch
import torch.distributed as dist
from torch import nn
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors


def world() -> tuple[int, int, int]:
    """(rank, local_rank, world_size) from torchrun's environment (0, 0, 1 when alone)."""
    return (
        int(os.environ.get("RANK", 0)),
        int(os.environ.get("LOCAL_RANK", 0)),
        int(os.environ.get("WORLD_SIZE", 1)),
    )


def init(device: torch.device) -> bool:
    """Join the process group when launched by torchrun; NCCL on CUDA, gloo on CPU."""
    _, _, world_size = world()
    if world_size <= 1 or dist.is_initialized():
        return dist.is_initialized()
    backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(backend, timeout=datetime.timedelta(minutes=10))
    return True


def broadcast_module(module: nn.Module, buffers_only: bool = False) -> None:
    """Give every rank rank 0's parameters and buffers.

    Buffers (BatchNorm running statistics) are not averaged: like DDP's ``broadcast_buffers``,
    rank 0's copy is the one that counts, and it is re-broadcast before the run ends.
    """
    tensors = list(module.buffers()) + ([] if buffers_only else list(module.parameters()))
    for tensor in tensors:
        dist.broadcast(tensor.data, src=0)


def average_gradients(optimizer: torch.optim.Optimizer) -> None:
    """All-reduce the gradients of one optimiser's parameters as one flat bucket."""
    world_size = dist.get_world_size()
    grads = [
        p.grad for group in optimizer.param_groups for p in group["params"] if p.grad is not None
    ]
    if not grads:
        return
    flat = _flatten_dense_tensors(grads)
    dist.all_reduce(flat)
    flat /= world_size
    for grad, synced in zip(grads, _unflatten_dense_tensors(flat, grads), strict=True):
        grad.copy_(synced)


def agree(flag: bool) -> bool:
    """Rank 0's decision for everyone (e.g. "out of time"), so no rank stops alone and hangs."""
    if not dist.is_initialized():
        return flag
    tensor = torch.tensor([int(flag)])
    dist.broadcast(tensor, src=0)
    return bool(tensor.item())


def ranks_agree(modules: list[nn.Module]) -> bool:
    """True when every rank holds bit-identical parameters and buffers (a DDP invariant)."""
    tensors = [t.detach().float().flatten() for m in modules for t in m.state_dict().values()]
    local = torch.cat(tensors).double()
    # A position-weighted checksum: equal across ranks only if the weights are equal.
    checksum = torch.stack([local.sum(), (local * torch.arange(len(local)).double()).sum()])
    gathered = [torch.zeros_like(checksum) for _ in range(dist.get_world_size())]
    dist.all_gather(gathered, checksum)
    return all(torch.equal(g, gathered[0]) for g in gathered)


def convert_sync_batchnorm(module: nn.Module) -> nn.Module:
    return nn.SyncBatchNorm.convert_sync_batchnorm(module)


def barrier() -> None:
    if dist.is_initialized():
        dist.barrier()


def shutdown() -> None:
    if dist.is_initialized():
        dist.destroy_process_group()
