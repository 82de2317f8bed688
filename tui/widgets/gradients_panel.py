"""Gradients (chapters 5-7): the finite-difference slope of the loss beside the exact one, for the selected weights."""
from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.trainer import Session, Snapshot
from tui.widgets.palette import DIM, TARGET
from tui.widgets.weights_panel import axis_labels


class GradientsPanel(VerticalScroll):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.body = Static("", id="gradients-body")

    def compose(self):
        yield self.body

    def show(self, session: Session, snap: Snapshot) -> None:
        self.border_title = "Gradients of the typed name's loss"
        if not session.built:
            self.body.update(Text(session.error, style=DIM))
            return
        if session.training:
            self.body.update(Text("Comparing gradients pauses while training runs: space pauses it.", style=DIM))
            return
        if not snap.grad_check:
            self.body.update(Text("Type a name (/) to see its gradients.", style=DIM))
            return
        left, right = snap.grad_note.split(" | ")
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", expand=False)
        table.add_column("")
        table.add_column(left, justify="right", no_wrap=True)
        table.add_column(right, justify="right", no_wrap=True)
        table.add_column("gap", justify="right", style=DIM, no_wrap=True)
        values = snap.weights[session.matrix]
        labels = [axis_labels(n, session.run.vocab) for n in values.shape]
        for index, a, b in snap.grad_check:
            style = f"bold {TARGET}" if tuple(index) == tuple(session.cursor) else ""
            name = session.matrix + "".join(f"[{labels[axis][i]}]" for axis, i in enumerate(index))
            table.add_row(Text(name), f"{a:+.5f}", f"{b:+.5f}", f"{abs(a - b):.0e}", style=style)
        if session.chapter.number < 7:
            note = ("Forward difference: (loss(w + 0.01) - loss(w)) / 0.01, the post's way; EPSILON makes it "
                    "miss in the third decimal. Backprop (chapter 7) gives the exact slope in one pass.")
        else:
            note = "Backprop gives every gradient in one backward pass; the finite difference needs two losses per weight."
        self.body.update(Group(table, Text(note, style=DIM)))
