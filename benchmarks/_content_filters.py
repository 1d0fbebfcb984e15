"""A Jinja2 extension that gives Copier and Cookiecutter the sandbox's content filters.

Why: the built-in templates derive their content through filters (``sandbox.make.content``); the
peers in ``scaffold.py`` must render the very same sources, so they load the same filters the way
their users would add any (``_jinja_extensions`` / ``_extensions``), and do the same work.
"""

from __future__ import annotations

from jinja2 import Environment
from jinja2.ext import Extension

from sandbox.make.content import FILTERS


class ContentFilters(Extension):
    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(FILTERS)
