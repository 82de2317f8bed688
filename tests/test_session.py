"""Sessions: save a run, load it into a new one, and continue exactly; bad files give one line and change nothing."""
import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from core import session
from core.run import Run, RunConfig
from core.session import SessionError
from tui.cli import main


def train(run: Run, n: int) -> list[float]:
    return [run.train_step().loss for _ in range(n)]


def same_state(a: Run, b: Run) -> None:
    assert a.step == b.step
    wa, wb = a.model.weights(), b.model.weights()
    assert wa.keys() == wb.keys() and all(np.array_equal(wa[k], wb[k]) for k in wa)
    oa, ob = a.model.optimizer_state(), b.model.optimizer_state()
    assert oa.keys() == ob.keys()
    for kind in oa:
        assert all(np.array_equal(oa[kind][k], ob[kind][k]) for k in oa[kind])
    assert a.rng.getstate() == b.rng.getstate()
    assert a.history.state() == b.history.state()


@pytest.mark.parametrize("chapter, engine, before, after", [
    (6, None, 11, 30),
    (8, "scalar", 5, 10),
    (9, "fast", 40, 60),
    (9, "scalar", 2, 2),
    (12, "fast", 25, 35),
    (12, "scalar", 1, 1),
])
def test_a_saved_and_loaded_run_continues_exactly(tmp_path, chapter, engine, before, after):
    config = RunConfig(chapter, engine=engine, steps=before + after)
    whole = Run(config)
    expected = train(whole, before + after)
    expected_samples = [whole.sample() for _ in range(5)]

    first = Run(config)
    assert train(first, before) == expected[:before]
    path = session.save(tmp_path / "run.json", first, typed="leia")
    loaded = session.load(path)
    same_state(loaded.run, first)
    assert loaded.typed == "leia" and loaded.run.config == first.config
    assert train(loaded.run, after) == expected[before:]  # every bit, not just the printed digits
    assert [loaded.run.sample() for _ in range(5)] == expected_samples
    same_state(loaded.run, whole)


def test_the_file_is_documented_json_with_a_version(tmp_path):
    run = Run(RunConfig(12, engine="fast", steps=10))
    train(run, 3)
    document = json.loads(session.save(tmp_path / "s.json", run).read_text())
    assert document["format"] == "minigpt-tui session" and document["version"] == session.VERSION
    assert document["chapter"] == 12 and document["step"] == 3 and document["typed"] == ""
    assert document["config"]["steps"] == 10 and document["config"]["engine"] == "fast"
    assert document["data"]["source"] == "names" and len(document["data"]["sha256"]) == 64
    assert set(document["optimizer"]) == {"m", "v"} and len(document["rng"]["internal"]) == 625
    assert np.array(document["params"]["wte"]).shape == (27, 16)
    assert document["history"]["count"] == 3


def test_a_user_data_file_is_found_again_by_its_full_path(tmp_path, monkeypatch):
    data = tmp_path / "words.txt"
    data.write_text("ann\nbob\ncarol\n")
    monkeypatch.chdir(tmp_path)
    run = Run(RunConfig(9, data="words.txt", engine="fast", steps=6))
    train(run, 2)
    path = session.save(tmp_path / "s.json", run)
    monkeypatch.chdir("/")
    loaded = session.load(path).run
    assert loaded.dataset.path == str(data) and loaded.docs == run.docs
    assert train(loaded, 4) == train(run, 4)


def test_documents_given_directly_are_kept_in_the_session(tmp_path):
    run = Run(RunConfig(6, docs=("ann", "lee"), steps=8))
    train(run, 3)
    loaded = session.load(session.save(tmp_path / "s.json", run)).run
    assert loaded.docs == ["ann", "lee"] and train(loaded, 5) == train(run, 5)


def test_loading_into_a_subclass_of_run(tmp_path):
    class Holdout(Run):
        pass

    run = Run(RunConfig(6, steps=5))
    loaded = session.load(session.save(tmp_path / "s.json", run), run_class=Holdout)
    assert type(loaded.run) is Holdout


