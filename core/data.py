"""Data sets: one document per line. The toy set of the post, the bundled names, or a file of the user's."""
from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from core.vocab import Vocab

TOY_DOCS = ["ann", "leia", "elaine", "ian", "alan", "laila", "lee", "nina"]
TOY_VOCAB = Vocab(["a", "i", "l", "e", "n"])  # the post's order: a i l e n, then "." ends a name

MAX_BYTES = 50_000_000  # 50 MB, as the message says
MAX_DOCS = 1_000_000  # 30 times names.txt; millions of lines take many seconds and gigabytes before the first step
MAX_CHARS = 256
# what a terminal does not simply print: control characters (ESC, BEL, tab...), invisible format characters (U+200B,
# U+202E that reverses the text after it) and the line and paragraph separators, by their Unicode category
UNPRINTABLE = {"Cc": "control character", "Cf": "format character", "Zl": "line separator", "Zp": "paragraph separator"}


class DataError(ValueError):
    """A data source that cannot be used; the message is one line for the user."""


@dataclass(frozen=True)
class Dataset:
    name: str  # "toy", "names", or the file's path
    docs: tuple[str, ...]
    vocab: Vocab
    path: str | None = None
    sha256: str | None = None
    notes: tuple[str, ...] = field(default=())  # what loading changed, e.g. lines cut


def names_path() -> Path:
    """The bundled names.txt, wherever the package is installed."""
    return Path(str(resources.files("core").joinpath("names.txt")))


def toy() -> Dataset:
    return Dataset("toy", tuple(TOY_DOCS), TOY_VOCAB)


def from_docs(docs: list[str], vocab: Vocab) -> Dataset:
    """Documents given on the command line, checked against a fixed vocabulary."""
    docs = [d.strip() for d in docs if d.strip()]
    if not docs:
        raise DataError("--docs is empty: give documents separated by commas, e.g. --docs ann,leia")
    for doc in docs:
        bad = vocab.unknown(doc)
        if bad:
            raise DataError(f"{doc!r}: {doc[bad[0]]!r} is not in the vocabulary {vocab.shown}")
    return Dataset("docs", tuple(docs), vocab, notes=cut_notes(docs, "document"))


def cut_notes(docs: list[str], what: str, block_size: int = 16) -> tuple[str, ...]:
    """A note when documents are longer than the model reads: with its end token a document needs len + 1 positions."""
    long = sum(1 for d in docs if len(d) >= block_size)
    if not long:
        return ()
    return (f"{long:,} {what}{'s' if long != 1 else ''} of {block_size} or more characters "
            f"{'are' if long != 1 else 'is'} cut to the model's context of {block_size} tokens",)


def control_character(text: str) -> str:
    """The first character of `text` a terminal does not simply print, named ("the control character U+001B"; ""
    when there is none): printed raw, ESC and its kin move the cursor or clear the screen, U+202E reverses the line."""
    bad = [c for c in set(text) if unicodedata.category(c) in UNPRINTABLE]
    if not bad:
        return ""
    first = min(bad, key=text.index)
    return (f"the {UNPRINTABLE[unicodedata.category(first)]} U+{ord(first):04X}"
            + (" (a tab)" if first == "\t" else ""))


def printable(message: str) -> str:
    """A message with every control character written as its escape (\\x1b, \\n): one line, and no text from a file
    can drive the terminal it is shown on (clear it, retitle it, write to its clipboard)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in message)


def shown_path(path: str | Path) -> str:
    """A path as a message shows it: quoted when it holds a line break or another control character."""
    text = str(path)
    return text if text.isprintable() else repr(text)


@contextmanager
def path_errors(path: str | Path, error: type[Exception], doing: str):
    """What goes wrong with a file while `doing` something with it, as one line of `error`: "<path>: cannot
    <doing> (why)"; the `error`s raised inside pass through as they are. Yields the path as messages show it."""
    shown = shown_path(path)
    try:
        yield shown
    except error:
        raise
    except OSError as e:
        raise error(f"{shown}: cannot {doing} ({e.strerror or e})") from None
    except (ValueError, RuntimeError) as e:  # a NUL in the path, ~user with no home
        raise error(f"{shown}: not a usable path ({e})") from None


