"""How fast does dcgan_lib train, against the PyTorch DCGAN tutorial's loop? (issue 12)

    python benchmarks/speed.py                                 # everything, 10-15 min
    python benchmarks/speed.py --workloads digits32 --configs reference,fp32,auto
    python benchmarks/speed.py --rounds 3 --steps faces64=2,digits32=10 --out s.json

What it measures: images per second of one training step (one update of D, one of
G, batch 128) for several configurations, in one run, on two workloads:

- faces64: the tutorial's 64x64 RGB model (nz 100, ngf 64, ndf 64, nc 3) on 4,096
  random images in [-1, 1] held in memory (a TensorDataset);
- digits32: the book's 32x32 digits model (``dl.book_config("mnist5k")``: ngf and
  ndf 32, nc 1) at batch 128 on the real offline digits,
  ``dl.load_dataset("mnist5k", 32)``.

The configurations (``--configs`` picks a comma-separated subset):

- reference: the tutorial's loop as it writes it (benchmarks/reference.py: D ends
  in a Sigmoid, BCELoss, float32, a DataLoader with 2 worker processes);
- fp32: dcgan_lib's step in float32;
- auto: dcgan_lib's step with ``dl.choose_precision("auto", device)``: bf16 on a
  CPU with bfloat16 in hardware, fp32 on a CPU without (then auto = fp32, and the
  output says so);
- auto+compile: the same through ``torch.compile`` (``dl.speed_up(compile=True)``);
  the first warm-up step compiles, and its time is reported as "compile s", never
  counted in images/s;
- auto+channels_last, auto+compile+channels_last: NHWC memory order
  (``dl.speed_up(channels_last=True)``); measured on the CPU too, and the output
  says whether it helps;
- bf16: bfloat16 asked for explicitly, labelled "emulated" on a CPU without it in
  hardware, so a reader of such a CPU sees what emulated bf16 costs;
- fp16, bf16+channels_last, fp16+channels_last: CUDA only (skipped on a CPU, with
  the reason printed).

dcgan_lib's step is the library's own, exactly as ``dcgan_lib.train`` runs it:
``dl.speed_up``, ``dl.make_optimizers``, ``dl.choose_precision``, ``dl.make_scaler``,
batches indexed straight from the in-memory tensor in a new random order every
epoch (``dcgan_lib.train._Batches``, no DataLoader), moved with
``.to(device, memory_format=torch.channels_last)`` when channels_last, then
``dl.training_step``. Without the R1 penalty (r1_gamma 0) and without the moving
average of G's weights (no EMA): the benchmark times the step both loops share.
The reference's learning rate is the tutorial's 2e-4, dcgan_lib's is the book's
setting; neither changes the arithmetic of a step.

Method: every configuration runs in a persistent worker process of its own
(multiprocessing, "spawn", not daemonic so the reference can start its DataLoader
workers, which it starts as this system does by default, fork on Linux, as the
tutorial's would). All workers start at once and load their data and build their
models; then, one after another, each does --warmup steps that are not timed (the
first one compiles, where compiling). The parent then interleaves the measurements:
in each of --rounds rounds every configuration runs --steps steps in turn
(round-robin, the order rotated by one each round), so only one configuration runs
at a time and a slow minute of the machine touches every configuration alike. A
configuration's speed is the median over rounds of images / seconds
(``time.perf_counter`` around the steps, with the GPU synchronized on CUDA); its
ratio is that median over the reference's median. Each compiled configuration
compiles from scratch, with a torch.compile cache of its own that is deleted
afterwards: its "compile s" is what a first compile costs (a second run of the same
model on the same machine reuses torch's cache and compiles faster). Threads:
torch's default (printed), the same in every worker. Peak memory: on the CPU the
worker's peak resident set size (``ru_maxrss``), which does not include the
reference's DataLoader worker processes (their count is printed); on CUDA
``torch.cuda.max_memory_allocated()``.

Output: a table per workload, then exactly one line per workload,

    faces64: fp32 X.XXx, best X.XXx (CONFIG) vs reference

and every number as JSON in a new file dcgan_lib/measurements/speed-<UTC time>.json,
beside the book's own speed.json, which only --book replaces (--out writes
elsewhere; an existing --out file is only replaced with --force): the machine
(``dl.describe_machine()``), torch's version, the date, the settings, and per
configuration the median images/s, min and max over rounds, every round, the ratio
to the reference, the warm-up steps' seconds (compile seconds where compiled),
peak memory.

The targets of issue 12, on a 2-core CPU: dcgan_lib in fp32 at least 1.0x the
reference, and the best CPU configuration at least 1.8x; the run says whether they
are met. The default run takes 10 to 15 minutes on a 2-core CPU (compiling costs
40-60 s per compiled configuration and workload). A benchmark, not a test: run it on
a quiet machine.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import signal
import statistics
import sys
import tempfile
import time
import traceback
from datetime import datetime
from pathlib import Path

from result_files import add_output_options, output_path

HERE = Path(__file__).resolve().parent
PROGRAM = "speed.py"
FACES_IMAGES = 4096  # random 64x64 RGB images of the faces64 workload
FACES_SEED = 0
DEFAULT_ROUNDS = 7
DEFAULT_WARMUP = 2
TARGET_FP32, TARGET_BEST = 1.0, 1.8  # issue 12, on a 2-core CPU
SAME = 0.03  # within 3%: no clear difference
# how this system starts processes by default (fork on Linux before Python 3.14)
DATALOADER_START = mp.get_all_start_methods()[0]

# name: (precision asked for, compile, channels_last, CUDA only)
CONFIGS = {
    "reference": ("fp32", False, False, False),
    "fp32": ("fp32", False, False, False),
    "auto": ("auto", False, False, False),
    "auto+channels_last": ("auto", False, True, False),
    "auto+compile": ("auto", True, False, False),
    "auto+compile+channels_last": ("auto", True, True, False),
    "bf16": ("bf16", False, False, False),
    "fp16": ("fp16", False, False, True),
    "bf16+channels_last": ("bf16", False, True, True),
    "fp16+channels_last": ("fp16", False, True, True),
}
WORKLOADS = {
    # name: (default steps per round, what it is). A round of one configuration
    # takes a few seconds on a 2-core CPU: a faces64 step in float32 takes about
    # 4 s there, a digits32 step about 0.15 s.
    "faces64": (3, f"the tutorial's 64x64 RGB model on {FACES_IMAGES:,} random images"),
    "digits32": (20, "the book's 32x32 digits model on the 5,000 real digits"),
}


class BadInput(Exception):
    """What the user asked for cannot be run: one line, exit code 2."""


class WorkerFailed(Exception):
    """A worker process raised or died: its traceback, exit code 1."""


def say(*parts) -> None:
    print(*parts, flush=True)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# ---- the worker processes: one per configuration, persistent


def _workload_data(name: str):
    """``(cfg, dataset)`` of a workload: the models' sizes and the images."""
    import dataclasses

    import torch
    from torch.utils.data import TensorDataset

    import dcgan_lib as dl

    if name == "faces64":
        cfg = dl.Config()  # its defaults are the tutorial's: nz 100, ngf 64, batch 128
        generator = torch.Generator().manual_seed(FACES_SEED)
        images = torch.rand(FACES_IMAGES, 3, 64, 64, generator=generator) * 2 - 1
        return cfg, TensorDataset(images)
    cfg = dataclasses.replace(
        dl.book_config("mnist5k"), batch_size=128, r1_gamma=0.0, ema_decay=0.0
    )
    return cfg, dl.load_dataset("mnist5k", cfg.image_size)


