"""pytest set-up shared by tests/ and nbval's run of notebooks/.

Fast mode is switched on here, before nbval starts any kernel, so every notebook
runs with DCGAN_FAST=1 (CONTRIBUTING.md: fast mode is what the test suite uses).
"""

import os

os.environ["DCGAN_FAST"] = "1"
