"""Gradients (chapters 5-8): the finite-difference slope of the loss beside the exact one, for the selected weights."""
from __future__ import annotations

import math

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
        self.border_title = "Grads of the typed name's loss, now"  # the Weights panel's gradient is the last step's
        if not session.built:
            self.body.update(Text(session.error, style=DIM))
            return
        if session.training:
            self.body.update(Text("Comparing gradients pauses while training runs: space pauses it.", style=DIM))
            return
        if not snap.grad_check:
            self.body.update(Text("Type a name (/) to see its gradients.", style=DIM))
            return
        if snap.loss is not None and not math.isfinite(snap.loss):  # both slopes come out nan: say why instead
            why = ("a probability came out exactly 0 in float64" if math.isinf(snap.loss) else "the numbers broke")
            self.body.update(Text(f"The loss of {snap.scored_label} is {snap.loss}: {why}, so there is no slope to "
                                  "measure. Nudge the weights back (+ or -).", style=DIM))
            return
        left, right = snap.grad_note.split(" | ")
        # one space between columns: with 27 rows a scrollbar takes two columns, and the gap column was cut
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", expand=False, collapse_padding=True)
        table.add_column("weight", no_wrap=True)
        table.add_column(left, justify="right", no_wrap=True)
        table.add_column(right, justify="right", no_wrap=True)
        table.add_column("gap", justify="right", style=DIM, no_wrap=True)
        values = snap.weights[session.matrix]
        labels = axis_labels(session.matrix, values.shape, session.run.vocab)
        for index, a, b in snap.grad_check:
            style = f"bold {TARGET}" if tuple(index) == tuple(session.cursor) else ""
            name = "".join(f"[{labels[axis][i]}]" for axis, i in enumerate(index))
            name = name[1:-1] if len(index) == 1 else session.matrix + name  # a vector's rows: just the token
            table.add_row(Text(name), f"{a:+.5f}", f"{b:+.5f}", f"{abs(a - b):.0e}", style=style)
        if session.chapter.number < 7:
            note = ("EPSILON 0.01: (loss(w + 0.01) - loss(w)) / 0.01; h 1e-6: a nudge of 1e-6 each way, near exact. "
                    "The gap comes from EPSILON's size.")
        else:
            note = ("h 1e-6: (loss(w + h) - loss(w - h)) / 2h, two losses per weight, as in chapter 5; backprop: "
                    "every gradient, exactly, in one backward pass.")
        self.body.update(Group(table, Text(note, style=DIM)))
