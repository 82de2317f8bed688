"""Lines of rich Text drawn as they are, through Textual's line API.

A heatmap is hundreds of coloured cells; a Static re-parses every span on each update, which costs tens of
milliseconds at 20 updates a second. These lines go to the screen as ready-made segments instead.
"""
from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget


class FittedToWidth:
    """For a panel whose text is fitted to its width when drawn: a new size draws what it last showed again."""

    shown: tuple | None = None  # the (session, snapshot) last drawn

    def on_resize(self) -> None:
        if self.shown is not None and self.display:
            self.show(*self.shown)


class Lines(Widget):
    DEFAULT_CSS = """
    Lines {
        height: auto;
        width: auto;
    }
    """

    def __init__(self, **kw):
        super().__init__(**kw)
        self._strips: list[Strip] = []
        self._width = 0
        self.text = Text("")  # the plain content, for tests and copy
        self._cache: list[Strip] = []
        self._blank = Strip.blank(0)
        self._cached_for: list[Strip] | None = None
        self._cache_key: tuple | None = None

    def set_lines(self, lines: list[Text]) -> None:
        console = self.app.console
        strips = [Strip(list(line.render(console))) for line in lines]
        width = max((s.cell_length for s in strips), default=0)
        resized = len(strips) != len(self._strips) or width != self._width
        self._strips, self._width = strips, width
        self.text = Text("\n").join(lines)
        self.refresh(layout=resized)

    def set_prose(self, text: Text, width: int) -> None:
        """A paragraph, wrapped to `width` (tables and heatmaps are cropped instead; prose must not be)."""
        self.set_lines(wrap(text, width, self.app.console))

    def on_resize(self, event) -> None:
        # a layout computed for the lines before (a resize, then a chapter switch at once) can arrive after them
        if event.size != Size(self._width, len(self._strips)):
            self.refresh(layout=True)

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return self._width

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._strips)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        key = (width, self._strips is self._cached_for)
        if self._cache_key != key:  # new lines or a new width: build the screen's strips once
            base = self.rich_style
            self._cache = [s.apply_style(base).extend_cell_length(width, base).crop(0, width) for s in self._strips]
            self._blank = Strip.blank(width, base)
            self._cached_for, self._cache_key = self._strips, (width, True)
        return self._cache[y] if y < len(self._cache) else self._blank


def wrap(text: Text, width: int, console) -> list[Text]:
    """Text wrapped to `width` cells, each line keeping the paragraph's own style."""
    lines = list(text.wrap(console, max(10, width)))
    for line in lines:
        line.stylize(text.style, 0, len(line))
    return lines
