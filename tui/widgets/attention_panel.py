"""Attention (chapters 11-12): how much each position of the typed name looks at each earlier one, one map per head."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.trainer import Session, Snapshot
from tui.widgets.lines import FittedToWidth
from tui.widgets.palette import DIM, heat, ink, pad, short_percent, token_label

def head_map(weights, tokens: list[str], title: str, cell: int = 3) -> Text:
    """Rows: the position reading; columns: the position read, in percent (in tens of percent when cells are 2
    wide). Each row sums to 100 (a softmax)."""
    t = len(weights)
    text = Text(title + "\n", style="bold")
    text.append("   " + "".join(pad(tok, cell, right=True) for tok in tokens[:t]) + "\n", style=DIM)
    for i in range(t):
        text.append(pad(tokens[i], 2, right=True) + " ", style=DIM)  # by cells: a wide 日 takes two
        for j in range(t):
            if j > i:  # a position never reads the future
                text.append("·".rjust(cell), style="#444444")
            else:
                w = float(weights[i][j])
                if cell < 3:
                    shown = tens_digit(w)
                else:  # the first position reads itself alone: all of it, not a "99" in a row said to sum to 100
                    shown = "100" if i == 0 else short_percent(w)
                text.append(shown.rjust(cell), style=f"{ink(w)} on {heat(w)}")
        if i < t - 1:
            text.append("\n")
    return text


def tens_digit(weight: float) -> str:
    """A weight as its tens of percent, one digit (9 means 90 or more): a 2-wide cell keeps a blank between numbers."""
    return str(min(9, max(0, int(weight * 100) // 10)))


def map_width(tokens: int, cell: int) -> int:
    return 3 + cell * tokens  # the row labels, then a cell per position


class AttentionPanel(FittedToWidth, VerticalScroll):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.body = Static("", id="attention-body")

    def compose(self):
        yield self.body

    def show(self, session: Session, snap: Snapshot) -> None:
        self.shown = session, snap
        self.border_title = "Attention of the typed name"
        self.border_subtitle = "a: close"
        if not session.built:
            self.body.update(Text(session.error, style=DIM))
            return
        if snap.attention is None:
            self.body.update(Text("Type a name (/) to see where each position looks.", style=DIM))
            return
        vocab = session.run.vocab
        tokens = [token_label(vocab.end_symbol)] + [token_label(vocab.tokens[i]) for i in snap.ids]
        width = self.content_region.width or 60
        positions = len(snap.attention[0]) if snap.attention else 0
        # a long name's map fits in narrower cells (one digit each) rather than wrapping every row in two
        cell = 3 if map_width(positions, 3) <= width - 1 else 2  # 1 for the scrollbar
        maps = []
        for h, weights in enumerate(snap.attention):
            maps.append(head_map(weights, tokens, f"head {h + 1} of {len(snap.attention)}", cell))
        per_row = max(1, (width - 1 + 2) // (map_width(positions, cell) + 2))  # maps 2 apart, 1 for the scrollbar
        grid = Table.grid(padding=(0, 2))
        for _ in range(min(per_row, len(maps))):
            grid.add_column()
        for i in range(0, len(maps), per_row):
            grid.add_row(*maps[i: i + per_row])
        scale = ("in % (a row sums to 100, up to rounding; 99 means 99 or more, but the first reads itself: 100)"
                 if cell >= 3 else "in tens of % (3 means 30 to 39; 9 means 90 or more)")
        legend = Text(f"each row: where that position looks, {scale}; · is the future, hidden", style=DIM)
        self.body.update(Group(grid, legend))
