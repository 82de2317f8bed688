"""Sessions: a Run written to disk, and read back into a new Run that continues exactly where it stopped.

A session file is JSON (the format is documented in docs/session-format.md). Reading one never runs code: every
field is checked before anything is built, and a bad file raises SessionError with one line for the user. The
caller's own Run is never touched: `load` builds a new one, so a failed load leaves the current session as it was.
"""
from __future__ import annotations

import contextlib
import itertools
import json
import math
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

import numpy as np

from core.chapters import ChapterError, get
from core.data import DataError, control_character, file_info, path_errors, shown_path, source_of
from core.model import WEIGHT_LIMIT
from core.run import RECENT_STEPS, LossHistory, Run, RunConfig, RunError, load_dataset, mean_loss
from core.vocab import UnknownCharacter

FORMAT = "minigpt-tui session"
VERSION = 1
MAX_BYTES = 8 * 1024 * 1024  # ten times the largest a session gets (chapter 12 on 256 characters: 0.8 MB)


class SessionError(ValueError):
    """A session file that cannot be written or used; the message is one line for the user."""


@dataclass
class SavedSession:
    run: Run
    typed: str = ""  # the name typed in the playground's input


# writing ----------------------------------------------------------------------------------------------
FIELDS = {"format", "version", "chapter", "config", "data", "step", "typed", "rng", "history", "params", "optimizer"}


def to_dict(run: Run, typed: str = "") -> dict:
    """The session as JSON values: the FIELDS, each checked when read back."""
    source = source_of(run.dataset)
    docs = tuple(run.dataset.docs) if source == "docs" else None
    config = replace(run.config, data=None if source == "docs" else source, docs=docs)
    return {
        "format": FORMAT,
        "version": VERSION,
        "chapter": run.chapter.number,
        "config": {**asdict(config), "docs": list(docs) if docs else None},
        "data": {"source": source, "sha256": run.dataset.sha256, "vocab": list(run.vocab.chars)},
        "step": run.step,
        "typed": typed,
        "rng": rng_to_json(run.rng.getstate()),
        "history": run.history.state(),
        "params": {name: w.tolist() for name, w in run.model.weights().items()},
        "optimizer": {kind: {name: w.tolist() for name, w in moments.items()}
                      for kind, moments in run.model.optimizer_state().items()},
    }


def rng_to_json(state: tuple) -> dict:
    version, internal, gauss_next = state
    return {"version": version, "internal": list(internal), "gauss_next": gauss_next}


def dumps(session: dict) -> str:
    """One top-level field per line, one parameter per line: readable, and diffable, without being huge."""
    lines = []
    for key, value in session.items():
        if key in ("params", "optimizer") and value:
            inner = [f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in value.items()]
            lines.append(f"{json.dumps(key)}: {{\n" + ",\n".join(inner) + "\n}")
        else:
            lines.append(f"{json.dumps(key)}: {json.dumps(value, allow_nan=False)}")
    return "{\n" + ",\n".join(lines) + "\n}\n"


def save_target(path: str | Path) -> Path:
    """Where `save` writes: the target is not a folder, and its folder exists and is one. SessionError otherwise."""
    with path_errors(path, SessionError, "save there") as shown:
        p = Path(path).expanduser()
        if p.is_symlink():  # save through the link, not over it
            p = p.resolve()
        folder = p.parent
        if p.is_dir():
            raise SessionError(f"{shown}: is a folder; give a file name, e.g. {shown_path(p / 'session.json')}")
        if not folder.is_dir():
            problem = f"{shown_path(folder)} is not a folder" if folder.exists() else f"no folder {shown_path(folder)}"
            raise SessionError(f"{shown}: cannot save there: {problem}")
        if p.exists():
            if not p.is_file():  # a device or a pipe: never opened, never replaced
                raise SessionError(f"{shown}: is not a regular file; give a file name")
            if not is_session_file(p):  # e.g. the data file itself: a typo must not cost it
                raise SessionError(f"{shown}: is a file but not a saved session; it is kept (give another name)")
            if not os.access(p, os.W_OK):  # replacing goes through the folder: the file's own mode would not stop it
                raise SessionError(f"{shown}: is read-only; it is kept (make it writable, or give another name)")
    return p


