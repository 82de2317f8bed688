"""The `minigpt-tui` command: the playground by default, and headless `chapters`, `train` and `sample`."""
from __future__ import annotations

import argparse
import contextlib
import difflib
import json
import math
import os
import re
import shlex
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from core import data as datasets, session
from core.chapters import CHAPTERS, ChapterError, get
from core.data import DataError, printable, shown_path
from core.model import Model
from core.run import DEFAULT_SEED, Diverged, Run, RunConfig, RunError
from core.sampling import SamplingError
from core.session import SessionError
from core.vocab import UnknownCharacter

USER_ERRORS = (ChapterError, DataError, RunError, SamplingError, SessionError, UnknownCharacter)
DIVERGED_EXIT = 3  # training stopped because the numbers went wrong (NaN, infinite, or out of the model's range)


class UsageError(Exception):
    """A bad command line; reported as one line with exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage plus the message; we want one line
        raise UsageError(message)

    def print_help(self, file=None):
        """As argparse's, but a failed write (a full disk) is not swallowed: it is one line and status 2, as any
        other output's."""
        (file or sys.stdout).write(self.format_help())

    def exit(self, status=0, message=None):
        sys.stdout.flush()  # --help and --version end here: their text is written out while a failure can be said
        super().exit(status, message)

    def _check_value(self, action, value):
        """argparse's "argument {chapters,train,...}: invalid choice" reads as noise: name the command or the option,
        the choices, and the one the typo is close to."""
        if action.choices is not None and value not in action.choices:
            choices = list(action.choices)
            what = f"{action.option_strings[0]}: unknown value" if action.option_strings else "unknown command"
            raise argparse.ArgumentError(None, f"{what} {value!r}{did_you_mean(value, choices)}; choose from "
                                               f"{', '.join(choices)}")


def did_you_mean(typed: str, known) -> str:
    # options compared without their dashes, which every one shares (--bogus is no near miss of --docs)
    by_name = {word.lstrip("-"): word for word in known}
    close = difflib.get_close_matches(typed.lstrip("-"), by_name, n=1)
    return f" (did you mean {by_name[close[0]]}?)" if close else ""


ENGINES = ["scalar", "fast"]
ENGINE_HELP = ("the engine of chapters 7-12: fast (numpy, their default) or scalar (plain Python on Values, the code "
               "the story reads); chapters 1-6 have the scalar engine alone")


class Default(str):
    """An option's default, told apart from the same text typed: --load refuses a --chapter it was given."""


SHARED_OPTIONS = ("chapter", "seed", "load", "data", "engine")  # taken before the command (the playground's) and after it


class Options(argparse.Namespace):
    """The parsed command line. A shared option given both before the command and after it with two values
    (-c 6 train -c 7) is refused: the later one once won silently."""

    def __setattr__(self, key, value):
        before = self.__dict__.get(key)
        given = before not in (None, "") and not isinstance(before, Default)  # "": refused as empty, not as twice
        if self.__dict__.get("command") and key in SHARED_OPTIONS and given and not same_option(key, before, value):
            raise UsageError(f"--{key} given twice: {shown_path(before)} before the command and {shown_path(value)} "
                             f"after it; give it once")
        super().__setattr__(key, value)


def same_option(key: str, a, b) -> bool:
    if key == "chapter":  # -c 6 train -c training: the same chapter
        with contextlib.suppress(ChapterError):
            return get(a).number == get(b).number
    if key == "data" and {a, b} & {"toy", "names"}:  # the built-in sets, not a file that happens to be named so
        return a == b
    if key in ("load", "data") and a != b and Path(a).exists():  # base.json and ./base.json: the same file
        return Path(a).resolve() == Path(b).resolve()
    return a == b


def whole_number(text: str) -> int:
    """A count; its range is checked with the run's other settings, which know it (--steps 1 to 10**9)."""
    try:
        return int(text)
    except ValueError:
        shown = repr(text if len(text) <= 24 else text[:20] + "…")
        digits = re.fullmatch(r"\s*[+-]?([0-9]+)\s*", text)
        if digits and len(digits[1]) > sys.get_int_max_str_digits():  # Python reads at most 4300 digits
            raise argparse.ArgumentTypeError(f"{shown} has {len(digits[1]):,} digits: far too many") from None
        raise argparse.ArgumentTypeError(f"{shown} is not a whole number") from None


