"""On a small screen the panels take turns: this bar names them, with the key (or a click) that shows each."""
from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

PANEL_TITLES = {"about": "About", "weights": "Weights", "probs": "Probs", "loss": "Loss",
                "generate": "Generate", "gradients": "Grads", "attention": "Attention"}


class PanelBar(Static):
    class Picked(Message):
        def __init__(self, panel: str):
            super().__init__()
            self.panel = panel

    def __init__(self, **kw):
        super().__init__(**kw)
        self.spans: list[tuple[int, int, str]] = []
        self.panels: list[str] = []
        self.active = ""

    def show(self, panels: list[str], active: str) -> None:
        self.panels, self.active = panels, active
        labels = [f"{i} {PANEL_TITLES[panel]}" for i, panel in enumerate(panels, start=1)]
        roomy = sum(len(label) + 3 for label in labels) <= self.size.width  # else the labels close up to fit
        text, self.spans = Text(), []
        for label, panel in zip(labels, panels):
            label = f" {label} " if roomy else label
            self.spans.append((len(text), len(text) + len(label), panel))
            text.append(label, style="bold reverse" if panel == active else "")
            text.append(" ")
        self.update(text)

    def on_resize(self) -> None:
        self.show(self.panels, self.active)

    def on_click(self, event: events.Click) -> None:
        x = event.x - self.styles.padding.left
        for start, end, panel in self.spans:
            if start <= x < end:
                self.post_message(self.Picked(panel))