# atomic writes ---------------------------------------------------------------------------------------
def test_a_crash_while_saving_leaves_the_old_file_whole(tmp_path, monkeypatch):
    run = Run(RunConfig(6, steps=20))
    path = session.save(tmp_path / "s.json", run)
    old = path.read_bytes()
    train(run, 5)

    def crash(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(SessionError, match="cannot save .*No space left"):
        session.save(path, run)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.json"]  # no temporary file left behind
    monkeypatch.undo()
    session.save(path, run)
    assert session.load(path).run.step == 5


def test_saving_into_a_folder_or_a_missing_folder_is_one_line(tmp_path):
    run = Run(RunConfig(6, steps=5))
    with pytest.raises(SessionError, match="is a folder"):
        session.save(tmp_path, run)
    with pytest.raises(SessionError, match="cannot save"):
        session.save(tmp_path / "no" / "such" / "s.json", run)


def save_targets(tmp_path):
    (tmp_path / "a_file").write_text("")
    return {"no_folder": tmp_path / "nodir" / "s.json", "folder": tmp_path,
            "under_a_file": tmp_path / "a_file" / "s.json"}


@pytest.mark.parametrize("target, message", [
    ("no_folder", "cannot save there: no folder"),
    ("folder", "is a folder; give a file name"),
    ("under_a_file", "a_file is not a folder"),
])
def test_a_path_that_cannot_be_saved_to_is_refused_before_training(tmp_path, capsys, monkeypatch, target, message):
    path = save_targets(tmp_path)[target]
    with pytest.raises(SessionError, match=message):
        session.check_save_path(path)
    trained = []
    monkeypatch.setattr(Run, "train_step", lambda self: trained.append(1))
    code, out, err = cli(capsys, "train", "-c", "12", "--steps", "3000", "--save", path)
    assert code == 2 and out == "" and trained == []
    assert len(err.splitlines()) == 1 and message in err and "Traceback" not in err


def test_a_folder_that_takes_no_new_file_is_refused_before_training(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):  # what a read-only folder does (a chmod would not stop root)
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(session.tempfile, "mkstemp", refuse)
    trained = []
    monkeypatch.setattr(Run, "train_step", lambda self: trained.append(1))
    code, out, err = cli(capsys, "train", "-c", "6", "--save", tmp_path / "s.json")
    assert code == 2 and trained == [] and err == f"minigpt-tui: {tmp_path / 's.json'}: cannot save there " \
                                                  "(Permission denied)\n"


def test_a_file_name_of_250_characters_is_saved(tmp_path):
    """The temporary file was named .NAME.XXXXXXXX.tmp: past the 255 characters a file name may have."""
    path = tmp_path / ("s" * 245 + ".json")
    assert session.check_save_path(path) == path
    session.load(session.save(path, Run(RunConfig(6, steps=3))))
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_checking_a_save_path_leaves_nothing_behind(tmp_path):
    assert session.check_save_path(tmp_path / "s.json") == tmp_path / "s.json"
    assert list(tmp_path.iterdir()) == []


# bad files -----------------------------------------------------------------------------------------
@pytest.fixture
def saved(tmp_path):
    words = tmp_path / "words.txt"  # every letter, as in names.txt, in a file that is quick to read
    words.write_text("abcdefghijklm\nnopqrstuvwxyz\nann\nzoe\n")
    run = Run(RunConfig(12, engine="fast", steps=10, data=str(words)))
    train(run, 2)
    return session.save(tmp_path / "good.json", run)


def rewrite(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    return path


def set_key(section, key, value):
    def change(document):
        (document[section] if section else document)[key] = value
    return change


def test_a_session_keeps_the_loss_panel_mean_and_an_older_file_without_it_still_opens(saved):
    kept = session.load(saved).run.history
    assert kept.recent_mean()[1] == 2  # the two steps trained, each its own loss
    rewrite(saved, lambda d: d["history"].pop("recent"))  # as saved before the history kept them
    assert session.load(saved).run.history.recent_mean() == kept.recent_mean()


@pytest.mark.parametrize("change, message", [
    (set_key(None, "version", 2), "format version 2; this minigpt-tui reads version 1"),
    (set_key(None, "version", "1"), 'its version should be the number 1, not "1"'),
    (set_key(None, "version", True), "its version should be the number 1, not true"),
    (lambda d: d.pop("version"), ": the field 'version' is missing"),
    (set_key(None, "format", "something else"), "not a session file (a session is the JSON file ctrl+s or train"),
    (lambda d: d["params"].__setitem__("wte", d["params"]["wte"][:-1]), "wte has shape [26, 16], the model needs [27, 16]"),
    (lambda d: d["params"].pop("lm_head"), "missing lm_head"),
    (lambda d: d["params"]["wpe"][3].__setitem__(2, "x"), "holds str, not numbers"),
    (lambda d: d["params"]["wpe"][3].append(1.0), "not a rectangular table"),
    (lambda d: d["optimizer"].pop("v"), "optimizer state"),
    (set_key("data", "sha256", "0" * 64), "has changed since the session was saved"),
    (set_key("data", "vocab", ["a", "b"]), "different vocabulary"),
    (lambda d: d["data"].pop("source"), ": the field 'source' is missing from its data"),
    (set_key("data", "vocab", "abc"), ": the field 'vocab' in its data should be list, not str"),
    (lambda d: d["history"].pop("last"), ": the field 'last' is missing from its loss history"),
    (set_key("config", "chapter", 99), "unknown chapter"),
    (set_key("config", "lr", -1), ": its config's lr must be a finite number >= 0 (got -1.0)"),
    (set_key("config", "batch", 10**12), ": its config's batch must be from 1 to 10,000"),
    (set_key("config", "temperature", 0), ": its config's temperature must be a finite number, 1e-300 or more (got 0.0)"),
    (set_key("config", "steps", 0), ": its config's steps must be from 1 to 1,000,000,000 (got 0)"),
    (set_key("config", "steps", 10**400),
     ": its config's steps must be from 1 to 1,000,000,000 (got a 401-digit number)"),
    (set_key("config", "batch", -10**30), ": its config's batch must be from 1 to 10,000 (got a 31-digit number)"),
    (set_key("config", "samples", -2), ": its config's samples must be from 0 to 1,000,000 (got -2)"),
    (set_key("config", "samples", 10**400),
     ": its config's samples must be from 0 to 1,000,000 (got a 401-digit number)"),
    (set_key("config", "engine", 3), "the field 'engine' in its config should be str, not int"),
    (set_key("config", "colour", "red"), "the field 'colour' is not one its config has"),
    (set_key(None, "step", -4), "negative"),
    (set_key(None, "step", 11), "step 11 is past the end of its 10-step schedule"),  # chapter 12's lr is 0 by then
    (set_key(None, "zzz", 1), "the field 'zzz' is not one a session has"),
    (set_key(None, "step", "4"), "'step' should be int"),
    (lambda d: d["rng"]["internal"].pop(), "random state is damaged"),
    (lambda d: d["rng"].__setitem__("internal", [0] * 624 + [624]), "random state is all zeros"),  # names 'aaaa…'
    (set_key("history", "count", 7), "loss history is damaged: its field 'count' does not fit the others"),
    (set_key("history", "span", 2**41), "loss history is damaged: its field 'span' does not fit the others"),
    (set_key("history", "span", 2), "loss history is damaged: its field 'points' does not fit the others"),
    (set_key("history", "points", [1.0, True]), "loss history is damaged"),
    (set_key("history", "recent", [1.0, 2.0]), "its field 'recent' does not fit the others"),  # not ending in last
    (set_key("history", "recent", [0.5] * 51), "its field 'recent' does not fit the others"),  # past 50, past count
    (set_key("history", "capacity", 1), "its loss history's capacity should be from 2 to 2048 points, not 1"),
    (lambda d: d["history"].update(last=None), "its loss history is damaged: its field 'last' does not fit the others"),
    (lambda d: d.pop("history"), "'history' is missing"),
    # a whole number too large for a float (1 and 400 zeros) once raised OverflowError
    (set_key("config", "lr", 10**400), ": its config's lr must be a finite number >= 0 (got inf)"),
    (set_key("config", "temperature", -10**400), "its config's temperature must be a finite number, 1e-300 or more "
                                                 "(got -inf)"),
    (set_key("rng", "gauss_next", 10**400), "random state is damaged"),
    (set_key("history", "last", 10**400), "loss history is damaged"),
    (lambda d: d["history"]["points"].append(10**400), "loss history is damaged"),
    (lambda d: d["params"]["wpe"][3].__setitem__(2, 10**400), "its params wpe is not a table of finite numbers"),
    (lambda d: d["optimizer"]["v"]["wpe"][0].__setitem__(1, -1e-9), "its optimizer v holds a negative number"),
    # hand-edited, each field sound alone, the whole inconsistent
    (set_key("config", "seed", -1), ": its config's seed must be 0 or more (got -1)"),  # the CLI refuses --seed -1
    (set_key(None, "step", 1), ": step 1 disagrees with its loss history (2 steps)"),
    (set_key("data", "source", "names"), ": its data's source 'names' is not its config's '"),
    (set_key("config", "docs", ["ann"]), ": its config gives both data and docs"),
    (set_key("config", "data", None), ": its config gives neither data nor docs"),  # the chapter's own filled in
    *[(lambda d, key=key: d["config"].pop(key), f": the field {key!r} is missing from its config")
      for key in ("data", "docs", "steps", "lr", "seed", "batch", "engine", "samples", "temperature")],
    (set_key("history", "capacity", 10**12), ": its loss history's capacity should be from 2 to 2048 points, not "
                                             "1000000000000"),  # the memory bound of a run
    (set_key("history", "zzz", 1), ": the field 'zzz' is not one its loss history has"),
    (set_key("rng", "zzz", 1), ": the field 'zzz' is not one its random state has"),
    (set_key("data", "zzz", 1), ": the field 'zzz' is not one its data has"),
])
def test_a_damaged_session_is_one_clear_line(saved, change, message):
    assert set(json.loads(saved.read_text())) == session.FIELDS
    rewrite(saved, change)
    with pytest.raises(SessionError) as error:
        session.load(saved)
    text = str(error.value)
    assert message in text and "\n" not in text and text.startswith(str(saved))


@pytest.mark.parametrize("step", [21, 10**30])
def test_a_step_its_loss_history_never_saw_is_refused(tmp_path, step):
    """Chapter 6 has no schedule to end (the playground trains past its steps), but each step keeps a loss: a step
    of 10**30 once loaded, and showed."""
    run = Run(RunConfig(6, steps=20))
    train(run, 20)
    path = rewrite(session.save(tmp_path / "s6.json", run), set_key(None, "step", step))
    with pytest.raises(SessionError) as error:
        session.load(path)
    assert str(error.value) == f"{path}: step {step} disagrees with its loss history (20 steps)"


def test_a_docs_session_keeps_its_docs(tmp_path):
    run = Run(RunConfig(6, docs=("ann", "nina"), steps=3))
    loaded = session.load(session.save(tmp_path / "docs.json", run)).run
    assert loaded.config.docs == ("ann", "nina") and loaded.dataset.name == "docs"


@pytest.mark.parametrize("layout", [
    lambda d: json.dumps(d, separators=(",", ":")),  # compact
    lambda d: json.dumps({**{k: v for k, v in d.items() if k != "format"}, "format": d["format"]}),  # reordered
    lambda d: "\ufeff" + session.dumps(d),  # with a byte-order mark, as some editors save
])
def test_a_session_laid_out_otherwise_loads_and_is_replaced_by_a_save(saved, layout, capsys):
    """Anything the loader takes counts as a session: a compact one loaded, then --save over it said it was
    "not a saved session"; a byte-order mark was refused in Python's words."""
    saved.write_text(layout(json.loads(saved.read_text())), encoding="utf-8")
    assert session.load(saved).run.step == 2 and session.is_session_file(saved)
    code = main(["train", "--load", str(saved), "--save", str(saved), "--samples", "0"])
    assert (code, capsys.readouterr().err) == (0, f"minigpt-tui: saved to {saved}\n")
    assert session.load(saved).run.step == 10


def test_a_file_over_the_size_limit_is_not_taken_for_a_session(tmp_path, monkeypatch):
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"format": session.FORMAT}) + " " * 100)
    assert session.is_session_file(path)
    monkeypatch.setattr(session, "MAX_BYTES", 50)  # read no further than the loader would
    assert not session.is_session_file(path)


