"""The auto-checks of every chapter's exercises, one module a chapter.

Serves dcgan_lib.exercises: CHECKS maps an exercise id ("03.1") to its check.
"""

from .ch01 import CHECKS as CHAPTER_01
from .ch02 import CHECKS as CHAPTER_02
from .ch03 import CHECKS as CHAPTER_03
from .ch04 import CHECKS as CHAPTER_04
from .ch05 import CHECKS as CHAPTER_05
from .ch06 import CHECKS as CHAPTER_06
from .ch07 import CHECKS as CHAPTER_07
from .ch08 import CHECKS as CHAPTER_08
from .ch09 import CHECKS as CHAPTER_09

CHECKS = {
    **CHAPTER_01,
    **CHAPTER_02,
    **CHAPTER_03,
    **CHAPTER_04,
    **CHAPTER_05,
    **CHAPTER_06,
    **CHAPTER_07,
    **CHAPTER_08,
    **CHAPTER_09,
}
