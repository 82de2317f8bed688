"""Textual's Footer, without its leak: every recompose (each time a dialog closes) bound its new keys to the footer's
`compact` and never let go of the old ones, about half a megabyte a dialog (Textualize/textual#6666)."""
from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    async def recompose(self) -> None:
        await super().recompose()
        bound = getattr(self, "__watchers", {}).get("compact")  # where Textual keeps a data_bind's watchers
        if bound:
            bound[:] = [(node, callback) for node, callback in bound if node.is_attached]