class _Runner:
    """One configuration's models, optimizers and data: ``step()`` trains once."""

    def __init__(self, workload: str, config: str, device: str):
        import torch

        import dcgan_lib as dl

        self.torch, self.device = torch, torch.device(device)
        cfg, dataset = _workload_data(workload)
        asked, compile_, channels_last, _ = CONFIGS[config]
        self.info = {
            "threads": torch.get_num_threads(),
            "images": len(dataset),
            "batch_size": cfg.batch_size,
            "model": {k: getattr(cfg, k) for k in ("nz", "ngf", "ndf", "nc")}
            | {"image_size": cfg.image_size},
            "dataloader_workers": 0,
        }
        if config == "reference":
            if str(HERE) not in sys.path:
                sys.path.insert(0, str(HERE))
            from reference import TutorialLoop

            loop = TutorialLoop(
                dataset,
                cfg.nz,
                cfg.ngf,
                cfg.ndf,
                cfg.nc,
                cfg.image_size,
                self.device,
                batch_size=cfg.batch_size,
                log=None,
            )
            self.step = loop.step
            self.info |= {
                "precision": "fp32",
                "reason": "the tutorial's float32",
                "dataloader_workers": loop.workers,
            }
            return
        # the run state exactly as dl.train makes it; the step as dl.train runs it
        state = dl.TrainState.new(cfg, device=self.device, precision=asked)
        G_run, D_run = dl.speed_up(
            state.G, state.D, compile=compile_, channels_last=channels_last
        )
        memory = torch.channels_last if channels_last else torch.contiguous_format
        precision, reason = state.precision, state.precision_reason

        def step() -> int:
            batch = state.batches.next_batch(dataset, cfg.batch_size)
            real = batch.to(self.device, memory_format=memory)
            z = state.batches.noise(cfg.batch_size, cfg.nz).to(self.device)
            dl.training_step(
                G_run, D_run, state.opt_g, state.opt_d, real, z, precision,
                state.scalers,
            )  # fmt: skip
            return cfg.batch_size

        self.step = step
        self.info |= {"precision": precision, "reason": reason}

    def sync(self) -> None:
        if self.device.type == "cuda":
            self.torch.cuda.synchronize(self.device)

    def timed(self, steps: int) -> tuple[float, int]:
        """``(seconds, images)`` of ``steps`` steps."""
        self.sync()
        started = time.perf_counter()
        images = sum(self.step() for _ in range(steps))
        self.sync()
        return time.perf_counter() - started, images

    def peak_memory(self) -> dict:
        if self.device.type == "cuda":
            peak = self.torch.cuda.max_memory_allocated(self.device)
            return {"peak_memory_mib": peak / 2**20, "memory": "cuda_max_allocated"}
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
        if sys.platform == "darwin":  # bytes there
            peak /= 1024
        return {"peak_memory_mib": peak / 1024, "memory": "peak_rss"}