def seed_number(text: str) -> int:
    value = whole_number(text)
    if value < 0:  # Random(-5) is Random(5): a negative seed would only look different
        raise argparse.ArgumentTypeError(f"{text!r} is below 0: a seed is 0 or more")
    return value


def number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value == 0 and any(c in "123456789" for c in text.lower().split("e")[0]):
        raise argparse.ArgumentTypeError(f"{text!r} is too close to 0 for a float: it reads as 0")
    if math.isinf(value) and "inf" not in text.lower():
        raise argparse.ArgumentTypeError(f"{text!r} is too large for a float: it reads as infinity")
    return value


def add_run_options(p: argparse.ArgumentParser, load_help: str) -> None:
    # SUPPRESS: given before the command (minigpt-tui --seed 7 train), these are kept, not reset to no value
    p.add_argument("--chapter", "-c", default=argparse.SUPPRESS,
                   help="chapter number or name (see `minigpt-tui chapters`); required unless --load")
    p.add_argument("--data", default=argparse.SUPPRESS,
                   help="toy, names, or a path to a file with one document per line (default: the chapter's)")
    p.add_argument("--docs", help="documents separated by commas, instead of a data file (e.g. ann,leia)")
    p.add_argument("--seed", type=seed_number, default=argparse.SUPPRESS, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--engine", choices=ENGINES, type=str.lower, default=argparse.SUPPRESS, help=ENGINE_HELP)
    p.add_argument("--samples", type=whole_number, help="how many documents to sample (default: the chapter's)")
    p.add_argument("--temperature", type=number, help="sampling temperature (default: the chapter's; 1e-300 or more; "
                   "near 0 takes the likeliest token)")
    p.add_argument("--load", metavar="FILE", default=argparse.SUPPRESS, help=load_help)


def option_named(command: Parser, option: str) -> str | None:
    """The option string a word names in one parser: itself, or the one option it abbreviates (argparse takes --doc
    for --docs)."""
    actions = command._option_string_actions
    if option in actions:
        return option
    named = [o for o in actions if len(option) > 2 and option.startswith("--") and o.startswith(option)]
    return named[0] if len(named) == 1 else None


def option_owners(parser: Parser, word: str) -> tuple[str, list[str]]:
    """The option a word names (--doc=x: --docs) and the commands that take it."""
    option, owners = word.split("=")[0], {}
    if not option.startswith("-"):
        return option, []
    for name, command in parser.commands.items():
        if (named := option_named(command, option)) is not None:
            owners[name] = named
    return next(iter(owners.values()), option), list(owners)


def unknown_arguments(parser: Parser, command: str | None, unknown: list[str]) -> str:
    """argparse's message, with the option meant when a typo is close to one, or the command an option is for."""
    message = f"unrecognized arguments: {' '.join(unknown)}"
    option, owners = option_owners(parser, unknown[0])
    if owners:
        return f"{message} ({option} is an option of {' and '.join(owners)}, not of {command or 'the playground'})"
    known = parser.commands[command] if command else parser
    return message + did_you_mean(option, known._option_string_actions)


def playground_option(parser: Parser, word: str) -> tuple[argparse.Action | None, bool]:
    """The playground's own option a word gives, in any form argparse takes (--data=x, -c6, --d for --data), and
    whether its value is attached to it."""
    name, actions = word.split("=")[0], parser._option_string_actions
    if (option := option_named(parser, name)) is not None:
        return actions[option], "=" in word
    if not name.startswith("--") and len(name) > 2 and name[:2] in actions:  # -c6
        return actions[name[:2]], True
    return None, False


def misplaced_option(parser: Parser, argv: list[str]) -> str | None:
    """An option of a command given before any command (to the playground), or one no command has, said as such:
    argparse takes the value after an option it does not know for the command (--stepz 3: "unknown command '3'")."""
    value_next = False
    for word in argv:
        if value_next:  # --seed -5: a value, refused by argparse's own message
            value_next = False
            continue
        if word in parser.commands or word == "--":  # after a command, or "--", words are not the playground's
            return None
        known, attached = playground_option(parser, word)
        if known is not None:
            value_next = known.nargs != 0 and not attached
            continue
        option, owners = option_owners(parser, word)
        if not option.startswith("-"):
            continue
        if owners:
            return (f"{option} is an option of {' and '.join(owners)}, not of the playground: give it after the command "
                    f"(minigpt-tui {owners[0]} {option} ...)")
        every = {o for command in (parser, *parser.commands.values()) for o in command._option_string_actions}
        return f"unrecognized arguments: {word}" + did_you_mean(option, every)
    return None


class VersionAction(argparse.Action):
    """--version: the installed version, looked up only when asked (importlib.metadata costs ~50 ms a start)."""

    def __init__(self, option_strings, dest, **kw):
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit", **kw)

    def __call__(self, parser, namespace, values, option_string=None):
        import importlib.metadata

        try:
            version = importlib.metadata.version("minigpt-tui")
        except importlib.metadata.PackageNotFoundError:  # run from a source tree that was never installed
            version = "(not installed)"
        print(f"minigpt-tui {version}")
        parser.exit()


def build_parser() -> Parser:
    parser = Parser(prog="minigpt-tui", description="Build a GPT step by step and watch it learn.")
    parser.add_argument("--version", action=VersionAction, default=argparse.SUPPRESS)
    parser.add_argument("--chapter", "-c", default=Default("1"), help="chapter to open the playground on (default 1)")
    parser.add_argument("--seed", type=seed_number, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--load", metavar="FILE", help="open the playground on a saved session")
    parser.add_argument("--data", help="open the chapter on toy, names, or a file with one document per line")
    parser.add_argument("--engine", choices=ENGINES, type=str.lower, help=ENGINE_HELP)
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="{chapters,train,sample,serve}")

    parser.commands = sub.choices  # for the options each command knows, when one is mistyped

    def command(name: str, about: str):
        """A command: `about` is its line in the list and, as a sentence, the top of its own --help."""
        return sub.add_parser(name, help=about, description=about[0].upper() + about[1:] + ".")

    command("chapters", "list the chapters")
    train = command("train", "train a chapter's model headless and print its losses and samples")
    add_run_options(train, "a saved session to continue: its chapter, data and settings")
    train.add_argument("--steps", type=whole_number,
                       help="training steps (default: the chapter's; chapter 12's rate decays to 0 over them, as microgpt's)")
    train.add_argument("--lr", type=number,
                       help="learning rate (default: the chapter's; in chapter 12 the first step's)")
    train.add_argument("--batch", type=whole_number, help="documents per step (default 1)")
    train.add_argument("--save", metavar="FILE", help="save the session at the end, or on Ctrl-C")
    train.add_argument("--format", choices=["text", "jsonl"], type=str.lower, default="text", help="output format (default text)")

    sample = command("sample", "sample documents from a chapter's model as it starts (or --load a saved one)")
    add_run_options(sample, "a saved session to sample from: its chapter, data and settings")

    serve = command("serve", "serve the playground to web browsers (one session per tab)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=whole_number, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--chapter", "-c", default=argparse.SUPPRESS, help="chapter each tab opens on (default 1)")
    serve.add_argument("--seed", type=seed_number, default=argparse.SUPPRESS, help=f"random seed (default {DEFAULT_SEED})")
    serve.add_argument("--load", metavar="FILE", default=argparse.SUPPRESS, help="every tab opens this saved session")
    serve.add_argument("--engine", choices=ENGINES, type=str.lower, default=argparse.SUPPRESS, help=ENGINE_HELP)
    return parser


def run_config(args, **extra) -> RunConfig:
    if isinstance(args.chapter, Default):
        raise UsageError("the following arguments are required: --chapter/-c (or --load FILE)")
    if args.docs is not None and args.data is not None:
        raise UsageError("--docs and --data both give the documents; use one")
    docs = tuple(d for d in args.docs.split(",")) if args.docs is not None else None
    return RunConfig(
        chapter=args.chapter, data=args.data, docs=docs, seed=seed_of(args),
        engine=args.engine, samples=args.samples, temperature=args.temperature,
        **{key: value for key, value in extra.items() if value is not None},
    )


def seed_of(args) -> int:
    """--seed, or the default: None until here, so that with --load a --seed given can be refused."""
    return DEFAULT_SEED if args.seed is None else args.seed


FIXED_BY_SESSION = ("data", "docs", "seed", "engine", "steps", "lr", "batch")


def refuse_session_overrides(args) -> None:
    """With --load the session's settings stand: an option that would change one is refused."""
    fixed = [f"--{key}" for key in FIXED_BY_SESSION if getattr(args, key, None) is not None]
    if fixed:
        raise UsageError(f"{fixed[0]} cannot be changed: --load keeps the session's own; leave it out")


def check_chapter(args, run: Run) -> None:
    """With --load the session decides the chapter: a --chapter naming the same one is fine, another is refused."""
    if args.chapter is None or isinstance(args.chapter, Default):
        return
    if get(args.chapter).number != run.chapter.number:
        raise UsageError(f"--chapter {args.chapter}: the session decides the chapter, and {shown_path(args.load)} "
                         f"is chapter {run.chapter.number} ({run.chapter.name}); leave --chapter out")


def new_or_loaded_run(args, **extra) -> session.SavedSession:
    """A fresh Run from the options, or the saved one of --load (whose settings only --samples and
    --temperature may change: anything else would not continue the same run), with its typed name."""
    if not args.load:
        config = run_config(args, **extra)
        # the data file is read before the chapter is matched to it: the file's own problem is the one to report
        dataset = datasets.load(args.data) if args.data and args.docs is None else None
        return session.SavedSession(Run(config, dataset))
    refuse_session_overrides(args)
    loaded = session.load(args.load)
    run = loaded.run
    check_chapter(args, run)
    changes = {key: getattr(args, key) for key in ("samples", "temperature") if getattr(args, key) is not None}
    if changes:
        run.config = replace(run.config, **changes).resolved()
    return loaded


def print_notes(run: Run) -> None:
    """What loading the data changed (e.g. lines cut), on stderr so stdout keeps its format."""
    for note in run.dataset.notes:
        warn(f"note: {note}")


def cmd_chapters(args) -> int:
    for chapter in CHAPTERS:
        print(f"{chapter.number:2d}  {chapter.name:<11} {chapter.title}")
    return 0


def print_header(run: Run) -> None:
    n_params = sum(w.size for w in run.model.weights().values())
    print(f"num docs: {len(run.docs)}")
    print(f"vocab size: {len(run.vocab)}")
    print(f"num params: {n_params}")


def print_samples(run: Run, jsonl: bool) -> None:
    if not run.config.samples:
        return
    if not jsonl:
        print("--- inference (new, hallucinated names) ---")
    for i in range(run.config.samples):
        name = run.sample()
        print(json.dumps({"sample": name}) if jsonl else f"sample {i + 1:2d}: {name}")


class Progress:
    """A rich progress bar for runs on a terminal that last more than a second; silent otherwise. The output's
    lines go above the bar, ten times a second at most: rich draws the screen again for every write. With the
    output sent to a file, the bar is drawn on stderr when that is the terminal."""

    SHOWN_AFTER = 1.0  # seconds: a shorter run would only flash it

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.started = time.monotonic()
        self.bar = None
        self.pending: list[str] = []
        self.written = 0.0

    def write(self, line: str) -> None:
        if self.bar is None:
            sys.stdout.write(line)
            return
        self.pending.append(line)
        if time.monotonic() - self.written >= 0.1:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            # sys.stdout looked up each time: while the bar shows, rich redirects it above the bar
            sys.stdout.write("".join(self.pending))
            self.pending.clear()
        self.written = time.monotonic()

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < self.SHOWN_AFTER:
                return
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TimeRemainingColumn

            on_stdout = sys.stdout.isatty()
            self.bar = RichProgress("training", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True,
                                    console=None if on_stdout else Console(file=sys.stderr), redirect_stdout=on_stdout)
            self.task = self.bar.add_task("train", total=self.total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        """Stops the bar. Never raises: a terminal gone meanwhile (closed, an ssh connection dropped) is no reason
        for the run not to be saved."""
        bar, self.bar = self.bar, None
        if bar is None:
            return
        try:
            self.flush()
            bar.stop()
        except OSError:
            self.pending.clear()
            silence(sys.stdout)


class CtrlC:
    """While saving is asked for, Ctrl-C ends the current step first, so the session saved is whole; so do the
    terminal closing (SIGHUP, e.g. an ssh connection dropped) and a polite kill (SIGTERM).

    A second Ctrl-C stops at once (and nothing is saved). A second SIGHUP or SIGTERM does not: a closing terminal
    sends SIGHUP twice (the kernel, and the shell passing it on to its jobs), and no one typed it.
    """

    # Windows has no SIGHUP
    SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))

    def __init__(self, enabled: bool):
        self.enabled, self.pressed, self.previous = enabled, False, {}
        self.signum = 0  # the first signal's

    @property
    def exit_status(self) -> int:
        """The shell's for a process a signal ended: 130 after Ctrl-C, 143 after SIGTERM, 129 after SIGHUP."""
        return 128 + self.signum

    def __enter__(self):
        if self.enabled:
            try:
                self.previous = {signum: signal.signal(signum, self.handle) for signum in self.SIGNALS}
            except ValueError:  # not the main thread: the signals keep their default meaning
                self.enabled = False
        return self

    def handle(self, signum, frame):
        if self.pressed:
            if signum == signal.SIGINT:
                raise KeyboardInterrupt
            return
        self.pressed, self.signum = True, signum
        # said at once: a step of a big model can take a while
        name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
        warn(f"{name}: finishing the current step, then saving (Ctrl-C again stops without saving)")

    def __exit__(self, *exc):
        for signum, previous in self.previous.items():
            signal.signal(signum, previous)


