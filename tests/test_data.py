"""Bring your own data: any text file with one document per line works; anything else is one clear line."""
import os
from pathlib import Path

import pytest

import core
from core import data
from core.data import DataError, load
from core.run import Run, RunConfig
from tui.cli import main


def write(tmp_path, content: bytes, name="words.txt"):
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_a_file_of_documents_gives_its_vocabulary_and_checksum(tmp_path):
    path = write(tmp_path, b"  bob \r\nann\n\n\ncarol\n")
    dataset = load(path)
    assert dataset.docs == ("bob", "ann", "carol")
    assert dataset.vocab.chars == ["a", "b", "c", "l", "n", "o", "r"]
    assert dataset.path == os.path.realpath(path) and len(dataset.sha256) == 64 and dataset.notes == ()


def test_a_byte_order_mark_is_not_a_character(tmp_path):
    dataset = load(write(tmp_path, "\ufeffzoë\nann\n".encode("utf-8")))
    assert dataset.docs == ("zoë", "ann") and "\ufeff" not in dataset.vocab.chars


@pytest.mark.parametrize("content, message", [
    (b"", ": is empty"),
    (b"\n  \n\t\n", "has no documents"),
    (b"ann\x00bob\n", "looks binary (it has NUL bytes)"),
    (b"ann\n\xff\xfebob\n", "not UTF-8 text (bad byte at offset 4); save it as UTF-8"),
    ("ann\nzoë\n".encode("latin-1"), "not UTF-8 text (bad byte at offset 6); save it as UTF-8"),
    ("ann\nzoë\n".encode("utf-16"), "looks like UTF-16 text; save it as UTF-8"),  # with a byte-order mark
    ("ann\nzoë\n".encode("utf-16-be"), "looks like UTF-16 text; save it as UTF-8"),
    # printed raw, ESC and BEL retitle the terminal and clear it
    (b"ann\na\x1b]0;pwned\x07b\nab\x1b[2Jc\n", "line 2 has the control character U+001B; a document is printable"),
    (b"ann\n\n  b\tob\n", "line 3 has the control character U+0009 (a tab)"),  # a tab inside a document is a token
    (b"ann\r\nbob\r\n\r\nc\x07d\r\n", "line 4 has the control character U+0007"),  # line breaks of every kind
    (b"ann\rbob\r\rc\x07d", "line 4 has the control character U+0007"),
    # lines end at line breaks only: U+0085, a form feed or U+001C are characters of a line (and refused)
    ("ann\nzo\u0085e\u009b\n".encode("utf-8"), "line 2 has the control character U+0085"),
    (b"a\x0cb\nc\x1b\n", "line 1 has the control character U+000C"),
    (b"ann\nb\x1cob\n", "line 2 has the control character U+001C"),
    # invisible or reordering characters: U+202E printed raw reverses the terminal's display of what follows
    ("ann\nbo\u200bb\n".encode("utf-8"), "line 2 has the format character U+200B; a document is printable"),
    ("ann\n\nx\u202eyz\n".encode("utf-8"), "line 3 has the format character U+202E"),
    ("an\u2028n\nbob\n".encode("utf-8"), "line 1 has the line separator U+2028"),
    ("ann\nbo\u2029b\n".encode("utf-8"), "line 2 has the paragraph separator U+2029"),
    ("ann\nzoë\n".encode("utf-32"), "looks like UTF-32 text; save it as UTF-8"),
    ("".join(chr(0x100 + i) for i in range(257)).encode("utf-8"), "257 distinct characters, more than the 256"),
])
def test_unusable_files_are_refused_in_one_line(tmp_path, content, message):
    with pytest.raises(DataError) as error:
        load(write(tmp_path, content))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_tabs_and_spaces_around_a_document_are_not_part_of_it(tmp_path):
    assert load(write(tmp_path, b"\tann \r\n bob\t\n")).docs == ("ann", "bob")


def test_more_than_a_million_documents_are_refused(tmp_path):
    """16 million short lines took 40 s and 1.4 GB before the first step (shuffling them most of it)."""
    assert len(load(write(tmp_path, b"a\n\n" * data.MAX_DOCS)).docs) == data.MAX_DOCS == 1_000_000
    with pytest.raises(DataError) as error:
        load(write(tmp_path, b"a\n" * (data.MAX_DOCS + 1)))
    assert str(error.value).endswith(": more than 1,000,000 documents (non-blank lines), the limit")


def test_256_distinct_characters_are_fine(tmp_path):
    dataset = load(write(tmp_path, "".join(chr(0x100 + i) for i in range(256)).encode("utf-8")))
    assert len(dataset.vocab) == 257


