"""Running a training step faster or on several processes: torch.compile,
channels last, DistributedDataParallel (one process per GPU with nccl, or per CPU
share with gloo) and the vote that stops every process together. Chapter 09.

``torchrun --nproc_per_node=N -m dcgan_lib train ...`` starts N copies of the
command; each calls ``init_distributed`` and then ``train``, which splits every
batch between the processes and averages their gradients.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager

import torch
import torch.distributed as dist
from torch import nn

__all__ = [
    "init_distributed",
    "finish_distributed",
    "rank_and_world",
    "shard",
    "plain_batchnorm",
    "speed_up",
    "no_sync",
    "anyone_stopping",
]


def rank_and_world() -> tuple[int, int]:
    """``(rank, world_size)`` of this process: ``(0, 1)`` outside a process group."""
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def init_distributed(device: str = "auto") -> tuple[int, int, str]:
    """Join the process group that ``torchrun`` set up in the environment (RANK,
    WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT); do
    nothing when started without it.

    The backend is nccl when this process trains on a CUDA GPU, gloo otherwise
    (the CPU). On CUDA, process ``LOCAL_RANK`` takes GPU number ``LOCAL_RANK``.
    "auto" trains on the GPUs when this machine has one for each of its
    processes, else on the CPU, and then says why on one line (every machine of
    a run must have the same GPUs, or they would pick different backends);
    "cuda" with too few GPUs is an error. Finish with ``finish_distributed``.
    Returns: ``(rank, world_size, device)`` with device "cuda:K", "cpu", or
    ``device`` unchanged outside torchrun.
    """
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world == 1 or (dist.is_available() and dist.is_initialized()):
        rank, world = rank_and_world()
        return rank, world, device
    if not dist.is_available():
        raise RuntimeError(
            "this PyTorch was built without torch.distributed; run one process"
        )
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    here = int(os.environ.get("LOCAL_WORLD_SIZE", str(local_rank + 1)))
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    use_cuda = device in ("auto", "cuda") and gpus > 0
    if use_cuda and here > gpus:
        if device == "cuda":
            raise RuntimeError(
                f"{here} processes on this machine but only {gpus} GPUs: give "
                "torchrun --nproc_per_node at most the number of GPUs"
            )
        use_cuda = False
        if local_rank == 0:  # one line per machine, not one per process
            print(
                f"device auto: {here} processes on this machine but only {gpus} "
                "GPUs, so all of them train on the CPU (gloo); give torchrun "
                f"--nproc_per_node={gpus} to train on the GPUs",
                file=sys.stderr,
            )
    if use_cuda:
        torch.cuda.set_device(local_rank)
        device = f"cuda:{local_rank}"
    elif device in ("auto", "cpu"):
        device = "cpu"
    else:
        raise ValueError(
            f"device {device!r} cannot train under torchrun here: use cuda or cpu"
        )
    dist.init_process_group("nccl" if use_cuda else "gloo")
    if not use_cuda:  # the processes share the cores instead of fighting over them
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // here))
    return dist.get_rank(), dist.get_world_size(), device


def finish_distributed() -> None:
    """Leave the process group together: wait until every process has got here
    (a barrier), then destroy the group; nothing outside a process group.

    Every process calls it once, after its last collective, when the run went
    well. Destroying closes this process's connections to the others; with
    a bare ``destroy_process_group`` a process may leave while another is
    still finishing, and process 1 was reported aborted there now and then
    ("terminate called without an active exception"). After an error, do not
    call it: the others may be inside a collective that never ends; exiting
    lets torchrun stop them.
    """
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def shard(batch: torch.Tensor, rank: int, world: int) -> torch.Tensor:
    """Process ``rank``'s share of a global batch: the ``rank``-th of ``world``
    equal, disjoint slices. Every process draws the same global batch (same
    seed, same epoch order), so together they see each image exactly once per
    epoch, as with ``DistributedSampler``."""
    size = batch.shape[0] // world
    return batch[rank * size : (rank + 1) * size]


def plain_batchnorm(module: nn.Module) -> nn.Module:
    """Undo ``nn.SyncBatchNorm.convert_sync_batchnorm`` in place: every
    SyncBatchNorm becomes a BatchNorm2d sharing its parameters and statistics.
    Sampling uses it (SyncBatchNorm would wait for the other processes).
    Returns: ``module``."""
    for name, child in module.named_children():
        if isinstance(child, nn.SyncBatchNorm):
            plain = nn.BatchNorm2d(
                child.num_features,
                child.eps,
                child.momentum,
                child.affine,
                child.track_running_stats,
            )
            plain.weight, plain.bias = child.weight, child.bias
            plain.running_mean = child.running_mean
            plain.running_var = child.running_var
            plain.num_batches_tracked = child.num_batches_tracked
            plain.train(child.training)
            setattr(module, name, plain)
        else:
            plain_batchnorm(child)
    return module


def speed_up(
    G: nn.Module,
    D: nn.Module,
    compile: bool = False,
    channels_last: bool = False,
    ddp: bool = False,
):
    """The modules a training step calls, made faster; G and D stay the ones to
    save, sample and hand to the optimizers (the results share their weights).

    ``channels_last``: G and D keep their weights (and take their images) in
    NHWC order, which many convolution kernels prefer (GPUs with tensor cores,
    oneDNN on CPUs); changed in place. ``ddp``: each wrapped in
    DistributedDataParallel (needs a process group, see ``init_distributed``):
    every backward pass averages the gradients over the processes. ``compile``:
    each wrapped in ``torch.compile``, which traces the forward and backward
    passes on the first call (tens of seconds) and runs fused kernels after.
    Returns: ``(G_run, D_run)``.
    """
    G_run, D_run = G, D
    if channels_last:
        G.to(memory_format=torch.channels_last)
        D.to(memory_format=torch.channels_last)
    if ddp:
        from torch.nn.parallel import DistributedDataParallel as DDP

        device = next(G.parameters()).device
        ids = [device.index] if device.type == "cuda" else None
        G_run, D_run = DDP(G, device_ids=ids), DDP(D, device_ids=ids)
    if compile:
        G_run, D_run = torch.compile(G_run), torch.compile(D_run)
    return G_run, D_run


@contextmanager
def no_sync(model: nn.Module):
    """DDP's ``no_sync`` (skip averaging this backward pass's gradients) for a
    DistributedDataParallel module, compiled or not; nothing for others."""
    inner = getattr(model, "_orig_mod", model)
    if hasattr(inner, "no_sync"):
        with inner.no_sync():
            yield
    else:
        yield


def anyone_stopping(flag: bool, world: int, device) -> bool:
    """True on every process if any of them was asked to stop: they all stop
    after the same step (one waiting for the others' gradients would hang)."""
    if world == 1:
        return flag
    vote = torch.tensor([float(flag)], device=device)
    dist.all_reduce(vote, op=dist.ReduceOp.MAX)
    return bool(vote.item())