def cmd_train(args) -> int:
    loaded = new_or_loaded_run(args, steps=args.steps, lr=args.lr, batch=args.batch)
    run, typed = loaded.run, loaded.typed  # a playground session's typed name goes back into the file
    if not run.model.trainable:
        source = f"--load {command_word(args.load)}" if args.load else f"--chapter {run.chapter.number}"
        raise RunError(f"chapter {run.chapter.number} ({run.chapter.name}) does not train; "
                       f"try `minigpt-tui sample {source}`")
    seen, rescued = None, False  # what the save may replace, as it is before the training; saved elsewhere
    if args.save is not None:
        if not args.save.strip():
            raise UsageError("--save needs a file name")
        target = session.check_save_path(args.save)  # a path that cannot be saved to fails now, not after training
        refuse_replacing_another_run(args, target)
        seen = session.file_signature(target)
    print_notes(run)
    if run.done:  # a session loaded at its end: only its samples are left
        warn(f"nothing left to train: the session is at {run.progress()}; {longer_run(run)}")
    jsonl = args.format == "jsonl"
    progress = Progress(run.steps, enabled=not jsonl and (sys.stdout.isatty() or sys.stderr.isatty()))
    first_step = run.step
    run.put_on_trial()  # where training starts: where a runaway from here goes back to, as in the playground
    with CtrlC(enabled=bool(args.save)) as ctrl_c:  # also while saving: a kill then would leave no file
        try:
            if not jsonl:
                print_header(run)
            while not run.done and not ctrl_c.pressed:
                result = run.train_step()
                if jsonl:
                    docs = {"doc": result.docs[0]} if len(result.docs) == 1 else {"docs": result.docs}
                    sys.stdout.write(json.dumps({"step": result.step, **docs, "loss": result.loss}) + "\n")
                else:
                    progress.write(f"step {result.step:4d} / {run.steps:4d} | loss {result.loss:.4f}\n")
                progress.update(result.step)
            run.check_last_update()
        except Diverged as e:
            progress.close()
            flush_stdout()
            warn(str(e))  # first: a save that fails must not hide why the training stopped
            warn(divergence_advice(e, run, loaded=bool(args.load)))
            if args.save and run.step > first_step:  # the good steps
                try:  # going on from there would only diverge again: no "continue with"
                    kept = save_run(args.save, run, typed, seen)
                    warn(f"the parameters after step {run.step} are saved to {shown_path(kept)}")
                except SessionError as failed:
                    warn(str(failed))
            elif args.save:
                warn(f"nothing is saved to {shown_path(args.save)}: no step of this run could be kept")
            return DIVERGED_EXIT
        except OSError as e:  # the output went away (| head) or failed (a full disk): the training is kept
            progress.close()
            silence(sys.stdout)
            if not args.save:
                raise
            warn(f"{output_error(e)} {stopped_and_saved(run, args.save, typed, seen)}")
            return 2
        except KeyboardInterrupt:  # Ctrl-C without --save, or a second one: the step may be half done
            progress.close()
            flush_stdout()
            lost = "nothing is saved" if args.save else "the steps are lost (--save FILE keeps them next time)"
            warn(f"interrupted at step {run.step} of {run.steps}; {lost}")
            return 130
        finally:
            progress.close()
        if args.save:
            if ctrl_c.pressed:
                flush_stdout()
                warn(f"interrupted {stopped_and_saved(run, args.save, typed, seen)}")
                return ctrl_c.exit_status
            kept = save_run(args.save, run, typed, seen)
            warn(f"saved to {shown_path(kept)}")
            rescued = Path(kept).resolve() != Path(args.save).expanduser().resolve()
    print_samples(run, jsonl)
    if jsonl:
        params = {name: w.tolist() for name, w in run.model.weights().items()}
        print(json.dumps({"params": params}))
    return 2 if rescued else 0  # saved, but not where --save said: a script must not take the file for the run


