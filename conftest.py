"""pytest set-up shared by tests/ and nbval's run of notebooks/.

Fast mode is switched on here, before nbval starts any kernel, so every notebook
runs with DCGAN_FAST=1 (CONTRIBUTING.md: fast mode is what the test suite uses).

Under pytest-xdist (``-n auto`` in pyproject.toml) the workers' kernels and processes
keep PyTorch's thread count (the committed outputs were computed with it, and float
sums depend on how they are split), but their OpenMP threads sleep instead of
spinning while they wait: two workers spinning on the same cores can make a step
many times slower than on its own.
"""

import os

os.environ["DCGAN_FAST"] = "1"
if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