def is_session_file(path: Path) -> bool:
    """An empty file, or one `load` takes for a session file (however its JSON is laid out; damaged or not)."""
    return path.stat().st_size == 0 or saved_document(path) is not None


def rescue_path(run: Run) -> Path:
    """Where a run goes that could not be saved where asked, or was stopped before anyone could ask: a new file in
    the temporary folder, never over another (a process id comes round again: -2, -3, ... then)."""
    folder, name = Path(tempfile.gettempdir()), f"minigpt-{run.chapter.name}-step{run.step}-{os.getpid()}"
    for n in itertools.count(1):
        path = folder / (f"{name}.session.json" if n == 1 else f"{name}-{n}.session.json")
        if not path.exists():
            return path


def file_signature(path) -> tuple | None:
    """A file's identity and last change (None when there is none): whether another process wrote it since."""
    try:
        st = os.stat(os.path.expanduser(path))
    except OSError:
        return None
    return st.st_ino, st.st_size, st.st_mtime_ns


def held_run(path: Path) -> str:
    """What the session file at `path` holds, in words ("chapter 12 at step 1000"); "" when there is no such file or
    it is empty. Only for a file save_target took: any other is no session."""
    if not path.exists() or path.stat().st_size == 0:
        return ""
    document = saved_document(path) or {}
    chapter, step = document.get("chapter"), document.get("step")
    if type(chapter) is int and type(step) is int:  # a damaged file may hold anything there
        return f"a chapter {chapter} run at step {step}"
    return "another session"


def saved_document(path: Path) -> dict | None:
    """The JSON of a session file, unchecked; None when the file is not one. Read as `load` reads it, never past
    MAX_BYTES: a larger file is no session."""
    with open(path, "rb") as f:
        raw = f.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return None
    try:
        document = parse(raw)
    except SessionError:
        return None
    return document if isinstance(document, dict) and document.get("format") == FORMAT else None


def check_save_path(path: str | Path) -> Path:
    """save_target, checked before any work is done, and whether the folder takes a new file: SessionError (one
    line) otherwise."""
    p = save_target(path)
    with path_errors(path, SessionError, "save there"):
        # the one sure test of "writable" (permissions, read-only disks, root): make a file there, as save does
        fd, probe = temporary_file(p)
        os.close(fd)
        os.unlink(probe)
    return p


def save(path: str | Path, run: Run, typed: str = "") -> Path:
    """Write the run to `path` atomically: a crash mid-write leaves any older file there whole."""
    shown = shown_path(path)
    try:
        text = dumps(to_dict(run, typed))
    except ValueError as e:  # allow_nan=False: a NaN has no place in a session
        raise SessionError(f"{shown}: cannot save a run with non-finite numbers ({e})") from None
    p = save_target(path)  # its own temporary file is the writability test: no probe first
    folder = p.parent
    with path_errors(path, SessionError, "save"):
        fd, tmp = temporary_file(p)
        try:
            os.chmod(tmp, file_mode(p))  # mkstemp makes it private; keep the old file's mode, or the usual one
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, p)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        fsync_folder(folder)
    return p


def temporary_file(p: Path) -> tuple[int, str]:
    """A new file beside `p`, to write it whole before it takes p's name. Its name starts with only part of p's:
    with all of a 250-character name it would pass the 255 a file name may have."""
    return tempfile.mkstemp(prefix=f".{p.name[:32]}.", suffix=".tmp", dir=p.parent)