def refuse_replacing_another_run(args, target) -> None:
    """--save replaces a session only with the run continued from it (--load of that same file): a typo, or the
    same command run twice, must not cost a run trained for hours."""
    held = session.held_run(target)
    if not held:
        return
    with contextlib.suppress(OSError, ValueError):
        if args.load and os.path.samefile(os.path.expanduser(args.load), target):
            return
    raise UsageError(f"--save {shown_path(args.save)}: it holds {held}; give another name, or remove it first")


def save_run(path: str, run: Run, typed: str, seen: tuple | None):
    """session.save, unless another run saved there since `seen` (two runs given one --save). When it cannot save
    there (that, a full disk, a folder removed meanwhile), a second try in the temporary folder: the steps trained
    exist nowhere else. When both fail, the message says what to do."""
    target = Path(path).expanduser()
    try:
        with contextlib.suppress(OSError):  # a path that cannot even be looked at: save says why
            if session.file_signature(target) != seen and target.is_file() and session.held_run(target):
                raise SessionError(f"{shown_path(path)}: another run saved there meanwhile; it is kept")
        return session.save(path, run, typed)
    except SessionError as e:
        rescue = session.rescue_path(run)
        try:
            saved = session.save(rescue, run, typed)
        except SessionError:
            raise SessionError(f"{e}; the training is not saved (nor in {shown_path(rescue.parent)}): free some "
                               "space, or --save to another place") from None
        warn(f"{e}; saving in the temporary folder instead")
        return saved


