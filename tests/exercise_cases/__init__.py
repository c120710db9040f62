"""The exercises' case tables, one module a chapter (tests/test_exercises.py runs
them): for every exercise id, RIGHT lists right answers in different forms and
WRONG lists (label, answer) pairs, the label naming the mistake or shortcut."""

from . import ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09

CHAPTERS = (ch01, ch02, ch03, ch04, ch05, ch06, ch07, ch08, ch09)
RIGHT = {key: cases for ch in CHAPTERS for key, cases in ch.RIGHT.items()}
WRONG = {key: cases for ch in CHAPTERS for key, cases in ch.WRONG.items()}