def _graphs_compiled():
    """How many graphs torch.compile has made in this process (None if unknown)."""
    try:
        from torch._dynamo.utils import counters

        return int(counters["stats"]["unique_graphs"])
    except Exception:  # a private counter: absent in other torch versions
        return None


def _worker(conn, workload: str, config: str, device: str, warmup: int, cache) -> None:
    """Load, wait for "warmup", warm up, then answer "run K" orders until "stop"."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    # A spawned process spawns its own children too; the reference's DataLoader
    # starts its workers as the tutorial's would in a plain script on this system
    # (fork on Linux), not by starting and importing two new interpreters per epoch.
    mp.set_start_method(DATALOADER_START, force=True)
    if cache is not None:  # compiles from scratch, in a cache of its own
        os.environ["TORCHINDUCTOR_CACHE_DIR"] = cache  # read when torch is imported
        os.environ["TRITON_CACHE_DIR"] = os.path.join(cache, "triton")
    try:
        runner = _Runner(workload, config, device)
        conn.send(("loaded", runner.info))
        if conn.recv()[0] != "warmup":
            return
        seconds = [runner.timed(1)[0] for _ in range(warmup)]
        graphs = _graphs_compiled()
        conn.send(("ready", seconds))
        while True:
            order = conn.recv()
            if order[0] == "run":
                conn.send(("ran", *runner.timed(order[1])))
                continue
            later = _graphs_compiled()
            new = None if graphs is None or later is None else later - graphs
            conn.send(("stopped", runner.peak_memory() | {"graphs_while_timed": new}))
            return
    except (EOFError, BrokenPipeError):
        return  # the parent is gone: nothing to answer
    except Exception:
        try:
            conn.send(("error", traceback.format_exc()))
        except OSError:
            pass
    finally:
        conn.close()


class _Worker:
    """The parent's handle on one worker process."""

    def __init__(self, context, workload: str, config: str, device: str, warmup: int):
        self.config = config
        self.cache = None  # a compiled configuration's torch.compile cache
        if CONFIGS[config][1]:
            self.cache = tempfile.mkdtemp(prefix="speed-inductor-")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_worker,
            args=(child, workload, config, device, warmup, self.cache),
            name=f"speed-{workload}-{config}",
            daemon=False,  # the reference starts DataLoader worker processes
        )
        self.process.start()
        child.close()

    def send(self, *order) -> None:
        self.conn.send(order)

    def receive(self, expected: str) -> tuple:
        while not self.conn.poll(1.0):
            if not self.process.is_alive() and not self.conn.poll(0):
                raise WorkerFailed(
                    f"the worker of {self.config} died "
                    f"(exit code {self.process.exitcode})"
                )
        try:
            message = self.conn.recv()
        except EOFError:
            raise WorkerFailed(f"the worker of {self.config} died") from None
        if message[0] == "error":
            raise WorkerFailed(f"the worker of {self.config} failed:\n{message[1]}")
        if message[0] != expected:
            raise WorkerFailed(f"{self.config}: expected {expected!r}, got {message!r}")
        return message[1:]

    def close(self, wait: float) -> None:
        """Let it end within ``wait`` seconds, else end it; delete its cache."""
        self.process.join(timeout=wait)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=10)
        self.conn.close()
        if self.cache is not None:
            shutil.rmtree(self.cache, ignore_errors=True)


