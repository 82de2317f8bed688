"""Colours and bar glyphs shared by the panels.

Every colour is on the xterm 256-colour cube (channels 0, 95, 135, 175, 215, 255), so a terminal reached over ssh
without truecolor shows exactly the same picture.
"""
from __future__ import annotations

import math

from rich.cells import cell_len, set_cell_size
from rich.text import Text

# a diverging scale with a dark middle: blue below zero, orange-red above, brighter the further from zero (every
# step brighter than the last; in 16 colours the two ends stay apart, bright cyan and bright yellow, not both white)
NEGATIVE = ["#262626", "#0000af", "#0000d7", "#005fd7", "#0087ff", "#5fafff", "#5fd7ff", "#87ffff"]
POSITIVE = ["#262626", "#870000", "#af0000", "#d70000", "#ff5f00", "#ff875f", "#ffaf5f", "#ffd787"]
# how surprised the model was: green (expected) to red (shocked)
SURPRISE = ["#5fd75f", "#87d75f", "#afd75f", "#d7d75f", "#ffd75f", "#ffaf5f", "#ff875f", "#ff5f5f", "#ff0000"]
# one colour per token in the cumulative strip, neighbours always distinct (in 16 colours too: blue, red, green,
# magenta, cyan, red, green, magenta; never the target's yellow)
SLICES = ["#5f87d7", "#d7875f", "#5faf5f", "#af5fd7", "#5fd7d7", "#d75f87", "#87d75f", "#d75fd7"]
# how much: dark (nothing) to white (all), for probabilities and attention weights
SHADES = ["#262626", "#3a3a3a", "#5f5f87", "#5f87af", "#5fafd7", "#87d7ff", "#d7ffff", "#ffffff"]
TARGET = "#ffff5f"
KEY = "#ffd75f"  # a key to press, in hints and help
CURSOR = "#ffffff"
DIM = "#808080"
EIGHTHS = " ▏▎▍▌▋▊▉█"


def luminance(colour: str) -> float:
    """WCAG's relative luminance of a #rrggbb colour, 0 (black) to 1 (white)."""
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def ink_on(colour: str) -> str:
    """Black or white, whichever has the more contrast on a #rrggbb colour (the weights' cursor on its cell)."""
    return "#000000" if luminance(colour) > 0.179 else CURSOR  # where the two contrasts are equal


def diverging(value: float, vmax: float) -> str:
    """The scale's colour for a value, given the largest magnitude shown."""
    if not math.isfinite(value):
        return "#ff00ff"
    if vmax <= 0:
        return NEGATIVE[0]
    level = min(len(POSITIVE) - 1, int(round(abs(value) / vmax * (len(POSITIVE) - 1))))
    return (POSITIVE if value >= 0 else NEGATIVE)[level]


def shade_index(weight: float) -> int:
    weight = min(1.0, max(0.0, weight if math.isfinite(weight) else 0.0))
    return min(len(SHADES) - 1, int(weight * (len(SHADES) - 1) + 0.5))


def heat(weight: float) -> str:
    """The shade for a weight between 0 and 1."""
    return SHADES[shade_index(weight)]


def ink(weight: float, light: str = "#bcbcbc") -> str:
    """Text that stays readable on heat(weight): black from the mid blue #5f87af up (light text there was 2:1)."""
    return "#000000" if shade_index(weight) >= 3 else light


def surprise(ratio: float) -> str:
    """Colour for a loss as a fraction of what a fair die would score (1.0 = no better than chance)."""
    if not math.isfinite(ratio):
        return SURPRISE[-1]
    level = min(len(SURPRISE) - 1, max(0, int(ratio / 1.5 * (len(SURPRISE) - 1))))
    return SURPRISE[level]


def bar(fraction: float, width: int) -> str:
    """A left-aligned bar `width` cells wide, filled in eighths of a cell."""
    fraction = min(1.0, max(0.0, fraction if math.isfinite(fraction) else 0.0))
    eighths = int(round(fraction * width * 8))
    full, part = divmod(eighths, 8)
    text = "█" * full + (EIGHTHS[part] if part else "")
    return text.ljust(width)


def legend(vmax: float, width: int = 15) -> Text:
    """The diverging scale from -vmax to +vmax, with its ends labelled."""
    text = Text(f"{-vmax:+.2f} ", style=DIM)
    half = width // 2
    for i in range(-half, half + 1):
        text.append("█", style=diverging(i / half * vmax, vmax))
    text.append(f" {vmax:+.2f}", style=DIM)
    return text


def nice_step(scale: float) -> float:
    """A round number (1, 2 or 5 times a power of ten) near a tenth of `scale`: the size of a weight nudge."""
    if not (math.isfinite(scale) and scale > 0):
        return 0.01
    raw = scale / 10
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power * 1.5:
            return m * power
    return 10 * power


def pad(text: str, width: int, right: bool = False) -> str:
    """text in exactly `width` terminal cells, cut or padded (on the left when right-aligned): a wide character such
    as 日 or an emoji takes two cells, so padding by len() shifted a row's columns."""
    text = set_cell_size(text, width) if cell_len(text) > width else text
    room = " " * (width - cell_len(text))
    return room + text if right else text + room


def token_label(token: str) -> str:
    """How a token reads on screen (the end token and blanks made visible)."""
    return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(token, token)


def short_percent(q: float) -> str:
    """q as a whole percent in two digits at most (99 means 99 or more), so the columns of a table never move."""
    return str(min(99, round(q * 100)))


def percent(q: float) -> str:
    """q in a sentence: one decimal, and two significant digits below 0.1% (0.05%, not a false 0.0%), down to
    0.0001% (below it Python writes 1.1e-66)."""
    if q >= 0.0005 or q == 0:
        return f"{q * 100:.1f}%"
    return f"{q * 100:.2g}%" if q >= 1e-6 else "under 0.0001%"


def fixed_width(x: float, width: int, decimals: int) -> str:
    """x in `width` characters, with fewer decimals as it grows (a loss of 108.84 must not push a row's columns)."""
    for places in range(decimals, -1, -1):
        text = f"{x:{width}.{places}f}"
        if len(text) <= width:
            return text
    return f"{x:.0e}".rjust(width)
