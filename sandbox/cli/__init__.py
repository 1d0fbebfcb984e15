"""The ``sandbox`` command line: a thin shell over ``sandbox.workspace``, one module per command group."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """The entry point (``sandbox``, ``python -m sandbox``)."""
    from sandbox.cli.main import main as run

    return run(argv)
