"""Widgets of the app's screens; each handles its own buttons and posts what only its screen can do."""
