"""A prototype's look from two answers: its brand colour and its product name.

Why in Python: the six built-in templates each carried the same 25-line Jinja2 macro that turned
the brand colour into readable text colours; one tested function now serves them all (through the
``palette`` filter). The hero picture is drawn from the product's initials and colour, so a dog
walking service and an expense tool no longer open on the same dashboard drawing.
"""

from __future__ import annotations

import hashlib
import re
from typing import TypedDict

from markupsafe import Markup, escape

DEFAULT_BRAND = "#4f46e5"
DARK_TEXT = "#111318"
HEX_RE = re.compile(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
# Ink on light surfaces must reach 4.5:1 on #f0f2f5 (luminance <= 0.155); on dark ones, on #1f232c.
INK_MAX_LUMINANCE = 0.155
DARK_INK_MIN_LUMINANCE = 0.25


class Palette(TypedDict):
    """The brand colours a page sets as CSS custom properties (--brand, --on-brand, ...)."""

    brand: str
    on_brand: str
    ink: str
    ink_dark: str


def _rgb(color: object) -> tuple[int, int, int]:
    match = HEX_RE.match(str(color or "").strip())
    code = match.group(1).lower() if match else DEFAULT_BRAND[1:]
    if len(code) == 3:
        code = "".join(ch * 2 for ch in code)
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""
    total = 0.0
    for weight, value in zip((0.2126, 0.7152, 0.0722), rgb, strict=True):
        s = value / 255
        total += weight * (s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4)
    return total


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def palette(color: object) -> Palette:
    """The brand colour and the text colours that stay readable with it (WCAG AA).

    ``on_brand`` is text on a brand-coloured background; ``ink`` brand-tinted text on light
    surfaces (the colour darkened in 5 % steps until readable); ``ink_dark`` the same for dark mode.
    """
    rgb = _rgb(color)
    ink: tuple[int, int, int] | None = None
    ink_dark: tuple[int, int, int] | None = None
    for k in range(21):
        step = k * 0.05
        darker = (round(rgb[0] * (1 - step)), round(rgb[1] * (1 - step)), round(rgb[2] * (1 - step)))
        lighter = (
            round(rgb[0] + (255 - rgb[0]) * step),
            round(rgb[1] + (255 - rgb[1]) * step),
            round(rgb[2] + (255 - rgb[2]) * step),
        )
        if ink is None and luminance(darker) <= INK_MAX_LUMINANCE:
            ink = darker
        if ink_dark is None and luminance(lighter) >= DARK_INK_MIN_LUMINANCE:
            ink_dark = lighter
    on_brand = "#ffffff" if 1.05 / (luminance(rgb) + 0.05) >= 4.5 else DARK_TEXT
    return {
        "brand": _hex(rgb),
        "on_brand": on_brand,
        "ink": _hex(ink or (0, 0, 0)),
        "ink_dark": _hex(ink_dark or (255, 255, 255)),
    }


def brand_style(color: object) -> Markup:
    """The ``:root{...}`` rule a page puts in its ``<style>``: the palette as custom properties."""
    p = palette(color)
    return Markup(
        f":root{{--brand:{p['brand']};--on-brand:{p['on_brand']};--brand-ink:{p['ink']};--brand-ink-dark:{p['ink_dark']}}}"
    )


def initials(name: object) -> str:
    """Up to two letters for a logo: "Shift swap" -> "SS", "pawly" -> "P", "" -> "P" (prototype)."""
    words = re.findall("[^\\W\\d_][\\w'\u2019-]*", str(name or ""))
    letters = "".join(word[0] for word in words[:2]).upper()
    return letters or "P"


def _seed(text: str) -> list[int]:
    return list(hashlib.sha256(text.encode("utf-8")).digest())


def hero_art(name: object, color: object) -> Markup:
    """A decorative SVG for the landing page hero, drawn from the product's initials and colour.

    The same name always gives the same picture (a render must be reproducible: the manifest
    compares hashes), and two names give different ones: the shapes' places come from a hash.
    Fixed ``width``/``height`` attributes reserve its space before it paints (no layout shift).
    """
    text = str(name or "").strip() or "Prototype"
    p = palette(color)
    seed = _seed(text)
    letters = escape(initials(text))
    circles = []
    for i in range(5):
        cx = 40 + seed[i * 3] * 400 // 255
        cy = 30 + seed[i * 3 + 1] * 300 // 255
        r = 14 + seed[i * 3 + 2] % 46
        opacity = (12 + seed[15 + i] % 24) / 100
        circles.append(f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="{p["brand"]}" opacity="{opacity:.2f}"/>')
    tilt = (seed[20] % 9) - 4
    font = 150 if len(str(letters)) == 1 else 112
    return Markup(
        '<svg class="hero-svg" viewBox="0 0 480 360" width="480" height="360" role="presentation" '
        'aria-hidden="true" focusable="false">'
        f'<defs><linearGradient id="hero-fill" x1="0" y1="0" x2="1" y2="1">'
        f'<stop offset="0" stop-color="{p["brand"]}"/><stop offset="1" stop-color="{p["ink"]}"/>'
        "</linearGradient></defs>"
        f'{"".join(circles)}'
        f'<g transform="rotate({tilt} 240 180)">'
        '<rect x="110" y="60" width="260" height="240" rx="48" fill="url(#hero-fill)"/>'
        f'<text x="240" y="180" dy="0.35em" text-anchor="middle" font-size="{font}" font-weight="800" '
        f'fill="{p["on_brand"]}" font-family="system-ui, sans-serif">{letters}</text></g>'
        "</svg>"
    )
