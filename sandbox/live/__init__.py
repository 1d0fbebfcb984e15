"""Prototype on screen: the watcher, the preview server and the loop that re-renders and reloads.

Imports ``core`` and ``make``; whoever starts the loop says where change batches go (sessions).
"""
