"""Data-parallel training under ``torchrun``: the process group, the shards of a batch, sums over ranks.

``fit`` calls ``world(device)``: outside torchrun (no ``WORLD_SIZE`` > 1) it yields None and nothing changes.
Under torchrun it starts the process group (gloo on the CPU, NCCL on CUDA, each rank on GPU ``LOCAL_RANK``)
and destroys it at the end, also on errors. Every rank holds the whole training set and draws the same seeded
permutation; each global batch is cut into ``size`` contiguous shards (``shard_bounds``), so the ranks
together see exactly the batch one process would, and ``ShardForward`` gives each shard the VAE noise one
process would have drawn for those rows. The model is wrapped in DistributedDataParallel, which averages
the gradients over ranks (train.py scales each rank's loss so that the average is the one-process gradient).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import nn

from trainer.errors import ConfigError, TrainerError
from trainer.models.base import Output


@dataclass(frozen=True)
class World:
    """This process's place among ``size`` ranks, and the device its model lives on."""

    rank: int
    size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    def bounds(self, n: int) -> tuple[int, int]:
        return shard_bounds(n, self.rank, self.size)


def shard_bounds(n: int, rank: int, size: int) -> tuple[int, int]:
    """Rows ``[lo, hi)`` of an ``n``-row batch that rank ``rank`` of ``size`` takes: contiguous, in order,
    sizes differing by at most one (a rank gets none when ``n`` < ``size``)."""
    return n * rank // size, n * (rank + 1) // size


def launched_size() -> int:
    """The number of processes torchrun started (1 outside torchrun)."""
    try:
        return max(1, int(os.environ.get("WORLD_SIZE", "1")))
    except ValueError:
        return 1


def is_main_process() -> bool:
    """True outside torchrun and on rank 0: the process that writes files and draws progress bars."""
    return os.environ.get("RANK", "0").strip() in ("", "0") or launched_size() == 1


@contextmanager
def world(device: torch.device) -> Iterator[World | None]:
    """None outside torchrun; else join (and finally leave) the process group torchrun describes."""
    size = launched_size()
    if size == 1:
        yield None
        return
    import torch.distributed as dist

    if not dist.is_available():
        raise ConfigError("this torch has no torch.distributed: train with one process (no torchrun)")
    here = _rank_device(device, _env_int("LOCAL_RANK"))
    owned = not dist.is_initialized()
    if owned:
        dist.init_process_group(_backend(here), rank=_env_int("RANK"), world_size=size,
                                device_id=here if here.type == "cuda" else None)
    try:
        yield World(dist.get_rank(), dist.get_world_size(), _env_int("LOCAL_RANK"), here)
    finally:
        if owned and dist.is_initialized():
            # Free cyclic garbage that may hold gloo work first: left for interpreter exit, it made about
            # one run in three abort ("terminate called without an active exception") after DDP backward.
            gc.collect()
            dist.destroy_process_group()


def _env_int(name: str) -> int:
    try:
        return int(os.environ[name])
    except (KeyError, ValueError):
        raise ConfigError(f"WORLD_SIZE is set but {name} is not: start with torchrun") from None


def _rank_device(device: torch.device, local_rank: int) -> torch.device:
    if device.type == "cpu":
        return device
    if device.type != "cuda":
        raise ConfigError(f"training on several processes needs --device cpu or cuda, not {device.type}")
    if local_rank >= torch.cuda.device_count():
        raise ConfigError(f"local rank {local_rank} has no GPU: this machine has "
                          f"{torch.cuda.device_count()}; start at most that many processes per node")
    torch.cuda.set_device(local_rank)
    return torch.device("cuda", local_rank)


def _backend(device: torch.device) -> str:
    import torch.distributed as dist

    if device.type == "cuda":
        if not dist.is_nccl_available():
            raise ConfigError("this torch has no NCCL: train on several GPUs needs a CUDA build of torch")
        return "nccl"
    if not dist.is_gloo_available():
        raise ConfigError("this torch has no gloo backend: CPU training on several processes is not possible")
    return "gloo"


class ShardForward(nn.Module):
    """The autoencoder's training forward on one shard of a global batch of ``n`` rows starting at ``lo``.

    A VAE's noise is drawn for the whole global batch (the same draw, from the same seeded generator, that
    ``randn_like(mu)`` makes in one process) and this shard's rows are used, so sharding leaves the noise,
    and thus the gradient, what a single process would have.
    """

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor, n: int, lo: int) -> Output:
        mu, logvar = self.model.encode(x)
        if logvar is None or not self.model.training:
            return Output(self.model.decode(mu), mu, logvar, mu)
        eps = torch.randn((n, *mu.shape[1:]), dtype=mu.dtype, device=mu.device)[lo:lo + len(mu)]
        z = mu + eps * torch.exp(0.5 * logvar)
        return Output(self.model.decode(z), mu, logvar, z)


def wrap(model: nn.Module, where: World) -> nn.Module:
    """``ShardForward(model)`` in DistributedDataParallel (which first broadcasts rank 0's weights)."""
    from torch.nn.parallel import DistributedDataParallel

    ids = [where.device.index] if where.device.type == "cuda" else None
    return DistributedDataParallel(ShardForward(model), device_ids=ids)


def all_sum(t: torch.Tensor) -> torch.Tensor:
    """``t`` summed over the ranks, in place (every rank gets the same values)."""
    import torch.distributed as dist

    dist.all_reduce(t)
    return t


def check_in_sync(model: nn.Module) -> None:
    """Raise TrainerError unless every rank holds exactly the same weights (DDP should guarantee it)."""
    import torch.distributed as dist

    flat = torch.cat([p.detach().reshape(-1).float() for p in model.parameters()])
    low, high = flat.clone(), flat.clone()
    dist.all_reduce(low, op=dist.ReduceOp.MIN)
    dist.all_reduce(high, op=dist.ReduceOp.MAX)
    if not torch.equal(low, high):
        raise TrainerError("the ranks ended with different weights: data-parallel training went wrong")
