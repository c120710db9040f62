"""Every numeric exercise takes its right value in any numeric type a reader may hold.

A number comes as a Python int or float, a numpy scalar, a 0-d numpy array or a 0-d
torch tensor; a question asking for an integer takes 12.0 but never 12.5.
"""

import math

import numpy as np
import pytest
import torch

from dcgan_lib.exercises import CHECKS, evaluate

# exercise -> its right value, for the checks of one number
INTEGERS = {
    "02.2": 11_036_160,
    "03.2": 14,
    "03.4": 819_200,
    "04.3": 256,
    "06.3": 780,
    "07.4": 65,
    "08.1": 15_360,
    "09.3": 78,
}
FLOATS = {
    "01.1": 0.75,
    "01.2": -math.log(4),
    "01.3": -0.9,
    "01.4": 99.0,
    "01.5": math.log(2),
    "02.5": 1 / 16,
    "04.1": 3 / 3.5**0.5,
    "04.5": 2.0,
    "04.6": 0.01,
    "05.1": 0.02**2,
    "05.2": 0.02**0.5,
    "05.3": 1 / 32,
    "05.4": 1 / 48**0.5,
    "06.1": 200 / 127.5 - 1,
    "06.2": math.log1p(math.exp(2)),
    "06.6": math.log(2),
    "07.2": math.sqrt(32),
    "07.5": 0.00025193051046275934,  # scipy.stats.binom.sf(76, 100, 0.6)
    "08.4": 0.5,
    "09.2": 1500.0,
}
# exercise -> its right tuple, for the checks of several numbers
TUPLES = {
    "02.1": (5, 4),
    "02.3": (1, 4, 3, 2),
    "03.1": (4, 2, 1),
    "03.3": (1, 2),
    "03.6": (2, 1),
    "04.2": (0.3, 0.9 + 0.1 * 14 / 3),
}


def _as_every_type(value):
    """``value`` as each numeric type a reader may hand in."""
    typed = [
        float(value),
        np.float64(value),
        np.float32(value),
        np.array(value),
        np.array(value, dtype=np.float32),
        torch.tensor(value),
        torch.tensor(value, dtype=torch.float64),
        torch.tensor(float(value), requires_grad=True),  # a value still in a graph
    ]
    if float(value).is_integer():
        whole = int(value)
        typed += [
            whole,
            np.int64(whole),
            np.int32(whole),
            np.array(whole),
            torch.tensor(whole),
            torch.tensor(whole, dtype=torch.int32),
        ]
        if 0 <= whole <= 255:
            typed.append(np.uint8(whole))
    return typed


def _not_a_number(value):
    """Forms of ``value`` that are no number: text, containers, bools, complex
    numbers (equal to ``value`` in Python), nan and infinities."""
    return [
        str(value),
        [value],
        (value,),
        np.array([value]),
        torch.tensor([value]),
        np.array([value, value]),
        True,
        np.bool_(True),
        torch.tensor(True),
        complex(value),
        np.complex128(value),
        float("nan"),
        float("inf"),
        np.float64("-inf"),
    ]


def _cases(table, make):
    return [
        pytest.param(key, answer, id=f"{key}-{type(answer).__name__}-{i}")
        for key, value in table.items()
        for i, answer in enumerate(make(value))
    ]


def test_the_tables_cover_every_numeric_exercise():
    numeric = {*INTEGERS, *FLOATS, *TUPLES}
    assert numeric <= set(CHECKS)
    others = {
        "02.4",
        "03.5",
        "04.4",
        "05.5",
        "05.6",
        "06.4",
        "06.5",
        "07.1",
        "07.3",
        "08.2",
        "08.3",
        "09.1",
        "09.4",
    }
    assert numeric | others == set(CHECKS) and not numeric & others


@pytest.mark.parametrize(
    "exercise, answer", _cases({**INTEGERS, **FLOATS}, _as_every_type)
)
def test_the_right_number_passes_in_every_numeric_type(exercise, answer):
    verdict = evaluate(exercise, answer)
    assert verdict.ok is True, (answer, verdict.message)


@pytest.mark.parametrize(
    "exercise, answer", _cases({**INTEGERS, **FLOATS}, _not_a_number)
)
def test_what_is_no_number_is_told_its_form(exercise, answer):
    verdict = evaluate(exercise, answer)
    assert verdict.ok is False, answer
    assert "Hint:" in verdict.message and "힌트:" in verdict.message


@pytest.mark.parametrize("exercise", sorted(INTEGERS))
@pytest.mark.parametrize("off", [0.5, -0.5, 1e-6])
def test_an_integer_question_rejects_a_fraction(exercise, off):
    value = INTEGERS[exercise] + off
    for answer in (value, np.float64(value), torch.tensor(value, dtype=torch.float64)):
        assert evaluate(exercise, answer).ok is False, answer


_CONVERTERS = {
    "np.int64": np.int64,
    "np.float64": np.float64,
    "np.float32": np.float32,
    "0-d array": np.array,
    "0-d tensor": torch.tensor,
}


def _whole(values):
    return all(float(v).is_integer() for v in values)


@pytest.mark.parametrize(
    "exercise, kind, convert",
    [
        pytest.param(key, kind, convert, id=f"{key}-{kind.__name__}-{name}")
        for key, expected in TUPLES.items()
        for kind in (list, tuple)
        for name, convert in _CONVERTERS.items()
        if convert is not np.int64 or _whole(expected)
    ],
)
def test_a_tuple_of_numbers_takes_numeric_types_inside(exercise, kind, convert):
    answer = kind(convert(v) for v in TUPLES[exercise])
    verdict = evaluate(exercise, answer)
    assert verdict.ok is True, (answer, verdict.message)


@pytest.mark.parametrize("exercise", ["02.1", "02.3", "03.1", "03.3", "03.6"])
def test_a_tuple_of_integers_rejects_a_fraction(exercise):
    first, *rest = TUPLES[exercise]
    assert evaluate(exercise, (first + 0.5, *rest)).ok is False


def test_layer_numbers_take_numpy_integers():
    answer = {"G": [np.int64(5)], "D": np.array([1, 5]).tolist()}
    assert evaluate("04.4", answer).ok is True
    assert evaluate("04.4", {"G": [np.int64(5)], "D": [torch.tensor(1), 5.0]}).ok
    assert evaluate("04.4", {"G": [5.5], "D": [1, 5]}).ok is False
