"""On a small screen the panels take turns: this bar names them, with the key (or a click) that shows each."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

PANEL_TITLES = {"about": "About", "weights": "Weights", "probs": "Probs", "loss": "Loss",
                "generate": "Generate", "gradients": "Grads", "attention": "Attention"}


class PanelBar(Static):
    def show(self, panels: list[str], active: str) -> None:
        text = Text()
        for i, panel in enumerate(panels, start=1):
            label = f" {i} {PANEL_TITLES[panel]} "
            style = "bold reverse" if panel == active else ""
            text.append(label, style=style)
            text.append(" ")
        self.update(text)
