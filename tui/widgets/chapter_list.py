"""The chapter list beside the panels: arrows and Enter (or n / p) move through the story."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from core.chapters import CHAPTERS


class ChapterList(OptionList):
    ALLOW_MAXIMIZE = False  # a list of twelve names alone on the screen shows nothing more

    def follow(self, current: int) -> None:
        """The list drawn again with `current` marked and highlighted."""
        self.clear_options()
        for chapter in CHAPTERS:
            built = chapter.is_built()
            text = Text()
            text.append("▶" if chapter.number == current else " ", style="bold")
            text.append(f"{chapter.number:>2} ", style="bold" if built else "dim")
            text.append(chapter.name, style="" if built else "dim italic")
            self.add_option(Option(text, id=str(chapter.number)))
        self.highlighted = current - 1
        self.border_title = "Chapters"
