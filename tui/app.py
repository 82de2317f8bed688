"""The playground: pick a chapter, watch its model, type a name, nudge a weight, train, generate.

How a key travels: a binding calls an `action_*` here; anything that reads or changes the model becomes a job for
the chapter's Session (tui/trainer.py), run at once or, while training, by the trainer thread between two steps;
the job's result is a Snapshot, and every panel redraws from the newest one.
"""
from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import sys
import threading
import time
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, Header, Input, OptionList
from textual.worker import get_current_worker

from core.chapters import CHAPTERS, get
from core.data import shown_path
from core.run import DEFAULT_SEED, Diverged
from core.sampling import sample, sample_steps
from tui import session_keys
from tui.trainer import Session, Snapshot, TrainingLoop, View, divergence_note
from tui.widgets.footer import Footer
from tui.widgets.attention_panel import AttentionPanel
from tui.widgets.chapter_info import AboutPanel, ChapterInfo
from tui.widgets.chapter_list import ChapterList
from tui.widgets.code_view import CodeScreen, code_view
from tui.widgets.generate_panel import SLOW_STEPS_PER_SECOND, SPEEDS, GeneratePanel
from tui.widgets.gradients_panel import GradientsPanel
from tui.widgets.file_prompt import FilePrompt, one_line
from tui.widgets.help_screen import HelpScreen
from tui.widgets.loss_panel import LossPanel
from tui.widgets.name_box import NameBox
from tui.widgets.panel_bar import PANEL_TITLES, PanelBar
from tui.widgets.probs_panel import ProbsPanel
from tui.widgets.status_bar import StatusBar
from tui.widgets.too_small import TooSmallScreen, too_small
from tui.widgets.weights_panel import WeightsPanel, nudge_step

WIDE = (110, 30)  # from this size on every panel is on screen at once; below it they take turns
# rows of the left column's panels, borders included (as in app.tcss): the loss; the weights' value, gradient and the
# toy set's six weights; the Grads table with its note
LOSS_ROWS, WEIGHTS_ROWS, GRADIENTS_ROWS = 8, 11, 14
TALL_COLUMN = 34  # the left column's rows at 120x40: past them, the Loss panel grows too
# While the trainer thread runs, the interpreter switches threads every 1 ms instead of 5: a key press waits
# less for the UI thread's turn (the trainer loses a little speed to the extra switches).
DEFAULT_SWITCH_INTERVAL = sys.getswitchinterval()
TRAINING_SWITCH_INTERVAL = 0.001
# While training, how often a panel redraws at most: the panels of numbers 5 times a second, the loss and its chart
# 10; the status bar with every snapshot (20). Faster than anyone reads, each redraw of a whole panel was 5-20 KB to
# send over ssh (~280 KB/s at 120x40).
REDRAW_INTERVAL = {LossPanel: 0.1, WeightsPanel: 0.2, ProbsPanel: 0.2, GradientsPanel: 0.2, AttentionPanel: 0.2}
UI_PRIORITY = 0.15  # after a key press or a click the trainer steps aside this long, so its effect shows at once
CONFIRM_SECONDS = 5  # r and q ask first; pressed again within this, they act
VALIDATE_AFTER_KEYS = 0.3  # seconds after the last . or nudge, the held-out loss is measured

# (key, action, description for help and the command palette, footer label: "" keeps it out of the footer)
KEYS = [
    ("n", "next_chapter", "Next chapter", "Next"),
    ("p", "previous_chapter", "Previous chapter", ""),
    ("space", "train", "Train / pause", "Train"),
    ("full_stop", "step", "One training step", ""),
    ("r", "reset", "Reset the model (once trained or nudged: r twice)", ""),
    ("g", "generate", "Generate a name", "Generate"),
    ("G", "generate_ten", "Generate ten names", ""),
    ("t", "temperature(-1)", "Lower the temperature", ""),
    ("T", "temperature(1)", "Raise the temperature", ""),
    ("s", "speed", "Speed: names' animation (slow paces training too)", ""),
    ("left_square_bracket", "learning_rate(-1)", "Lower the learning rate", ""),
    ("right_square_bracket", "learning_rate(1)", "Raise the learning rate", ""),
    ("w", "next_matrix", "Next weight matrix", ""),
    ("plus,equals_sign", "nudge(1)", "Nudge the weight up", ""),
    ("minus,underscore", "nudge(-1)", "Nudge the weight down", ""),
    ("slash", "type_name", "Type a name", "Name"),
    ("c", "code", "Show the chapter's code", "Code"),
    ("l", "loss_chart", "Loss chart", "Chart"),
    ("a", "attention", "Attention maps", "Attention"),
    ("ctrl+s", "save_session", "Save the session to a file", ""),
    ("ctrl+o", "open_session", "Open a saved session", ""),
    ("d", "pick_data", "Pick the data (names, toy, typed names, a file)", ""),
    ("question_mark", "help", "Help: every key", "Help"),
    ("q", "quit", "Quit", "Quit"),
    ("escape", "close_view", "Close the loss chart or the attention maps", ""),
]
FOOTER_ACTIONS = {action for _, action, _, label in KEYS if label}
PALETTE_ACTIONS = {"close_view": "close_view(True)"}  # as the palette runs them: it says when there is nothing to close
GRADIENT_CHAPTERS = range(5, 9)  # the toy models: every gradient fits the Grads panel, beside its check
ATTENTION_CHAPTER = 11  # from here on the model has attention maps to show
PANEL_KEYS = [(str(i), f"panel({i})", f"Show panel {i} (small screens)", "") for i in range(1, 7)]
# Run as soon as they arrive, even from the name box: the keys typed next then go to the prompt these open.
PROMPT_KEYS = {"ctrl+s", "ctrl+o"}


STOP_SECONDS = 10  # after a signal, the longest the playground takes to save and give the terminal back
# what Textual's driver turns on, turned off: keyboard protocol, focus and mouse reports, bracketed paste, no line
# wrap, hidden cursor, the alternate screen
TERMINAL_BACK = "\x1b[<u\x1b[?1004l\x1b[?1000l\x1b[?1003l\x1b[?1015l\x1b[?1006l\x1b[?2004l\x1b[?7h\x1b[?25h\x1b[?1049l"


def terminal_back_and_exit(code: int) -> None:
    """The end of an exit that did not finish (see STOP_SECONDS): the terminal's modes put back, then out."""
    with contextlib.suppress(OSError):
        os.write(sys.__stderr__.fileno(), TERMINAL_BACK.encode())  # where Textual draws
    os._exit(code)


def is_narrow(size) -> bool:
    """Below WIDE the panels take turns."""
    return size.width < WIDE[0] or size.height < WIDE[1]


