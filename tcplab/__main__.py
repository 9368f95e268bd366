"""``python -m tcplab``: the command line (`tcplab.cli`)."""

import sys

from .cli import main

sys.exit(main())
