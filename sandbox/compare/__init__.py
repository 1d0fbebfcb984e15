"""What the work was worth: rubric, ratings, blind comparisons and votes, statistics, the report.

Imports every earlier stage; only the shells (``workspace``, ``cli``, ``tui``) sit above it.
"""