def test_a_typed_name_with_control_characters_is_dropped_and_the_run_kept(saved):
    """The playground shows the typed name: no escape sequences from a file; but one name is no reason to refuse the
    whole run (a tab pasted into the box once made a session no loader took)."""
    rewrite(saved, set_key(None, "typed", "ann\x1b]0;pwned\x07"))
    loaded = session.load(saved)
    assert loaded.typed == "" and loaded.run.step > 0
    rewrite(saved, set_key(None, "typed", "a" * 1_000_000))  # the name box holds 16 characters
    assert session.load(saved).typed == ""
    rewrite(saved, set_key(None, "typed", "a" * 16))
    assert session.load(saved).typed == "a" * 16


@pytest.mark.parametrize("engine", ["scalar", "fast"])
def test_a_toy_session_with_a_weight_below_0_is_refused(tmp_path, engine):
    run = Run(RunConfig(7, engine=engine, steps=10))
    train(run, 2)
    path = rewrite(session.save(tmp_path / "seven.json", run), lambda d: d["params"]["weights"].__setitem__(3, -0.2))
    with pytest.raises(SessionError) as error:
        session.load(path)
    assert str(error.value) == (f"{path}: its parameters cannot be used: the weight of 'e' went below 0 (-0.2), "
                                "so w / sum(w) is no longer a probability")


