"""`c`: the chapter's model code, the post's "watch the code change" in a terminal.

A chapter's module holds only what is new (its class subclasses the previous chapter's), so the screen shows that
module marked as new, with what else is new in the chapter (its Chapter.also_new, such as the sampling loop; what it
takes from another module by name; the groundwork it is the first to run), the earlier code it replaces or retires
(marked -), and, dimmed below, the earlier code that still runs: the methods it inherits and the functions they call.
`e` switches between the scalar engine's code and the fast engine's.
"""
from __future__ import annotations

import ast
import dis
import functools
import importlib
import inspect
import textwrap

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer
from textual.screen import ModalScreen

from core.chapters import CHAPTERS, Chapter
from tui.trainer import BACKPROP_CHAPTER
from tui.widgets.footer import Footer
from tui.widgets.lines import Lines

NEW, OLD, KEPT = "#5fd75f", "#d75f5f", "#808080"
CHAPTER_MODULES = ("core.chapters.c", "core.fast.c")
GROUNDWORK = ("core.value", "core.fast.ops")  # what the chapters build on: the autograd, the numpy pieces
HELPER_MODULES = CHAPTER_MODULES + GROUNDWORK + ("core.model", "core.sampling")  # whose functions the view follows
# whose functions are new in the first chapter that runs them (the sampling code runs in every chapter, unseen, so
# Chapter.also_new says when it is new)
NEW_GROUNDWORK = GROUNDWORK + ("core.model",)
ENGINE_NOTES = {
    "scalar": "scalar engine: one Python float at a time (numpy only hands the weights over)",
    "fast": "fast engine: the same model in numpy, backward written by hand",
}


def chapter_of(module_name: str) -> Chapter | None:
    for chapter in CHAPTERS:
        if module_name in (chapter.source_module(engine) for engine in chapter.models):
            return chapter
    return None


def where(module_name: str, engine: str) -> str:
    """A module as the view names it: a chapter (saying so when its code is the other engine's), or a file."""
    chapter = chapter_of(module_name)
    if chapter is None:
        return module_name.replace(".", "/") + ".py"
    other = next((e for e in chapter.models if e != engine and chapter.source_module(e) == module_name), None)
    return f"chapter {chapter.number} ({chapter.name})" + (f", {other} engine" if other else "")


def highlighted(code: str) -> list[Text]:
    text = Syntax(code, "python", theme="ansi_dark").highlight(code)
    text.rstrip()
    return text.split("\n", allow_blank=True)


def gutter(lines: list[Text], mark: str, colour: str, dim: bool = False) -> list[Text]:
    out = []
    for line in lines:
        row = Text(f"{mark} ", style=f"bold {colour}")
        if dim:
            line = Text(line.plain, style=colour)
        row.append_text(line)
        out.append(row)
    return out


def own_functions(cls) -> dict[str, object]:
    """A class's methods, its static methods (init_weights) as the functions they wrap."""
    found = {}
    for name, value in vars(cls).items():
        value = value.__func__ if isinstance(value, staticmethod) else value
        if inspect.isfunction(value):
            found[name] = value
    return found


def retired(cls) -> list[str]:
    """Methods a class sets to None: earlier code its chapter no longer calls (chapter 7 retires gpt())."""
    earlier = [vars(parent) for parent in cls.__mro__[1:]]
    return [name for name, value in vars(cls).items()
            if value is None and any(inspect.isfunction(names.get(name)) for names in earlier)]


def globals_read(code) -> dict[str, set[str]]:
    """The global names a function's code reads (not attributes: self.mlp is not mlp), its comprehensions' and
    inner functions' included, each with the attributes read straight off it (Model.__init__ gives {"__init__"};
    a name used itself, as in Value(...), gives "")."""
    names: dict[str, set[str]] = {}
    instructions = list(dis.get_instructions(code))
    for i, instruction in enumerate(instructions):
        if instruction.opname == "LOAD_GLOBAL":
            after = instructions[i + 1] if i + 1 < len(instructions) else None
            attribute = after.argval if after and after.opname in ("LOAD_ATTR", "LOAD_METHOD") else ""
            names.setdefault(instruction.argval, set()).add(attribute)
    for const in code.co_consts:
        if inspect.iscode(const):
            for name, attributes in globals_read(const).items():
                names.setdefault(name, set()).update(attributes)
    return names