def file_info(path: Path, shown: str, error: type[Exception]) -> os.stat_result:
    """The stat of a file, followed through links; `error` "no such file" when it or a link's target is missing (a
    link that loops, or a name too long, is said by path_errors as the system says it)."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        raise error(f"{shown}: no such file") from None


def load_file(path: str | Path, name: str | None = None, block_size: int = 16) -> Dataset:
    """Read a file of one document per line; refuse anything that is not usable text."""
    with path_errors(path, DataError, "read") as shown:
        p = Path(path).expanduser()
        info = file_info(p, shown, DataError)
        if stat.S_ISDIR(info.st_mode):
            raise DataError(f"{shown}: is a folder, not a file of documents")
        if not stat.S_ISREG(info.st_mode):  # a device or a pipe (/dev/zero) could be read forever
            raise DataError(f"{shown}: is not a regular file")
        size = info.st_size
        if size > MAX_BYTES:
            raise DataError(f"{shown}: {size / 1e6:.1f} MB is over the 50 MB limit")
        with p.open("rb") as f:
            raw = f.read(MAX_BYTES + 1)  # the file may have grown since stat
    if len(raw) > MAX_BYTES:
        raise DataError(f"{shown}: over the 50 MB limit")
    if raw.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise DataError(f"{shown}: looks like UTF-32 text; save it as UTF-8")
    if looks_utf16(raw):
        raise DataError(f"{shown}: looks like UTF-16 text; save it as UTF-8")
    if b"\0" in raw:
        raise DataError(f"{shown}: looks binary (it has NUL bytes); give a text file, one document per line")
    try:
        text = raw.decode("utf-8-sig")  # a byte-order mark is not a character of the documents
    except UnicodeDecodeError as e:
        raise DataError(f"{shown}: not UTF-8 text (bad byte at offset {e.start}); save it as UTF-8") from None
    if not text.strip():
        raise DataError(f"{shown}: is empty" if not raw else f"{shown}: has no documents (every line is blank)")
    docs = []
    for line in LINE.finditer(text):
        if doc := line.group().strip():
            docs.append(doc)
            if len(docs) > MAX_DOCS:  # said at once: 16 million lines took 1.6 GB to count to the end
                raise DataError(f"{shown}: more than {MAX_DOCS:,} documents (non-blank lines), the limit")
    chars = sorted(set("".join(docs)))
    if control_character("".join(chars)):  # the line is looked for only then: most files have none
        line, char = next((m, c) for m in LINE.finditer(text) if (c := control_character(m.group().strip())))
        raise DataError(f"{shown}: line {line_number(text, line.start())} has {char}; a document is printable text")
    if len(chars) > MAX_CHARS:
        raise DataError(f"{shown}: {len(chars)} distinct characters, more than the {MAX_CHARS} a vocabulary may have")
    digest = hashlib.sha256(raw).hexdigest()
    return Dataset(name or shown, tuple(docs), Vocab(chars), str(p.resolve()), digest, cut_notes(docs, "line", block_size))


# a line with something on it: line breaks are \n, \r\n and \r alone (splitlines would also cut at a form feed or
# U+001C, control characters a document is refused for)
LINE = re.compile(r"[^\r\n]+")


def line_number(text: str, offset: int) -> int:
    """The number of the line (from 1) holding text[offset]."""
    before = text[:offset]
    return before.count("\n") + before.count("\r") - before.count("\r\n") + 1


def looks_utf16(raw: bytes) -> bool:
    """A UTF-16 byte-order mark, or NULs in many odd (or even) bytes and in none of the others, as UTF-16 stores
    Latin letters."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    fewer, more = sorted((raw[0::2].count(0), raw[1::2].count(0)))
    return len(raw) >= 4 and fewer == 0 and 4 * more >= len(raw)


def source_of(dataset: Dataset) -> str:
    """How to find a data set again: "toy", "names", "docs" (documents given directly) or the file's full path."""
    if dataset.path is None or (dataset.name == "names" and dataset.path == str(names_path().resolve())):
        return dataset.name  # not a file that happens to be named docs or toy
    return dataset.path


def load(source: str) -> Dataset:
    """`toy`, `names`, or a path."""
    if source not in ("toy", "names"):
        return load_file(source)
    data = toy() if source == "toy" else load_file(names_path(), name="names")
    if os.path.isfile(source):  # the word names the bundled set, not the file of that name here
        data = replace(data, notes=(*data.notes, f"--data {source} is the bundled set; for the file {source} here, "
                                                 f"give ./{source}"))
    return data
