"""Generate: one name token by token. Each token: the probabilities, their cumulative sums laid out as a strip,
a random target landing on one slice, and that slice's token appended. `G` writes ten names at once."""
from __future__ import annotations

from rich.text import Text
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Button, Static

from core.sampling import SampleStep
from tui.widgets.palette import DIM, SLICES, TARGET, pad, token_label

SPEEDS = {"slow": 0.9, "normal": 0.35, "fast": 0.1, "instant": 0.01}  # seconds per phase; three phases a token
SLOW_STEPS_PER_SECOND = 20  # the slow speed paces training too: one step a frame, each change in sight
PHASES = 3  # 0: probabilities and strip, 1: the target lands, 2: the token is appended


def strip(step: SampleStep, tokens: list[str], width: int, show_target: bool) -> list[Text]:
    """The cumulative sums as a strip of slices, one per token, as wide as its probability."""
    total = step.sums[-1]
    edges = [0] + [round(s / total * width) for s in step.sums]
    line = Text()
    for i, token in enumerate(tokens):
        w = edges[i + 1] - edges[i]
        if w <= 0:
            continue
        colour = SLICES[i % len(SLICES)]
        text = pad(token_label(token), w)
        style = f"bold #000000 on {colour}"
        if show_target and i == step.index:
            style = f"bold #000000 on {TARGET}"
        line.append(text, style=style)
    ruler = Text("0" + " " * (width - 2) + "1", style=DIM) if width > 2 else Text("")
    lines = [line]
    if show_target:
        at = min(width - 1, int(step.target / total * width))
        marker = Text(" " * at + "▲", style=f"bold {TARGET}")
        lines.append(marker)
        note = f"target {step.target:.3f} lands on {token_label(step.token)!r} (its slice {step.sums[step.index] - step.probs[step.index]:.3f}–{step.sums[step.index]:.3f})"
        lines.append(Text(note, style=TARGET))
    else:
        lines.append(ruler)
    return lines


