"""pytest set-up shared by tests/ and nbval's run of notebooks/.

Fast mode is switched on here, before nbval starts any kernel, so every notebook
runs with DCGAN_FAST=1 (CONTRIBUTING.md: fast mode is what the test suite uses).
"""

import os

os.environ["DCGAN_FAST"] = "1"

# Under pytest-xdist (pyproject.toml's addopts), the cores are shared out among
# the workers, and each worker's tests and notebook kernels keep to their share:
# on 2 cores, two workers of one thread each. Two workers each running PyTorch on
# both cores were slower than one after another (OpenMP threads spinning on
# shared cores).
if os.environ.get("PYTEST_XDIST_WORKER_COUNT"):
    share = (os.cpu_count() or 1) // int(os.environ["PYTEST_XDIST_WORKER_COUNT"])
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, share)))
