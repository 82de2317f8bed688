"""Attention (chapters 11-12): how much each position of the typed name looks at each earlier one, one map per head."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.trainer import Session, Snapshot
from tui.widgets.palette import DIM, POSITIVE, token_label

SHADES = ["#262626", "#3a3a3a", "#5f5f87", "#5f87af", "#5fafd7", "#87d7ff", "#d7ffff", "#ffffff"]


def heat(weight: float) -> str:
    return SHADES[min(len(SHADES) - 1, int(weight * (len(SHADES) - 1) + 0.5))]


def head_map(weights, tokens: list[str], title: str) -> Text:
    """Rows: the position reading; columns: the position read. Row sums are 1 (a softmax)."""
    t = len(weights)
    text = Text(title + "\n", style="bold")
    text.append("   " + "".join(f"{tok:<2}" for tok in tokens[:t]) + "\n", style=DIM)
    for i in range(t):
        text.append(f"{tokens[i]:>2} ", style=DIM)
        for j in range(t):
            if j > i:
                text.append("  ", style="on #121212")
            else:
                text.append("  ", style=f"on {heat(float(weights[i][j]))}")
        if i < t - 1:
            text.append("\n")
    return text


class AttentionPanel(VerticalScroll):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.body = Static("", id="attention-body")

    def compose(self):
        yield self.body

    def show(self, session: Session, snap: Snapshot) -> None:
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
        width = max(20, self.size.width - 2)
        per_row = max(1, width // (2 * len(tokens) + 5))
        grid = Table.grid(padding=(0, 2))
        for _ in range(min(per_row, len(maps))):
            grid.add_column()
        for i in range(0, len(maps), per_row):
            grid.add_row(*maps[i: i + per_row])
        legend = Text("row: the position reading · column: the position it looks at · brighter = more weight", style=DIM)
        self.body.update(Group(grid, legend))