# ---- the parent: round-robin over the workers


def measure(workload: str, configs: list, device: str, args, steps: int) -> dict:
    """Warm up every configuration, run the rounds, collect the numbers."""
    context = mp.get_context("spawn")
    say(
        f"\n== {workload}: {WORKLOADS[workload][1]}; {len(configs)} configurations, "
        f"{_count(args.warmup, 'warm-up step')} each, then "
        f"{_count(args.rounds, 'round')} of {_count(steps, 'step')}"
    )
    say(f"{workload}: starting {len(configs)} worker processes (loading data) ...")
    workers, finished = {}, False
    try:
        for config in configs:
            workers[config] = _Worker(context, workload, config, device, args.warmup)
        info = {config: workers[config].receive("loaded")[0] for config in configs}
        warm = {}
        for config in configs:
            started = time.perf_counter()
            workers[config].send("warmup")
            (warm[config],) = workers[config].receive("ready")
            compiled = CONFIGS[config][1]
            say(
                f"{workload}: warm-up {config}: "
                + ", ".join(f"{s:.1f}" for s in warm[config])
                + " s per step"
                + (" (the first one compiles)" if compiled else "")
                + f"; {time.perf_counter() - started:.0f} s in all"
            )
        rates = {config: [] for config in configs}
        seconds = {config: [] for config in configs}
        for r in range(args.rounds):
            order = configs[r % len(configs) :] + configs[: r % len(configs)]
            started = time.perf_counter()
            for config in order:
                workers[config].send("run", steps)
                spent, images = workers[config].receive("ran")
                rates[config].append(images / spent)
                seconds[config].append(spent)
            say(
                f"{workload}: round {r + 1}/{args.rounds} done in "
                f"{time.perf_counter() - started:.0f} s"
            )
        final = {}
        for config in configs:
            workers[config].send("stop")
            (final[config],) = workers[config].receive("stopped")
        finished = True
    finally:
        for worker in workers.values():  # after a failure or Ctrl-C: end them now
            worker.close(wait=30 if finished else 0)
    reference = statistics.median(rates["reference"])
    results = {}
    for config in configs:
        median = statistics.median(rates[config])
        asked, compiled, channels_last, _ = CONFIGS[config]
        results[config] = {
            "precision_asked": asked,
            "precision": info[config]["precision"],
            "precision_label": _bf16_label(info[config]["precision"], device),
            "precision_reason": info[config]["reason"],
            "compile": compiled,
            "channels_last": channels_last,
            "images_per_s": round(median, 2),
            "images_per_s_min": round(min(rates[config]), 2),
            "images_per_s_max": round(max(rates[config]), 2),
            "images_per_s_rounds": [round(rate, 2) for rate in rates[config]],
            "seconds_rounds": [round(s, 3) for s in seconds[config]],
            "ratio_to_reference": round(median / reference, 4),
            "warmup_seconds": [round(s, 2) for s in warm[config]],
            "compile_seconds": round(warm[config][0], 1) if compiled else None,
            "peak_memory_mib": round(final[config]["peak_memory_mib"], 1),
            "peak_memory": final[config]["memory"],
            "dataloader_workers_not_included": info[config]["dataloader_workers"],
            "graphs_compiled_while_timed": (
                final[config]["graphs_while_timed"] if compiled else None
            ),
            "threads": info[config]["threads"],
        }
    first = info[configs[0]]
    return {
        "description": WORKLOADS[workload][1],
        "model": first["model"],
        "batch_size": first["batch_size"],
        "images": first["images"],
        "steps_per_round": steps,
        "configs": results,
    }


