"""Textual's Footer, without its leak, and with keys whose label follows what they do now (space: Pause while the
chapter on screen trains)."""
from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.labels: dict[str, str] = {}  # action -> the label it has now, in place of its binding's
        self.descriptions: dict[str, str] = {}  # action -> its binding's label

    async def recompose(self) -> None:
        await super().recompose()
        # every recompose (each time a dialog closes) bound its new keys to the footer's `compact` and never let go of
        # the old ones, about half a megabyte a dialog (Textualize/textual#6666)
        bound = getattr(self, "__watchers", {}).get("compact")  # where Textual keeps a data_bind's watchers
        if bound:
            bound[:] = [(node, callback) for node, callback in bound if node.is_attached]
        self.relabel(self.labels)

    def relabel(self, labels: dict[str, str]) -> None:
        self.labels = labels
        for key in self.query("FooterKey"):
            description = labels.get(key.action, self.descriptions.setdefault(key.action, key.description))
            if key.description != description:
                key.description = description
                key.refresh(layout=True)
