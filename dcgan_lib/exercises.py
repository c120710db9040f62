"""Auto-checks for the exercises at the end of each chapter, answered in both languages.

Serves every chapter's exercise cells: ``check("03.1", answer)`` says right or not.
The checks themselves live in dcgan_lib/checks/, one module a chapter.
"""

from __future__ import annotations

from .checks import CHECKS
from .checks.verdicts import Verdict

__all__ = ["check", "evaluate", "Verdict", "CHECKS"]


def evaluate(exercise: str, answer) -> Verdict:
    """Check ``answer`` to ``exercise`` (e.g. "03.1") without printing.

    Returns: a ``Verdict``; ``ok`` is None while the answer is still ``...``.
    """
    if exercise not in CHECKS:
        raise ValueError(f"unknown exercise {exercise!r}; known: {', '.join(CHECKS)}")
    if answer is ... or answer is None:
        return Verdict(
            None,
            "⏳ 아직 답이 없습니다. `...` 자리에 답을 쓰고 다시 실행하세요.\n"
            "   No answer yet: replace `...` with your answer and run the cell again.",
        )
    return CHECKS[exercise](answer)


def check(exercise: str, answer) -> None:
    """Print, in Korean and English, whether ``answer`` to ``exercise`` is right."""
    print(f"[{exercise}] {evaluate(exercise, answer).message}")