def stopped_and_saved(run: Run, path: str, typed: str, seen: tuple | None) -> str:
    """Saves a run that stopped before its end; says where, and how to go on."""
    saved = save_run(path, run, typed, seen)
    return (f"at step {run.step} of {run.steps}; saved to {shown_path(saved)} "
            f"(continue with: minigpt-tui train --load {command_word(saved)} --save {command_word(saved)})")


def command_word(text) -> str:
    """A word of a shell command, quoted for pasting; a line break in it is shown escaped, keeping one line."""
    return shown_path(shlex.quote(str(text)))


MAX_TRIAL_STEPS = 2000  # a longer run that longer_run tries first: a toy run of this many takes well under a second


def longer_run(run: Run) -> str:
    """How to train longer: a new run with twice the steps, or, for a toy model with a limit (chapters 6-7: w / sum(w)
    needs every weight above 0), as many as that run takes before it stops there: tried first, when it is short."""
    steps = 2 * max(run.step, run.steps)
    if type(run.model).out_of_range is not Model.out_of_range and steps <= MAX_TRIAL_STEPS:
        trial = Run(replace(run.config, steps=steps), run.dataset)
        try:
            while not trial.done:
                trial.train_step()
        except Diverged as e:
            if e.limit and e.step - 1 <= run.step:
                return ("this toy model is at its limit: one more step takes a weight below 0 (chapter 8's softmax "
                        "has none)")
            if e.limit:
                steps = e.step - 1
    return f"to train longer, start a new run with more steps, e.g. {train_command(run, steps=steps)}"


