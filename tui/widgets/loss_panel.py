"""Loss: a sparkline of the training loss; `l` expands it into a chart with its running mean, the baseline, and
the validation loss on held-out documents."""
from __future__ import annotations

import math

from rich.text import Text
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Sparkline, Static
from textual_plotext import PlotextPlot

from tui.trainer import Session, Snapshot
from tui.widgets.lines import FittedToWidth
from tui.widgets.palette import DIM, TARGET, surprise, token_label
from tui.widgets.probs_panel import baseline

# plotext's "blue" is the terminal theme's ANSI blue, which Textual draws purple (#9d65ff): this blue is blue anywhere
FAIR_DIE_BLUE = (95, 135, 255)  # #5f87ff, on the 256-colour cube


def running_mean(values: list[float], window: int) -> list[float]:
    out, total = [], 0.0
    for i, v in enumerate(values):
        total += v
        if i >= window:
            total -= values[i - window]
        out.append(total / min(i + 1, window))
    return out


class LossPlot(PlotextPlot):
    """A plotext chart that shows a line of text instead of raising when plotext cannot draw (no traceback)."""

    def render(self):
        try:
            return super().render()
        except Exception as e:  # noqa: BLE001 - plotext's own arithmetic on degenerate ranges
            return Text(f"(the chart cannot be drawn yet: {type(e).__name__})", style=DIM)


def fair_die(base: float, base_text: str) -> str:
    """The loss to beat, on a line of its own (never broken)."""
    return f"{base_text} = {base:.3f} is a fair die"


def typed_name_loss(snap: Snapshot, vocab, formula: str, base: float, base_text: str, note: str, width: int,
                    rows: int) -> Text:
    """A chapter that does not train: the typed name's loss, the per-position values it is the mean of, and the fair
    die, in `width` columns and at most `rows` lines (the values are cut, then the note dropped, before the die)."""
    if snap.loss is None or snap.losses is None:
        return Text(f"{note}\n{fair_die(base, base_text)}", style=DIM)
    loss = Text(f"loss of {snap.scored_label} {snap.loss:.4f}", style="bold " + surprise(snap.loss / base))
    mean_of = Text(f"the mean of {formula} at each position:", style=DIM)
    head = [loss + Text(", ", style=DIM) + mean_of] if len(loss) + 2 + len(mean_of) <= width else [loss, mean_of]
    values, line = [], Text()
    for target, position_loss in zip(snap.targets, snap.losses):
        pair = Text(token_label(vocab.tokens[target]), style=f"bold {TARGET}")
        pair.append(f" {position_loss:.3f}", style=surprise(position_loss / base))
        if line and len(line) + 2 + len(pair) > width - 2:  # 2 kept for the " …" of a cut list
            values.append(line)
            line = Text()
        line = line + Text("  ") + pair if line else pair
    values.append(line)
    tail = [Text(fair_die(base, base_text), style=DIM), Text(note, style=DIM)]
    if len(head) + len(values) + len(tail) > rows > 0:
        tail = tail[:1]  # the number to beat stays: the note is also what `l` says
    room = rows - len(head) - len(tail)
    if len(values) > room > 0:  # the Probabilities panel lists them all
        values = values[:room]
        values[-1].append(" …", style=DIM)
    return Text("\n").join(head + values + tail)


