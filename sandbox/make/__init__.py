"""Idea -> prototype: the spec, the template catalog (and the assets templates share), the sandboxed
render, the atomic scaffold.

Imports only ``core`` (and Jinja2 where a render needs it).
"""
