"""The book's widgets under both ipywidgets its readers run: 8, which
requirements.txt installs, and 7.7, which Google Colab ships.

Both runs carry out the same steps of widget_checks.py (show each widget, move its
controls one at a time, read what it prints) and assert the same lines. ipywidgets
8 runs in this process. ipywidgets 7.7 runs in a second Python of this venv with
Colab's ipywidgets installed in a folder put first on its PYTHONPATH, so that it
hides the venv's 8; that Python hands back what it saw as JSON.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import widget_checks

CHECKS = Path(widget_checks.__file__)
ROOT = CHECKS.parents[1]  # this checkout, whose dcgan_lib both runs must use

# Colab has (`pip list` in a Colab notebook) ipywidgets 7.7.1, widgetsnbextension
# 3.6.10, jupyterlab_widgets 3.0, IPython 7.34, ipykernel 6.17 and traitlets 5.7.
# Installed here is what ipywidgets 7.7.1 needs and this venv lacks:
COLAB_WIDGETS = [
    "ipywidgets==7.7.1",
    "widgetsnbextension==3.6.10",  # ipywidgets 7.7 asks for 3.6.x; the venv has 4
    "ipython_genutils==0.2.0",  # imported by ipywidgets 7, no longer in the venv
]
# The venv's jupyterlab_widgets 3 will do (7.7.1 asks for >= 1.0; no Python code
# imports it), and so will its IPython, ipykernel and traitlets: ipywidgets 7.7.1
# passes these checks under them as under Colab's older ones (tried).


def test_widgets_answer_under_ipywidgets_8():
    seen = widget_checks.run_every_widget()
    print("ipywidgets 8 run:", seen["versions"])  # pytest -rP shows it
    assert seen["versions"]["ipywidgets"].startswith("8.")
    widget_checks.assert_every_widget_answered(seen)


def test_widgets_answer_under_colabs_ipywidgets_7_7():
    folder = _colab_widgets_folder()
    result = subprocess.run(
        [sys.executable, str(CHECKS), "7.7"],
        env={**os.environ, "PYTHONPATH": _first_on_path(folder)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    seen = json.loads(result.stdout.splitlines()[-1])
    print("ipywidgets 7.7 run:", seen["versions"])
    assert seen["versions"]["ipywidgets"] == "7.7.1"
    assert Path(seen["versions"]["ipywidgets folder"]).parent.samefile(folder)
    here = widget_checks.versions()["dcgan_lib folder"]
    assert Path(seen["versions"]["dcgan_lib folder"]).samefile(here)
    widget_checks.assert_every_widget_answered(seen)


def _colab_widgets_folder() -> Path:
    """The folder holding COLAB_WIDGETS, installed on the first run only.

    It lives in the user's cache folder (~/.cache, or $XDG_CACHE_HOME), not in
    pytest's tmp_path, which is new for every run: the install then happens once
    per machine, and later runs start at once. Its name carries a digest of the
    pins, so changing a pin installs a new folder instead of mixing versions. pip
    installs into a temporary folder, renamed when complete, so an interrupted
    install is never taken for a finished one.
    """
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(" ".join(COLAB_WIDGETS).encode()).hexdigest()[:10]
    folder = cache / "dcgan-book" / f"colab-ipywidgets-{digest}"
    if folder.is_dir():
        return folder
    partial = folder.with_name(f"{folder.name}.partial-{os.getpid()}")
    command = [sys.executable, "-m", "pip", "install", "--target", str(partial)]
    command += ["--no-deps", "--only-binary", ":all:", "--quiet", *COLAB_WIDGETS]
    # short timeouts: offline, pip would otherwise retry for minutes
    result = subprocess.run(
        [*command, "--timeout", "30", "--retries", "1"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        said = result.stdout + result.stderr
        # pip lists the versions an index offers; "none" for every package means
        # that no index answered (or none that has them): offline
        if "(from versions: none)" not in said:
            pytest.fail(f"pip could not install Colab's ipywidgets:\n{said}")
        reason = (
            "ipywidgets 7.7 (Colab's) is not installed and pip could not reach a "
            "package index. Run this test once while online, or install it by "
            "hand:\n  " + " ".join(command).replace(str(partial), str(folder))
        )
        if os.environ.get("CI"):
            pytest.fail(reason + f"\nCI never skips this test. pip said:\n{said}")
        pytest.skip(reason)
    try:
        partial.rename(folder)
    except OSError:  # another run may have finished the same install first
        shutil.rmtree(partial, ignore_errors=True)
        if not folder.is_dir():
            raise
    return folder


def _first_on_path(folder: Path) -> str:
    """PYTHONPATH with ``folder`` first: its packages hide the venv's; then this
    checkout, for its dcgan_lib."""
    earlier = os.environ.get("PYTHONPATH")
    return os.pathsep.join([str(folder), str(ROOT)] + ([earlier] if earlier else []))
