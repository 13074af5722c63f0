"""WCAG 2.2 contrast ratio of two sRGB colours, for the email and browser contrast tests."""

import re


def _channel(value):
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def parse_colour(colour):
    """(r, g, b) from "#rrggbb", "rgb(r, g, b)" or "rgba(r, g, b, a)" (alpha must be blended first)."""
    if colour.startswith("#"):
        return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return tuple(float(n) for n in re.findall(r"[\d.]+", colour)[:3])


def relative_luminance(colour):
    r, g, b = (_channel(c) for c in parse_colour(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first, second):
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