class LossPanel(FittedToWidth, Vertical):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.summary = Static("", id="loss-summary")
        self.sparkline = Sparkline([], id="loss-sparkline", summary_function=lambda xs: sum(xs) / len(xs))
        self.plot = LossPlot(id="loss-plot")
        self.expanded = False

    def compose(self):
        yield self.summary
        yield self.sparkline
        yield self.plot

    def set_expanded(self, expanded: bool) -> None:
        self.expanded = expanded
        self.sparkline.display = not expanded
        if not expanded:
            self.clear_chart()
        self.plot.display = expanded

    def clear_chart(self) -> None:
        """Its next showing may be another chapter's: never a frame of this one's curve."""
        self.plot.plt.clear_data()
        self.plot.plt.clear_figure()

    def show(self, session: Session, snap: Snapshot) -> None:
        self.shown = session, snap  # a chapter that does not train fits its values to the width
        self.border_title = "Loss"
        self.border_subtitle = "l: close chart" if self.expanded else "l: chart"
        if not session.built:
            self.summary.update(Text(session.error, style=DIM))
            self.sparkline.data, self.sparkline.display = [], False
            return
        model = session.model
        if not model.has_loss:  # no chart either, open or closed
            self.summary.update(Text("No loss yet: it arrives in chapter 4.", style=DIM))
            self.sparkline.data, self.sparkline.display, self.plot.display = [], False, False
            self.border_subtitle = ""
            return
        self.plot.display = self.expanded and model.trainable  # a chapter that does not train has no curve to draw
        if not model.trainable:
            self.border_subtitle = ""
        base, base_text = baseline(model, len(session.run.vocab))
        text = Text()
        history = snap.history
        if not model.trainable:
            note = "Training starts in chapter 6." if session.chapter.number < 6 else "This chapter does not train."
            text = typed_name_loss(snap, session.run.vocab, model.loss_formula, base, base_text, note,
                                   self.content_region.width or 60, self.content_region.height)
        elif not history:
            text.append(f"step 0 of {snap.steps} · space trains", style=DIM)
            text.append(f"\n{fair_die(base, base_text)}", style=DIM)
            # the typed name's loss (Probabilities) is after the last update: the two differ by a step
            text.append("\nstep loss: before the step's update", style=DIM)
        else:
            smooth, window = snap.recent_mean
            # the step is in the status bar; the mean says its window (the chart's running mean has another)
            text.append(f"step loss {snap.last_loss:.4f}", style="bold " + surprise(snap.last_loss / base))
            if window > 1:  # on one line: losses of 10 or more make it longer than a narrow panel
                width = self.content_region.width or 60
                means = [f" · {window}-step mean {smooth:.4f}", f" · mean of {window} {smooth:.4f}",
                         f" · mean {smooth:.4f}"]
                text.append(next((m for m in means if len(text) + len(m) <= width), means[-1]),
                            style=surprise(smooth / base))
            if snap.val:  # short enough for a narrow panel: the held-out loss matters more than the wording
                text.append(f"\nheld-out {snap.val[-1][1]:.4f}", style="bold")
                text.append(f" · fair die {base:.3f}", style=DIM)
            else:
                text.append(f"\n{fair_die(base, base_text)}", style=DIM)
        if text != self.summary.content:
            self.summary.update(text, layout=len(text.plain.splitlines()) != len(str(self.summary.content).splitlines()))
        self.sparkline.data = list(history) if history else []
        self.sparkline.display = bool(history) and not self.expanded  # no flat line before the first step
        if self.plot.display:
            self.draw_plot(session, snap, base, base_text)

    def draw_plot(self, session: Session, snap: Snapshot, base: float, base_text: str) -> None:
        plt = self.plot.plt
        self.clear_chart()
        plt.title(f"chapter {session.chapter.number} loss")
        history = snap.history
        # a small chart has no room for a legend inside it: it names the lines under the axis instead
        legend = self.plot.size.height >= 24
        span = snap.history_span
        gray = "gray each" if span == 1 else f"gray per {span} steps"  # a point stands for span steps
        lines = [gray, "orange mean"] + (["• held-out"] if snap.val else []) + ["blue fair die"]
        shorter = ("steps: " + " · ".join(lines), " · ".join(lines), ", ".join(lines), ", ".join(lines[:-1]))
        named = next((text for text in shorter  # the fair die goes last: the summary names it too
                      if len(text) <= self.plot.size.width - 8), "")  # plotext drops a label wider than its axis
        plt.xlabel("step" if legend or not history else named)
        if history:
            xs = [min(snap.step, (i + 1) * span) for i in range(len(history))]
            window = max(2, len(history) // 20)
            each = "loss of each step" if span == 1 else f"loss, a point per {span} steps"
            held_out = len(session.validation_docs)
            labels = [each, f"running mean ({window * span} steps)", f"held-out ({held_out} docs it never trains on)"]
            labels = labels if legend else [None] * 3
            plt.plot(xs, history, label=labels[0], color="gray", marker="braille")
            plt.plot(xs, running_mean(history, window), label=labels[1], color="orange", marker="braille")
            if snap.val:
                plt.plot([s for s, _ in snap.val], [v for _, v in snap.val], label=labels[2],
                         color="cyan", marker="•")  # dots: told apart without colour too (16 colours, NO_COLOR)
            plt.hline(base, FAIR_DIE_BLUE)
            lo = min(min(history), min((v for _, v in snap.val), default=math.inf), base)
            hi = max(max(history), base)
            margin = max(0.05 * (hi - lo), 0.01)  # never an empty range
            plt.ylim(max(0.0, lo - margin), hi + margin)
            last = max(xs[-1], 2)
            ticks = sorted({round(last * i / 4) for i in range(5)})
            plt.xticks(ticks, [str(t) for t in ticks])
            if legend:  # a small chart would write it over the curves: its axis names the line instead
                canvas = Color.parse(self.app.theme_variables["surface"]).rgb  # plotext's default would be a white box
                plt.text(f"{base_text}: a fair die", x=last * 0.75, y=base + margin / 2, color=FAIR_DIE_BLUE,
                         background=canvas)
        else:  # no curve yet: the line to beat, and how to start (an empty frame said neither)
            last = max(snap.steps, 2)
            plt.xlim(0, last)
            plt.ylim(0, 1.5 * base)
            plt.hline(base, FAIR_DIE_BLUE)
            plt.text(f"{base_text}: a fair die · space trains", x=last * 0.5, y=base * 1.1, color=FAIR_DIE_BLUE)
        self.plot.refresh()
