"""A spec's title without the YAML parser, where its line leaves no doubt.

Why: a headless run names the prototype in its prompt, and that was the only thing ``sandbox run``
needed from the spec; importing PyYAML and parsing the spec cost 35-40 ms of every run (a tenth of
the sandbox's whole overhead on a run of both real CLIs). The sandbox writes ``title: Words`` on a
line of its own, and a person who edits the spec rarely does otherwise, so that line is read as
text when YAML could only read it the same way; anything else (quotes, a value YAML would read as
yes/no or a number, a value that continues on the next line, two ``title:`` lines) returns None
and the caller parses the spec. A test holds the two readings to the same answer.
"""

from __future__ import annotations

import re

MAX_PLAIN_TITLE = 200
# A top-level `title:` line: the key at column 0, a plain value, an optional comment (no tabs: YAML refuses some).
_TITLE_LINE = re.compile(r"^title: +(?P<value>[^\n]*?) *(?: #[^\n]*)?$", re.MULTILINE)
# A plain scalar YAML reads as this very text: it starts with a letter and holds no character that
# could open a quote, a flow collection, an alias, a tag, a comment or a mapping.
_PLAIN = re.compile(r"[^\W\d_][\w .,()&/+'!?-]*")
_NOT_TEXT = {"yes", "no", "true", "false", "on", "off", "null", "y", "n"}  # YAML 1.1 reads these otherwise


def plain_title(text: str) -> str | None:
    """The title ``text`` (a spec's YAML) gives, when one plain line says it; None when YAML must decide."""
    found = list(_TITLE_LINE.finditer(text))
    if len(found) != 1:
        return None
    line = found[0]
    value = line.group("value")
    rest = text[line.end() + 1 :]
    if rest and rest[0] in " \t\n\r":  # an indented or blank next line may continue the value
        return None
    if text.startswith(("%", "---")) or "\t" in line.group() or "\r" in text[: line.end() + 1]:
        return None
    if len(value) > MAX_PLAIN_TITLE or not _PLAIN.fullmatch(value) or value.lower() in _NOT_TEXT:
        return None
    return value
