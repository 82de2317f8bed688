"""`d`: what the chapter learns from: the bundled names, the toy set, names typed here, or a file of your own (one
document per line).

The choice is tried before the screen closes: a file that cannot be used says why, and the current data stays."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.widgets.footer import Footer
from tui.widgets.file_prompt import AcceptScreen
from tui.widgets.text_box import TextBox

CHOICES = [
    ("names", "names: 32,178 US baby names of 2018 (names.txt)"),
    ("toy", "toy: eight short names, ann to nina, letters a i l e n"),
    ("typed", "names typed here, separated by commas{letters}…"),
    ("file", "a file of your own: one document per line…"),
]


def typed_docs(text: str) -> tuple[str, ...]:
    """The documents of the typed box: comma-separated, blanks dropped."""
    return tuple(doc.strip() for doc in text.split(",") if doc.strip())


class DataPicker(AcceptScreen):
    """Returns what `accept(source)` returns for the choice ("names", "toy", a path, or a tuple of typed documents),
    or None on Esc. It opens on the data in use (`source`, as a session saves it, with its `docs`): a file's path,
    or the typed names, are already in their box."""

    DEFAULT_CSS = """
    DataPicker OptionList { height: auto; max-height: 7; }  /* every choice in sight, one of them on two lines */
    """

    def __init__(self, current: str, accept, note: str = "", source: str = "names", docs: tuple[str, ...] = (),
                 letters: str = ""):
        super().__init__()
        self.current, self.accept, self.note, self.source, self.docs = current, accept, note, source, docs
        self.letters = letters  # what typed names may hold: the chapter's vocabulary

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Data"
            box.border_subtitle = "Enter: use it · Esc: keep the current data"
            now = f"Now: {self.current}. {self.note}".strip()
            yield Static(now, classes="hint", markup=False)  # a path may hold [ and ]: plain text, not markup
            letters = f", of the letters {self.letters}" if self.letters else ""
            yield OptionList(*[Option(label.format(letters=letters), id=key) for key, label in CHOICES], id="choices")
            path = self.source if self.in_use() == "file" else ""
            yield TextBox(path, placeholder="path of a text file, one document per line", id="path")
            yield TextBox(", ".join(self.docs), placeholder="names separated by commas, e.g. ann, leia", id="typed")
            yield Static("", classes="error", id="error", markup=False)
        yield Footer()  # its own keys, as every dialog shows them

    def on_mount(self) -> None:
        for box in self.query(TextBox):
            box.display = False
        choices = self.query_one("#choices", OptionList)
        choices.highlighted = [key for key, _ in CHOICES].index(self.in_use())
        choices.focus()

    def in_use(self) -> str:
        """The choice the data in use is: names, toy, typed (documents given directly), or a file."""
        return {"names": "names", "toy": "toy", "docs": "typed"}.get(self.source, "file")

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id in ("file", "typed"):
            box_id = "path" if event.option.id == "file" else "typed"
            for box in self.query(TextBox):
                box.display = box.id == box_id
            self.show_error("")
            self.set_focus(self.query_one(f"#{box_id}", TextBox))  # now: the keys typed next are its
        else:
            self.try_accept(event.option.id)

    @on(Input.Submitted, "#path")
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.try_accept(event.value.strip())
        else:
            self.show_error("Type the path of a file first.")

    @on(Input.Submitted, "#typed")
    def typed_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        docs = typed_docs(event.value)
        if docs:
            self.try_accept(docs)
        else:
            self.show_error("Type one or more names first, separated by commas.")
