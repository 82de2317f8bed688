"""The box the name is typed in, under the probabilities."""
from __future__ import annotations

from textual.binding import Binding
from textual.message import Message

from core.data import control_character
from tui.widgets.text_box import TextBox


class NameBox(TextBox):
    """Opened by / (or a click) only: tab, moving between the panels, never lands in it, where the next key meant for
    a panel would replace the name."""

    can_focus = False
    # for the footer (the app takes both keys as they arrive, before the box): the playground's keys type letters here
    BINDINGS = [Binding("escape", "leave", "Leave the box"), Binding("enter", "leave", show=False)]

    class Left(Message):
        """Esc or Enter: the keys are the playground's again."""

    def __init__(self, **kw):
        super().__init__(placeholder="type a name ( / to focus, Esc to leave)", id="name", max_length=16,
                         **kw)

    def replace(self, text: str, start: int, end: int) -> None:
        """Refuses what data files refuse (a pasted tab, ESC, U+202E...): a session would save it, and the screen
        would print it raw. A paste past max_length is cut to fit (Textual's Input would drop all of it)."""
        bad = control_character(text)
        if bad:
            self.restricted()
            self.notify(f"Not taken: a name cannot hold {bad}.")  # a bell alone does not say which, or why
            return
        start, end = sorted((start, end))  # a selection made leftwards runs backwards
        room = self.max_length - (len(self.value) - (end - start))
        if len(text) > room:  # a long paste is cut to fit, and rings, as typing past the limit does
            self.restricted()
            text = text[: max(room, 0)]
        super().replace(text, start, end)

    def open(self) -> None:
        self.can_focus = True
        self.screen.set_focus(self)  # now: keys in the same burst as / are the name's

    def action_leave(self) -> None:  # a click on the footer's key
        self.post_message(self.Left())

    def on_blur(self) -> None:
        self.can_focus = False

    def on_click(self) -> None:
        self.open()