@pytest.mark.parametrize("cut", [0, 1, 100, 5000, -3, -2])  # -1 only drops the final newline
def test_a_truncated_file_is_refused(saved, cut):
    text = saved.read_bytes()
    saved.write_bytes(text[:cut])
    with pytest.raises(SessionError, match="not valid JSON|truncated" if cut else "not a session file \\(a session is"):
        session.load(saved)


@pytest.mark.parametrize("number, message", [("NaN", "it holds NaN"), ("-Infinity", "it holds -Infinity"),
                                             ("1e999", "wte is not a rectangular table of finite numbers")])
def test_a_non_finite_number_in_the_file_is_refused(saved, number, message):
    text = saved.read_text()
    start = text.index('"wte": [[') + len('"wte": [[')
    end = text.index(",", start)
    saved.write_text(text[:start] + number + text[end:])
    with pytest.raises(SessionError, match=message):
        session.load(saved)


def test_a_missing_or_changed_data_file_is_refused(tmp_path):
    data = tmp_path / "words.txt"
    data.write_text("ann\nbob\n")
    path = session.save(tmp_path / "s.json", Run(RunConfig(9, data=str(data), engine="fast", steps=3)))
    data.write_text("ann\nbob\nann\n")  # same characters, other documents
    with pytest.raises(SessionError, match="has changed since the session was saved"):
        session.load(path)
    data.unlink()
    with pytest.raises(SessionError, match="its data cannot be read: .*no such file"):
        session.load(path)


