"""Below 80x24 the panels cannot be read: this screen says so, over the playground, until the terminal grows."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Static

MIN_SIZE = (80, 24)


def too_small(width: int, height: int) -> bool:
    return width < MIN_SIZE[0] or height < MIN_SIZE[1]


class TooSmallScreen(ModalScreen):
    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen > Static { width: 100%; height: auto; text-align: center; }
    """
    BINDINGS = [Binding("q", "app.quit", "Quit"), Binding("ctrl+c", "app.quit", "Quit", show=False)]

    clear_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="too-small")
        yield Static("", id="too-small-note")

    def say(self, message: str, seconds: float) -> None:
        """A message the playground would toast (q's question): here, in lines that wrap, not over this text; gone
        after `seconds`, as the toast would be (q's question ends then: a note left up said q again quits)."""
        note = self.query_one("#too-small-note", Static)
        note.update("\n" + message)
        if self.clear_timer is not None:
            self.clear_timer.stop()
        self.clear_timer = self.set_timer(seconds, lambda: note.update(""))

    def on_mount(self) -> None:
        self.show_size(self.app.size.width, self.app.size.height)

    def show_size(self, width: int, height: int) -> None:
        self.query_one("#too-small", Static).update(  # lines that wrap, for a terminal of any width
            f"minigpt-tui needs a terminal of at least {MIN_SIZE[0]}x{MIN_SIZE[1]}; this one is {width}x{height}. "
            "Make it larger, or press q to quit.")
