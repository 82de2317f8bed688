"""Probabilities of the typed name: at each position the context, the model's distribution, the target, the loss."""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.containers import Vertical, VerticalScroll

from tui.trainer import Session, Snapshot
from tui.widgets.lines import FittedToWidth, Lines, wrap
from tui.widgets.name_box import NameBox
from tui.widgets.palette import DIM, TARGET, fixed_width, heat, ink, pad, percent, short_percent, surprise, token_label

SMALL_VOCAB = 8  # up to this many tokens every one gets a column


def baseline(model, vocab_size: int) -> tuple[float, str]:
    """What a fair die scores on this loss: the number to beat."""
    return model.fair_die_loss(), f"1 - 1/{vocab_size}" if model.loss_formula == "1 - p" else f"ln {vocab_size}"


def context_text(vocab, ids: list[int], pos: int, width: int = 8) -> str:
    shown = vocab.end_symbol + vocab.decode(ids[:pos])
    if cell_len(shown) > width:  # its end, where the next token follows
        while cell_len(shown) > width - 1:
            shown = shown[1:]
        shown = "…" + shown
    return pad(shown, width, right=True)


def render_probs(session: Session, snap: Snapshot, width: int, console) -> list[Text]:
    model, vocab = session.model, session.run.vocab
    V = len(vocab)
    lines: list[Text] = []
    base, base_text = baseline(model, V) if model.has_loss else (None, "")
    # the name itself, with any character outside the vocabulary marked where it is
    head = Text()
    for i, ch in enumerate(snap.name):
        head.append(ch, style="bold reverse red" if i in snap.unknown else "bold")
    if not snap.name:
        head.append("(no name: the end token alone; / types one)", style=DIM)
    def with_loss(line: Text) -> Text:
        """The line, then the loss and the number to beat (in short, or not at all, rather than cut off)."""
        if snap.loss is None:
            return line
        line = line + Text(f"  loss {snap.loss:.4f}", style="bold " + surprise(snap.loss / base))
        fits = [f for f in (f"  (a fair die: {base_text} = {base:.4f})", f"  (fair die {base:.4f})")
                if len(line) + len(f) <= width]
        return line + Text(fits[0] if fits else "", style=DIM)  # no number to beat rather than half of one

    lines.append(with_loss(head) if not snap.unknown else head)  # with an unknown character, the loss is below
    if len(snap.name) >= model.block_size:  # said under the name, where the eye is: a key typed past it did nothing
        lines.extend(wrap(Text(f"{model.block_size} characters at most: the model reads {model.block_size} positions "
                               "(its block size).", style=DIM), width, console))
    if snap.unknown:  # the numbers are of the name up to the first unknown character
        lines.extend(wrap(Text("✗ " + snap.unknown_message, style="red"), width, console))
        up_to = "it" if len(snap.unknown) == 1 else "the first"
        shown = f"the name up to {up_to}: {vocab.decode(snap.ids)!r}" if snap.ids else "the end token alone"
        lines.append(with_loss(Text(f"showing {shown}", style=DIM)))  # what the other panels' numbers are of too
    has_loss = snap.losses is not None
    if V <= SMALL_VOCAB:
        cell = max(4, min(7, (width - 23) // V))  # the row: context 7, arrow 3, next 4, a cell each, loss 6
        rest = 1 + 3 + 4 + V * cell + (6 if has_loss else 0)
        context = max(4, min(7, width - rest))  # narrower on the smallest wide screen, rather than cut the loss off
        header = Text(" " + pad("context" if context == 7 else "ctx", context, right=True) + " → next", style=DIM)
        for t in vocab.tokens:
            header.append(pad(token_label(t), cell - 1, right=True) + " ", style="bold")
        if has_loss:
            header.append("  loss", style=DIM)
        lines.append(header)
        for pos, (p, target) in enumerate(zip(snap.probs, snap.targets)):
            line = Text(" " + context_text(vocab, snap.ids, pos, context) + " → ")
            line.append(pad(token_label(vocab.tokens[target]), 4), style=f"bold {TARGET}")
            for i, q in enumerate(p):  # each token a cell shaded by its probability, the target framed
                pct = short_percent(q)
                if i == target:
                    # the frame hugs the number, which lines up with the numbers above and below it
                    line.append(f"[{pct}]".rjust(cell), style=f"bold {ink(q, TARGET)} on {heat(q)}")
                else:
                    line.append(f" {pct:>{cell - 2}} ", style=f"{ink(q)} on {heat(q)}")
            if has_loss:
                loss = snap.losses[pos]
                line.append(" " + fixed_width(loss, 5, 3), style=surprise(loss / base))  # 26.38: the column's 6
            lines.append(line)
    else:
        top = max(2, min(10, (width - 36) // 4))
        lines.append(Text(" context  → next  p    loss  likeliest next tokens, %", style=DIM))
        for pos, (p, target) in enumerate(zip(snap.probs, snap.targets)):
            line = Text(" " + context_text(vocab, snap.ids, pos, 8) + " → ")
            line.append(pad(token_label(vocab.tokens[target]), 2), style=f"bold {TARGET}")
            q = p[target]
            whole = 0.095 <= q < 0.995 or q >= 1  # a near-certain target is 99.9%, never "100%" next to its "99"
            shown = f"{q * 100:4.0f}% " if whole else f"{min(q * 100, 99.9):4.1f}% " if q >= 0.0005 else "<0.1% "
            line.append(shown, style=f"bold {TARGET}")
            if has_loss:
                loss = snap.losses[pos]
                line.append(fixed_width(loss, 5, 2) + " ", style=surprise(loss / base))
            order = sorted(range(V), key=lambda i: -p[i])[:top]
            for i in order:
                style = f"bold {TARGET} underline" if i == target else "bold"
                line.append(f" {token_label(vocab.tokens[i])}", style=style)
                line.append(short_percent(p[i]).rjust(2), style=style if i == target else DIM)
            rest = max(0.0, 1 - sum(p[i] for i in order))  # not "-0" when the shown ones sum to 1.0000000001
            line.append(f" other {rest * 100:.0f}", style=DIM)
            lines.append(line)
    for line in lines:  # a row that wrapped would break the columns: crop instead
        line.truncate(width, overflow="ellipsis")
    if not has_loss:
        note = Text("The loss (how surprised the model is) arrives in chapter 4.", style=DIM)
    elif snap.losses:
        worst = max(range(len(snap.losses)), key=lambda i: snap.losses[i])
        context = vocab.end_symbol + vocab.decode(snap.ids[:worst])  # a row's label: no position number to count
        note = Text(f"Most surprised by {token_label(vocab.tokens[snap.targets[worst]])!r} after {context!r}: the "
                    f"model gave it only {percent(snap.probs[worst][snap.targets[worst]])}.", style=DIM)
    else:
        return lines
    return lines + wrap(note, width, console)


class ProbsPanel(FittedToWidth, Vertical):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.input = NameBox()
        self.body = Lines(id="probs-body")

    def compose(self):
        yield self.input
        with VerticalScroll(id="probs-scroll"):
            yield self.body

    def show(self, session: Session, snap: Snapshot) -> None:
        self.shown = session, snap
        self.border_title = "Probabilities, %"  # the unit of every number in the table
        if session.built and session.temperature != 1:  # the model's own, which the loss reads; Generate's are tempered
            self.border_title += f" · at T 1 (g draws at T {session.temperature:g})"
        self.border_subtitle = "/ type a name · Esc leaves"
        if not session.built:
            self.body.set_prose(Text(session.error, style=DIM), self.content_region.width)
            return
        width = self.content_region.width
        width = width if width > 0 else 60  # not laid out yet: drawn again once it is
        lines = render_probs(session, snap, width, self.app.console)
        scroll = self.query_one("#probs-scroll")
        if len(lines) > scroll.content_region.height > 0:  # a scrollbar shows and takes columns: rows would lose their ends
            lines = render_probs(session, snap, width - scroll.styles.scrollbar_size_vertical, self.app.console)
        self.body.set_lines(lines)
