"""Widgets and dialogs of the app (views; the screens own the state)."""