@functools.cache  # each view reads the previous chapter's, and most of a chapter's code is in the next one's too
def source_text(item) -> str:
    return inspect.getsource(item)


@functools.cache
def first_line(item) -> int:
    return inspect.getsourcelines(item)[1]


def decorators(function) -> list[str]:
    """The names a function's decorators read (no_gc in @no_gc()): what they name runs whenever it does."""
    source = source_text(function)
    if not source.lstrip().startswith("@"):
        return []
    decorated = ast.parse(textwrap.dedent(source)).body[0]
    return [node.id for d in decorated.decorator_list for node in ast.walk(d) if isinstance(node, ast.Name)]


def home_class(function):
    """The class a method is defined in (None for a module-level function)."""
    if function.__qualname__ == function.__name__:
        return None
    return inspect.getmodule(function).__dict__.get(function.__qualname__.split(".")[0])


def helpers_called(running, shown) -> list:
    """What the running code calls (directly or through another) from the chapters' modules and what they build on,
    and the view does not show yet: module-level functions; the groundwork's classes it uses, whole (Value,
    Parameters); a method it reaches through a class by name (Model.__init__) or builds an instance with (an
    earlier chapter's __init__)."""
    found: set = set()
    todo = [inspect.unwrap(f) for f in running]
    while todo:
        item = todo.pop()
        if item in found:
            continue
        found.add(item)
        functions = [f for f in vars(item).values() if inspect.isfunction(f)] if inspect.isclass(item) else [item]
        for function in map(inspect.unwrap, functions):
            names = globals_read(function.__code__)
            for name in decorators(function):
                names.setdefault(name, set()).add("")
            for name, attributes in names.items():
                helper = function.__globals__.get(name)
                if not (getattr(helper, "__module__", None) or "").startswith(HELPER_MODULES):  # a ufunc's is None
                    continue
                if inspect.isfunction(getattr(helper, "__wrapped__", helper)):
                    todo.append(inspect.unwrap(helper))
                elif inspect.isclass(helper) and helper.__module__.startswith(GROUNDWORK) and "" in attributes:
                    todo.append(helper)
                elif inspect.isclass(helper):
                    attributes = {a or "__init__" for a in attributes}  # building one runs its __init__
                    todo += [f for a in attributes if inspect.isfunction(f := vars(helper).get(a))
                             and f.__code__.co_filename.endswith(".py")]  # not a dataclass's generated __init__
    found -= {inspect.unwrap(f) for f in shown}  # a method under a decorator is shown as what it wraps
    return sorted(found, key=lambda f: (f.__module__, first_line(f)))


def placeholder(function) -> bool:
    """A method that only says a subclass defines it (FastModel.forward)."""
    return "NotImplementedError" in function.__code__.co_names


def calls(new, earlier) -> bool:
    """Whether a function runs the one it overrides: by super(), or by name (chapter 10's init_weights calls
    chapter 9's)."""
    names = globals_read(new.__code__)
    return "super" in names or any(new.__globals__.get(name) is earlier for name in names)


def named(name: str, function) -> str:
    """A method as a label names it, with the function's own name when it was taken under another (ratio_loss)."""
    return f"{name}()" if function.__name__ == name else f"{name} ({function.__name__})"


def assignment(cls, name: str) -> str | None:
    """What a class body assigns to a name, as written (FastModel.sampler, staticmethod(log_loss))."""
    for line in source_text(cls).splitlines():
        if line.strip().startswith(f"{name} = "):
            return line.split("=", 1)[1].split("#")[0].strip()
    return None


def resolve(path: str):
    """A "module:qualname" string (core.run:Run.lr_at) as the function it names."""
    module_name, qualname = path.split(":")
    item = importlib.import_module(module_name)
    for part in qualname.split("."):
        item = getattr(item, part)
    return item


