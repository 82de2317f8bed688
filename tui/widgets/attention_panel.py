"""Attention (chapters 11-12): how much each position of the typed name looks at each earlier one, one map per head."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.trainer import Session, Snapshot
from tui.widgets.lines import FittedToWidth
from tui.widgets.palette import DIM, heat, ink, short_percent, token_label

def head_map(weights, tokens: list[str], title: str) -> Text:
    """Rows: the position reading; columns: the position read, in percent. Each row sums to 100 (a softmax)."""
    t = len(weights)
    text = Text(title + "\n", style="bold")
    text.append("   " + "".join(f"{tok:>3}" for tok in tokens[:t]) + "\n", style=DIM)
    for i in range(t):
        text.append(f"{tokens[i]:>2} ", style=DIM)
        for j in range(t):
            if j > i:  # a position never reads the future
                text.append("  ·", style="#444444")
            else:
                w = float(weights[i][j])
                text.append(short_percent(w).rjust(3), style=f"{ink(w)} on {heat(w)}")
        if i < t - 1:
            text.append("\n")
    return text


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
        maps = []
        for h, weights in enumerate(snap.attention):
            maps.append(head_map(weights, tokens, f"head {h + 1} of {len(snap.attention)}"))
        width = self.content_region.width or 60
        per_row = max(1, (width - 1 + 2) // (3 * len(tokens) + 3 + 2))  # maps 2 apart, 1 for the scrollbar
        grid = Table.grid(padding=(0, 2))
        for _ in range(min(per_row, len(maps))):
            grid.add_column()
        for i in range(0, len(maps), per_row):
            grid.add_row(*maps[i: i + per_row])
        legend = Text("each row: where that position looks, in % (a row sums to 100, up to rounding; 99 means 99 or more); "
                      "· is the future, hidden",
                      style=DIM)
        self.body.update(Group(grid, legend))
