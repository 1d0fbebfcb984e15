"""Allow ``python -m sandbox``."""

from sandbox.cli import entry

entry()