# ---- reporting


def _bf16_label(precision: str, device: str) -> str:
    if precision != "bf16" or device != "cpu":
        return precision
    from dcgan_lib.precision import cpu_has_native_bf16

    return "bf16 (native)" if cpu_has_native_bf16() else "bf16 (emulated)"


def _verdict(before: float, after: float) -> str:
    change = after / before
    if change > 1 + SAME:
        return f"helps ({change:.2f}x)"
    if change < 1 - SAME:
        return f"hurts ({change:.2f}x)"
    return f"no clear difference ({change:.2f}x, within {SAME:.0%})"


def report(workload: str, result: dict, device: str) -> dict:
    """Print the workload's table and notes; return its summary."""
    rows = result["configs"]
    model = result["model"]
    say(
        f"\n{workload}: {model['image_size']}x{model['image_size']}, nc {model['nc']}, "
        f"nz {model['nz']}, ngf {model['ngf']}, ndf {model['ndf']}, batch "
        f"{result['batch_size']}, {result['images']:,} images; median of "
        f"{_count(len(rows['reference']['images_per_s_rounds']), 'round')} of "
        f"{_count(result['steps_per_round'], 'step')}"
    )
    memory = "peak MiB" if device == "cpu" else "CUDA MiB"
    say(
        f"{'config':<28}{'precision':<17}{'images/s':>9}{'min':>8}{'max':>8}"
        f"{'vs ref':>8}{'compile s':>11}{memory:>10}"
    )
    for config, row in rows.items():
        compile_s = row["compile_seconds"]
        say(
            f"{config:<28}{row['precision_label']:<17}"
            f"{row['images_per_s']:>9.1f}{row['images_per_s_min']:>8.1f}"
            f"{row['images_per_s_max']:>8.1f}{row['ratio_to_reference']:>7.2f}x"
            f"{'-' if compile_s is None else f'{compile_s:.1f}':>11}"
            f"{row['peak_memory_mib']:>10.0f}"
        )
    notes = []
    workers = rows["reference"]["dataloader_workers_not_included"]
    if device == "cpu" and workers:
        notes.append(
            f"peak MiB: each worker's peak resident set size; the reference's "
            f"{workers} DataLoader worker processes are separate and not included"
        )
    for row in rows.values():
        if row["precision_asked"] == "auto":
            notes.append(f"auto = {row['precision']} here: {row['precision_reason']}")
            break
    for config, row in rows.items():
        new = row["graphs_compiled_while_timed"]
        if new:
            notes.append(
                f"{config} compiled {new} more graph(s) during the timed rounds: "
                "raise --warmup"
            )
    for plain, faster, what in (
        ("auto", "auto+channels_last", "channels_last"),
        ("auto+compile", "auto+compile+channels_last", "channels_last"),
        ("auto", "auto+compile", "compile"),
        ("auto+channels_last", "auto+compile+channels_last", "compile"),
    ):
        if plain in rows and faster in rows:
            before = rows[plain]["images_per_s"]
            after = rows[faster]["images_per_s"]
            notes.append(f"{what}: {plain} -> {faster}: {_verdict(before, after)}")
    for note in notes:
        say(f"  {note}")
    others = {c: r for c, r in rows.items() if c != "reference"}
    best = max(others, key=lambda c: others[c]["images_per_s"])
    summary = {
        "fp32_ratio": rows["fp32"]["ratio_to_reference"],
        "best": best,
        "best_ratio": rows[best]["ratio_to_reference"],
    }
    summary["line"] = (
        f"{workload}: fp32 {summary['fp32_ratio']:.2f}x, best "
        f"{summary['best_ratio']:.2f}x ({best}) vs reference"
    )
    if device == "cpu":
        summary["targets"] = {
            f"fp32 >= {TARGET_FP32}x": summary["fp32_ratio"] >= TARGET_FP32,
            f"best >= {TARGET_BEST}x": summary["best_ratio"] >= TARGET_BEST,
        }
    return summary


