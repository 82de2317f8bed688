"""The `minigpt-tui` command: the playground by default, and headless `chapters`, `train` and `sample`."""
from __future__ import annotations

import argparse
import json
import sys
import time

from core.chapters import CHAPTERS, ChapterError
from core.data import DataError
from core.run import Run, RunConfig, RunError
from core.vocab import UnknownCharacter

USER_ERRORS = (ChapterError, DataError, RunError, UnknownCharacter)


class UsageError(Exception):
    """A bad command line; reported as one line with exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse prints usage plus the message; we want one line
        raise UsageError(message)


def positive_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None


def add_run_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--chapter", "-c", required=True, help="chapter number or name (see `minigpt-tui chapters`)")
    p.add_argument("--data", help="toy, names, or a path to a file with one document per line")
    p.add_argument("--docs", help="documents separated by commas, instead of a data file (e.g. ann,leia)")
    p.add_argument("--seed", type=positive_int, default=42, help="random seed (default 42)")
    p.add_argument("--engine", choices=["scalar", "fast"], help="scalar (pure-Python autograd) or fast (numpy)")
    p.add_argument("--samples", type=positive_int, help="how many documents to sample")
    p.add_argument("--temperature", type=number, help="sampling temperature (above 0)")


def build_parser() -> Parser:
    parser = Parser(prog="minigpt-tui", description="Build a GPT step by step and watch it learn.")
    parser.add_argument("--chapter", "-c", default="1", help="chapter to open the playground on (default 1)")
    parser.add_argument("--seed", type=positive_int, default=42, help="random seed (default 42)")
    sub = parser.add_subparsers(dest="command", parser_class=Parser, metavar="{chapters,train,sample,serve}")

    sub.add_parser("chapters", help="list the chapters")

    train = sub.add_parser("train", help="train a chapter's model headless and print its losses and samples")
    add_run_options(train)
    train.add_argument("--steps", type=positive_int, help="training steps (default: the chapter's)")
    train.add_argument("--lr", type=number, help="learning rate (default: the chapter's)")
    train.add_argument("--batch", type=positive_int, default=1, help="documents per step (default 1)")
    train.add_argument("--format", choices=["text", "jsonl"], default="text", help="output format (default text)")

    sample = sub.add_parser("sample", help="sample documents from a chapter's model")
    add_run_options(sample)

    serve = sub.add_parser("serve", help="serve the playground to web browsers (one session per tab)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=positive_int, default=8000, help="port to listen on (default 8000)")
    serve.add_argument("--chapter", "-c", default=argparse.SUPPRESS, help="chapter each tab opens on (default 1)")
    serve.add_argument("--seed", type=positive_int, default=argparse.SUPPRESS, help="random seed (default 42)")
    return parser


def run_config(args, **extra) -> RunConfig:
    docs = tuple(d for d in args.docs.split(",")) if args.docs is not None else None
    return RunConfig(
        chapter=args.chapter, data=args.data, docs=docs, seed=args.seed, engine=args.engine,
        samples=args.samples, temperature=args.temperature, **extra,
    )


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
    """A rich progress bar for runs on a terminal that last more than a second; silent otherwise."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = total, enabled
        self.started = time.monotonic()
        self.bar = None

    def update(self, done: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < 1.0:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TimeRemainingColumn

            self.bar = RichProgress("training", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), transient=True)
            self.task = self.bar.add_task("train", total=self.total)
            self.bar.start()
        self.bar.update(self.task, completed=done)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def cmd_train(args) -> int:
    run = Run(run_config(args, steps=args.steps, lr=args.lr, batch=args.batch))
    if not run.model.trainable:
        raise RunError(f"chapter {run.chapter.number} ({run.chapter.name}) does not train; "
                       f"try `minigpt-tui sample --chapter {run.chapter.number}`")
    jsonl = args.format == "jsonl"
    if not jsonl:
        print_header(run)
    progress = Progress(run.steps, enabled=not jsonl and sys.stdout.isatty())
    out = sys.stdout
    try:
        while not run.done:
            result = run.train_step()
            if jsonl:
                docs = {"doc": result.docs[0]} if len(result.docs) == 1 else {"docs": result.docs}
                out.write(json.dumps({"step": result.step, **docs, "loss": result.loss}) + "\n")
            else:
                out.write(f"step {result.step:4d} / {run.steps:4d} | loss {result.loss:.4f}\n")
            progress.update(result.step)
    finally:
        progress.close()
    print_samples(run, jsonl)
    if jsonl:
        params = {name: w.tolist() for name, w in run.model.weights().items()}
        print(json.dumps({"params": params}))
    return 0


def cmd_sample(args) -> int:
    run = Run(run_config(args))
    for i in range(run.config.samples):
        print(f"sample {i + 1:2d}: {run.sample()}")
    return 0


def cmd_playground(args) -> int:
    from core.chapters import get

    chapter = get(args.chapter)
    from tui.app import PlaygroundApp

    PlaygroundApp(chapter=chapter.number, seed=args.seed).run()
    return 0


def cmd_serve(args) -> int:
    from core.chapters import get
    from tui.serve import ServeError, serve

    chapter = get(args.chapter)  # an unknown chapter fails here, not in every browser tab
    try:
        serve(host=args.host, port=args.port, chapter=chapter.number, seed=args.seed)
    except ServeError as e:
        print(f"minigpt-tui: {e}", file=sys.stderr)
        return 2
    return 0


COMMANDS = {"chapters": cmd_chapters, "train": cmd_train, "sample": cmd_sample, "serve": cmd_serve,
            None: cmd_playground}


def main(argv: list[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except UsageError as e:
        print(f"minigpt-tui: {e}", file=sys.stderr)
    except USER_ERRORS as e:
        print(f"minigpt-tui: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("minigpt-tui: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader went away (e.g. `| head`): not an error worth a traceback
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