def test_missing_file_folder_and_binary_are_one_line(tmp_path):
    with pytest.raises(SessionError, match="no such file"):
        session.load(tmp_path / "nope.json")
    with pytest.raises(SessionError, match="is a folder"):
        session.load(tmp_path)
    (tmp_path / "b.json").write_bytes(b"\xff\xfe\x00garbage")
    (tmp_path / "names.txt").write_text("ann\nbob\n")
    for other in ("b.json", "names.txt"):  # no talk of JSON for a file that never was any
        with pytest.raises(SessionError) as not_json:
            session.load(tmp_path / other)
        assert str(not_json.value) == (f"{tmp_path / other}: not a session file (a session is the JSON file ctrl+s "
                                       "or train --save writes)")
    (tmp_path / "c.json").write_text('{"format": "minigpt')
    with pytest.raises(SessionError) as cut:
        session.load(tmp_path / "c.json")
    assert str(cut.value).endswith("not valid JSON (Unterminated string starting at: line 1 column 12 (char 11)); "
                                   "it may be truncated or damaged")


def test_a_failed_load_leaves_the_current_run_as_it_was(saved):
    current = Run(RunConfig(12, engine="fast", steps=10))
    train(current, 4)
    before = current.model.weights()
    rewrite(saved, lambda d: d["params"]["mlp_fc2"].pop())
    with pytest.raises(SessionError):
        current = session.load(saved).run  # the swap happens only when the load succeeded
    assert current.step == 4 and all(np.array_equal(before[k], w) for k, w in current.model.weights().items())


# the command line ----------------------------------------------------------------------------------
def cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def step_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("step ", "sample ", '{"step"', '{"sample"'))]