# ---- command line


def _names(text: str, known, what: str) -> list:
    names = [name.strip() for name in text.split(",") if name.strip()]
    for name in names:
        if name not in known:
            raise BadInput(f"unknown {what} {name!r}; choose from {', '.join(known)}")
    if not names:
        raise BadInput(f"--{what}s names none")
    return list(dict.fromkeys(names))


def _steps(text: str, workloads: list) -> dict:
    """ "N" for every workload, or "faces64=N,digits32=M"."""
    steps = {name: WORKLOADS[name][0] for name in workloads}
    if text is None:
        return steps
    if "=" not in text:
        return dict.fromkeys(workloads, _positive_or_bad(text, "--steps"))
    for part in text.split(","):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in WORKLOADS:
            raise BadInput(f"--steps: unknown workload {name!r} in {text!r}")
        steps[name] = _positive_or_bad(value, "--steps")
    return {name: steps[name] for name in workloads}


def _positive_or_bad(text: str, flag: str) -> int:
    from dcgan_lib.arguments import positive  # imported late: workers set env first

    try:
        return positive(text)
    except argparse.ArgumentTypeError as error:
        raise BadInput(f"{flag} {error}") from None


def parse(argv) -> argparse.Namespace:
    from dcgan_lib.arguments import ArgumentParser, positive  # torch only after parsing

    parser = ArgumentParser(
        prog="python benchmarks/speed.py",
        description="Images per second of a DCGAN training step: dcgan_lib's "
        "configurations against the PyTorch DCGAN tutorial's loop (issue 12).",
    )
    parser.add_argument(
        "--configs",
        default=None,
        help=f"comma-separated subset of: {', '.join(CONFIGS)} (default: all this "
        "device runs)",
    )
    parser.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help=f"comma-separated subset of: {', '.join(WORKLOADS)} (default: both)",
    )
    parser.add_argument(
        "--rounds",
        type=positive,
        default=DEFAULT_ROUNDS,
        help=f"rounds of the round-robin; the median is over them (default "
        f"{DEFAULT_ROUNDS})",
    )
    parser.add_argument(
        "--steps",
        default=None,
        help="steps per configuration and round: N for every workload, or "
        "faces64=N,digits32=M (default: "
        + ", ".join(f"{k}={v[0]}" for k, v in WORKLOADS.items())
        + ")",
    )
    parser.add_argument(
        "--warmup",
        type=positive,
        default=DEFAULT_WARMUP,
        help="untimed steps before the rounds (the first compiles; default 2)",
    )
    parser.add_argument(
        "--device",
        choices=("auto", "cpu", "cuda"),
        default="auto",
        help="auto: CUDA if there is a GPU, else the CPU",
    )
    add_output_options(parser, "speed", ".json")
    parser.add_argument(
        "--force", action="store_true", help="replace an existing --out file"
    )
    args = parser.parse_args(argv)
    args.workloads = _names(args.workloads, WORKLOADS, "workload")
    if args.configs is not None:
        args.configs = _names(args.configs, CONFIGS, "config")
    args.steps = _steps(args.steps, args.workloads)
    args.out = output_path(args, "speed", ".json")
    if args.out.exists() and not (args.force or args.book):
        raise BadInput(
            f"{args.out} exists; pass --force to replace it, or --out another file"
        )
    if args.out.is_dir():
        raise BadInput(f"--out {args.out} is a folder; give a file name")
    return args


