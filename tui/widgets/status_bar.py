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
        wide = self.size.width >= 100  # on a small screen the key hints give way to the numbers
        parts = []  # (text, style, hint): the parts after the chapter, in order
        if session.model.trainable:
            loss = snap.last_loss
            past = snap.step > snap.steps  # trained on past the chapter's usual run
            step = f"step {snap.step} ({snap.steps} planned)" if past else f"step {snap.step}/{snap.steps}"
            parts += [(step, "", ""),
                      (f"loss {loss:.4f}" if loss is not None else "loss –", "", ""),
                      (f"lr {snap.lr:g}", "", " [ ]")]
        elif snap.loss is not None:
            parts.append((f"loss of {snap.name!r} {snap.loss:.4f}", "", ""))
        parts += [(f"T {session.temperature:g}", "", " t T"), (session.run.config.engine, "", "")]
        if training:
            parts.append((f"{session.steps_per_second:,.0f} steps/s", "bold", ""))
        sep = "  │ " if wide else " │ "

        def width(parts) -> int:
            return len(text) + 2 + sum(len(p) + len(h if wide else "") + len(sep) for p, _, h in parts)

        if training and width(parts) > self.size.width:
            del parts[-2]  # while it trains, its speed says more than the engine's name
        text.append("  ")
        for i, (part, style, hint) in enumerate(parts):
            text.append(part, style=style)
            if wide and hint:
                text.append(hint, style="dim")
            if i < len(parts) - 1:
                text.append(sep, style="dim")
        if training:
            text.append("  ● training" if wide else " ●", style="bold green")
        self.update(text, layout=False)  # one line, always: no need to lay the screen out again
