"""Weights: vectors as labelled bars, matrices as heatmaps; a cursor picks one weight to inspect and nudge."""
from __future__ import annotations

import numpy as np
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.geometry import Region
from textual.message import Message

from core.chapters.c02_logits import logits_to_probs
from core.chapters.c05_gradients import EPSILON
from tui.trainer import Session, Snapshot
from tui.widgets.lines import FittedToWidth, Lines
from tui.widgets.palette import CURSOR, DIM, bar, diverging, ink_on, legend, nice_step, pad, token_label


SOFTMAX_CHAPTER = 8  # from here on a weight is a logit: its probability is a softmax, not a share of the sum
TOKEN_ROWS = ("weights", "wte", "lm_head")  # a row (an entry) per token; every other axis counts positions or numbers


def axis_labels(name: str, shape: tuple[int, ...], vocab) -> list[list[str]]:
    """Each axis's labels: a parameter's rows that stand for tokens get the token; others their index (wpe's rows
    are positions, even when there are as many as tokens)."""
    return [[token_label(t) for t in vocab.tokens] if axis == 0 and name in TOKEN_ROWS else [str(i) for i in range(n)]
            for axis, n in enumerate(shape)]


def describe(snap: Snapshot, name: str, index: tuple[int, ...], labels: list[list[str]], step: float,
             with_loss: bool = False) -> Text:
    """The selected weight: value, gradient, and Adam's moments where Adam is used; with_loss, the typed name's
    loss too."""
    value = float(snap.weights[name][index])
    text = Text()
    text.append(name + "".join(f"[{labels[axis][i]}]" for axis, i in enumerate(index)) + " ", style="bold")
    text.append(f"= {value:+.4f}", style="bold " + CURSOR)
    text.append(f"  +/- {step:g}", style=DIM)
    if name == "weights" and snap.probs:  # chapters 3-8: a weight per token, the same p at every position
        i = index[0]
        token = labels[0][i]
        how = (f"{value:.4f} / {sum(snap.weights[name]):.4f}" if snap.chapter < SOFTMAX_CHAPTER
               else f"softmax(weights)[{token}]")
        text.append(f"\np({token}) = {how} = {snap.probs[0][i]:.4f}")
    if with_loss and snap.loss is not None:  # what a nudge moves, in sight of the nudge
        text.append(f"\nloss of {snap.scored_label} {snap.loss:.4f}")
    if name in snap.grads and snap.step == 0:
        text.append("\ngradient: none until a step", style=DIM)
    elif name in snap.grads:
        text.append(f"\ngradient {float(snap.grads[name][index]):+.4f}")
        text.append(" (last step)", style=DIM)
    elif snap.step > 0:  # a run opened from a file: its last step's gradients are not kept
        text.append("\nno gradient until a step (not saved)", style=DIM)  # fits 38 columns
    m, v = snap.moments.get("m", {}), snap.moments.get("v", {})
    if name in m and name in v:
        text.append(f"\nAdam  m {float(m[name][index]):+.2e}  v {float(v[name][index]):.2e}")
    return text


def render_vector(values: np.ndarray, labels: list[str], cursor: int, width: int) -> list[Text]:
    vmax = float(np.max(np.abs(values))) if values.size else 1.0
    vmax = vmax or 1.0
    signed = bool(np.any(values < 0))
    bar_width = max(6, width - 16)
    lines = []
    for i, value in enumerate(values):
        value = float(value)
        selected = i == cursor
        line = Text()
        line.append("▶" if selected else " ", style=CURSOR)
        line.append(pad(labels[i], 3, right=True) + " ", style="reverse bold" if selected else "bold")
        colour = diverging(value, vmax)
        if signed:  # a centred axis: negative bars grow left, positive right
            half = bar_width // 2
            fill = bar(abs(value) / vmax, half)
            if value < 0:
                line.append(fill[::-1].replace("▏", "▕").rjust(half), style=colour)
                line.append("│" + " " * half, style=DIM)
            else:
                line.append(" " * half + "│", style=DIM)
                line.append(fill, style=colour)
        else:
            line.append(bar(value / vmax, bar_width), style=colour if value else DIM)
        # at most 10 characters, so a huge weight keeps its row: +5166.6, +1.77e+08
        shown = f"{value:+.4f}" if abs(value) < 100 else f"{value:+.1f}" if abs(value) < 1e5 else f"{value:+.2e}"
        line.append(f" {shown}", style="bold " + CURSOR if selected else "")
        lines.append(line)
    return lines


ROW_LABEL = 4  # a heatmap row starts with its label, 3 wide, and a space


