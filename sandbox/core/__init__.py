"""The ground everything stands on: errors, atomic files, safe YAML, settings, the ledger, ignore rules.

Nothing here knows about templates, assistants or screens; every other stage may import it.
"""