def choose_configs(args, device: str) -> tuple[list, dict]:
    """The configurations to run on ``device``, and the skipped ones with why."""
    import torch

    def unavailable(name):
        cuda_only = CONFIGS[name][3]
        if cuda_only and device != "cuda":
            return "CUDA only, and this run is on the CPU"
        if device == "cuda" and "bf16" in name and not torch.cuda.is_bf16_supported():
            return "this GPU has no bfloat16"
        return None

    if args.configs is not None:
        for name in args.configs:
            why = unavailable(name)
            if why:
                raise BadInput(f"config {name!r} cannot run here: {why}")
        configs = list(args.configs)
        added = [name for name in ("reference", "fp32") if name not in configs]
        if added:
            say(
                f"added {' and '.join(added)}: the ratios and the summary line "
                "compare with them"
            )
        configs = [n for n in CONFIGS if n in configs or n in added]
        return configs, {}
    skipped = {name: unavailable(name) for name in CONFIGS if unavailable(name)}
    return [name for name in CONFIGS if name not in skipped], skipped


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parse(argv)
        import torch

        import dcgan_lib as dl

        if args.device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        elif args.device == "cuda" and not torch.cuda.is_available():
            raise BadInput("--device cuda was asked for but no CUDA GPU is visible")
        else:
            device = args.device
        configs, skipped = choose_configs(args, device)
    except BadInput as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr, flush=True)
        return 2
    machine = dl.describe_machine(device)
    say(f"machine: {machine}")
    say(
        f"torch {torch.__version__}, "
        f"{torch.get_num_threads()} threads (torch's default, left as it is)"
    )
    say(f"configurations: {', '.join(configs)}")
    for name, why in skipped.items():
        say(f"skipped {name}: {why}")
    results, summaries = {}, {}
    started = time.perf_counter()
    signal.signal(signal.SIGTERM, _interrupted)  # kill: stop the workers as Ctrl-C
    try:
        for workload in args.workloads:
            steps = args.steps[workload]
            results[workload] = measure(workload, configs, device, args, steps)
            summaries[workload] = report(workload, results[workload], device)
            results[workload]["summary"] = summaries[workload]
    except WorkerFailed as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted; nothing written", file=sys.stderr, flush=True)
        return 130
    minutes = (time.perf_counter() - started) / 60
    record = {
        "benchmark": "benchmarks/speed.py",
        "machine": machine,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "device": device,
        "threads": torch.get_num_threads(),
        "minutes": round(minutes, 1),
        "settings": {
            "command": " ".join(["python benchmarks/speed.py", *argv]),
            "rounds": args.rounds,
            "steps_per_round": args.steps,
            "warmup_steps": args.warmup,
            "configs": configs,
            "skipped": skipped,
            "workloads": args.workloads,
            "method": "one persistent spawned worker per configuration; round-robin "
            "rounds, the order rotated each round; median over rounds of "
            "images / seconds; ratio = median / the reference's median",
            "targets": {"fp32": TARGET_FP32, "best": TARGET_BEST, "on": "2-core CPU"},
        },
        "workloads": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=1) + "\n")
    say(f"\nwrote {_shown(args.out)} ({minutes:.1f} minutes)")
    if device == "cpu":
        threads = torch.get_num_threads()
        where = "" if threads == 2 else f" (set for 2 cores; this run had {threads})"
        for workload, summary in summaries.items():
            verdicts = ", ".join(
                f"{target}: {'met' if ok else 'NOT met'}"
                for target, ok in summary["targets"].items()
            )
            say(f"targets{where}, {workload}: {verdicts}")
    for summary in summaries.values():
        say(summary["line"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
