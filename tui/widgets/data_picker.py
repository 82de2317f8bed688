"""`d`: what the chapter learns from: the bundled names, the toy set, or a file of your own (one document per line).

The choice is tried before the screen closes: a file that cannot be used says why, and the current data stays."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.widgets.file_prompt import AcceptScreen
from tui.widgets.text_box import TextBox

CHOICES = [
    ("names", "names: 32,178 US baby names of 2018 (names.txt)"),
    ("toy", "toy: eight short names, ann to nina, letters a i l e n"),
    ("file", "a file of your own: one document per line…"),
]


class DataPicker(AcceptScreen):
    """Returns what `accept(source)` returns for the choice ("names", "toy" or a path), or None on Esc. It opens on
    the data in use (`source`, as a session saves it): a file's path is already typed in the path box."""

    DEFAULT_CSS = """
    DataPicker { align: center middle; }
    DataPicker > Vertical { width: 76; max-width: 100%; height: auto; border: round $accent; background: $surface;
                            padding: 0 1; }
    DataPicker .hint { color: $text-muted; }
    DataPicker OptionList { height: auto; max-height: 5; }
    DataPicker .error { color: $error; height: auto; }
    """

    def __init__(self, current: str, accept, note: str = "", source: str = "names"):
        super().__init__()
        self.current, self.accept, self.note, self.source = current, accept, note, source

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Data"
            box.border_subtitle = "Enter: use it · Esc: keep the current data"
            now = f"Now: {self.current}. {self.note}".strip()
            yield Static(now, classes="hint", markup=False)  # a path may hold [ and ]: plain text, not markup
            yield OptionList(*[Option(label, id=key) for key, label in CHOICES], id="choices")
            path = self.source if self.in_use() == "file" else ""
            yield TextBox(path, placeholder="path of a text file, one document per line", id="path")
            yield Static("", classes="error", id="error", markup=False)

    def on_mount(self) -> None:
        self.query_one("#path").display = False
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = [key for key, _ in CHOICES].index(self.in_use())
        choices.focus()

    def in_use(self) -> str:
        """The choice the data in use is: names (also for documents given on the command line), toy, or a file."""
        return self.source if self.source in ("names", "toy") else "names" if self.source == "docs" else "file"

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id == "file":
            path = self.query_one("#path", Input)
            path.display = True
            self.set_focus(path)  # now: the keys typed next are the path's
        else:
            self.try_accept(event.option.id)

    @on(Input.Submitted, "#path")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.try_accept(event.value.strip())
        else:
            self.show_error("Type the path of a file first.")
