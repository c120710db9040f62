"""Started by tests/test_distributed.py under torchrun: what chapter 09's
script does between processes (gloo, an all_gather, process 0 writes a file)
and then ``finish_distributed``. It loads dcgan_lib/distributed.py alone (it
imports only torch), so that a start takes seconds, not the whole library's."""

import importlib.util
import sys
from pathlib import Path

import torch
import torch.distributed as dist

source = Path(__file__).resolve().parent.parent / "dcgan_lib" / "distributed.py"
spec = importlib.util.spec_from_file_location("distributed", source)
distributed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(distributed)

rank, world, _ = distributed.init_distributed("cpu")
mine = torch.full((2, 8), float(rank))
everyone = [torch.empty_like(mine) for _ in range(world)]
dist.all_gather(everyone, mine)
if rank == 0:
    torch.save(torch.stack(everyone), sys.argv[1])
distributed.finish_distributed()
