"""What the chapter is about, what changed since the previous one, and something to try."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from core.chapters import Chapter
from tui.widgets.palette import KEY

ENGINE_LINES = {  # About names the engine at work: what it is, and how to run the other (one line at 80x24)
    "fast": "fast (numpy); --engine scalar runs the Values in c.",
    "scalar": "scalar, the Values in c; the default is numpy.",
}
TRY = {
    1: "press g a few times: every name is rolls of a fair die until '.' comes up.",
    2: "press g a few times: the scores are new random numbers each token, so no two dice match.",
    3: "tab to the weights (at 80x24: 2 first), pick one with the arrows, + until it wins.",
    4: "type a name with /, Esc to leave the box, then + or - on a weight: the loss moves at once.",
    5: "nudge a weight and compare the slope EPSILON measures with a far smaller nudge's, near exact (panel Grads).",
    6: "with ann typed (/), space: its loss (Probabilities) falls from 0.887 to 0.738; then d, toy: the eight toy "
       "names.",
    7: "c, then PageDown a few times to class Value: its one backward pass finds every gradient.",
    8: "+ on '.' many times, then type nnnn: -log p grows without limit as p(n) falls (1 - p stopped at 1).",
    9: "space, then g: in a few hundred steps the names sound like names; held-out (Loss): names it never sees.",
    10: "train (space), then compare held-out (Loss) with chapter 9's: about even at 2000 steps, ahead if you train on.",
    11: "train, type a name (/), then a: where each position looks; the weights part slowly (no residuals yet).",
    12: "train, then G: microgpt's names (anir, lanen, mamian first if nothing was sampled before).",
}


class ChapterInfo(Static):
    def show(self, chapter: Chapter, built: bool, error: str, compact: bool) -> None:
        text = Text()
        text.append(f"{chapter.number}. {chapter.title}", style="bold")
        if compact:  # one line, cut with an ellipsis (app.tcss): the About panel has the whole text
            text.append("  new: ", style="dim")
            text.append(chapter.changes)
        else:
            text.append("   " + chapter.summary)
            text.append("\nnew: ", style="bold green")
            text.append(chapter.changes)
            if built and chapter.number in TRY:
                text.append("   try: ", style=f"bold {KEY}")
                text.append(TRY[chapter.number])
        if not built:
            text.append(f"\n{error}", style="bold yellow")
        self.update(text)


class AboutPanel(Static):
    """Panel 1: the chapter in full, what to try, and the keys that matter first."""

    def on_mount(self) -> None:
        self.border_title = "About this chapter"

    def show(self, chapter: Chapter, built: bool, error: str, panel_count: int, engine: str | None = None) -> None:
        text = Text()
        text.append(f"{chapter.label}: {chapter.title}\n\n", style="bold")
        text.append(chapter.summary + "\n\n")
        text.append("New in this chapter: ", style="bold green")
        text.append(chapter.changes + "\n\n")
        if engine and len(chapter.engines) > 1:
            text.append("Engine: ", style="bold")
            text.append(ENGINE_LINES[engine] + "\n\n")
        if not built:
            text.append(error + "\n\n", style="bold yellow")
        elif chapter.number in TRY:
            text.append("Try: ", style=f"bold {KEY}")
            text.append(TRY[chapter.number] + "\n\n")
        self.keys_line = f"Keys: 1-{panel_count} a panel · / a name · g generate · c code · ? help"
        text.append(self.keys_line, style="dim")  # one line at 80x24: wrapped, it parted a key from its word
        self.update(text)