def matrix_window(n_cols: int, column: int, width: int) -> tuple[int, int, int]:
    """A heatmap's cell width, and the first and the number of columns shown: when they do not all fit, a window of
    them that keeps the cursor's column in view."""
    cell = 2 if ROW_LABEL + 2 * n_cols <= width else 1
    shown = min(n_cols, max(8, width - 5))
    return cell, min(max(0, column - shown // 2), n_cols - shown), shown


def render_matrix(values: np.ndarray, rows: list[str], cols: list[str], cursor: tuple[int, int], width: int,
                  signs: bool = False) -> list[Text]:
    """A heatmap, a cell per weight; signs: a '-' in each negative cell, where colours are off (NO_COLOR) and red and
    blue come out the same grey."""
    vmax = float(np.max(np.abs(values))) if values.size else 1.0
    vmax = vmax or 1.0
    n_rows, n_cols = values.shape
    r, c = cursor
    cell, first, shown = matrix_window(n_cols, c, width)
    header = Text(" " * 3 + ("‹" if first else " "), style=DIM)
    step = 4 if cell == 2 else 8
    col_text = [" "] * (shown * cell)
    for j in range(first + (-first) % step, first + shown, step):  # each label whole above its column, or not at all
        at, label = (j - first) * cell, str(j)
        if at + len(label) <= len(col_text):
            col_text[at: at + len(label)] = label
    header.append("".join(col_text))
    if first + shown < n_cols:
        header.append("›")
    lines = [header]
    for i in range(n_rows):
        line = Text()
        line.append(pad(rows[i], ROW_LABEL - 1, right=True) + " ", style="reverse bold" if i == r else DIM)
        for j in range(first, first + shown):
            colour = diverging(float(values[i, j]), vmax)
            if (i, j) == (r, c):
                line.append("[]"[:cell] if cell == 2 else "▪", style=f"bold {ink_on(colour)} on {colour}")
            elif signs and values[i, j] < 0:
                line.append("-".ljust(cell), style=f"{ink_on(colour)} on {colour}")
            else:
                line.append(" " * cell, style=f"on {colour}")
        lines.append(line)
    return lines


class WeightsPanel(FittedToWidth, Vertical, can_focus=True):
    """Focus it (tab, or click) and the arrows move the cursor. The selected weight's numbers stay on top;
    the bars or the heatmap scroll below them."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False),
        Binding("down", "move(1, 0)", "Down", show=False),
        Binding("left", "move(0, -1)", "Left", show=False),
        Binding("right", "move(0, 1)", "Right", show=False),
    ]

    class Selected(Message):
        """The cursor moved to another weight."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.info = Lines(id="weights-info")
        self.body = Lines(id="weights-body")
        self.scroll = ScrollableContainer(self.body, id="weights-scroll", can_focus=False)
        self.cursor_line = 0
        self.drawn_width = 40  # the width the bars or the heatmap were drawn to
        self.matrix_place = ""  # "1/5": the matrix shown, of those w steps through
        self.with_loss = False  # the typed name's loss too: set while the Probabilities panel is out of sight

    def on_focus(self) -> None:
        self.refresh_subtitle(focused=True)  # has_focus is set after this handler runs

    def on_blur(self) -> None:
        self.refresh_subtitle(focused=False)

    def refresh_subtitle(self, focused: bool | None = None) -> None:
        """The keys that work now: the arrows only once the panel has the focus."""
        arrows = "arrows" if (self.has_focus if focused is None else focused) else "tab, arrows"
        self.border_subtitle = f"w {self.matrix_place} · {arrows} · +/- nudge" if self.matrix_place else ""

    def compose(self):
        yield self.info
        yield self.scroll

    def show(self, session: Session, snap: Snapshot) -> None:
        self.shown = session, snap
        self.border_title = "Weights"
        self.matrix_place = ""
        self.refresh_subtitle()
        if not session.built:
            self.info.set_lines([])
            self.body.set_prose(Text(session.error, style=DIM), self.content_region.width)
            return
        if not snap.weights:
            self.info.set_lines([])
            text = Text(no_weights_text(session.chapter.number), style=DIM)
            if snap.logits:
                text.append_text(logits_text(snap.logits, session.run.vocab.tokens, session.run.vocab.decode(snap.ids)))
            self.body.set_prose(text, self.content_region.width)
            return
        name = session.matrix if session.matrix in snap.weights else next(iter(snap.weights))
        values = snap.weights[name]
        cursor = clamp(session.cursor, values.shape)
        session.matrix, session.cursor = name, cursor
        names = list(snap.weights)
        matrix = f"{name}, {values.size} values" if values.ndim == 1 else f"{name} {'×'.join(map(str, values.shape))}"
        self.border_title = f"Weights · {matrix}"
        self.matrix_place = f"{names.index(name) + 1}/{len(names)}"
        self.refresh_subtitle()
        vocab = session.run.vocab
        width = max(20, self.scroll.scrollable_content_region.width or 40)
        labels = axis_labels(name, values.shape, vocab)
        if values.ndim == 1:
            lines = render_vector(values, labels[0], cursor[0], width)
        else:
            lines = render_matrix(values, labels[0], labels[1], cursor, width, signs=self.app.no_color)
        self.cursor_line = cursor[0]
        self.drawn_width = width
        info = describe(snap, name, cursor, labels, nudge_step(values, snap.chapter, cursor), self.with_loss)
        if values.ndim == 2:
            info.append("\n")
            info.append_text(legend(float(np.max(np.abs(values))) or 1.0))
            info.append("\n")
            info.append_text(lines.pop(0))  # the column numbers stay in sight above the rows that scroll
        info_lines = list(info.split("\n"))
        self.info.set_lines(info_lines)
        # no blank line under a third line of a vector's: its bars keep their rows
        self.info.set_class(values.ndim == 1 and len(info_lines) > 2, "-tight")
        self.body.set_lines(lines)
        self.call_after_refresh(self._scroll_to_cursor)

    def _scroll_to_cursor(self) -> None:
        self.scroll.scroll_to_region(Region(0, self.cursor_line, 1, 1), animate=False, immediate=True)

    def selected_matrix(self) -> np.ndarray | None:
        """The values of the matrix shown, or None where there is none (no weights yet, a chapter not built)."""
        if self.shown is None:
            return None
        session, snap = self.shown
        return (snap.weights or {}).get(session.matrix)

    def action_move(self, dy: int, dx: int) -> None:
        values = self.selected_matrix()
        if values is None:
            return
        cursor = list(self.shown[0].cursor)
        if values.ndim == 1:
            cursor[0] += dy or dx
        else:
            cursor[0] += dy
            cursor[1] += dx
        self.select(tuple(cursor))

    def select(self, cursor: tuple[int, ...]) -> None:
        """The cursor to this weight, at once: the next key of a burst (a held arrow) moves on from it."""
        session, snap = self.shown
        session.cursor = clamp(cursor, snap.weights[session.matrix].shape)
        self.show(session, snap)
        self.post_message(self.Selected())

    def on_click(self, event: events.Click) -> None:
        """A click on a weight's bar or cell selects it (and the focus comes here, as for the arrows)."""
        offset = event.get_content_offset(self.body)
        values = self.selected_matrix()
        if offset is None or values is None or offset.y >= len(values):
            return
        if values.ndim == 1:
            self.select((offset.y,))
            return
        cell, first, shown = matrix_window(values.shape[1], self.shown[0].cursor[1], self.drawn_width)
        column = (offset.x - ROW_LABEL) // cell
        if 0 <= column < shown:
            self.select((offset.y, first + column))


def nudge_step(values: np.ndarray, chapter: int, index: tuple[int, ...]) -> float:
    """How far + and - move a weight: in chapter 5 its EPSILON, so + makes the nudge the gradient is read from;
    elsewhere a round tenth of the largest magnitude among the matrix's other weights (with its own, the step grew
    with every + on the largest: 0.3 to 300 in 50 presses)."""
    if chapter == 5:
        return EPSILON
    others = np.abs(values).ravel()
    others = np.delete(others, np.ravel_multi_index(index, values.shape)) if others.size > 1 else others
    return nice_step(float(np.max(others)) if others.size else 1.0)


def clamp(cursor: tuple[int, ...], shape: tuple[int, ...]) -> tuple[int, ...]:
    if len(cursor) != len(shape):
        cursor = (0,) * len(shape)
    return tuple(min(max(0, c), n - 1) for c, n in zip(cursor, shape))


def logits_text(logits: list[float], tokens: list[str], name: str) -> Text:
    """Chapter 2's scores for the typed name's last position, and how one becomes a probability."""
    total, probs = sum(logits), logits_to_probs(logits)  # the model's own division
    text = Text(f"\n\nThe scores drawn for the last position of {name!r}:\n", style=DIM)
    text.append("  ".join(f"{token_label(t)} {x:.2f}" for t, x in zip(tokens, logits)), style="bold")
    best = max(range(len(logits)), key=logits.__getitem__)
    text.append(f"\nsum {total:.2f}; each over the sum is a probability: p({token_label(tokens[best])}) = "
                f"{logits[best]:.2f} / {total:.2f} = {probs[best]:.0%}. Another call, other scores.", style=DIM)
    return text


def no_weights_text(chapter: int) -> str:
    if chapter == 1:
        return "No weights yet: every token is equally likely, a fair die.\nWeights arrive in chapter 3."
    if chapter == 2:
        return "No weights yet: the scores are fresh random numbers at every call.\nThey become weights in chapter 3."
    return "This model has no weights."
