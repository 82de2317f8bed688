"""A text box whose editing keys keep their place among the letters typed around them."""
from __future__ import annotations

from textual import events
from textual.widgets import Input


class TextBox(Input):
    """Textual runs an Input's bindings (Backspace, ctrl+u, the arrows...) from the app, after the key has climbed
    there through each parent's queue, while the box takes letters at once: in keys that arrive together (a busy
    screen, a slow ssh link) "ab", Backspace, "c" came out as "ab" (the c went in before Backspace ran), and ctrl+u
    cleared the letters typed after it. Here the box runs its own bindings as the keys reach it, in order. Enter still climbs: the screen decides what it means."""

    def _on_paste(self, event: events.Paste) -> None:
        if len(event.text.splitlines()) > 1:  # Input keeps the first line: say so, rather than drop the rest unseen
            self.notify("Only the first line was pasted: this box takes one line.")

    async def _on_key(self, event: events.Key) -> None:
        bindings = () if event.key == "enter" else self._bindings.key_to_bindings.get(event.key, ())
        for binding in bindings:
            if await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()  # not Input's own handler either
                return
