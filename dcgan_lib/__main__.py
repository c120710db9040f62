"""``python -m dcgan_lib ...``: the command line of dcgan_lib/cli.py."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