def code_block(function, mark: str, colour: str, indent: str = "") -> Text:
    code = source_text(function).rstrip("\n")
    return Text("\n").join(gutter([Text(indent + line) for line in code.split("\n")], mark, colour, dim=True))


def listing(item, mark: str, colour: str, under=None) -> list[Text]:
    """A function or class as Python reads it: one method of a class under its class line (but the class `under`,
    whose line the method before it already shows)."""
    owner = home_class(item) if inspect.isfunction(item) else None
    head = []
    if owner is not None and owner is not under:
        line = next(line for line in source_text(owner).splitlines() if line.startswith("class "))
        head = gutter([Text(line)], mark, colour, dim=True)
    return [*head, code_block(item, mark, colour)]


def listings(items, label: str, mark: str, colour: str, engine: str) -> list[Text]:
    """Functions and classes grouped by module, each module under its label ("called from above, in {where}:")."""
    parts: list[Text] = []
    module_of_last = owner_of_last = None
    for item in items:
        parts.append(Text(""))
        if item.__module__ != module_of_last:
            module_of_last, owner_of_last = item.__module__, None
            parts.append(Text(label.format(where=where(item.__module__, engine)), style=f"bold {colour}"))
        parts += listing(item, mark, colour, under=owner_of_last)
        owner_of_last = home_class(item) if inspect.isfunction(item) else None
    return parts


def previous_view(number: int, engine: str) -> tuple[int, str] | None:
    """The view a learner read before this one: the previous chapter's on the same engine (its scalar one when it
    has no other: chapter 6's for chapter 7's fast engine)."""
    if number == 1:
        return None
    return number - 1, engine if engine in CHAPTERS[number - 2].models else "scalar"


def ran_before(number: int, engine: str) -> frozenset:
    """The functions and classes the previous chapter's view ran: what this one's code uses and that did not run
    there is new in this chapter."""
    previous = previous_view(number, engine)
    return chapter_code(*previous)[1] if previous else frozenset()


def code_view(number: int, engine: str = "scalar") -> list[Text]:
    """Chapter `number`'s module on an engine (new), what it replaces or extends, what it still inherits and the
    functions that code calls from earlier modules, line by line (never wrapped)."""
    return chapter_code(number, engine)[0]


