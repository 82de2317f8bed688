"""`c`: the chapter's model code, the post's "watch the code change" in a terminal.

A chapter's module holds only what is new (its class subclasses the previous chapter's), so the screen shows that
module marked as new, the earlier code it replaces or retires (struck out), and, dimmed below, the code it still inherits.
"""
from __future__ import annotations

import functools
import importlib
import inspect

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import ModalScreen

from core.chapters import CHAPTERS, Chapter
from tui.widgets.lines import Lines

NEW, OLD, KEPT = "#5fd75f", "#d75f5f", "#808080"


def chapter_of(module_name: str) -> Chapter | None:
    for chapter in CHAPTERS:
        if chapter.source_module() == module_name:
            return chapter
    return None


def highlighted(code: str) -> list[Text]:
    text = Syntax(code, "python", theme="ansi_dark").highlight(code)
    text.rstrip()
    return text.split("\n", allow_blank=True)


def gutter(lines: list[Text], mark: str, colour: str, dim: bool = False) -> list[Text]:
    out = []
    for line in lines:
        row = Text(f"{mark} ", style=f"bold {colour}")
        if dim:
            line = Text(line.plain, style=KEPT)
        row.append_text(line)
        out.append(row)
    return out


def own_functions(cls) -> dict[str, object]:
    return {name: value for name, value in vars(cls).items() if inspect.isfunction(value)}


def retired(cls) -> list[str]:
    """Methods a class sets to None: earlier code its chapter no longer calls (chapter 7 retires gpt())."""
    earlier = [vars(parent) for parent in cls.__mro__[1:]]
    return [name for name, value in vars(cls).items()
            if value is None and any(inspect.isfunction(names.get(name)) for names in earlier)]


@functools.cache  # a chapter's source does not change while the playground runs
def code_view(number: int) -> list[Text]:
    """Chapter `number`'s module (new), what it replaces, and what it still inherits, line by line (never wrapped)."""
    chapter = CHAPTERS[number - 1]
    module_name = chapter.source_module()
    module = importlib.import_module(module_name)
    source = inspect.getsource(module)
    cls = chapter.model_class("scalar")
    parts: list = []
    title = Text()
    title.append(f"{module_name.replace('.', '/')}.py", style="bold")
    title.append(f"   chapter {chapter.number} · {chapter.title}\n", style="dim")
    title.append("+ new in this chapter   ", style=f"bold {NEW}")
    title.append("- replaced or retired   ", style=f"bold {OLD}")
    title.append("  still inherited", style=KEPT)
    parts.append(title)
    parts.append(Text(""))
    parts.append(Text("\n").join(gutter(highlighted(source), "+", NEW)))
    # methods this chapter overrides: the earlier version, struck out
    ancestors = [c for c in cls.__mro__[1:] if c.__module__.startswith("core.chapters.c")]
    for name in [*own_functions(cls), *retired(cls)]:
        for parent in ancestors:
            if name in vars(parent):
                old = chapter_of(parent.__module__)
                verb = "retires" if vars(cls)[name] is None else "replaces"
                parts.append(Text(""))
                parts.append(Text(f"  {verb} {name}() from chapter {old.number} ({old.name}):", style=f"bold {OLD}"))
                old_code = inspect.getsource(vars(parent)[name]).rstrip("\n")
                parts.append(Text("\n").join(gutter([Text(l) for l in old_code.split("\n")], "-", OLD, dim=True)))
                break
    # what it still uses from earlier chapters, and from the autograd they build on: the code that runs, so a method
    # a class earlier in the MRO shadows is not shown
    seen = {*own_functions(cls), *retired(cls)}
    for parent in cls.__mro__[1:]:
        functions = {n: f for n, f in own_functions(parent).items() if n not in seen}
        seen.update(own_functions(parent), retired(parent))
        if not functions or parent not in ancestors and parent.__module__ != "core.value":
            continue
        old = chapter_of(parent.__module__)
        source = f"chapter {old.number} ({old.name})" if old else parent.__module__.replace(".", "/") + ".py"
        parts.append(Text(""))
        parts.append(Text(f"  inherited from {source}, class {parent.__name__}:", style="bold " + KEPT))
        for function in functions.values():
            code = inspect.getsource(function).rstrip("\n")
            parts.append(Text("\n").join(gutter([Text(l) for l in code.split("\n")], " ", KEPT, dim=True)))
    lines: list[Text] = []
    for part in parts:
        lines.extend(part.split("\n", allow_blank=True))
    return lines


class CodeScreen(ModalScreen):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("c", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
    ]

    def __init__(self, chapter: Chapter):
        super().__init__()
        self.chapter = chapter

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="code-scroll") as scroll:
            scroll.border_title = f"Code · chapter {self.chapter.label}"
            scroll.border_subtitle = "↑↓ ←→ scroll · Esc or c close"
            yield Lines(id="code")

    def on_mount(self) -> None:
        try:
            lines = code_view(self.chapter.number)
        except Exception as e:  # noqa: BLE001 - a chapter module that cannot be read must not take the app down
            lines = [Text(f"cannot show this chapter's code: {e}", style="red")]
        self.query_one("#code", Lines).set_lines(lines)
        self.query_one("#code-scroll").focus()
