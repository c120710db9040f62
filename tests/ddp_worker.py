"""Run by tests/test_distributed.py under torchrun with 2 CPU processes (gloo).

Trains the book's DCGAN (small widths) with DistributedDataParallel three ways
and saves what each process ends with to OUT/<run>_rank<R>.pt:
  straight     8 steps without a stop;
  interrupted  Ctrl-C arrives in process 1 during step 5: every process must
               stop after step 5, and process 0 must save;
  resumed      the interrupted run continued to step 8 (must equal straight).
The book's settings include the R1 penalty (steps 4 and 8). r1_grads: D's
gradients after one R1 d_step through DDP against each process's own gradients
averaged by hand (DDP's documentation does not promise autograd.grad works).
"""

import dataclasses
import os
import signal
import sys
from pathlib import Path

import torch

import dcgan_lib as dl

steps_module = sys.modules["dcgan_lib.steps"]  # where training_step finds g_step

out = Path(sys.argv[1])
rank, world, device = dl.init_distributed("cpu")
assert world == 2, world
cfg = dataclasses.replace(
    dl.book_config("mnist5k"), image_size=16, ngf=8, ndf=8, batch_size=32
)
data = dl.load_dataset("mnist5k", 16)


def run(name, steps, resume=False):
    state = dl.TrainState.new(cfg, device=device)
    if resume:
        dl.load_checkpoint(out / f"{name}.pt", state)
    result = {}
    try:
        history = dl.train(
            state,
            data,
            steps,
            checkpoint=out / f"{name}.pt",
            progress=False,
            checkpoint_every=3,
        )
        result["stopped_at"] = None
    except dl.TrainingInterrupted as stop:
        history, result["stopped_at"] = stop.history, stop.step
    result.update(
        G=state.G.state_dict(),
        D=state.D.state_dict(),
        G_ema=state.G_ema.state_dict(),
        loss_d=history.loss_d,
        d_real=history.d_real,
        d_fake=history.d_fake,
        processes=history.processes,
        samples=history.samples,
    )
    torch.save(result, out / f"{name}_rank{rank}.pt")


run("straight", 8)


def r1_gradients():
    state = dl.TrainState.new(cfg, device=device)
    real = state.batches.next_batch(data, cfg.batch_size, rank, world)
    z = dl.shard(state.batches.noise(cfg.batch_size, cfg.nz), rank, world)
    fake = state.G(z).detach()
    sgd = torch.optim.SGD(state.D.parameters(), lr=0.0)  # D stays as it is
    ddp = torch.nn.parallel.DistributedDataParallel(state.D)
    dl.d_step(ddp, sgd, real, fake, r1_gamma=4.0)
    through_ddp = [p.grad.clone() for p in state.D.parameters()]
    dl.d_step(state.D, sgd, real, fake, r1_gamma=4.0)  # this process's own
    own = [p.grad.clone() for p in state.D.parameters()]
    averaged = [g.clone() for g in own]
    for g in averaged:
        torch.distributed.all_reduce(g)
        g /= world
    torch.save(
        {"through_ddp": through_ddp, "own": own, "averaged": averaged},
        out / f"r1_grads_rank{rank}.pt",
    )


r1_gradients()

original, calls = steps_module.g_step, [0]


def g_step_then_ctrl_c(*args, **kwargs):  # process 1 gets Ctrl-C in step 5
    calls[0] += 1
    if rank == 1 and calls[0] == 5:
        os.kill(os.getpid(), signal.SIGINT)
    return original(*args, **kwargs)


steps_module.g_step = g_step_then_ctrl_c
run("interrupted", 8, resume=False)
steps_module.g_step = original
os.replace(out / "interrupted.pt", out / "resumed.pt") if rank == 0 else None
torch.distributed.barrier()
run("resumed", 8, resume=True)
dl.finish_distributed()