@functools.cache  # a chapter's source does not change while the playground runs
def chapter_code(number: int, engine: str = "scalar") -> tuple[list[Text], frozenset]:
    """The code view's lines, and the functions and classes the code it shows runs."""
    chapter = CHAPTERS[number - 1]
    module_name = chapter.source_module(engine)
    module = importlib.import_module(module_name)
    cls = chapter.model_class(engine)
    before = ran_before(number, engine)
    parts: list = []
    title = Text()
    title.append(f"{module_name.replace('.', '/')}.py", style="bold")
    title.append(f"   chapter {chapter.number} · {chapter.title}\n", style="dim")
    values = ", one Value per number" if engine == "scalar" and number >= BACKPROP_CHAPTER else ""
    title.append(f"{ENGINE_NOTES[engine]}{values}\n", style="dim")
    title.append("+ new in this chapter   ", style=f"bold {NEW}")
    title.append("- replaced or retired   ", style=f"bold {OLD}")
    title.append("  still runs", style=KEPT)
    parts.append(title)
    parts.append(Text(""))
    parts.append(Text("\n").join(gutter(highlighted(inspect.getsource(module)), "+", NEW)))
    shown = {f for f in vars(module).values() if inspect.isfunction(f) and f.__module__ == module_name}
    own = own_functions(cls)
    running = [*shown, *own.values()]
    # what the class takes from another module by name (sampler = FastModel.sampler): its source is elsewhere
    for name, function in own.items():
        if function.__module__ != module_name:
            taken = assignment(cls, name) or function.__qualname__
            mark, colour = ("+", NEW) if inspect.unwrap(function) not in before else (" ", KEPT)
            parts.append(Text(""))
            label = f"  {name} = {taken}, from {where(function.__module__, engine)}:"
            parts.append(Text(label, style=f"bold {colour}"))
            parts += listing(function, mark, colour)
    shown.update(own.values())
    new_section = len(parts)  # code new in this chapter from elsewhere goes here, once all that runs is known
    # methods this chapter overrides: the earlier version, marked - (or kept, when the new one calls it by super())
    ancestors = [c for c in cls.__mro__[1:] if c.__module__.startswith(CHAPTER_MODULES)]
    mro = cls.__mro__
    for name in [*own, *retired(cls)]:
        owner, new = cls, own.get(name)
        while True:  # up the chain for as long as each version runs the one before it
            parent = next((c for c in mro[mro.index(owner) + 1 :] if name in vars(c)), None)
            earlier = own_functions(parent).get(name) if parent else None
            if earlier is None:
                break
            source = where(parent.__module__, engine)
            if new is not None and calls(new, earlier):
                running.append(earlier)
                shown.add(earlier)
                label, mark, colour = f"  extends {named(name, earlier)} from {source}, which it still runs:", " ", KEPT
            elif owner is cls and (parent in ancestors or inspect.unwrap(earlier) in before and not placeholder(earlier)):
                # the groundwork's version, when the previous chapter ran it: Adam's update() replaces descent
                verb = "retires" if new is None else "replaces"
                label, mark, colour = f"  {verb} {named(name, earlier)} from {source}:", "-", OLD
            else:  # what a replaced version ran, or the groundwork's placeholder (FastModel.forward): not shown
                break
            parts.append(Text(""))
            parts.append(Text(label, style=f"bold {colour}"))
            parts.append(code_block(earlier, mark, colour))
            if mark == "-":
                break
            owner, new = parent, earlier
    # what it still uses from earlier chapters and what they build on: the code that runs, so a method a class
    # earlier in the MRO shadows is not shown
    seen = {*own, *retired(cls)}
    for parent in cls.__mro__[1:]:
        functions = {n: f for n, f in own_functions(parent).items() if n not in seen}
        seen.update(own_functions(parent), retired(parent))
        if not functions or parent not in ancestors and parent.__module__ not in GROUNDWORK:
            continue
        parts.append(Text(""))
        source = where(parent.__module__, engine)
        new = any(inspect.unwrap(f) not in before for f in functions.values())  # the groundwork: ValueWeights in 7
        label = f"  inherited from {source}, class {parent.__name__}{', new in this chapter' if new else ''}:"
        parts.append(Text(label, style=f"bold {NEW if new else KEPT}"))
        for i, (name, function) in enumerate(functions.items()):
            mark, colour = ("+", NEW) if inspect.unwrap(function) not in before else (" ", KEPT)
            if i:
                parts.append(Text(""))
            if function.__module__ != parent.__module__:  # a method it took from elsewhere (out_of_range = ...)
                home = function.__module__.replace(".", "/") + ".py"
                note = f"  # {parent.__name__}.{name} is {function.__qualname__}, from {home}"
                parts.append(Text(note, style=colour))
            indent = "    " if function.__qualname__ == function.__name__ else ""
            parts.append(code_block(function, mark, colour, indent))
        running += functions.values()
        shown.update(functions.values())
    # the chapter's new code outside its model (the sampling loop; what it calls is not followed: the model's code,
    # or a later chapter's, as pick_index is in chapter 1), then the functions all the model's code calls: new when
    # the previous chapter's view did not run them (the groundwork it starts to use: Value in chapter 7), else kept
    also_new = [f for f in map(resolve, chapter.also_new) if f not in shown]
    shown.update(also_new)
    helpers = helpers_called(running, shown)
    # (and the other engine's code of this chapter that this engine's calls: fast 9's init_weights calls gauss_matrix)
    new_helpers = [f for f in helpers if f not in before
                   and (f.__module__.startswith(NEW_GROUNDWORK) or chapter_of(f.__module__) is chapter)]
    modules = list(dict.fromkeys(f.__module__ for f in [*also_new, *new_helpers]))
    new_code = sorted([*also_new, *new_helpers], key=lambda f: modules.index(f.__module__))  # stable: also_new first
    parts[new_section:new_section] = listings(new_code, "  new in this chapter, in {where}:", "+", NEW, engine)
    parts += listings([f for f in helpers if f not in new_helpers], "  called from above, in {where}:", " ", KEPT,
                      engine)
    lines: list[Text] = []
    for part in parts:
        lines.extend(part.split("\n", allow_blank=True))
    return lines, frozenset([*map(inspect.unwrap, running), *helpers])


