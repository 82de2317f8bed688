"""One line of state: chapter, step, loss, learning rate, data, temperature, engine, and steps a second while
training."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from tui.trainer import Session, Snapshot, data_label
from tui.widgets.lines import FittedToWidth


def status_line(label: str, parts: list[tuple[str, str, str]], roomy: bool, training: bool) -> Text:
    """The chapter's label, then each (text, style, key hint) part; hints and wide gaps only when roomy."""
    text = Text()
    text.append(f" {label} ", style="bold reverse")
    text.append("  ")
    sep = "  │ " if roomy else " │ "
    for i, (part, style, hint) in enumerate(parts):
        text.append(part, style=style)
        if roomy and hint:
            text.append(hint, style="dim")
        if i < len(parts) - 1:
            text.append(sep, style="dim")
    if training:
        text.append("  ● training" if roomy else " ●", style="bold green")
    return text


class StatusBar(FittedToWidth, Static):
    def show(self, session: Session, snap: Snapshot) -> None:
        self.shown = session, snap  # what fits depends on the width: a resize draws it again
        training = session.training
        if not session.built:
            self.update(Text(f" {session.chapter.label} ", style="bold reverse") + Text("  not built yet"))
            return
        parts = []  # (text, style, key hint)
        past = session.model.trainable and snap.step > snap.steps  # trained on past the chapter's usual run
        step = short_step = data = None
        if session.model.trainable:  # the loss of the last step's documents, before its update: not the typed name's
            loss = snap.last_loss
            step = (f"step {snap.step} ({snap.steps} planned)" if past else f"step {snap.step}/{snap.steps}", "", "")
            short_step = (f"step {snap.step} (past {snap.steps})", "", "") if past else step
            data = (f"on {data_label(session.run.dataset, short=True)}", "", " (d)")
            parts += [step, (f"step loss {loss:.4f}" if loss is not None else "step loss –", "", ""),
                      (f"lr {snap.lr:g}", "", " ([ ])"), data]
        elif snap.loss is not None:
            parts.append((f"loss of {snap.scored_label} {snap.loss:.4f}", "", ""))
        temperature, engine = (f"T {session.temperature:g}", "", " (t/T)"), (f"{session.run.config.engine} engine", "", "")
        parts += [temperature, engine]
        if training:
            parts.append((f"{session.steps_per_second:,.0f} steps/s", "bold", ""))
        # what gives way when the line is too narrow, in turn: the engine, the data, the key hints, the plan's wording,
        # the temperature (the speed and the loss stay)
        fewer = [p for p in parts if p is not engine and p is not data]
        shorter = [short_step if p is step else p for p in fewer]
        fewest = [p for p in shorter if p is not temperature]
        plain_step = [(f"step {snap.step}", "", "") if p is short_step else p for p in fewest]  # past the plan: the count
        without_data = [p for p in parts if p is not data]
        without_engine = [p for p in parts if p is not engine]
        roomy = self.size.width >= 100
        candidates = [(parts, roomy), (without_engine, roomy), (without_data, roomy), (parts, False),
                      (without_engine, False), (without_data, False), (fewer, False),
                      (shorter, False), (fewest, False), (plain_step, False)]
        label = session.chapter.label
        for kept, roomy in candidates:
            text = status_line(label, kept, roomy, training)
            if len(text) <= self.size.width:
                break
        self.update(text, layout=False)  # one line, always: no need to lay the screen out again