def test_missing_folder_device_and_odd_paths_are_refused(tmp_path):
    for path, message in [(tmp_path / "nope.txt", "no such file"), (tmp_path, "is a folder"),
                          ("/dev/zero", "is not a regular file"), ("~no_such_user_zz/x", "not a usable path"),
                          ("x" * 5000, "cannot read"), ("a\0b", "no such file|not a usable path")]:
        with pytest.raises(DataError, match=message):
            load(str(path))


def test_a_pipe_is_not_read_forever(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="is not a regular file"):
        load(str(fifo))


def test_over_50_mb_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.txt"
    with open(path, "wb") as f:
        f.truncate(50_000_001)  # sparse: nothing is written; MB as the message says, not MiB
    with pytest.raises(DataError, match="50.0 MB is over the 50 MB limit"):
        load(str(path))


def test_an_unreadable_file_is_one_line(tmp_path, monkeypatch):
    path = write(tmp_path, b"ann\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(tmp_path), "open", refuse)  # we may be root, for whom chmod 000 changes nothing
    with pytest.raises(DataError, match="cannot read \\(Permission denied\\)"):
        load(path)


def test_lines_longer_than_the_context_are_counted(tmp_path):
    path = write(tmp_path, b"ann\n" + b"a" * 15 + b"\n" + b"b" * 16 + b"\n" + b"c" * 40 + b"\n")
    dataset = load(path)
    assert dataset.notes == ("2 lines of 16 or more characters are cut to the model's context of 16 tokens",)
    assert load(write(tmp_path, b"a" * 16 + b"\n")).notes[0].startswith("1 line of 16 or more characters is cut")


@pytest.mark.parametrize("engine", ["scalar", "fast"])
def test_a_long_line_trains_on_its_first_16_positions_only(tmp_path, engine):
    path = write(tmp_path, b"abcdefghijklmnopqrstuvwxyz\n")
    run = Run(RunConfig(9, data=path, engine=engine, steps=1))
    ids = run.encoded[0]  # only what the model reads is encoded: a 40-million-character line took seconds a step
    whole = run.vocab.encode(run.docs[0])
    assert ids == whole[:16] and run.model.targets(ids) == run.model.targets(whole)
    assert run.model.loss(ids) == run.model.loss(whole)
    assert run.train_step().loss > 0


def test_the_names_and_toy_sets(tmp_path):
    names = load("names")
    assert len(names.docs) == 32178 and names.notes == ()
    assert names.sha256 == "a311634f5113663f131a60cd0c76afb8420199991dbd9045773b8a2949ada835"  # chapters.md's
    text = (Path(core.__file__).parent / "names.txt").read_bytes()
    assert len(text) == 229_201 and set(text.decode()) == set("abcdefghijklmnopqrstuvwxyz\n")
    assert load("toy").docs == ("ann", "leia", "elaine", "ian", "alan", "laila", "lee", "nina")


def test_cli_trains_on_a_user_file_and_reports_cut_lines(tmp_path, capsys):
    path = write(tmp_path, b"zed\nzoe\n" + b"z" * 20 + b"\n")
    code = main(["train", "-c", "9", "--data", path, "--steps", "3", "--samples", "1"])
    out, err = capsys.readouterr()
    assert code == 0 and out.splitlines()[:2] == ["num docs: 3", "vocab size: 5"]  # d e o z, and the end token
    assert err == "minigpt-tui: note: 1 line of 16 or more characters is cut to the model's context of 16 tokens\n"


@pytest.mark.parametrize("content, message", [(b"", "is empty"), (b"\x00\x01", "looks binary"),
                                              (b"\xc3\x28", "not UTF-8"),
                                              (b"a\x1b]0;pwned\x07b\nab\x1b[2Jc\n", "line 1 has the control character U+001B")])
def test_cli_refuses_bad_data_in_one_line(tmp_path, capsys, content, message):
    code = main(["train", "-c", "9", "--data", write(tmp_path, content), "--steps", "3"])
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err and "\x1b" not in err


@pytest.mark.parametrize("args, message", [(["--data", "/no/such/file.txt", "-c", "9"], "no such file"),
                                           (["--data", "names", "-c", "3"], "toy data only")])
def test_the_playground_refuses_bad_data_before_it_starts(capsys, args, message):
    code = main(args)
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err


def test_a_file_named_like_a_bundled_set_is_not_taken_silently(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "toy").write_text("bob\n")
    assert main(["train", "-c", "6", "--data", "toy", "--steps", "1", "--samples", "0"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("num docs: 8\n")  # the bundled set, as the word always means
    assert err == "minigpt-tui: note: --data toy is the bundled set; for the file toy here, give ./toy\n"
    assert main(["train", "-c", "6", "--data", "./toy", "--steps", "1", "--samples", "0"]) == 0
    assert capsys.readouterr().out.startswith("num docs: 1\n")


def test_a_link_that_loops_is_not_said_to_be_missing(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(DataError) as error:
        load(tmp_path / "a")
    assert "no such file" not in str(error.value) and "symbolic links" in str(error.value)
