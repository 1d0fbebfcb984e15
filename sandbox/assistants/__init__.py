"""The assistants at work: registry, sessions and snapshots, headless runs, edit hooks.

Imports ``core``, ``make`` and ``live``.
"""
