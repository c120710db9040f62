"""Writing a file whole or not at all: a temporary file beside it, then one rename.

Serves the book's tools (executed notebooks, graded copies) and the checkpoints.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomically"]


def write_atomically(path, content, encoding: str = "utf-8") -> Path:
    """Replace ``path`` with ``content`` in one step: whoever reads it meets the old
    file or the new one, never half of one (an interrupted save, a full disk).

    ``content`` is bytes, a str (written in ``encoding``), or a callable that
    writes to the binary file object it is given, e.g.
    ``lambda file: torch.save(state, file)``. The temporary file sits in the same
    folder, so ``os.replace`` is one rename; the file keeps its permissions (a new
    one gets 0o644). On any failure, Ctrl-C included, the temporary file is removed
    and ``path`` is left as it was.
    Returns: ``path`` as a ``Path``.
    """
    path = Path(path)
    if isinstance(content, str):
        content = content.encode(encoding)
    if not isinstance(content, (bytes, bytearray)) and not callable(content):
        raise TypeError(
            "content must be bytes, a str or a function that writes to a binary "
            f"file, got {type(content).__name__}"
        )
    handle, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as file:
            if callable(content):
                content(file)
            else:
                file.write(content)
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
