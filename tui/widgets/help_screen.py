"""`?`: every key, grouped by what it is for."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.widgets.footer import Footer
from tui.widgets.generate_panel import SLOW_STEPS_PER_SECOND
from tui.widgets.palette import KEY

KEYS = [
    ("Chapters", [
        ("n / p", "next / previous chapter"),
        ("↑ ↓ Enter", "pick a chapter in the list (when it has the focus)"),
        ("c", "show the chapter's code, what is new marked (there: e the other engine's, w long lines folded or not)"),
    ]),
    ("Training (chapter 6 on)", [
        ("space", "start / pause training"),
        (".", "one training step"),
        ("r", "reset the model to its first weights (once trained or nudged: r twice)"),
        ("[ / ]", "lower / raise the learning rate"),
    ]),
    ("Weights", [
        ("w", "next matrix"),
        ("← ↑ ↓ →", "move the cursor (when the weights have the focus; tab moves it); a click picks a weight too"),
        ("+ / -", "nudge the selected weight: the loss updates at once"),
    ]),
    ("Probabilities", [
        ("/", "type a name; Esc or Enter leaves the box"),
    ]),
    ("Generate", [
        ("g", "write one name token by token (again: jump to the end)"),
        ("G", "write ten names at once"),
        ("t / T", "lower / raise the temperature"),
        ("s", f"speed: slow (training too: {SLOW_STEPS_PER_SECOND} steps/s), normal, fast, instant"),
    ]),
    ("Sessions and data", [
        ("ctrl+s", "save the chapter's session (its weights, step and history) to a file"),
        ("ctrl+o", "open a saved session"),
        ("d", "pick the data: the bundled names, the toy names, names typed there, or a file of your own"),
    ]),
    ("Views", [
        ("l", "the loss chart, with running mean, baseline and held-out loss"),
        ("a", "attention maps of the typed name (chapters 11-12)"),
        ("Esc", "close the loss chart or the attention maps, as l and a do"),
        ("1-6", "on a small screen: show one panel (About, Weights, Probs, Loss, Generate, and Grads or Attention "
                "where the chapter has them)"),
        ("ctrl+p", "command palette: every action by name"),
        ("?", "this help"),
        ("q", "quit (ctrl+c too, outside a text box; steps or nudges not saved: q twice)"),
        ("ctrl+q", "quit from anywhere, a dialog or a text box too (not saved: twice)"),
    ]),
]


def help_table() -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style=f"bold {KEY}", justify="right")
    table.add_column()
    for group, keys in KEYS:
        table.add_row(Text(""), Text(""))
        table.add_row(Text(""), Text.assemble((group, "bold underline")))  # a span: the cell's padding stays plain
        for key, what in keys:
            table.add_row(key, what)
    return table


class HelpScreen(ModalScreen):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("question_mark", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-scroll") as scroll:
            scroll.border_title = "Keys"
            scroll.border_subtitle = "Esc or ? close"
            yield Static(help_table(), id="help")
        yield Footer()  # its own keys: the playground's footer below would offer keys that do nothing here

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()