def train_command(run: Run, **changes) -> str:
    """The command for a new run with the run's settings, some changed (e.g. lr=0.05): a session keeps its own."""
    c = replace(run.config, **changes)
    words = ["minigpt-tui", "train", "-c", str(c.chapter)]
    source, chapter = datasets.source_of(run.dataset), run.chapter
    if source == "docs" and run.dataset.docs != chapter.docs:
        words += ["--docs", ",".join(run.dataset.docs)]
    elif source != "docs" and (source != chapter.data or chapter.docs):  # chapters 6-8 start on their docs
        words += ["--data", source]
    words += ["--steps", str(c.steps), "--lr", exact(c.lr)]
    if c.batch != 1:
        words += ["--batch", str(c.batch)]
    if c.seed != DEFAULT_SEED:
        words += ["--seed", str(c.seed)]
    if c.engine != run.chapter.default_engine:
        words += ["--engine", c.engine]
    return " ".join(command_word(word) for word in words)


def exact(x: float) -> str:
    """A number as short as it reads (0.1, 1e+06), or all its digits when that would read as another number: a
    suggested command runs with the same value."""
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


def divergence_advice(e: Diverged, run: Run, loaded: bool) -> str:
    """What to try after a divergence. A loaded session keeps its learning rate (--lr with --load is refused): the
    smaller one is tried in a new run. Past a toy model's limit, the default rate in a run of the chapter's steps at
    most (it gets no further)."""
    new_run = " in a new run" if loaded else ""
    if e.limit and e.try_lr is not None:
        command = train_command(run, lr=e.try_lr, steps=min(run.steps, run.chapter.steps))
        return f"try this chapter's default learning rate{new_run}, e.g. {command}"
    if loaded and e.try_lr is not None:
        return f"try a smaller learning rate{new_run}, e.g. {train_command(run, lr=e.try_lr)}"
    if e.limit and e.restored and not loaded:  # no rate helps: how to stop before the limit, with samples to show
        return f"{e.advise('--lr ')}; {train_command(run, steps=e.restored)} stops before it"
    return e.advise("--lr ")


