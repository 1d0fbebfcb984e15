"""Prototype Sandbox: turn an idea into runnable prototypes, one per AI assistant, and compare them.

The package is split into a pure core (spec, templates, render, scaffold, assistants, ledger,
workspace) and thin shells over it (``cli`` and ``tui``). Importing the package itself must stay
cheap: ``sandbox --help`` should not pay for Jinja2, YAML or Textual.
"""

__version__ = "0.1.0"