def file_mode(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (not possible on every system, hence best effort)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# reading ----------------------------------------------------------------------------------------------
def load(path: str | Path, run_class: type[Run] = Run) -> SavedSession:
    """Read a session file into a new Run (or a subclass of it); SessionError (one line) when it cannot be used."""
    with path_errors(path, SessionError, "read") as shown:
        p = Path(path).expanduser()
        info = file_info(p, shown, SessionError)
        if stat.S_ISDIR(info.st_mode):
            raise SessionError(f"{shown}: is a folder, not a session file")
        too_large = SessionError(f"{shown}: not a session file (too large, or not a regular file)")
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            raise too_large
        with open(p, "rb") as f:
            raw = f.read(MAX_BYTES + 1)  # the file may have grown since stat
        if len(raw) > MAX_BYTES:
            raise too_large
    try:
        return loads(raw, run_class)
    except SessionError as e:
        raise SessionError(f"{shown}: {e}") from None


def loads(raw: bytes | str, run_class: type[Run] = Run) -> SavedSession:
    """A session from the text of a file; SessionError when it is not one we can continue."""
    return from_dict(parse(raw), run_class)


NOT_A_SESSION = "not a session file (a session is the JSON file ctrl+s or train --save writes)"


def parse(raw: bytes | str):
    """The JSON of a file's text; SessionError when it is not JSON. A byte-order mark is no part of it, as for
    data files (an editor may add one)."""
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw.removeprefix("\ufeff")
    except UnicodeDecodeError:
        text = ""
    if not text.lstrip().startswith("{"):  # a text or binary file given by mistake: nothing about JSON to say
        raise SessionError(NOT_A_SESSION)
    try:
        return json.loads(text, parse_constant=refuse_constant)
    except SessionError:
        raise
    except (ValueError, RecursionError) as e:
        detail = f" ({e})" if isinstance(e, json.JSONDecodeError) else ""  # e.g. "Expecting value: line 1 column 9 (char 8)"
        raise SessionError(f"not a session file: not valid JSON{detail}; it may be truncated or damaged") from None


def refuse_constant(name: str):
    raise SessionError(f"not a session file: it holds {name}, and a session holds only finite numbers")


def from_dict(document, run_class: type[Run] = Run) -> SavedSession:
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SessionError(NOT_A_SESSION)  # JSON, but another program's
    if "version" not in document:
        raise SessionError("the field 'version' is missing")
    version = document["version"]  # any value: the line below says what it should be
    if type(version) is not int:  # "1", 1.0: not a version this or any minigpt-tui wrote
        raise SessionError(f"its version should be the number {VERSION}, not {json.dumps(version)}")
    if version != VERSION:
        raise SessionError(f"session format version {version}; this minigpt-tui reads version {VERSION}")
    config = read_config(field_of(document, "config", dict))
    data = field_of(document, "data", dict)
    try:
        chapter = get(config.chapter)
        dataset = load_dataset(config, chapter)
    except DataError as e:
        raise SessionError(f"its data cannot be read: {e}") from None
    except (ChapterError, RunError, UnknownCharacter) as e:
        raise SessionError(str(e)) from None
    refuse_unknown(data, DATA_FIELDS, "its data")
    source = field_of(data, "source", str, "its data")
    if source != ("docs" if config.docs else config.data):
        raise SessionError(f"its data's source {source!r} is not its config's "
                           f"{'docs' if config.docs else repr(config.data)}")
    saved_sha = field_of(data, "sha256", (str, type(None)), "its data")
    if saved_sha is not None and dataset.sha256 != saved_sha:
        raise SessionError(f"its data {dataset.name} has changed since the session was saved (checksum differs)")
    if field_of(data, "vocab", list, "its data") != list(dataset.vocab.chars):
        raise SessionError(f"its data {dataset.name} has a different vocabulary from the saved one")
    try:
        run = run_class(config, dataset)
    except (ChapterError, RunError, DataError, UnknownCharacter) as e:
        raise SessionError(str(e)) from None

    if field_of(document, "chapter", int) != run.chapter.number:
        raise SessionError("its chapter and its configuration disagree")
    run.model.load_weights(read_arrays(field_of(document, "params", dict), run.model.weights(), "params"))
    if why := run.model.out_of_range():  # e.g. a toy weight below 0: no model to continue
        raise SessionError(f"its parameters cannot be used: {why}")
    if not run.model.all_bounded():
        raise SessionError(f"its parameters cannot be used: some are past {WEIGHT_LIMIT:g} (the run had diverged)")
    if run.model.has_loss and not math.isfinite(loss := mean_loss(run.model, [run.encoded[0]])):
        raise SessionError(f"its parameters cannot be used: they give a loss of {loss} (the run had diverged)")
    fresh_state = run.model.optimizer_state()
    saved_state = field_of(document, "optimizer", dict)
    if set(saved_state) != set(fresh_state):
        raise SessionError(f"its optimizer state has {sorted(saved_state)}, chapter {run.chapter.number} keeps "
                           f"{sorted(fresh_state)}")
    optimizer = {kind: read_arrays(field_of(saved_state, kind, dict, "its optimizer state"), fresh_state[kind],
                                   f"optimizer {kind}")
                 for kind in fresh_state}
    if any((v < 0).any() for v in optimizer.get("v", {}).values()):  # Adam divides by its square root
        raise SessionError("its optimizer v holds a negative number; Adam's v is a mean of squares")
    run.model.load_optimizer_state(optimizer)
    run.rng.setstate(read_rng(field_of(document, "rng", dict)))
    run.step = field_of(document, "step", int)
    if run.step < 0:
        raise SessionError(f"step {run.step} is negative")
    if run.chapter.lr_decay and run.step > run.steps:  # the learning rate reaches 0 at the schedule's end
        raise SessionError(f"step {run.step} is past the end of its {run.steps}-step schedule")
    refuse_unknown(document, FIELDS, "a session")
    run.history = read_history(field_of(document, "history", dict))
    if run.history.count != run.step:  # one loss is kept for each step
        raise SessionError(f"step {run.step} disagrees with its loss history ({run.history.count} steps)")
    typed = field_of(document, "typed", str)
    # the playground shows it: no escape sequences from a file, and no more than its box holds (the run still loads)
    if control_character(typed) or len(typed) > run.model.block_size:
        typed = ""
    return SavedSession(run, typed)


DATA_FIELDS = {"source", "sha256", "vocab"}
RNG_FIELDS = {"version", "internal", "gauss_next"}
HISTORY_FIELDS = {"capacity", "span", "points", "pending", "last", "count", "recent"}  # recent: older files lack it
MAX_SPAN = 2**40  # steps per loss point: a trillion steps, far more than any run takes


def refuse_unknown(saved: dict, known: set[str], where: str) -> None:
    unknown = sorted(set(saved) - known)
    if unknown:
        raise SessionError(f"the field {unknown[0]!r} is not one {where} has")


def field_of(document: dict, key: str, kind, where: str = ""):
    """document[key], checked to be of `kind`; `where` names the part of the session it is in ("its data")."""
    if key not in document:
        raise SessionError(f"the field {key!r} is missing" + (f" from {where}" if where else ""))
    value = document[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if isinstance(value, bool) and bool not in kinds or not isinstance(value, kinds):
        names = " or ".join("null" if k is type(None) else k.__name__ for k in kinds)
        within = f" in {where}" if where else ""
        raise SessionError(f"the field {key!r}{within} should be {names}, not {type(value).__name__}")
    return value


CONFIG_KINDS = {
    "chapter": int, "data": (str, type(None)), "docs": (list, type(None)), "steps": int, "lr": (int, float),
    "seed": int, "batch": int, "engine": str, "samples": int, "temperature": (int, float),
}


def read_config(saved: dict) -> RunConfig:
    refuse_unknown(saved, {f.name for f in fields(RunConfig)}, "its config")
    values = {key: field_of(saved, key, CONFIG_KINDS[key], "its config") for key in saved}
    if values.get("docs") is not None:
        if not all(isinstance(d, str) for d in values["docs"]):
            raise SessionError("its config's docs should be a list of strings")
        values["docs"] = tuple(values["docs"])
    for key in ("lr", "temperature"):
        if key in values:
            values[key] = as_float(values[key])
    missing = [key for key in CONFIG_KINDS if key not in values]  # a default filled in would change the run
    if missing:
        raise SessionError(f"the field {missing[0]!r} is missing from its config")
    if (values["docs"] is None) == (values["data"] is None):  # neither would take the chapter's default data
        given = "both data and docs" if values["docs"] is not None else "neither data nor docs"
        raise SessionError(f"its config gives {given}; a session keeps one of them (docs with data null)")
    try:
        return RunConfig(**values).resolved(named="its config's ")
    except (ChapterError, RunError) as e:
        raise SessionError(str(e)) from None


def read_arrays(saved: dict, fresh: dict[str, np.ndarray], what: str) -> dict[str, np.ndarray]:
    """Saved arrays by name, each checked against the fresh model's: same names, same shapes, finite floats."""
    if set(saved) != set(fresh):
        missing, extra = sorted(set(fresh) - set(saved)), sorted(set(saved) - set(fresh))
        detail = f"missing {', '.join(missing)}" if missing else f"unexpected {', '.join(map(repr, extra))}"
        raise SessionError(f"its {what} do not fit this chapter's model ({detail})")
    arrays = {}
    for name, expected in fresh.items():
        array = numbers_array(saved[name], f"{what} {name}")
        if array.shape != expected.shape:
            raise SessionError(f"its {what} {name} has shape {list(array.shape)}, the model needs "
                               f"{list(expected.shape)}")
        arrays[name] = array
    return arrays


def numbers_array(value, where: str) -> np.ndarray:
    """A nested list of finite numbers (no strings, no booleans, no ragged rows) as a float64 array."""
    flat, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, bool) or not isinstance(item, (int, float)):
            raise SessionError(f"its {where} holds {type(item).__name__}, not numbers")
        else:
            flat += 1
    try:
        array = np.array(value, dtype=float)
    except OverflowError:  # a whole number too large for a float
        raise SessionError(f"its {where} is not a table of finite numbers") from None
    except ValueError:
        raise SessionError(f"its {where} is not a rectangular table of numbers") from None
    if array.size != flat or not np.isfinite(array).all():
        raise SessionError(f"its {where} is not a rectangular table of finite numbers")
    return array


def read_rng(saved: dict) -> tuple:
    refuse_unknown(saved, RNG_FIELDS, "its random state")
    version = field_of(saved, "version", int, "its random state")
    internal = field_of(saved, "internal", list, "its random state")
    gauss_next = field_of(saved, "gauss_next", (int, float, type(None)), "its random state")
    words_ok = all(isinstance(w, int) and not isinstance(w, bool) and 0 <= w < 2**32 for w in internal[:-1])
    if version != 3 or len(internal) != 625 or not words_ok or not isinstance(internal[-1], int) \
            or not 0 <= internal[-1] <= 624:
        raise SessionError("its random state is damaged")
    if not any(internal[:-1]):  # the Mersenne Twister never reaches it, and from it draws only zeros
        raise SessionError("its random state is all zeros: damaged")
    if gauss_next is not None and not number_ok(gauss_next):
        raise SessionError("its random state is damaged")
    return version, tuple(internal), None if gauss_next is None else float(gauss_next)


def read_history(saved: dict) -> LossHistory:
    refuse_unknown(saved, HISTORY_FIELDS, "its loss history")
    where = "its loss history"
    capacity, span, count = (field_of(saved, key, int, where) for key in ("capacity", "span", "count"))
    points = [float(x) for x in field_of(saved, "points", list, where) if number_ok(x)]
    pending = [float(x) for x in field_of(saved, "pending", list, where) if number_ok(x)]
    last = field_of(saved, "last", (int, float, type(None)), where)
    recent = [float(x) for x in field_of(saved, "recent", list, where) if number_ok(x)] if "recent" in saved else None
    bound = LossHistory().capacity  # the memory bound of every run: no file raises it
    if not 2 <= capacity <= bound:
        raise SessionError(f"its loss history's capacity should be from 2 to {bound} points, not {capacity}")
    checks = {  # each field against the others: a hand edit that breaks one is named
        "span": 1 <= span <= MAX_SPAN and span & (span - 1) == 0,  # span doubles from 1
        "points": (span == 1 or len(points) >= capacity // 2)  # it doubles when the points fill it, halving them
        and len(points) == len(saved["points"]) < capacity,
        "pending": len(pending) == len(saved["pending"]) < span,
        "count": count == len(points) * span + len(pending),
        "last": (last is None) == (count == 0) and (last is None or number_ok(last)),
        "recent": recent is None or (len(recent) == len(saved["recent"]) <= min(count, RECENT_STEPS)
                                     and (not recent or last is not None and recent[-1] == as_float(last))),
    }
    broken = [name for name, ok in checks.items() if not ok]
    if broken:
        raise SessionError(f"its loss history is damaged: its field {broken[0]!r} does not fit the others")
    state = {"capacity": capacity, "span": span, "points": points, "pending": pending,
             "last": None if last is None else float(last), "count": count}
    return LossHistory.from_state(state if recent is None else state | {"recent": recent})


def number_ok(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(as_float(x))


def as_float(x: int | float) -> float:
    """A JSON number as a float: a whole number too large for one (1 and 400 zeros) is infinite, as 1e400 reads."""
    try:
        return float(x)
    except OverflowError:
        return math.inf if x > 0 else -math.inf
