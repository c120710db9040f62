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


# Markers (registered in pyproject.toml), so that
# `pytest -m "not notebooks and not browser and not slow"` is a quick loop:
#   notebooks: nbval's cells of notebooks/, run in fast mode;
#   browser:   the built book opened in Chromium (tests/test_browser.py);
#   slow:      over ~10 s on a 2-core CPU: every test taking one of
#              SLOW_FIXTURES, and the tests marked @pytest.mark.slow.
SLOW_FIXTURES = {
    "site": "builds the whole book (tests/conftest.py)",
    "graded": "grades a class of notebooks, ~20 s (tests/test_grade.py)",
    "two_process_runs": "trains under torchrun three times (tests/test_distributed.py)",
}


def pytest_collection_modifyitems(config, items):
    import pytest

    for item in items:
        if type(item).__module__.startswith("nbval"):
            item.add_marker(pytest.mark.notebooks)
        if item.path.name == "test_browser.py":
            item.add_marker(pytest.mark.browser)
        if SLOW_FIXTURES.keys() & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
