"""ctrl+s / ctrl+o: a one-line path prompt. Enter accepts, Esc cancels; a path that does not work says why in one
line and the prompt stays open, so nothing is lost to a typo."""
from __future__ import annotations

import os

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from core.data import printable, shown_path
from tui.widgets.footer import Footer
from tui.widgets.text_box import TextBox

LONGEST_WORD = 40  # a path longer than this is cut in the middle in an error too long for its lines
ERROR_LINES = 2


def one_line(error: Exception) -> str:
    text = str(error).strip()
    return printable(text.splitlines()[0]) if text else type(error).__name__


def cut_middle(text: str, most: int) -> str:
    """`text` in `most` characters at most: its start and its end (a path's folder and file), an ellipsis between."""
    if len(text) <= most:
        return text
    start = (most - 1) // 2
    return text[:start] + "…" + text[len(text) - (most - 1 - start):]


def short_error(text: str, typed: str, width: int, console) -> str:
    """An error that takes more than ERROR_LINES lines of `width`, with the paths it names (the typed one, and any
    word as long as a path) cut in the middle, so that the reason after a path stays on screen."""
    def lines(message: str) -> int:
        return len(Text(message).wrap(console, width))

    if lines(text) <= ERROR_LINES:
        return text
    shorter = []
    for most in (LONGEST_WORD, LONGEST_WORD // 2):  # shorter paths only if that brings it to ERROR_LINES
        cut = text.replace(typed, cut_middle(typed, most)) if len(typed) > most else text  # it may hold blanks
        shorter.append(" ".join(cut_middle(word, most) for word in cut.split(" ")))
    return next((message for message in shorter if lines(message) <= ERROR_LINES), shorter[0])


class AcceptScreen(ModalScreen):
    """A dialog whose answer is tried by `accept` before it closes: an error stays on screen, one line, to be corrected."""

    DEFAULT_CSS = """
    AcceptScreen { align: center middle; }
    AcceptScreen > Vertical { width: 76; max-width: 100%; height: auto; border: round $accent; background: $surface;
                              padding: 0 1; }
    AcceptScreen .hint { color: $text-muted; }
    AcceptScreen .error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    accept = None

    def try_accept(self, value: str) -> None:
        try:
            result = self.accept(value)
        except Exception as e:  # noqa: BLE001 - whatever the file holds, the playground stays up and says why
            self.show_error(one_line(e), value if isinstance(value, str) else "")  # typed names come as a tuple
            return
        self.dismiss(result)

    def show_error(self, text: str, typed: str = "") -> None:
        error = self.query_one("#error", Static)
        width = error.content_region.width or 72  # not laid out yet: the box's width at 80 columns
        error.update(short_error(text, typed, width, self.app.console))

    @on(Input.Changed)
    def typed_changed(self) -> None:
        self.show_error("")  # the error was about what was typed before: it would read as this one's

    def action_cancel(self) -> None:
        self.dismiss(None)


class FilePrompt(AcceptScreen):
    """Asks for a path. With `accept`, the path is tried at once: its result is what the screen returns, and an error
    stays on screen to be corrected. Without it, the path itself is returned. Esc returns None."""

    def __init__(self, title: str, value: str = "", hint: str = "", accept=None):
        super().__init__()
        self.title_text, self.value, self.hint, self.accept = title, value, hint, accept
        self.typed_ahead: list[events.Key] = []  # keys typed before the box was there to take them

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            box.border_subtitle = "Enter: ok · Esc: cancel"
            # a bare name goes where the playground was started: say where that is (if it is still there)
            try:
                here = f"A path without a folder is in {shown_path(os.getcwd())}."
            except OSError:
                here = "The folder the playground started in is gone: give a full path."
            yield Static(f"{self.hint} {here}" if self.hint else here, classes="hint", markup=False)  # [ and ] in paths
            yield TextBox(value=self.value, placeholder="a file path", id="path")
            yield Static("", classes="error", id="error", markup=False)
        yield Footer()  # its own keys: the playground's footer below would offer keys that do nothing here

    def on_mount(self) -> None:
        box = self.query_one("#path", Input)
        self.set_focus(box)
        for key in self.typed_ahead:
            box.post_message(key)

    def type_ahead(self, key: events.Key) -> None:
        """A key typed in the same burst as the one that opened the prompt: to the box, or kept until it is there."""
        if self.is_mounted:
            self.query_one("#path", Input).post_message(key)
        else:
            self.typed_ahead.append(key)

    @on(Input.Submitted, "#path")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        path = event.value.strip()
        if not path:
            self.show_error("Type a file path first.")
            return
        if self.accept is None:
            self.dismiss(path)
        else:
            self.try_accept(path)