def guarded(method):
    """No traceback reaches the user: an error becomes a one-line notification."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Exception as e:  # noqa: BLE001 - the playground must stay up
            self.report(e)

    return wrapper


class Trained(Message):
    """The trainer's newest snapshot (newer ones replace older ones still in the queue)."""

    def __init__(self, session: Session, snap: Snapshot, stopped: bool = False, note: str = ""):
        super().__init__()
        self.session, self.snap, self.stopped, self.note = session, snap, stopped, note

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, Trained) and message.session is self.session and not message.stopped


class JobDone(Message):
    """A job the trainer ran between two steps, with its result for the UI."""

    def __init__(self, done, result, error: Exception | None):
        super().__init__()
        self.done, self.result, self.error = done, result, error


class PlaygroundCommands(Provider):
    """Every action of the playground in the command palette (ctrl+p)."""

    def key_help(self, key: str, action: str) -> str:
        key = key.split(",")[0]
        # as the footer shows it (".", "[", "?"), but ctrl+s as the help writes it, not ^s
        return f"key: {key if key.startswith('ctrl+') else self.app.get_key_display(Binding(key, action))}"

    def commands(self):
        """(title, action, help, namespace) of every command of the screen the palette opened over: the playground's
        run as their keys do (namespace None), a dialog's on the dialog."""
        if self.screen is not self.app.screen_stack[0]:  # help, the code or a dialog: its own keys, run there (the
            done = set()                                  # playground's would run unseen, behind it)
            own = [b for cls in type(self.screen).__mro__ if cls.__module__.startswith("tui.")  # not Textual's tab
                   for b in cls.__dict__.get("BINDINGS", [])]
            for binding in own:
                if binding.description and binding.action not in done:
                    done.add(binding.action)
                    yield binding.description, binding.action, self.key_help(binding.key, binding.action), self.screen
            return
        for key, action, description, _ in KEYS:
            yield description, PALETTE_ACTIONS.get(action, action), self.key_help(key, action), None
        if self.app.narrow:  # a small screen shows one panel at a time: each is a command too
            for number, panel in enumerate(self.app.panels(), start=1):
                yield f"Show the {PANEL_TITLES[panel]} panel", f"panel({number})", f"key: {number}", None
        for chapter in CHAPTERS:  # a jump, where n and p step one at a time
            yield (f"Chapter {chapter.number}: {chapter.title}", f"chapter({chapter.number})",
                   f"go to chapter {chapter.number} ({chapter.name}); n and p step one at a time", None)

    def callback(self, action: str, namespace):
        if namespace is None:
            return functools.partial(self.app.run_command, action)
        return functools.partial(self.app.run_action, action, namespace)

    async def discover(self) -> Hits:
        for description, action, help_text, namespace in self.commands():
            yield DiscoveryHit(description, self.callback(action, namespace), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for description, action, help_text, namespace in self.commands():
            score = matcher.match(description)
            if score > 0:
                yield Hit(score, matcher.highlight(description), self.callback(action, namespace), help=help_text)


class LeftColumn(Vertical):
    """Weights, Grads and Loss stacked (chapters 5-8): on a short screen Grads, a scrolling table, gives up rows so
    the weights keep theirs (at 110x30 they had none)."""

    stacked = True  # False on a small screen, where its panels take turns, each the column's whole height

    def on_resize(self, event: events.Resize) -> None:
        self.fit(event.size.height)

    def fit(self, height: int) -> None:
        rows = max(5, min(GRADIENTS_ROWS, height - LOSS_ROWS - WEIGHTS_ROWS))
        self.query_one("#gradients").styles.max_height = rows if self.stacked else None  # None: as app.tcss says
        # a tall screen gives the loss's sparkline half its rows past 120x40's (the weights had them all, mostly blank)
        loss = self.query_one("#loss")
        grown = LOSS_ROWS + max(0, (height - TALL_COLUMN) // 2)  # (not from the attention maps: their rows are full)
        mostly_blank = self.stacked and not loss.has_class("-expanded") and not self.query_one("#attention").display
        loss.styles.height = grown if mostly_blank else None


def pressed_after_escape(event: events.Key) -> str | None:
    """Esc and the key after it, arriving in one read (a slow ssh link, a quick typist), reach Textual as one
    alt+key: the Esc that should leave the name box or close a view was lost and the key typed as a letter. Nothing
    here is bound to alt, so such a key is taken as the two it was: this returns the second's name (or None)."""
    if event.is_forwarded or not event.key.startswith("alt+") or not event.is_printable or len(event.character) != 1:
        return None
    key = event.key.removeprefix("alt+")
    return event.character if key.startswith("shift+") else key  # Textual names an alt+G "alt+shift+g", a G "G"


class PlaygroundScreen(Screen):
    """The playground's screen. A screen lays itself out again on a Resize it posts to itself; when the terminal
    was resized while the first layout's Resize still waited and the app then quit (a browser tab closed within a
    quarter of a second, under `serve`), two such Resizes, one at each size, posted each other for ever after the
    app had closed: a busy loop that starved the event loop, so that no signal could stop it. Once the app has
    stopped running, there is nothing to lay out."""

    def _on_resize(self, event: events.Resize) -> None:
        if not self.app.is_running:
            event.prevent_default()  # Screen's own handler (Textual calls each class's in turn) is skipped


class PlaygroundApp(App):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses elsewhere find it too
    TITLE = "minigpt-tui"
    COMMANDS = App.COMMANDS | {PlaygroundCommands}
    BINDINGS = [Binding(key, action, short or description, show=bool(short), priority=key in PROMPT_KEYS)
                for key, action, description, short in KEYS + PANEL_KEYS]
    # Textual's ctrl+q runs quit, which the name box holds back with the keys that type letters: this one it lets by
    BINDINGS.append(Binding("ctrl+q", "quit_anywhere", "Quit", show=False, priority=True))

    def __init__(self, *, chapter: int | str = 1, seed: int = DEFAULT_SEED, engine: str | None = None, name: str = "ann",
                 step_budget: int | None = None, speed: str = "normal", saved=None, saved_file: str | None = None,
                 note: str = ""):
        """saved: a core.session.SavedSession (its Run a PlaygroundRun) to open instead of a fresh chapter; saved_file:
        the file it came from (ctrl+s offers it); note: an error to show once the screen is up."""
        super().__init__()
        self.seed, self.engine = seed, engine
        self.chapter_number = get(chapter).number
        self.typed = name
        self.step_budget = step_budget  # stop training after this many steps per start (tests, screenshots)
        self.laid_out = True  # False while a terminal resized under a covering screen waits for its layout
        self.sessions: dict[int, Session] = {}
        self.stop_deadline: threading.Timer | None = None  # once a signal asked to stop: ends the process should
        # the exit not finish
        if saved is not None:
            run = saved.run
            self.chapter_number = run.chapter.number
            self.sessions[run.chapter.number] = Session(run.chapter, run.config.seed, run.config.engine, run=run)
            self.sessions[run.chapter.number].keep_file(saved_file)
            self.typed = saved.typed or name
        self.session_file = saved_file  # the last file saved or opened: ctrl+o offers it
        self.startup_note = note
        self.snaps: dict[int, Snapshot] = {}
        self.narrow = False
        self.active_panel = "weights"
        self.panel_before = "weights"  # on a small screen, where l goes back to from the loss chart
        self.train_on: set[Session] = set()  # space again while a pause was under way: training goes on after it
        self.paused_by_switch: set[Session] = set()  # training paused by a chapter switch, still finishing its step
        self.reset_asked: Session | None = None  # r pressed while training: its question comes once training pauses
        self.focused_before_small = None  # what had the focus when the too-small screen hid the panels
        self.questions: dict[str, tuple] = {}  # r, q, ctrl+o, d: what each last asked about, and until when
        self.visited: set[int] = set()  # chapters shown so far: on a small screen a new one opens on its About
        self.loss_expanded = False
        self.toast, self.toast_until = "", 0.0  # the last message shown, and until when it stays on screen
        self.toasts_of: dict[str, str] = {}  # notify(replacing=kind): the last message of each kind
        self.attention_on = False
        self.speed = speed
        self.ui_priority_until = 0.0  # the trainer waits until then (monotonic seconds)
        self.drawn_at: dict[type, float] = {}  # when each panel last drew, while training
        self.heldout_timers: dict[Session, Timer] = {}  # each chapter's held-out pass, waiting for the keys to pause

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and (plain := pressed_after_escape(event)):
            for key in (events.Key("escape", "\x1b"), events.Key(plain, event.character)):
                await self.on_event(key)  # in order, as two keys in one burst
            return
        if isinstance(event, events.Key) and event.key in ("enter", "escape") and not event.is_forwarded \
                and isinstance(self.focused, NameBox):
            self.focus_a_shown_panel()  # now, as it arrives: the keys queued behind it are commands again
            return
        if isinstance(event, (events.Key, events.MouseDown)):
            self.ui_priority_until = time.monotonic() + UI_PRIORITY
        if isinstance(event, events.Key) and not event.is_forwarded:
            event.sent_to = self.focused  # on_key tells from it whether the focus moved while the key waited
        await super().on_event(event)

    def get_default_screen(self) -> Screen:
        return PlaygroundScreen(id="_default")

    def on_unmount(self) -> None:
        for session in self.sessions.values():  # a trainer thread must not outlive the app
            session.stop_requested = True

    # ---- layout -------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with Horizontal(id="body"):
            yield ChapterList(id="chapters")
            with Vertical(id="main"):
                yield ChapterInfo(id="info")
                yield PanelBar(id="panelbar")
                with Horizontal(id="panels"):
                    with LeftColumn(id="left"):
                        yield AboutPanel(id="about", classes="panel")
                        yield WeightsPanel(id="weights", classes="panel")
                        yield AttentionPanel(id="attention", classes="panel")
                        yield GradientsPanel(id="gradients", classes="panel")
                        yield LossPanel(id="loss", classes="panel")
                    with Vertical(id="right"):
                        yield ProbsPanel(id="probs", classes="panel")
                        yield GeneratePanel(id="generate", classes="panel")
        yield StatusBar(id="status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_typed(self.typed)
        self.query_one(GeneratePanel).speed = self.speed
        self.narrow = is_narrow(self.size)
        if self.narrow:
            self.active_panel = "about"  # a small screen opens on what the chapter is about
        self.query_one(ChapterList).focus()
        self.show_chapter(self.chapter_number)
        self.call_after_refresh(self.render_all)
        self.warm_up_code_view()
        self.screen_change_signal.subscribe(self, self.on_screen_change)
        self.check_size(self.size.width, self.size.height)
        if self.startup_note:
            self.notify(self.startup_note, severity="error", timeout=30)
        if not self.is_headless:  # (tests run headless, in pytest's own process: its signals stay its own)
            self.catch_signals()

    def catch_signals(self) -> None:
        """kill, a closed ssh connection or a Ctrl-C from outside end the playground as q does, the terminal given
        back whole (it was left in the alternate screen, with the mouse captured), the steps not saved saved first."""
        loop = asyncio.get_running_loop()
        for name in ("SIGTERM", "SIGHUP", "SIGINT"):
            with contextlib.suppress(AttributeError, NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(getattr(signal, name), self.stopped_by_signal, name)

    def stopped_by_signal(self, name: str) -> None:
        if self.stop_deadline is not None:  # a closing terminal sends SIGHUP twice: the first was answered
            return
        said, code = "", 128 + getattr(signal, name)
        try:
            saved = session_keys.rescue_unsaved(self)
            said = f"; work not saved before: {'; '.join(saved)}" if saved else ""
        except Exception as e:  # noqa: BLE001 - whatever went wrong, the terminal is given back
            said = f"; work not saved: {e}"
        finally:  # one line, however narrow the terminal (Rich would wrap it)
            self.exit(return_code=code, message=Text(f"minigpt-tui: stopped by {name}{said}", no_wrap=True,
                                                     overflow="ignore"))
            # the exit can hang after the app has unmounted (Textual's writer thread, a terminal gone): the process
            # ends all the same, and a daemon timer dies with it when the exit does finish
            self.stop_deadline = threading.Timer(STOP_SECONDS, terminal_back_and_exit, (code,))
            self.stop_deadline.daemon = True
            if not self.is_headless:  # (a test's app: the process is pytest's)
                self.stop_deadline.start()

    def check_size(self, width: int, height: int) -> None:
        """Below 80x24, a screen that says so covers the playground; it goes when the terminal is large enough."""
        covering = next((s for s in self.screen_stack if isinstance(s, TooSmallScreen)), None)
        main = self.screen_stack[0]
        body = main.query_one("#body")
        if covering is None:
            if too_small(width, height):
                self.clear_notifications()  # a toast would cover its text
                # nothing laid out under it: squeezed to a few columns, a panel's scrollbar came and went for ever
                self.focused_before_small = main.focused  # hidden, it loses the focus: given back after
                body.display = False
                self.push_screen(TooSmallScreen())
        elif not too_small(width, height):
            if covering is self.screen:  # under a dialog opened just before, it goes at the next resize
                body.display = True
                if isinstance(self.focused_before_small, NameBox):  # the box takes the focus only when opened
                    self.focused_before_small.open()
                    self.call_after_refresh(self.focused_before_small.action_end)  # typing goes on after the name
                elif self.focused_before_small is not None:
                    main.set_focus(self.focused_before_small)
                self.pop_screen()
        else:
            covering.show_size(width, height)

    @work(thread=True, exit_on_error=False)
    def warm_up_code_view(self) -> None:
        """The first code view compiles Pygments' lexer and the tokenizer inspect reads source with, and a chapter's
        view reads the earlier ones' (about a second for all of them): done here, in the background, this chapter's
        first, every c is quick."""
        first = CHAPTERS[self.chapter_number - 1]
        for chapter in [first, *reversed(CHAPTERS)]:
            for engine in chapter.models:
                if chapter.is_built(engine):
                    code_view(chapter.number, engine)

    def on_resize(self, event) -> None:
        self.check_size(event.size.width, event.size.height)
        narrow = is_narrow(event.size)
        self.carry_view(narrow)
        # under the too-small screen nothing shows: laid out when it goes; under a dialog, which shows the playground
        # through it, laid out now
        if any(isinstance(screen, TooSmallScreen) for screen in self.screen_stack):
            self.laid_out = self.laid_out and narrow == self.narrow
            self.narrow = narrow
            return
        if narrow != self.narrow or not self.laid_out:  # (not laid out: sizes went by under the too-small screen)
            self.narrow, self.laid_out = narrow, True
            self.relayout()
        else:
            self.call_after_refresh(self.render_all)  # panels fit their text to their new width

    def carry_view(self, narrow: bool) -> None:
        """Across 110x30, the view open stays open: the big loss chart is the small screen's Loss tab and the attention
        maps its Attention tab, and back (the chart open at the switch was left behind, and Esc then opened the tab)."""
        if narrow == self.narrow:
            return
        views = ("loss", "attention")
        if narrow:  # (on a wide screen active_panel is the tab a small screen showed last: it may be a view since closed)
            view = "loss" if self.loss_expanded else "attention" if self.attention_on and "attention" in self.panels() \
                else None
            if view:
                self.panel_before = self.active_panel if self.active_panel not in views else "weights"
                self.active_panel = view
            elif self.active_panel in views:
                self.active_panel = self.panel_before if self.panel_before not in views else "weights"
        elif self.active_panel == "attention":
            self.attention_on = True
        self.loss_expanded = not narrow and self.active_panel == "loss" and self.session.trains  # or the Loss tab

    def on_screen_change(self, screen) -> None:
        """Back on the playground after a covering screen: lay it out for a terminal resized meanwhile."""
        if screen is self.screen_stack[0] and not self.laid_out:
            self.laid_out = True
            self.relayout()

    def relayout(self) -> None:
        """The panels arranged for the screen's size anew; a panel shown now may need numbers the other layout
        left out (Grads), and each fits its text to its new width."""
        self.arrange()
        self.request_snapshot()
        self.call_after_refresh(self.render_all)

    def panels(self) -> list[str]:
        """The panels this chapter has, in the order the small screen numbers them."""
        n = self.chapter_number
        names = ["about", "weights", "probs", "loss", "generate"]
        if n in GRADIENT_CHAPTERS:
            names.append("gradients")
        if n >= ATTENTION_CHAPTER:
            names.append("attention")
        return names

    def empty_panels(self) -> set[str]:
        """This chapter's panels with nothing in them yet but the chapter that fills them."""
        session = self.session
        if not session.built:
            return set(self.panels()) - {"about"}
        return ({"weights"} if self.chapter_number == 1 else set()) | (set() if session.model.has_loss else {"loss"})

    def arrange(self) -> None:
        panels = self.panels()
        self.screen_stack[0].set_class(self.narrow, "-narrow")
        if self.narrow:
            if isinstance(self.screen_stack[0].focused, NameBox):  # a name being typed stays in sight
                self.active_panel = "probs"
            if self.active_panel not in panels:
                self.active_panel = "about"
            shown = {self.active_panel}
        else:
            shown = set(panels) - {"about"}
            if self.attention_on and "attention" in shown:
                shown.discard("weights")
            else:
                shown.discard("attention")
            if self.loss_expanded:
                shown = {"loss"}
        for panel in PANEL_TITLES:
            self.query_one(f"#{panel}").display = panel in shown
        # a nudge's effect stays in sight (the status bar has it where there is no training loss to show)
        self.query_one(WeightsPanel).with_loss = "probs" not in shown and self.session.trains
        left = self.query_one(LeftColumn)
        left.display = bool(shown & {"about", "weights", "attention", "gradients", "loss"})
        left.stacked = not self.narrow
        self.query_one("#right").display = bool(shown & {"probs", "generate"})
        chart = self.loss_expanded or self.narrow  # alone on a small screen, the loss gets its chart
        self.query_one(LossPanel).set_expanded(chart)
        self.query_one("#loss").set_class(chart, "-expanded")
        left.fit(left.size.height)  # (once the chart's class is set: its height is then the stylesheet's)
        self.query_one(PanelBar).show(panels, self.active_panel)
        main = self.screen_stack[0]
        focused = main.focused
        if focused is not None and not all(node.display for node in focused.ancestors_with_self if node is not main):
            self.focus_a_shown_panel()  # its panel went out of sight: the arrow keys would move nothing
        self.call_after_refresh(self.render_panels)  # panels just shown fit their text to their size

    def bring(self, panel: str) -> None:
        """On a small screen, show this panel."""
        if self.narrow and panel in self.panels() and self.active_panel != panel:
            self.screen_stack[0].minimize()  # a panel maximized (ctrl+p) would hide the one brought: a bare hatch
            self.panel_before, self.active_panel = self.active_panel, panel
            self.attention_on = self.attention_on and panel == "attention"  # maps left here are closed when wide too
            self.arrange()
            self.call_after_refresh(self.render_panels)  # once laid out, so text fits the panel's width

    # ---- sessions and snapshots -------------------------------------------------------------------------
    @property
    def session(self) -> Session:
        return self.session_for(self.chapter_number)

    def session_for(self, number: int) -> Session:
        if number not in self.sessions:
            self.sessions[number] = Session(get(number), self.seed, self.engine)
        return self.sessions[number]

    @property
    def snap(self) -> Snapshot:
        return self.snaps.get(self.chapter_number) or Snapshot(name=self.typed)

    def view(self) -> View:
        s = self.session
        n = self.chapter_number
        gradients = n in GRADIENT_CHAPTERS and (not self.narrow or self.active_panel == "gradients")
        attention = n >= ATTENTION_CHAPTER and (self.active_panel == "attention" if self.narrow else self.attention_on)
        return View(self.typed, s.matrix, s.cursor, gradients=gradients, attention=attention)

    def call_model(self, session: Session, job, done) -> None:
        """Run job with the model: now, or between two training steps; then done(result) here."""
        if not session.built:
            return
        if session.submit((job, done)):
            return
        try:
            with session.model_lock:
                result = job()
        except Exception as e:  # noqa: BLE001
            self.report(e)
            return
        done(result)

    def request_snapshot(self) -> None:
        session = self.session
        session.view = view = self.view()
        if not session.built:
            self.snaps[session.chapter.number] = session.snapshot(view)
            self.render_all()
            return
        self.call_model(session, lambda: session.snapshot(view), functools.partial(self.apply_snapshot, session))

    def apply_snapshot(self, session: Session, snap: Snapshot) -> None:
        self.snaps[session.chapter.number] = snap
        if session is self.session:
            self.render_panels()

    @guarded
    def render_all(self) -> None:
        """Everything: the chapter's texts, then the panels."""
        session = self.session
        self.query_one(ChapterInfo).show(session.chapter, session.built, session.error, self.narrow)
        self.query_one(AboutPanel).show(session.chapter, session.built, session.error, len(self.panels()),
                                        session.running_engine)
        generate = self.query_one(GeneratePanel)
        generate.temperature = session.temperature
        generate.refresh_body()
        self.render_panels()

    @guarded
    def render_panels(self) -> None:
        """What a new snapshot changes (up to 20 times a second while training): the visible panels and status."""
        session, snap = self.session, self.snap
        now = time.monotonic()
        throttled = session.training and self.speed != "slow"  # slow: every step's numbers, there is time
        for panel, interval in REDRAW_INTERVAL.items():
            widget = self.query_one(panel)
            if not widget.display:  # hidden panels are drawn when they are shown
                continue
            if throttled and now - self.drawn_at.get(panel, 0.0) < interval:
                continue
            widget.show(session, snap)
            self.drawn_at[panel] = now
        self.show_status()

    # ---- chapters ---------------------------------------------------------------------------------------
    @guarded
    def show_chapter(self, number: int) -> None:
        old = self.sessions.get(self.chapter_number)
        if number != self.chapter_number:
            self.clear_notifications()  # they speak of the chapter left (a nudge taken back, a step that failed)
            if old is not None and old.training:
                old.stop_requested = True
                self.paused_by_switch.add(old)  # said once it has stopped: the step under way still counts
        self.chapter_number = number
        session = self.session
        self.sub_title = session.chapter.label
        self.query_one(ChapterList).follow(number)
        if self.loss_expanded and not session.trains:
            self.loss_expanded = False  # nothing to chart here: the chart would hide every panel
        self.forget_generated("" if session.built else "Not built yet.")
        self.attention_on = self.attention_on and number >= ATTENTION_CHAPTER
        if self.narrow and (number not in self.visited or self.active_panel in self.empty_panels()):
            self.active_panel = "about"  # a new chapter's story and "try" first; never a tab with nothing in it yet
        self.visited.add(number)
        self.arrange()
        self.request_snapshot()
        self.render_all()

    def action_chapter(self, number: int) -> None:
        self.show_chapter(number)

    def action_next_chapter(self) -> None:
        if self.chapter_number < len(CHAPTERS):
            self.show_chapter(self.chapter_number + 1)
        else:
            self.notify(f"Chapter {len(CHAPTERS)} is the last: the whole GPT.")

    def action_previous_chapter(self) -> None:
        if self.chapter_number > 1:
            self.show_chapter(self.chapter_number - 1)
        else:
            self.notify("Chapter 1 is the first.")

    @on(OptionList.OptionSelected, "#chapters")
    def chapter_picked(self, event: OptionList.OptionSelected) -> None:
        self.show_chapter(int(event.option.id))

    # ---- training -------------------------------------------------------------------------------------
    def show_status(self) -> None:
        self.query_one(StatusBar).show(self.session, self.snap)
        session = self.session
        idle = set() if session.trains else {"train", "loss_chart"}  # no training, no curve to chart
        if self.chapter_number == len(CHAPTERS):
            idle.add("next_chapter")
        # a's place is on a wide screen with attention to show; a small one has no room (its panel bar has the maps)
        hidden = {"attention"} if self.narrow or self.chapter_number < ATTENTION_CHAPTER else set()
        self.query_one(Footer).relabel({"train": "Pause"} if session.training else {}, frozenset(idle),
                                       frozenset(hidden))

    def built(self, session: Session) -> bool:
        """Whether the chapter has a model; if not, its error says why."""
        if not session.built:
            self.notify(session.error, severity="warning")
        return session.built

    def trainable(self, session: Session) -> bool:
        if not self.built(session):
            return False
        if not session.model.trainable:
            self.notify(f"Chapter {session.chapter.number} does not train: training starts in chapter 6.")
            return False
        return True

    def ready_to_step(self, session) -> bool:
        """The chapter trains and its schedule has room; a press while training pauses it instead."""
        if not self.trainable(session):
            return False
        if session.training:
            session.stop_requested = True
            return False
        if session.finished:
            self.notify(f"The learning rate has decayed to 0 after {session.run.steps} steps: r twice starts again.")
            return False
        return True

    @guarded
    def action_train(self) -> None:
        session = self.session
        if session.training and session.stop_requested:  # pressed again while the pause takes effect: train on
            self.train_on ^= {session}  # (a third press: the pause stands)
            if self.reset_asked is session:  # r's pause, taken back: no question about a reset
                self.reset_asked = None
                self.questions.pop("r", None)
            return
        if not self.ready_to_step(session):
            return
        session.start_training()
        sys.setswitchinterval(TRAINING_SWITCH_INTERVAL)
        self.train_worker(session, self.step_budget)
        self.render_panels()

    @guarded
    def action_step(self) -> None:
        session = self.session
        if session.training:  # . pauses a run, as space does: said, as "one training step" does not say it
            self.notify(f"Chapter {session.chapter.number} paused: space trains on, . takes one step at a time.")
        if not self.ready_to_step(session):
            return

        def job():
            session.run.train_step()
            session.run.check_last_update()  # one step is a run's last step too: Diverged is reported
            return session.snapshot()

        self.call_model(session, job, functools.partial(self.apply_snapshot, session))
        self.validate_soon(session)

    @guarded
    def action_reset(self) -> None:
        session = self.session
        if not session.built:
            return
        # what r again would throw away, as it was shown
        work = session.run.step > 0 or session.nudged
        if work and not self.asked_before("r", (session.chapter.number, session.run.step)):
            paused = session.training
            session.stop_requested = True  # training pauses, so the count shown stays true
            self.reset_asked = session
            self.call_after_refresh(self.ask_to_reset, session, paused)
            return
        session.stop_requested = True
        self.reset_asked = None  # r twice before the first one's question came: answered, it must not come after

        def job():
            session.reset()
            return session.snapshot()

        self.call_model(session, job, functools.partial(self.apply_snapshot, session))
        self.forget_generated()
        self.clear_notifications()  # the question is answered
        lr = session.run.config.lr
        changed = session.trains and lr != session.chapter.lr
        kept = f" The learning rate stays {lr:g} ([ and ] set it)." if changed else ""
        self.notify(f"Chapter {session.chapter.number} reset to its first weights.{kept}" if session.has_weights else
                    f"Chapter {session.chapter.number} started again: it has no weights; its random draws restart "
                    f"from seed {session.run.config.seed}.")

    async def action_quit_anywhere(self) -> None:
        await self.action_quit()

    async def action_quit(self) -> None:
        """q quits at once, unless training would be lost: then it asks first, as r does."""
        unsaved = [(n, s.unsaved()) for n, s in sorted(self.sessions.items()) if s.unsaved()]
        # what is asked about: not the counts (a chapter still training adds steps meanwhile), but a save since asks anew
        if unsaved and not self.asked_before("q", [(n, self.sessions[n].saved_step) for n, _ in unsaved]):
            lost = ", ".join(f"chapter {n} ({what})" for n, what in unsaved)
            where = "At 80x24 or more, ctrl+s" if isinstance(self.screen, TooSmallScreen) else "ctrl+s"  # not here
            # in a dialog, the code view or the name box q types or closes: there only ctrl+q quits
            typed = len(self.screen_stack) > 1 and not isinstance(self.screen, TooSmallScreen)
            again = "ctrl+q" if typed or isinstance(self.focused, NameBox) else "q"
            self.notify(f"{again} again quits; not saved: {lost}. {where} saves a chapter on its own screen.")
            return
        self.exit()

    async def action_help_quit(self) -> None:
        """ctrl+c: as q (Textual's own says "press ctrl+q", a key this playground does not show)."""
        await self.action_quit()

    def asked_before(self, key: str, subject, seconds: float | None = None) -> bool:
        """True when `key` was pressed about the same `subject` within `seconds` (CONFIRM_SECONDS unless given; the
        question is then spent); else this press is the question, remembered for the next."""
        asked, until = self.questions.pop(key, (None, 0.0))
        if asked == subject and time.monotonic() < until:
            return True
        self.remember_question(key, subject, seconds)
        return False

    def remember_question(self, key: str, subject, seconds: float | None = None) -> None:
        """`key` pressed again about `subject` within `seconds` (CONFIRM_SECONDS unless given) is the answer."""
        self.questions[key] = (subject, time.monotonic() + (CONFIRM_SECONDS if seconds is None else seconds))

    def ask_to_reset(self, session: Session, paused: bool = False) -> None:
        """Once training has paused: the steps that r again would throw away, counted then."""
        if session is not self.session or self.reset_asked is not session:  # another chapter, or space, meanwhile
            return
        if session.training:  # the trainer finishes its step first
            self.set_timer(0.05, lambda: self.ask_to_reset(session, paused))
            return
        self.reset_asked = None
        steps, unsaved = session.run.step, session.unsaved("trained steps")
        self.remember_question("r", (session.chapter.number, steps))  # the count shown
        if unsaved:
            lost = f"{unsaved} not saved would be lost (ctrl+s saves them first)."
        else:
            lost = f"its {steps:,} steps are saved" if steps != 1 else "its 1 step is saved"
            lost += f" in {session.file}" if session.file else ""
            lost += " (ctrl+o opens them again)."
        pause = f"Training paused at step {steps:,} (space goes on). " if paused and not session.run.done else ""
        self.notify(f"{pause}r again resets chapter {session.chapter.number} to its first weights: {lost}")

    @guarded
    def action_learning_rate(self, direction: int) -> None:
        session = self.session
        if not self.trainable(session):
            return
        before = session.run.config.lr
        lr = session.lr_step(direction)
        if session.finished:
            self.notify(f"Learning rate {lr:g}, but this run's schedule has decayed it to 0: r twice starts again.",
                        replacing="lr")
        elif lr == before:
            self.notify(f"The learning rate is at its {'highest' if direction > 0 else 'lowest'} here: {lr:g}.",
                        replacing="lr")
        self.request_snapshot()

    @work(thread=True, group="train", exit_on_error=False)
    def train_worker(self, session: Session, budget: int | None) -> None:
        worker = get_current_worker()
        TrainingLoop(
            session, budget,
            job_done=lambda done, result, error: self.post_message(JobDone(done, result, error)),
            trained=lambda snap, stopped, note: self.post_message(Trained(session, snap, stopped, note)),
            beat=lambda: 1 / SLOW_STEPS_PER_SECOND if self.speed == "slow" else 0.0,
            ui_busy=lambda: time.monotonic() < self.ui_priority_until,
            cancelled=lambda: worker.is_cancelled,
        ).run()

    @on(Trained)
    def trained(self, message: Trained) -> None:
        if message.stopped and not any(s.training for s in self.sessions.values()):
            sys.setswitchinterval(DEFAULT_SWITCH_INTERVAL)
        self.apply_snapshot(message.session, message.snap)
        if message.stopped and message.session in self.paused_by_switch:
            self.paused_by_switch.discard(message.session)
            self.notify(f"Chapter {message.session.chapter.number} paused at step {message.snap.step}; its training "
                        "is kept.")
        if message.note:
            self.notify(message.note)
        if message.stopped and message.session is self.session:
            self.show_status()
        if message.stopped and message.session in self.train_on:
            self.train_on.discard(message.session)
            if not message.note and message.session is self.session:  # nothing stopped it but the pause
                self.action_train()

    @on(JobDone)
    def job_done(self, message: JobDone) -> None:
        if message.error is not None:
            self.report(message.error)
        else:
            try:
                message.done(message.result)
            except Exception as e:  # noqa: BLE001
                self.report(e)

    # ---- weights ----------------------------------------------------------------------------------------
    def show_weights(self) -> None:
        """Bring the Weights panel into sight (another tab, the attention maps or the big loss chart hid it):
        a key that changes a weight must show it."""
        if self.narrow:
            self.bring("weights")
        elif self.attention_on or self.loss_expanded:
            self.attention_on = self.loss_expanded = False
            self.arrange()

    @guarded
    def action_next_matrix(self) -> None:
        session, snap = self.session, self.snap
        if self.narrow and self.active_panel != "weights":
            self.bring("weights")
            return
        if not snap.weights:
            self.notify("This chapter's model has no weights.")
            return
        names = list(snap.weights)
        current = names.index(session.matrix) if session.matrix in names else -1
        session.matrix = names[(current + 1) % len(names)]
        session.cursor = (0,) * snap.weights[session.matrix].ndim
        self.show_weights()
        self.request_snapshot()

    @guarded
    def action_nudge(self, direction: int) -> None:
        session, snap = self.session, self.snap
        if not session.built or not snap.weights or session.matrix not in snap.weights:
            self.notify("No weights to nudge in this chapter: weights arrive in chapter 3.")
            return
        if not (self.narrow and self.active_panel == "gradients"):  # it shows the nudged weight's slopes too
            self.show_weights()
        delta = direction * nudge_step(snap.weights[session.matrix], self.chapter_number, session.cursor)
        name, index = session.matrix, session.cursor

        def job():
            session.nudge(name, index, delta)
            return session.snapshot()

        self.call_model(session, job, functools.partial(self.apply_snapshot, session))
        self.validate_soon(session)

    def validate_soon(self, session: Session) -> None:
        """After a step with . or a nudge: the held-out loss of the weights now, once the keys pause (a held-out pass
        takes 0.1 s on chapter 12's Values; training measures its own)."""
        if (timer := self.heldout_timers.pop(session, None)) is not None:
            timer.stop()
        if session.built and session.run.heldout:
            self.heldout_timers[session] = self.set_timer(VALIDATE_AFTER_KEYS,
                                                          functools.partial(self.validate_now, session))

    def validate_now(self, session: Session) -> None:
        self.heldout_timers.pop(session, None)
        if not self.is_running:  # the playground quit within the wait: its panels are going
            return

        def job():
            session.validate_whole()
            return session.snapshot()

        self.call_model(session, job, functools.partial(self.apply_snapshot, session))

    @on(WeightsPanel.Selected)
    def weight_selected(self) -> None:
        if self.chapter_number in GRADIENT_CHAPTERS:
            self.request_snapshot()
        else:
            self.show_status()

    # ---- the typed name ---------------------------------------------------------------------------------
    def action_type_name(self) -> None:
        self.bring("probs")
        self.query_one(NameBox).open()

    def on_key(self, event: events.Key) -> None:
        """A key that came in the same burst as the key that opened a text box was sent on before the focus moved:
        it is the box's, as if typed there, and goes to it in order (an editing key such as Backspace would
        otherwise run the box's binding at once, ahead of the letters typed before it). Enter or Esc leaves the
        name box here, at once (not after the box's Submitted), so the keys behind them are commands again, in a
        burst too."""
        sent_before_focus_moved = getattr(event, "sent_to", self.focused) is not self.focused
        if event.key in ("enter", "escape") and isinstance(self.focused, NameBox):
            self.focus_a_shown_panel()
        elif not (event.is_printable or sent_before_focus_moved):  # a printable key here was typed ahead too
            return
        elif isinstance(self.focused, Input):  # after the box's Focus: it replaces a selected value, as typing does
            self.focused.post_message(events.Key(event.key, event.character))
        elif isinstance(self.screen, FilePrompt):
            self.screen.type_ahead(events.Key(event.key, event.character))
        else:
            return
        event.prevent_default()  # not a binding
        event.stop()

    def focus_a_shown_panel(self) -> None:
        """The weights when they are in sight, else the chapter list: now, as / focuses."""
        weights = self.query_one(WeightsPanel)
        self.screen_stack[0].set_focus(weights if weights.display else self.query_one(ChapterList))

    def set_typed(self, name: str) -> None:
        """The typed name, from elsewhere than the box (a session file, the command line): in the box too."""
        self.typed = name
        self.query_one(ProbsPanel).input.value = name

    async def run_command(self, action: str) -> None:
        """An action picked in the command palette. From the name box it leaves the box first, as Esc does: there
        check_action holds back the keys that would type a letter, and the palette's pick ran nothing."""
        if isinstance(self.focused, NameBox):
            self.focus_a_shown_panel()
        await self.run_action(action)

    @on(NameBox.Left)
    def name_box_left(self) -> None:
        self.focus_a_shown_panel()

    @on(Input.Changed, "#name")
    def name_changed(self, event: Input.Changed) -> None:
        if event.value != self.typed:
            self.typed = event.value
            self.request_snapshot()

    # ---- generating ---------------------------------------------------------------------------------------
    @guarded
    def action_generate(self) -> None:
        session = self.session
        panel = self.query_one(GeneratePanel)
        self.bring("generate")
        if not self.built(session):
            return
        if panel.animating:
            panel.finish()
            return
        temperature = session.temperature
        tokens = session.run.vocab.tokens

        def job():
            return list(sample_steps(session.model, session.run.rng, temperature)), session.model_at()

        self.call_model(session, job, lambda result: panel.start(result[0], tokens, temperature, result[1]))

    def forget_generated(self, note: str = "") -> None:
        """No name being written, no ten names: what the model on screen now (another chapter, a reset, a run
        opened) did not write."""
        self.query_one(GeneratePanel).clear(note)

    @guarded
    def action_generate_ten(self) -> None:
        session = self.session
        self.bring("generate")
        if not self.built(session):
            return
        temperature = session.temperature
        panel = self.query_one(GeneratePanel)

        def job():
            return [sample(session.model, session.run.rng, temperature) for _ in range(10)], session.model_at()

        self.call_model(session, job, lambda result: panel.set_names(*result, temperature, session.model.block_size))

    @on(Button.Pressed, "#generate-one")
    def generate_pressed(self) -> None:
        self.action_generate()

    @on(Button.Pressed, "#generate-ten")
    def generate_ten_pressed(self) -> None:
        self.action_generate_ten()

    def action_temperature(self, direction: int) -> None:
        if not self.built(self.session):  # nothing to sample from
            return
        if not self.session.model.tempered:
            self.notify("A fair die stays fair at every temperature: the temperature sharpens or flattens a model's "
                        "probabilities, from chapter 2 on.")
            return
        before = self.session.temperature
        if self.session.temperature_step(direction) == before:
            self.notify(f"The temperature is at its {'highest' if direction > 0 else 'lowest'} here: {before:g}.")
        self.query_one(GeneratePanel).temperature = self.session.temperature
        self.render_panels()  # the status bar, and Probabilities' title (its numbers are at T 1)

    def action_speed(self) -> None:
        names, before = list(SPEEDS), self.speed
        self.speed = names[(names.index(self.speed) + 1) % len(names)]
        self.query_one(GeneratePanel).speed = self.speed
        # every press says what it set (at 80x24 the Generate panel may be out of sight), briefly: a few presses in a
        # row would pile up toasts
        if self.speed == "slow":
            said = f"names are written slowly, training goes {SLOW_STEPS_PER_SECOND} steps a second: each in sight"
        else:
            said = (f"names are written at {self.speed} speed" if self.speed != "instant" else "names appear at once") \
                + (", and training goes at full speed again" if before == "slow" else "")
        self.notify(f"Speed {self.speed}: {said}.", timeout=2, replacing="speed")

    # ---- views ----------------------------------------------------------------------------------------------
    def action_code(self) -> None:
        chapter = self.session.chapter
        if not chapter.is_built("scalar"):
            self.notify(f"Chapter {chapter.number} ({chapter.name}) is not built yet: no code to show.")
            return
        # the scalar engine's: the story's code, each chapter's idea in plain Python (chapter 7's Value and backward);
        # e shows the fast engine's numpy, which runs chapters 7-12 unless --engine scalar or a session says otherwise
        self.push_screen(CodeScreen(chapter, "scalar", running=self.session.running_engine))

    def action_help(self) -> None:
        self.clear_notifications()  # a toast would cover the keys' list
        self.push_screen(HelpScreen())

    def tab_before(self, leaving: str, default: str) -> str:
        """On a small screen, where closing `leaving` goes: the tab it was opened from, if this chapter has it."""
        return self.panel_before if self.panel_before in set(self.panels()) - {leaving} else default

    def action_loss_chart(self) -> None:
        model = self.session.model if self.session.built else None
        if model is not None and not model.trainable and not self.loss_expanded:  # no curve to draw
            self.notify("No loss to chart yet: it arrives in chapter 4." if not model.has_loss else
                        f"Chapter {self.chapter_number} does not train: its loss is one number, in the Loss panel. "
                        "The chart starts with training, in chapter 6.")
            return
        if self.narrow:  # the loss tab is its chart: l opens it, and closes it back to the tab before
            if self.active_panel == "loss":
                self.leave_loss_tab()
            else:
                self.bring("loss")
                self.request_snapshot()  # as a panel key does: the tab shown gets its numbers
            return
        self.loss_expanded = not self.loss_expanded
        self.arrange()
        self.render_panels()  # the chart's first frame: now, not after the wait for a refresh
        self.call_after_refresh(self.render_panels)

    def leave_loss_tab(self) -> None:
        """On a small screen, back from the Loss tab to the tab before, with its numbers (as a panel key does)."""
        self.bring(self.tab_before("loss", "about"))
        self.request_snapshot()

    def action_close_view(self, say_when_none: bool = False) -> None:
        """Esc closes what l and a open, as it closes help, the code and the dialogs (quietly when nothing is open;
        the palette, which offers it always, says so)."""
        if self.narrow and self.active_panel == "loss":  # in every chapter (l refuses to open a chart it has not)
            self.leave_loss_tab()
        elif self.loss_expanded:
            self.action_loss_chart()
        elif self.active_panel == "attention" if self.narrow else self.attention_on:
            self.action_attention()
        elif say_when_none:
            self.notify("Nothing to close: the loss chart (l) and the attention maps (a) are not open.")

    @guarded
    def action_attention(self) -> None:
        if self.chapter_number < ATTENTION_CHAPTER:
            self.notify(f"Attention arrives in chapter {ATTENTION_CHAPTER}.")
            return
        # where the maps are hidden (another tab; the big loss chart), a shows them rather than toggling them unseen
        shown = self.active_panel == "attention" if self.narrow else self.attention_on and not self.loss_expanded
        self.attention_on = not shown
        self.loss_expanded = self.loss_expanded and self.narrow
        if self.narrow and self.attention_on:
            self.panel_before, self.active_panel = self.active_panel, "attention"
        elif self.narrow:  # closed: back to the tab it was opened from, as l does
            self.active_panel = self.tab_before("attention", "weights")
        self.arrange()
        self.request_snapshot()

    @on(PanelBar.Picked)
    def panel_picked(self, message: PanelBar.Picked) -> None:
        self.bring(message.panel)
        self.request_snapshot()

    def action_panel(self, number: int) -> None:
        panels = self.panels()
        if self.narrow:
            if 1 <= number <= len(panels):
                self.bring(panels[number - 1])
                self.request_snapshot()
        elif self.loss_expanded:
            self.notify("The loss chart covers the panels: l or Esc closes it.")
        elif self.attention_on and panels[number - 1:number] == ["weights"]:
            self.notify("The attention maps are in the weights' place: a or Esc brings them back.")
        else:
            self.notify(f"Every panel is in sight at this size: 1-{len(panels)} pick one below {WIDE[0]}x{WIDE[1]}.")

    # ---- sessions and data (tui/session_keys.py) --------------------------------------------------------------
    @guarded  # files: whatever the disk does, one line, never a traceback
    def action_save_session(self) -> None:
        session_keys.save_session(self)

    @guarded
    def action_open_session(self) -> None:
        session_keys.open_session(self)

    @guarded
    def action_pick_data(self) -> None:
        session_keys.pick_data(self)

    # ---- errors -----------------------------------------------------------------------------------------------
    def clear_notifications(self) -> None:
        super().clear_notifications()
        self.toast, self.toast_until = "", 0.0  # so the same message may show again at once
        self.questions.clear()  # r or q again must not answer a question no longer on screen

    def notify(self, message: str, **kw) -> None:
        """Textual's, less a second copy of the message on screen (a key pressed again). Ours are plain text: a path
        or a name may hold [ and ], which markup would read as tags (it ate "[ and ]", and "[/]" crashed the app).
        Textual's own (a screenshot delivered to a browser) come with a title, and keep their markup."""
        now = time.monotonic()
        if message == self.toast and now < self.toast_until:
            return
        # replacing=kind: a key pressed again and again says one thing at a time (a burst of ] stacked 8 messages)
        if kind := kw.pop("replacing", None):
            for shown in [n for n in self._notifications if n.message == self.toasts_of.get(kind)]:
                self._unnotify(shown, refresh=False)
            self.toasts_of[kind] = message
        self.toast, self.toast_until = message, now + (kw.get("timeout") or self.NOTIFICATION_TIMEOUT)
        if self.screen_stack and isinstance(self.screen_stack[-1], TooSmallScreen):  # a toast would cover its
            self.screen_stack[-1].say(message, self.toast_until - now)  # text, and be cut at its size
            return
        super().notify(message, **(kw if kw.get("title") else {"markup": False} | kw))

    def check_action(self, action: str, parameters) -> bool | None:
        """Nothing runs behind the too-small screen, not even from the command palette: only quitting. In the name
        box the footer offers no key that would type a letter there instead."""
        if isinstance(self.focused, NameBox) and action in FOOTER_ACTIONS:
            return False
        return not isinstance(self.screen, TooSmallScreen) or action in ("quit", "quit_anywhere", "help_quit")

    def get_system_commands(self, screen):
        """Textual's own palette commands, less its Quit (the palette lists the playground's, with its key), its
        Keys panel (? is the one list of keys) and its Theme (the panels' colours are chosen for 256-colour terminals
        over ssh, and would not follow a theme)."""
        hidden = ("Quit", "Keys", "Theme")
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot" and not self.is_web:  # Textual's goes to ~/Downloads, rare over ssh
                command = command._replace(help="Save an SVG picture of the screen in the current folder",
                                           callback=lambda: self.set_timer(0.1, self.save_picture))
            if command.title == "Maximize" and screen is not self.screen_stack[0]:
                continue  # a dialog maximized hatched the whole playground around its box
            if command.title == "Maximize":  # nothing on screen says how to leave it
                command = command._replace(help="The focused panel alone on the screen; Esc brings back the others",
                                           callback=functools.partial(self.maximize, screen))
            if command.title not in hidden:
                yield command

    def maximize(self, screen) -> None:
        screen.action_maximize()
        self.notify("Esc brings back the other panels.")

    def save_picture(self) -> None:
        try:
            path = Path(self.save_screenshot(path=".")).resolve()
        except OSError as e:
            self.notify(f"Cannot save the picture here: {e.strerror or e}", severity="error")
        else:
            self.notify(f"Saved a picture of the screen to {shown_path(path)}")

    def report(self, error: Exception) -> None:
        message = divergence_note(error) if isinstance(error, Diverged) else one_line(error)
        self.notify(f"{type(error).__name__}: {message}" if not isinstance(error, ValueError) else message,
                    severity="error", timeout=6)

