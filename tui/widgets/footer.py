"""Textual's Footer, without its leak, and with keys that follow the chapter on screen: a label that says what the key
does now (space: Pause while it trains), dimmed where the key has nothing to do (it still says why when pressed), left
out where it has no room or no use (a: the attention maps, on a wide screen in chapters 11-12)."""
from __future__ import annotations

from textual.widgets import Footer as TextualFooter


class Footer(TextualFooter):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.labels: dict[str, str] = {}  # action -> the label it has now, in place of its binding's
        self.dimmed: frozenset[str] = frozenset()  # actions with nothing to do here
        self.hidden: frozenset[str] = frozenset()  # actions left out of the footer here
        self.descriptions: dict[str, str] = {}  # action -> its binding's label

    async def recompose(self) -> None:
        await super().recompose()
        # every recompose (each time a dialog closes) bound its new keys to the footer's `compact` and never let go of
        # the old ones, about half a megabyte a dialog (Textualize/textual#6666)
        bound = getattr(self, "__watchers", {}).get("compact")  # where Textual keeps a data_bind's watchers
        if bound:
            bound[:] = [(node, callback) for node, callback in bound if node.is_attached]
        self.apply_labels()  # new keys, with their bindings' labels

    def relabel(self, labels: dict[str, str], dimmed: frozenset[str], hidden: frozenset[str]) -> None:
        """The labels, dimmed and hidden keys of the moment (called with every snapshot: only a change touches the
        keys)."""
        if (labels, dimmed, hidden) != (self.labels, self.dimmed, self.hidden):
            self.labels, self.dimmed, self.hidden = labels, dimmed, hidden
            self.apply_labels()

    def apply_labels(self) -> None:
        labels, dimmed = self.labels, self.dimmed
        for key in self.query("FooterKey"):
            key.display = key.action not in self.hidden
            description = labels.get(key.action, self.descriptions.setdefault(key.action, key.description))
            if key.description != description:
                key.description = description
                key.refresh(layout=True)
            # the look of a disabled key (a click still says why); one Textual disabled itself stays so
            key.set_class(key.action in dimmed or key._disabled, "-disabled")
