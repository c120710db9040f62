"""Auto-checks for the exercises at the end of each chapter, answered in both languages.

Serves every chapter's exercise cells: ``check("03.1", answer)`` says right or not.
The checks themselves live in dcgan_lib/checks/, one module a chapter.

For the grader (``python -m dcgan_lib grade``, dcgan_lib/grading.py): when the
environment variable named by ``RECORD_VERDICTS`` is 1/true/yes, ``check`` also
publishes a display output whose only data is ``VERDICT_MIME``:
``{"exercise": "03.1", "verdict": "right"}``, the verdict being "right", "wrong" or
"unanswered". Front ends render nothing for it; the grader reads it from the
executed notebook. It is off by default, so what students see and the committed
notebooks' outputs (which nbval compares) stay as they are.
"""

from __future__ import annotations

from .checks import CHECKS
from .checks.verdicts import Verdict
from .config import env_flag

__all__ = [
    "check",
    "evaluate",
    "Verdict",
    "CHECKS",
    "RECORD_VERDICTS",
    "VERDICT_MIME",
    "VERDICT_WORDS",
]

RECORD_VERDICTS = "DCGAN_RECORD_VERDICTS"
VERDICT_MIME = "application/vnd.dcgan-book.verdict+json"
VERDICT_WORDS = {True: "right", False: "wrong", None: "unanswered"}  # by Verdict.ok


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
    """Print, in Korean and English, whether ``answer`` to ``exercise`` is right.

    Under the grader (``RECORD_VERDICTS`` set) and in a kernel, the verdict is also
    published as a ``VERDICT_MIME`` output (see the module's docstring).
    """
    verdict = evaluate(exercise, answer)
    print(f"[{exercise}] {verdict.message}")
    if env_flag(RECORD_VERDICTS):
        _publish(exercise, VERDICT_WORDS[verdict.ok])


def _publish(exercise: str, word: str) -> None:
    """Send the verdict to the front end as data only; outside IPython, do nothing
    (IPython's display would print the raw dictionary instead)."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:
        return
    display({VERDICT_MIME: {"exercise": exercise, "verdict": word}}, raw=True)