def interrupt_after(monkeypatch, k: int):
    """A real SIGINT to this process once k steps are done, as if Ctrl-C was pressed then."""
    real = Run.train_step

    def train_step(self):
        result = real(self)
        if result.step == k:
            signal.raise_signal(signal.SIGINT)
        return result

    monkeypatch.setattr(Run, "train_step", train_step)


@pytest.mark.parametrize("chapter, steps, k, fmt", [("12", 30, 11, "text"), ("6", 40, 17, "jsonl"), ("9", 30, 3, "text")])
def test_an_interrupted_then_resumed_run_prints_the_same_as_an_uninterrupted_one(
        tmp_path, capsys, monkeypatch, chapter, steps, k, fmt):
    options = ["--chapter", chapter, "--steps", steps, "--samples", 4, "--format", fmt]
    code, whole, _ = cli(capsys, "train", *options)
    assert code == 0

    saved = tmp_path / "s.json"
    interrupt_after(monkeypatch, k)
    code, first, err = cli(capsys, "train", *options, "--save", saved)
    assert code == 130 and f"interrupted at step {k} of {steps}; saved to {saved}" in err
    assert "Traceback" not in err and len(err.splitlines()) == 2  # the first said at once what Ctrl-C does
    monkeypatch.undo()
    code, rest, err = cli(capsys, "train", "--load", saved, "--format", fmt)
    assert code == 0 and err == ""
    assert step_lines(first) + step_lines(rest) == step_lines(whole)
    assert len(step_lines(first)) == k
    if fmt == "text":
        assert rest.splitlines()[:3] == whole.splitlines()[:3]  # num docs, vocab size, num params
    else:
        assert rest.splitlines()[-1] == whole.splitlines()[-1]  # the final parameters


def test_save_at_the_end_then_sample_and_train_load_repeat_the_samples(tmp_path, capsys):
    saved = tmp_path / "s.json"
    code, out, err = cli(capsys, "train", "-c", "8", "--steps", "20", "--samples", "3", "--save", saved)
    assert code == 0 and err == f"minigpt-tui: saved to {saved}\n"
    samples = [line for line in out.splitlines() if line.startswith("sample")]
    assert cli(capsys, "sample", "--load", saved)[1].splitlines() == samples
    code, out, _ = cli(capsys, "train", "--load", saved)
    assert [line for line in out.splitlines() if line.startswith(("step", "sample"))] == samples
    code, out, _ = cli(capsys, "sample", "--load", saved, "--samples", "1", "--temperature", "0.5")
    assert code == 0 and len(out.splitlines()) == 1


@pytest.mark.parametrize("args, message", [
    (["train", "--load", "{missing}"], "no such file"),
    (["train", "--load", "{bad}"], "not valid JSON"),
    (["train", "--load", "{good}", "--lr", "0.1"], "--lr cannot be changed: --load keeps the session's own"),
    (["train", "--load", "{good}", "--chapter", "3"], "the session decides the chapter"),
    (["sample", "--load", "{bad}"], "not valid JSON"),
    (["--load", "{bad}"], "not valid JSON"),
    (["train"], "required: --chapter"),
])
def test_cli_session_errors_are_one_line_exit_2(tmp_path, capsys, args, message):
    good = session.save(tmp_path / "good.json", Run(RunConfig(6, steps=3)))
    bad = tmp_path / "bad.json"
    bad.write_text(good.read_text()[:-40])
    paths = {"missing": tmp_path / "missing.json", "bad": bad, "good": good}
    code, out, err = cli(capsys, *[a.format(**paths) for a in args])
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err


@pytest.mark.parametrize("command, value, shown", [(["sample"], "-0.5", "-0.5"), (["train"], "0", "0.0"),
                                                   ([], "1e999", "inf")])  # JSON reads 1e999 as infinity
def test_a_bad_value_in_a_session_file_names_the_files_field_not_a_flag(saved, capsys, monkeypatch, command, value,
                                                                        shown):
    text = saved.read_text()
    saved.write_text(text.replace('"temperature": 0.5', f'"temperature": {value}', 1))
    assert saved.read_text() != text
    monkeypatch.setattr("tui.app.PlaygroundApp.run", lambda self: pytest.fail("the playground opened"))
    code, out, err = cli(capsys, *command, "--load", saved)
    assert code == 2 and out == ""
    assert err == f"minigpt-tui: {saved}: its config's temperature must be a finite number, 1e-300 or more (got {shown})\n"


