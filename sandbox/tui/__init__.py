"""The Textual app: a thin shell over ``sandbox.workspace``."""