def distribution(step: SampleStep, tokens: list[str], width: int) -> Text:
    """The likeliest tokens with their probabilities, each in its colour on the strip below."""
    order = sorted(range(len(tokens)), key=lambda i: -step.probs[i])
    per_line = max(1, (width - 9) // 9)  # " a " and " 42%  ", with room left for "+21 more"
    shown = order[: per_line * (1 if len(tokens) > 8 else 2)]
    text = Text()
    for n, i in enumerate(shown):
        if n and n % per_line == 0:
            text.append("\n")
        text.append(f" {token_label(tokens[i])} ", style=f"bold #000000 on {SLICES[i % len(SLICES)]}")
        text.append(f"{step.probs[i] * 100:3.0f}%  ")
    if len(shown) < len(tokens):
        text.append(f"+{len(tokens) - len(shown)} more", style=DIM)
    return text


class GeneratePanel(Vertical):
    speed = reactive("normal", init=False)  # of the animation: seconds a phase, SPEEDS
    temperature = reactive(1.0, init=False)  # the one g and G draw at now (the subtitle says it)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.body = Static("", id="generate-body")
        self.steps: list[SampleStep] = []
        self.at = 0  # index of the step being shown
        self.phase = PHASES - 1
        self.names: list[str] = []
        self.names_temperature, self.names_model = 1.0, None  # what the ten names were written at (None: chapters 1-5)
        self.names_cut_at = 16  # the model's block size: a name that long was cut, not ended
        self.tokens: list[str] = []
        self.steps_temperature = 1.0  # the one the name being shown was drawn at (t may change it meanwhile)
        self.steps_model: str | None = None  # the model that drew it: "step 1000" (Session.model_at)
        self.note = ""
        self.timer: Timer | None = None  # while a name is being written, a phase each tick

    def compose(self):
        with Horizontal(id="generate-buttons"):
            yield Button("Generate  g", id="generate-one", compact=True)
            yield Button("Ten names  G", id="generate-ten", compact=True)
        with VerticalScroll():
            yield self.body

    @property
    def animating(self) -> bool:
        return bool(self.steps) and (self.at < len(self.steps) - 1 or self.phase < PHASES - 1)

    @property
    def finished_name(self) -> str | None:
        if self.steps and not self.animating:
            return "".join(s.token for s in self.steps if s.token != self.tokens[-1])
        return None

    def start(self, steps: list[SampleStep], tokens: list[str], temperature: float, model: str | None = None) -> None:
        """model: the step of the model writing the name, in a chapter that trains (it goes on while the name is
        shown)."""
        self.steps, self.tokens, self.at, self.phase = steps, tokens, 0, 0
        self.steps_temperature, self.steps_model = temperature, model
        self.refresh_body()
        self.tick_at_speed()

    def tick_at_speed(self) -> None:
        self.stop()
        self.timer = self.set_interval(SPEEDS[self.speed], self.advance)

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def watch_speed(self) -> None:
        self.refresh_subtitle()
        if self.timer is not None:  # the name being written goes on at the new speed
            self.tick_at_speed()

    def watch_temperature(self) -> None:
        self.refresh_subtitle()

    def clear(self, note: str = "") -> None:
        """No name, no ten names: what a fresh model (another chapter, a reset, a new run) has not written."""
        self.stop()
        self.steps, self.names, self.note = [], [], note
        self.refresh_body()

    def on_resize(self) -> None:
        self.call_after_refresh(self.refresh_body)  # the strip and the bars are drawn to the panel's width

    def advance(self) -> None:
        """One phase on; the timer stops with the name."""
        if self.animating:
            self.phase += 1
            if self.phase == PHASES:
                self.at, self.phase = self.at + 1, 0
            self.refresh_body()
        if not self.animating:
            self.stop()

    def finish(self) -> None:
        self.stop()
        if self.steps:
            self.at, self.phase = len(self.steps) - 1, PHASES - 1
            self.refresh_body()

    def set_names(self, names: list[str], model: str | None, temperature: float, block_size: int) -> None:
        """Ten names; one as long as the model's context (block_size) was cut there, not ended: it gets a …"""
        self.stop()  # the ten take the place of the one name written last (or half written): all ten in sight
        self.steps = []
        self.names = [name + "…" if len(name) >= block_size else name for name in names]
        self.names_model, self.names_temperature, self.names_cut_at = model, temperature, block_size
        self.refresh_body()

    def refresh_subtitle(self) -> None:
        self.border_subtitle = f"T {self.temperature:g} (t/T) · speed {self.speed} (s)"

    def refresh_body(self) -> None:
        self.border_title = "Generate"
        self.refresh_subtitle()
        width = (self.body.size.width or self.size.width - 4) - 1
        width = width if width > 0 else 50
        lines: list[Text] = []
        if self.note:
            lines.append(Text(self.note, style=DIM))
        if self.steps:
            step = self.steps[self.at]
            end = self.tokens[-1]
            done = [s.token for s in self.steps[: self.at] if s.token != end]
            name = Text("name  ", style=DIM)
            name.append("".join(done), style="bold")
            if self.phase == PHASES - 1:
                name.append(token_label(step.token), style=f"bold reverse {TARGET}")
                if step.token == end:
                    name.append("  finished: the end token was picked", style=DIM)
                elif self.at == len(self.steps) - 1:
                    name.append(f"  cut: {len(self.steps)} tokens are all a name gets", style=DIM)
            else:
                name.append("▁", style=DIM)
            lines.append(name)
            by = "" if self.steps_model is None else f", {self.steps_model}"
            says = (f"token {step.position + 1}: after {end + step.context!r} the model says "
                    f"(T {self.steps_temperature:g}{by})")
            lines.append(Text(says if len(says) <= width else says.replace(" the model says", "\nthe model says"),
                              style=DIM))  # a long name's context would cut it
            lines.append(distribution(step, self.tokens, width))
            lines.append(Text("cumulative sums, one slice per token:", style=DIM))
            lines.extend(strip(step, self.tokens, width, show_target=self.phase >= 1))
        elif not self.note:
            lines.append(Text("g writes one name, token by token; G writes ten at once.", style=DIM))
        if self.names:
            at = "" if self.names_model is None else f", by the model at {self.names_model}"
            cut = f" (… cut at {self.names_cut_at} tokens)" if any(n.endswith("…") for n in self.names) else ""
            lines.append(Text(f"ten names at T {self.names_temperature:g}{at}{cut}:", style=DIM))
            lines.append(Text("  ".join(n or "(empty)" for n in self.names), style="bold"))
        self.body.update(Text("\n").join(lines))
