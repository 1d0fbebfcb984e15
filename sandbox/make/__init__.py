"""Idea -> prototype: the spec, the template catalog, the sandboxed render, the atomic scaffold.

Imports only ``core`` (and Jinja2 where a render needs it).
"""
