"""One line of state: chapter, step, loss, learning rate, temperature, engine, speed."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.trainer import Session, Snapshot


class StatusBar(Static):
    def show(self, session: Session, snap: Snapshot, training: bool) -> None:
        text = Text()
        text.append(f" {session.chapter.label} ", style="bold reverse")
        if not session.built:
            text.append("  not built yet")
            self.update(text)
            return
        run = session.run
        wide = self.size.width >= 100  # on a small screen the key hints give way to the numbers
        sep = ("  │ ", "dim") if wide else (" │ ", "dim")
        if session.model.trainable:
            text.append(f"  step {snap.step}/{snap.steps}")
            text.append(*sep)
            loss = snap.last_loss
            text.append(f"loss {loss:.4f}" if loss is not None else "loss –")
            text.append(*sep)
            text.append(f"lr {snap.lr:g}")
            if wide:
                text.append(" [ ]", style="dim")
        elif snap.loss is not None:
            text.append(f"  loss of {snap.name!r} {snap.loss:.4f}")
        text.append(*sep)
        text.append(f"T {session.temperature:g} ")
        if wide:
            text.append("t T", style="dim")
        text.append(*sep)
        text.append(f"{run.config.engine}")
        if training:
            text.append(*sep)
            text.append(f"{session.steps_per_second:,.0f} steps/s", style="bold")
            text.append("  ● training" if wide else " ●", style="bold green")
        self.update(text, layout=False)  # one line, always: no need to lay the screen out again