def output_error(error: OSError) -> str:
    return "the output was closed" if isinstance(error, BrokenPipeError) else f"cannot write the output ({error.strerror})"


def silence(stream) -> None:
    """After a write to stdout or stderr failed, Python's last flush at exit would fail again (a traceback, or exit
    status 120): point it at nothing."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
    except (OSError, ValueError):
        pass


def flush_stdout() -> None:
    """stdout's lines before a message on stderr; a stdout gone away is no reason to skip saving."""
    try:
        sys.stdout.flush()
    except OSError:
        silence(sys.stdout)


def warn(message: str) -> None:
    """One line on stderr; a stderr gone too (`2>&1 | head`) is not a second error."""
    try:
        print(f"minigpt-tui: {printable(message)}", file=sys.stderr, flush=True)
    except OSError:
        silence(sys.stderr)


def cmd_sample(args) -> int:
    run = new_or_loaded_run(args).run
    if run.model.trainable and run.step == 0:  # its names are noise: say how to get the chapter's real ones
        n = run.chapter.number
        load = "" if args.load else ", and --load FILE samples a saved session"
        warn(f"note: chapter {n}'s model is untrained, its names noise: `minigpt-tui train -c {n}` samples after "
             f"training{load}")
    for i in range(run.config.samples):
        print(f"sample {i + 1:2d}: {run.sample()}")
    return 0


def has_terminal() -> bool:
    """The playground draws on a terminal and reads its keys; under `serve`, textual-serve's web driver talks to
    the browser through pipes instead."""
    if "TEXTUAL_DRIVER" in os.environ:
        return True
    return all(stream is not None and stream.isatty() for stream in (sys.stdin, sys.stdout))


