"""Where a project keeps what: the names of its folders, in a module that imports nothing.

Why apart from ``scaffold``: every command asks where a project's variants and state are, and
``sandbox run`` should not load the whole scaffolder (templates, rendering, the catalog) to know two
folder names; the scaffold imports them from here.
"""

from __future__ import annotations

STATE_DIR = ".sandbox"
VARIANTS_DIR = "variants"