def test_ctrl_c_on_a_real_process_saves_and_resumes(tmp_path, kill_after):
    saved = tmp_path / "s.json"
    # chapter 8: trains as long as asked (chapter 6's weights can go below 0, which stops a long run)
    command = [sys.executable, "-m", "tui.cli", "train", "-c", "8", "--steps", "200000", "--format", "jsonl",
               "--samples", "0"]
    child = subprocess.Popen(command + ["--save", str(saved)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kill_after(child)
    for _ in range(20):  # training has started, and Ctrl-C is ours
        child.stdout.readline()
    child.send_signal(signal.SIGINT)
    out = child.stdout.read()  # through the reader readline filled: communicate() would skip what it holds
    err = child.stderr.read()
    child.wait(timeout=60)
    k = 20 + len(out.splitlines())
    assert child.returncode == 130, err
    assert f"interrupted at step {k} of 200000; saved to {saved}" in err and "Traceback" not in err
    loaded = session.load(saved).run
    assert loaded.step == k
    expected = Run(RunConfig(8, steps=200000))
    assert train(expected, k + 3)[k:] == train(loaded, 3)


def test_saving_keeps_the_mode_of_the_file_it_replaces(tmp_path):
    run = Run(RunConfig(6, steps=5))
    path = session.save(tmp_path / "s.json", run)
    path.chmod(0o640)
    session.save(path, run)
    assert path.stat().st_mode & 0o777 == 0o640
    umask = os.umask(0)
    os.umask(umask)
    fresh = session.save(tmp_path / "new.json", run)  # not mkstemp's private 0600: what any new file gets
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_session_with_weights_past_the_limit_is_refused(tmp_path):
    run = Run(RunConfig(12))
    run.model.set_weight("wte", (0, 0), 1e200)
    path = session.save(tmp_path / "huge.json", run)
    with pytest.raises(session.SessionError, match="its parameters cannot be used: some are past 1e\\+150"):
        session.load(path)


def test_saving_never_opens_or_replaces_a_device_or_a_pipe_and_writes_through_a_link(tmp_path):
    run = Run(RunConfig(6, steps=5))
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/null")):
        with pytest.raises(session.SessionError, match="is not a regular file"):
            session.save(target, run)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and stat.S_ISCHR(os.stat("/dev/null").st_mode)
    real = session.save(tmp_path / "real.json", run)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    session.save(link, run)
    assert link.is_symlink() and session.load(link).run.chapter.number == 6


@pytest.mark.parametrize("file_name", ["docs", "toy", "names"])
def test_a_data_file_named_like_a_built_in_source_saves_as_its_path(tmp_path, monkeypatch, file_name):
    """A file called docs was saved as the --docs case, with the file's checksum: no load could ever match it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / file_name).write_text("zed\nzoe\nqux\n")
    run = Run(RunConfig(9, data=file_name if file_name == "docs" else f"./{file_name}", steps=3))
    train(run, 2)
    loaded = session.load(session.save(tmp_path / "s.json", run))
    assert loaded.run.dataset.docs == run.dataset.docs and loaded.run.step == 2


def test_a_read_only_session_is_not_replaced(saved, monkeypatch):
    """Replacing a file goes through its folder, so its own read-only mode did not stop a save (root aside, whom
    nothing stops: hence the stand-in for os.access)."""
    monkeypatch.setattr(session.os, "access", lambda path, mode: Path(path) != saved)
    with pytest.raises(SessionError) as error:
        session.check_save_path(saved)
    assert str(error.value) == f"{saved}: is read-only; it is kept (make it writable, or give another name)"


def test_a_session_path_that_loops_is_not_said_to_be_missing(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(session.SessionError) as error:
        session.load(tmp_path / "a")
    assert "no such file" not in str(error.value) and "symbolic links" in str(error.value)


def test_a_file_far_larger_than_any_session_is_refused_unread(tmp_path):
    """64 MB of crafted JSON took 1.8 GB and 4 s to refuse; the largest real session is under 1 MB."""
    path = tmp_path / "big.json"
    path.write_bytes(b"{" + b" " * session.MAX_BYTES + b"}")
    with pytest.raises(session.SessionError, match="too large"):
        session.load(path)
    assert session.MAX_BYTES <= 8 * 1024 * 1024
