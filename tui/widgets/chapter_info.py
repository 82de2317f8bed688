"""What the chapter is about and what changed since the previous one."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from core.chapters import Chapter


class ChapterInfo(Static):
    def show(self, chapter: Chapter, built: bool, error: str, compact: bool) -> None:
        text = Text()
        text.append(f"{chapter.number}. {chapter.title}", style="bold")
        if compact:
            text.append("  new: ", style="dim")
            text.append(chapter.changes)
        else:
            text.append("   " + chapter.summary)
            text.append("\nnew: ", style="bold green")
            text.append(chapter.changes)
        if not built:
            text.append(f"\n{error}", style="bold yellow")
        self.update(text)