def folded(lines: list[Text], width: int) -> list[Text]:
    """Lines wider than the view, folded: each further piece under the line's own gutter mark (code lines have one),
    after a ↪, broken after a space where one is near the edge (a line cut at the edge lost its end with nothing to
    say so)."""
    out: list[Text] = []
    for line in lines:
        if line.cell_len <= width or width < 24:
            out.append(line)
            continue
        marked = line.plain[:2] in ("+ ", "- ", "  ")
        gutter, rest = (line[:2], line[2:]) if marked else (Text(""), line)
        pieces, room = [], width - len(gutter)
        while len(rest) > room:
            cut = rest.plain.rfind(" ", room // 2, room) + 1 or room  # after a space in the second half, or at the edge
            pieces.append(rest[:cut])
            rest, room = rest[cut:], width - len(gutter) - 2
        first, *more = [*pieces, rest]
        out.append(gutter + first)
        out += [gutter + Text("↪ ", style="dim") + piece for piece in more]
    return out


class CodeScreen(ModalScreen):
    BINDINGS = [
        Binding("escape", "dismiss", "Close"),
        Binding("c", "dismiss", "Close", show=False),
        Binding("q", "dismiss", "Close", show=False),
        Binding("e", "other_engine", "The other engine's code", show=False),
        Binding("w", "toggle_wrap", "Long lines folded, or one line each", show=False),
        Binding("question_mark", "app.help", "Help: every key", show=False),  # over the code, as everywhere
    ]

    def __init__(self, chapter: Chapter, engine: str = "scalar", running: str | None = None):
        super().__init__()
        self.chapter = chapter
        self.engine = engine
        self.running = running  # the engine the chapter's session runs on, when the view should say it
        self.lines: list[Text] = []
        self.wrap = True  # long lines folded to the view's width (w: one line each, scrolled with ← →)

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="code-scroll"):
            yield Lines(id="code")
        yield Footer()  # its own keys: the playground's footer below would offer keys that do nothing here

    def on_mount(self) -> None:
        self.show_code()
        self.query_one("#code-scroll").focus()

    def other_engine(self) -> str | None:
        """The chapter's other built engine, if it has one."""
        return next((e for e in self.chapter.models if e != self.engine and self.chapter.is_built(e)), None)

    def show_code(self) -> None:
        scroll = self.query_one("#code-scroll", ScrollableContainer)
        scroll.border_title = f"Code · chapter {self.chapter.label} · {self.engine} engine"
        if self.running and self.running != self.engine:  # the status bar names the other: say which one trains
            scroll.border_title += f" · running here: {self.running} (e)"
        try:
            self.lines = code_view(self.chapter.number, self.engine)
        except Exception as e:  # noqa: BLE001 - a chapter module that cannot be read must not take the app down
            self.lines = [Text(f"cannot show this chapter's code: {e}", style="red")]
        self.draw()
        scroll.scroll_home(animate=False)

    def draw(self) -> None:
        scroll = self.query_one("#code-scroll", ScrollableContainer)
        other = self.other_engine()
        switch = f" · e {other} engine" if other else ""
        keys = "↑↓ scroll · w one line each" if self.wrap else "↑↓ ←→ scroll · w fold long lines"
        scroll.border_subtitle = f"{keys}{switch} · Esc or c close"
        width = scroll.scrollable_content_region.width or self.app.size.width - 4
        self.query_one("#code", Lines).set_lines(folded(self.lines, width) if self.wrap else self.lines)

    def on_resize(self) -> None:
        if self.lines:
            self.draw()

    def action_toggle_wrap(self) -> None:
        self.wrap = not self.wrap
        self.draw()

    def action_other_engine(self) -> None:
        other = self.other_engine()
        if other is None:
            self.notify(f"Chapter {self.chapter.number} has one engine: {self.engine}.")
            return
        self.engine = other
        self.show_code()