def cmd_playground(args) -> int:
    chapter = get(args.chapter)
    seed = seed_of(args)
    options = {}
    if args.load or args.data:  # a bad file fails here, with one line, before the screen changes
        from tui.trainer import PlaygroundRun

        try:
            if args.load:
                refuse_session_overrides(args)
                options["saved"] = session.load(args.load, run_class=PlaygroundRun)
                options["saved_file"] = args.load
                check_chapter(args, options["saved"].run)
            else:
                dataset = datasets.load(args.data)  # read first: the file's own problem is the one to report
                run = PlaygroundRun(RunConfig(chapter=chapter.number, data=args.data, seed=seed,
                                              engine=chapter.engine_or_default(args.engine)), dataset)
                options["saved"] = session.SavedSession(run)
            print_notes(options["saved"].run)
            chapter = options["saved"].run.chapter
        except USER_ERRORS as e:
            if "TEXTUAL_DRIVER" not in os.environ:
                raise
            # a browser tab (serve) shows no stderr, and a tab left blank says nothing: the playground says it
            options = {"note": f"{e}: this tab opened chapter {chapter.number} instead"}
    if not has_terminal():  # it would wait for keys that never come, and write escape codes into a file
        raise UsageError("the playground needs a terminal (with ssh, use ssh -t); without one, use the train and "
                         "sample commands")
    if os.environ.get("TERM") == "dumb" and "TEXTUAL_DRIVER" not in os.environ:  # no cursor moves, no colours
        raise UsageError("the playground cannot draw on TERM=dumb: set TERM to your terminal's kind (e.g. "
                         "TERM=xterm-256color), or use the train and sample commands")
    from tui.app import PlaygroundApp

    app = PlaygroundApp(chapter=chapter.number, seed=seed, engine=args.engine, **options)
    app.run()
    return app.return_code or 0  # 128 + the signal's number when one stopped it


def cmd_serve(args) -> int:
    from tui.serve import ServeError, serve

    if args.data is not None:
        raise UsageError("serve does not take --data: save a session made on your data and serve it with --load")
    chapter = get(args.chapter)  # an unknown chapter or a bad session fails here, not in every browser tab
    load = None
    if args.load:
        refuse_session_overrides(args)
        run = session.load(args.load).run
        check_chapter(args, run)
        chapter, load = run.chapter, os.path.abspath(args.load)
    try:
        serve(host=args.host, port=args.port, chapter=chapter.number, seed=seed_of(args), load=load,
              engine=args.engine)
    except ServeError as e:
        warn(str(e))
        return 2
    return 0


COMMANDS = {"chapters": cmd_chapters, "train": cmd_train, "sample": cmd_sample, "serve": cmd_serve,
            None: cmd_playground}


def main(argv: list[str] | None = None) -> int:
    for name in ("stdout", "stderr"):  # started with it closed (>&-): writes go nowhere, as print's would
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w"))
    try:
        parser = build_parser()
        words = sys.argv[1:] if argv is None else argv
        try:
            args, unknown = parser.parse_known_args(argv, namespace=Options())
        except UsageError as e:  # -c 6 --docs ann: argparse took ann for the command; the option is what is wrong
            raise UsageError(misplaced_option(parser, words) or str(e)) from None
        if unknown:  # --lr=0.1 before the command is left over rather than refused: said the same way as --lr 0.1
            raise UsageError(misplaced_option(parser, words) or unknown_arguments(parser, args.command, unknown))
        if args.data is not None and not args.data.strip():
            raise UsageError("--data needs toy, names, or a file path")
        if args.load is not None and not args.load.strip():  # not a missing --load: --chapter is not what is wanted
            raise UsageError("--load needs a session file")
        with np.errstate(all="ignore"):  # NaN and inf are caught by the run's guard, each with one clear message
            status = COMMANDS[args.command](args)
            sys.stdout.flush()  # here, where a failed write is caught, not at exit
            return status
    except (UsageError, *USER_ERRORS) as e:
        warn(str(e))
    except KeyboardInterrupt:
        warn("interrupted")
        return 130
    except BrokenPipeError:
        silence(sys.stdout)  # the reader went away (e.g. `| head`): not an error worth a traceback
        return 0
    except OSError as e:  # writing the output failed (e.g. a full disk); files the CLI reads and writes say their own
        silence(sys.stdout)
        warn(output_error(e))
    return 2


if __name__ == "__main__":
    sys.exit(main())
