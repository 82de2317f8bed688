"""The headless CLI: formats, defaults, and one-line errors with exit status 2."""
import contextlib
import errno
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from core import session
from tests.test_fast_microgpt import LOSSES, SAMPLES
from tui.cli import main

CH6_WEIGHTS = [0.7684283521597673, 0.03834814625055266, 0.43834814625055263, 0.25834814625054936,
               0.8785085580690032, 0.6784283521597718]


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_chapters_lists_twelve_lines(capsys):
    code, out, _ = run_cli(capsys, "chapters")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 12
    assert lines[5].split() == ["6", "training", "Training"]


def test_train_text_format_follows_microgpt(capsys):
    code, out, _ = run_cli(capsys, "train", "--chapter", "training", "--docs", "ann", "--samples", "2")
    lines = out.splitlines()
    assert code == 0
    assert lines[:3] == ["num docs: 1", "vocab size: 6", "num params: 6"]
    assert lines[3] == "step    1 /   75 | loss 0.8868"
    assert lines[77] == "step   75 /   75 | loss 0.7410"
    assert lines[78] == "--- inference (new, hallucinated names) ---"
    assert lines[79].startswith("sample  1: ") and len(lines) == 81


def test_train_chapter_gpt_prints_microgpts_whole_output(capsys):
    code, out, _ = run_cli(capsys, "train", "--chapter", "gpt")
    expected = ["num docs: 32178", "vocab size: 27", "num params: 4192"]
    expected += [f"step {s + 1:4d} / 1000 | loss {loss}" for s, loss in enumerate(LOSSES)]
    expected += ["--- inference (new, hallucinated names) ---"]
    expected += [f"sample {i + 1:2d}: {name}" for i, name in enumerate(SAMPLES)]
    assert code == 0 and out.splitlines() == expected


@pytest.mark.parametrize("engine", ["scalar", "fast"])
def test_chapter_8_trains_from_1_9889_to_1_0501_as_the_readme_says(capsys, engine):
    code, out, _ = run_cli(capsys, "train", "--chapter", "8", "--engine", engine, "--samples", "0")
    steps = [line for line in out.splitlines() if line.startswith("step")]
    assert code == 0 and len(steps) == 300
    assert steps[0] == "step    1 /  300 | loss 1.9889" and steps[-1] == "step  300 /  300 | loss 1.0501"


def test_jsonl_with_a_batch_names_every_document_of_a_step(capsys):
    code, out, _ = run_cli(capsys, "train", "--chapter", "6", "--data", "toy", "--batch", "3", "--steps", "2",
                           "--format", "jsonl", "--samples", "0")
    first, second = (json.loads(line) for line in out.splitlines()[:2])
    assert code == 0 and first["docs"] == ["ann", "leia", "elaine"] and second["docs"] == ["ian", "alan", "laila"]
    assert "doc" not in first and first["step"] == 1


def test_train_jsonl_ends_with_the_spec_weights(capsys):
    code, out, _ = run_cli(capsys, "train", "--chapter", "training", "--docs", "ann", "--steps", "75",
                           "--lr", "0.1", "--format", "jsonl")
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert records[0] == {"step": 1, "doc": "ann", "loss": 0.8867781155015197}
    assert [r["step"] for r in records[:75]] == list(range(1, 76))
    assert all("sample" in r for r in records[75:-1]) and len(records[75:-1]) == 10
    assert records[-1] == {"params": {"weights": CH6_WEIGHTS}}


def test_train_defaults_come_from_the_chapter(capsys):
    code, out, _ = run_cli(capsys, "train", "--chapter", "6", "--format", "jsonl", "--samples", "0")
    records = [json.loads(line) for line in out.splitlines()]
    assert len(records) == 76 and records[-1].keys() == {"params"}
    assert {r["doc"] for r in records[:75]} == {"ann"}  # the post's first training run: ann alone
    code, out, _ = run_cli(capsys, "train", "--chapter", "6", "--data", "toy", "--format", "jsonl", "--samples", "0")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["doc"] for r in records[:8]] == ["ann", "leia", "elaine", "ian", "alan", "laila", "lee", "nina"]


def test_sample_prints_k_documents(capsys):
    code, out, _ = run_cli(capsys, "sample", "--chapter", "1", "--samples", "4", "--seed", "3")
    assert code == 0
    lines = out.splitlines()
    assert [line[:10] for line in lines] == [f"sample {i:2d}:" for i in range(1, 5)]
    assert out == run_cli(capsys, "sample", "--chapter", "tokens", "--samples", "4", "--seed", "3")[1]


def test_sampling_an_untrained_chapter_says_so_on_stderr(capsys, tmp_path):
    code, out, err = run_cli(capsys, "sample", "--chapter", "12", "--samples", "2")
    assert code == 0 and len(out.splitlines()) == 2  # stdout keeps its format
    assert err.strip().splitlines() == ["minigpt-tui: note: chapter 12's model is untrained, its names noise: "
                                        "`minigpt-tui train -c 12` samples after training, and --load FILE samples a "
                                        "saved session"]
    assert run_cli(capsys, "sample", "--chapter", "3", "--samples", "2")[2] == ""  # it never trains: nothing to say
    saved = tmp_path / "s.json"
    run_cli(capsys, "train", "--chapter", "6", "--steps", "3", "--save", str(saved))
    assert run_cli(capsys, "sample", "--load", str(saved), "--samples", "2")[2] == ""
    from core import session
    from core.run import Run, RunConfig

    session.save(saved, Run(RunConfig(6)))  # saved untrained, as ctrl+s can
    assert run_cli(capsys, "sample", "--load", str(saved), "--samples", "2")[2].strip().endswith(
        "samples after training")  # not "--load FILE samples a saved session": that is what was done


def test_choices_take_any_case_as_chapter_names_do(capsys):
    code, out, _ = run_cli(capsys, "train", "-c", "GPT", "--engine", "Fast", "--format", "JSONL", "--steps", "1",
                           "--samples", "0")
    assert code == 0 and json.loads(out.splitlines()[0])["step"] == 1


def test_each_command_says_what_its_load_does(capsys):
    helps = {}
    for command in ("train", "sample"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        helps[command] = " ".join(capsys.readouterr().out.split())
    assert "a saved session to continue" in helps["train"] and "a saved session to sample from" in helps["sample"]
    assert "required unless --load" in helps["train"] and helps["sample"].count("(default: the chapter's") == 3


def test_each_commands_help_begins_with_what_it_does(capsys):
    for command, does in [("chapters", "List the chapters."), ("train", "Train a chapter's model headless"),
                          ("sample", "Sample documents"), ("serve", "Serve the playground to web browsers")]:
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert capsys.readouterr().out.split("\n\n")[1].startswith(does), command


@pytest.mark.parametrize("args, message", [
    (["train", "--chapter", "99"], "unknown chapter '99'; choose one of: 1 tokens,"),
    (["train", "--chapter", "trainin"], "unknown chapter 'trainin' (did you mean training?); choose one of:"),
    (["train", "--chapter", "6", "--lr", "nan"], "--lr must be a finite number"),
    (["train", "--chapter", "6", "--lr", "-1"], "--lr must be a finite number"),
    (["train", "--chapter", "6", "--lr", "fast"], "'fast' is not a number"),
    (["train", "--chapter", "6", "--steps", "0"], "--steps must be from 1 to 1,000,000,000 (got 0)"),
    (["train", "--chapter", "6", "--steps", "10000000000"],
     "--steps must be from 1 to 1,000,000,000 (got 10,000,000,000)"),
    (["sample", "--chapter", "6", "--samples", "1000001"], "--samples must be from 0 to 1,000,000 (got 1,000,001)"),
    (["train", "--chapter", "6", "--docs", "anx"], "'x' is not in the vocabulary"),
    (["train", "--chapter", "6", "--data", "/no/such/file.txt"], "no such file"),
    (["train", "--chapter", "6", "--format", "xml"], "--format: unknown value 'xml'; choose from text, jsonl"),
    (["train", "--chapter", "3"], "does not train"),
    (["train", "--chapter", "3", "--data", "names"], "toy data only"),
    (["sample", "--chapter", "1", "--temperature", "0"], "--temperature must be a finite number, 1e-300 or more (got 0.0)"),
    (["sample", "--chapter", "1", "--temperature", "inf"], "--temperature must be a finite number, 1e-300 or more (got inf)"),
    (["sample", "--chapter", "1", "--temperature", "nan"], "--temperature must be a finite number, 1e-300 or more (got nan)"),
    (["sample", "--chapter", "12", "--temperature", "1e-400"], "'1e-400' is too close to 0 for a float: it reads as 0"),
    (["train", "--chapter", "6", "--lr", "1e400"], "'1e400' is too large for a float: it reads as infinity"),
    # 1 / 5e-324 overflows: the scalar engine's division raised, the fast engine's names came out empty
    (["sample", "--chapter", "12", "--temperature", "5e-324"], "--temperature must be a finite number, 1e-300 or more (got 5e-324)"),
    (["train", "--chapter", "6", "--lr", "inf"], "--lr must be a finite number >= 0 (got inf)"),
    (["train", "--chapter", "6", "--save", ""], "--save needs a file name"),
    (["sample"], "required: --chapter"),
    (["bogus"], "unknown command 'bogus'; choose from chapters, train, sample, serve"),
    (["trian"], "unknown command 'trian' (did you mean train?)"),
    (["train", "--chapter", "12", "--engine", "fats"], "--engine: unknown value 'fats' (did you mean fast?)"),
    (["train", "--chpater", "12"], "unrecognized arguments: --chpater 12 (did you mean --chapter?)"),
    (["sample", "--chapter", "12", "--steps", "5"], "(--steps is an option of train, not of sample)"),
    # argparse took "ann" for the command: "unknown command 'ann'" said nothing of the option
    (["--chapter", "6", "--docs", "ann"], "--docs is an option of train and sample, not of the playground"),
    (["--chapter", "6", "--doc", "ann"], "--docs is an option of train and sample, not of the playground"),  # abbreviated
    # with "=" argparse leaves the word over instead of refusing it: said as for "--lr 0.1"
    (["--chapter", "6", "--lr=0.1"], "--lr is an option of train, not of the playground: give it after the command"),
    (["--lr=0.1", "train", "--chapter", "6"], "--lr is an option of train, not of the playground: give it after"),
    # argparse took the value after an option nobody has for the command: "unknown command '3'"
    (["--bogus", "3"], "unrecognized arguments: --bogus"),
    (["--chapter", "6", "--stepz", "3"], "unrecognized arguments: --stepz (did you mean --steps?)"),
    (["--seed", "-5"], "'-5' is below 0: a seed is 0 or more"),  # a value, not an option
    (["-c6", "--docs", "ann"], "--docs is an option of train and sample, not of the playground"),  # -c with its value
    (["--d", "toy", "--stepz", "3"], "unrecognized arguments: --stepz (did you mean --steps?)"),  # --d: --data
    # counts are checked against their whole range, not only against 0
    (["train", "--chapter", "6", "--steps", "-1"], "--steps must be from 1 to 1,000,000,000 (got -1)"),
    (["train", "--chapter", "6", "--batch", "-3"], "--batch must be from 1 to 10,000 (got -3)"),
    (["train", "--chapter", "6", "--steps", "ten"], "'ten' is not a whole number"),
    (["train", "--chapter", "12", "--docs", "ann", "--data", "/no/such/file.txt"], "--docs and --data both give"),
    (["train", "--chapter", "12", "--data", ""], "--data needs toy, names, or a file path"),
    (["train", "--chapter", "6", "--seed", "-5"], "'-5' is below 0: a seed is 0 or more"),  # Random(-5) is Random(5)
    (["--data", "/no/such/file.txt", "serve"], "serve does not take --data"),
])
def test_user_errors_are_one_line_and_exit_2(capsys, args, message):
    code, out, err = run_cli(capsys, *args)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and message in err and err.startswith("minigpt-tui: ")


def test_a_mistyped_option_is_not_matched_on_its_dashes(capsys):
    # every option starts with "--": compared with them, --bogus was "close" to --docs
    code, _, err = run_cli(capsys, "train", "--chapter", "6", "--bogus", "3")
    assert code == 2 and err == "minigpt-tui: unrecognized arguments: --bogus 3\n"


def test_version_prints_the_installed_version(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"minigpt-tui {version('minigpt-tui')}\n"


def test_unreadable_data_file_is_one_line(tmp_path, capsys):
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = run_cli(capsys, "train", "--chapter", "6", "--data", str(folder))
    assert code == 2 and "is a folder" in err


def test_console_script_runs_as_a_module_without_traceback():
    out = subprocess.run([sys.executable, "-m", "tui.cli", "train", "--chapter", "zzz"], capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and out.stderr.count("\n") == 1


def test_piped_output_shows_no_progress_bar():
    out = subprocess.run([sys.executable, "-m", "tui.cli", "train", "--chapter", "6", "--samples", "0"],
                         capture_output=True, text=True)
    assert out.returncode == 0
    assert "\x1b" not in out.stdout and out.stderr == ""


def on_a_terminal(*args: str, output: Path | None = None) -> tuple[int, str]:
    """The CLI run on a pseudo-terminal, its progress bar (if any) shown from the start: exit code, screen. With
    `output`, its stdout goes to that file instead, as `> output` would."""
    import os
    import pty

    pid, fd = pty.fork()
    if pid == 0:
        if output is not None:
            os.dup2(os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 1)
        code = "import sys, tui.cli as cli; cli.Progress.SHOWN_AFTER = 0; sys.exit(cli.main(sys.argv[1:]))"
        os.execv(sys.executable, [sys.executable, "-c", code, *args])
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), b"".join(chunks).decode("utf-8", "replace")


def test_a_long_run_on_a_terminal_shows_a_progress_bar():
    # chapter 8: its logits cannot leave the model's range, however long it trains (chapter 6's weights can)
    code, screen = on_a_terminal("train", "--chapter", "8", "--steps", "20000", "--samples", "0")
    assert code == 0
    assert "training" in screen and "/20000" in screen  # the bar: label and done/total
    steps = [int(m) for m in re.findall(r"step +(\d+) / 20000 \| loss", screen)]
    assert steps == list(range(1, 20_001))  # every line above the bar, in order, though written in batches


def test_output_sent_to_a_file_shows_the_progress_bar_on_the_terminal(tmp_path):
    # `train ... > log.txt`: a long run showed nothing at all until it ended
    log = tmp_path / "log.txt"
    code, screen = on_a_terminal("train", "--chapter", "8", "--steps", "20000", "--samples", "0", output=log)
    assert code == 0 and "training" in screen and "/20000" in screen and "loss" not in screen
    lines = log.read_text().splitlines()
    assert "\x1b" not in log.read_text() and len(lines) == 3 + 20000 and lines[-1].startswith("step 20000 / 20000")


def test_jsonl_on_a_terminal_shows_no_progress_bar():
    code, screen = on_a_terminal("train", "--chapter", "8", "--steps", "2000", "--samples", "0", "--format", "jsonl")
    assert code == 0 and "training" not in screen and "/2000" not in screen
    assert len([line for line in screen.splitlines() if line.startswith('{"step"')]) == 2000


def test_the_progress_bar_waits_a_second_and_never_shows_for_jsonl_or_a_pipe(monkeypatch):
    from tui import cli

    now = [100.0]
    monkeypatch.setattr(cli.time, "monotonic", lambda: now[0])
    monkeypatch.setattr("rich.progress.Progress.start", lambda self: None)  # no drawing here
    shown = cli.Progress(10, enabled=True)
    now[0] += 0.9
    shown.update(1)
    assert shown.bar is None  # a run that ends within the second never flashes a bar
    now[0] += 0.2
    shown.update(2)
    assert shown.bar is not None
    hidden = cli.Progress(10, enabled=False)  # what cmd_train gives jsonl and a stdout that is not a terminal
    now[0] += 5
    hidden.update(3)
    assert hidden.bar is None


@pytest.fixture
def opened(monkeypatch):
    """The chapters the playground would have opened on (the app is not run), as if on a terminal."""
    from tui.app import PlaygroundApp

    chapters = []
    monkeypatch.setattr(PlaygroundApp, "run", lambda self: chapters.append(self.chapter_number))
    monkeypatch.setattr("tui.cli.has_terminal", lambda: True)
    return chapters


@pytest.fixture
def session6(tmp_path, capsys):
    path = tmp_path / "s6.json"
    assert run_cli(capsys, "train", "-c", "6", "--steps", "3", "--samples", "0", "--save", str(path))[0] == 0
    return str(path)


@pytest.mark.parametrize("command", [[], ["train"], ["sample"], ["serve"]])
def test_load_with_another_chapter_is_refused_not_ignored(capsys, opened, session6, command):
    code, out, err = run_cli(capsys, *command, "--load", session6, "--chapter", "3")
    assert code == 2 and out == "" and opened == []
    assert err == f"minigpt-tui: --chapter 3: the session decides the chapter, and {session6} is chapter 6 " \
                  "(training); leave --chapter out\n"


@pytest.mark.parametrize("command, option", [(command, option) for command in ([], ["serve"], ["train"], ["sample"])
                                             for option in (["--seed", "3"], ["--data", "toy"])
                                             if command != ["serve"] or option[0] != "--data"])  # serve has no --data
def test_load_with_a_seed_or_data_of_its_own_is_refused_not_ignored(capsys, opened, session6, command, option):
    code, out, err = run_cli(capsys, *command, "--load", session6, *option)
    assert code == 2 and out == "" and opened == []
    assert err == f"minigpt-tui: {option[0]} cannot be changed: --load keeps the session's own; leave it out\n"


def test_the_playground_offers_the_loaded_file_to_ctrl_s_and_ctrl_o(capsys, monkeypatch, session6):
    from tui.app import PlaygroundApp
    from tui.session_keys import default_path

    offered = []
    monkeypatch.setattr(PlaygroundApp, "run", lambda self: offered.append((default_path(self), default_path(self, True))))
    monkeypatch.setattr("tui.cli.has_terminal", lambda: True)
    assert run_cli(capsys, "--load", session6)[0] == 0 and offered == [(session6, session6)]


def test_load_with_the_sessions_own_chapter_is_fine(capsys, opened, session6):
    assert run_cli(capsys, "--load", session6, "--chapter", "training") == (0, "", "") and opened == [6]
    code, out, _ = run_cli(capsys, "sample", "--load", session6, "-c", "6", "--samples", "2")
    assert code == 0 and len(out.splitlines()) == 2
    assert run_cli(capsys, "train", "--load", session6, "-c", "6", "--format", "jsonl")[0] == 0


@pytest.mark.parametrize("command", [[], ["train", "-c", "3"], ["sample", "-c", "1"], ["train", "-c", "6"]])
def test_the_data_files_own_problem_is_reported_before_the_chapters(tmp_path, capsys, opened, command):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    code, out, err = run_cli(capsys, *command, "--data", str(empty))
    assert code == 2 and out == "" and opened == []
    assert err == f"minigpt-tui: {empty}: has no documents (every line is blank)\n"
    code, _, err = run_cli(capsys, *command, "--data", str(tmp_path / "missing.txt"))
    assert code == 2 and err.endswith("missing.txt: no such file\n")


def test_save_never_replaces_a_file_that_is_not_a_session(tmp_path, capsys):
    data = tmp_path / "mine.txt"
    data.write_text("ann\nbob\nemma\n")
    code, out, err = run_cli(capsys, "train", "--chapter", "9", "--data", str(data), "--steps", "1", "--save", str(data))
    assert code == 2 and out == "" and data.read_text() == "ann\nbob\nemma\n"
    assert err == f"minigpt-tui: {data}: is a file but not a saved session; it is kept (give another name)\n"
    saved = tmp_path / "run.json"
    saved.touch()  # an empty file holds nothing to lose
    assert run_cli(capsys, "train", "--chapter", "9", "--data", str(data), "--steps", "1", "--save", str(saved))[0] == 0
    assert run_cli(capsys, "train", "--load", str(saved), "--save", str(saved))[0] == 0  # a session is replaced


def test_save_never_replaces_another_runs_session(tmp_path, capsys, monkeypatch):
    """train -c 6 --save s12.json silently replaced a chapter 12 run; it is refused before any training."""
    s12 = tmp_path / "s12.json"
    assert run_cli(capsys, "train", "-c", "12", "--steps", "2", "--samples", "0", "--save", str(s12))[0] == 0
    kept = s12.read_bytes()
    monkeypatch.setattr("core.run.Run.train_step", lambda run: pytest.fail("trained before refusing"))
    message = f"minigpt-tui: --save {s12}: it holds a chapter 12 run at step 2; give another name, or remove it first\n"
    for command in (["-c", "6", "--steps", "2"], ["-c", "12", "--steps", "2"]):  # another chapter, or another run
        assert run_cli(capsys, "train", *command, "--save", str(s12)) == (2, "", message)
    other = tmp_path / "other.json"
    other.write_bytes(kept)  # a copy is another file: continuing it is not continuing s12.json
    assert run_cli(capsys, "train", "--load", str(other), "--save", str(s12)) == (2, "", message)
    assert s12.read_bytes() == kept
    monkeypatch.undo()
    code, _, err = run_cli(capsys, "train", "--load", "./" + os.path.relpath(s12), "--save", str(s12), "--samples", "0")
    assert (code, err) == (0, f"minigpt-tui: nothing left to train: the session is at step 2 of 2; to train longer, "
                              f"start a new run with more steps, e.g. minigpt-tui train -c 12 --steps 4 --lr 0.01\n"
                              f"minigpt-tui: saved to {s12}\n")  # the run continued from the file goes back to it


def test_options_before_the_command_count(capsys):
    """minigpt-tui --seed 7 sample: the command's own --seed once replaced the 7 with no value, silently."""
    assert run_cli(capsys, "--seed", "7", "sample", "-c", "6")[1] == run_cli(capsys, "sample", "-c", "6", "--seed", "7")[1]
    assert run_cli(capsys, "--seed", "7", "sample", "-c", "6")[1] != run_cli(capsys, "sample", "-c", "6")[1]
    code, out, _ = run_cli(capsys, "--data", "names", "train", "-c", "6", "--steps", "1", "--samples", "0")
    assert code == 0 and "vocab size: 27" in out  # not chapter 6's toy data
    code, out, _ = run_cli(capsys, "-c", "6", "train", "--steps", "1", "--samples", "0")
    assert code == 0 and out.splitlines()[-1] == "step    1 /    1 | loss 0.8868"


@pytest.mark.parametrize("args, message", [
    (["-c", "6", "train", "-c", "7"], "--chapter given twice: 6 before the command and 7 after it; give it once"),
    (["--seed", "3", "sample", "-c", "6", "--seed", "4"], "--seed given twice: 3 before the command and 4 after it"),
    (["--data", "toy", "train", "-c", "9", "--data", "names"], "--data given twice: toy before the command and names"),
    (["--load", "a.json", "serve", "--load", "b.json"], "--load given twice: a.json before the command and b.json"),
])
def test_an_option_given_before_and_after_the_command_with_two_values_is_refused(capsys, args, message):
    """-c 6 train -c 7 trained chapter 7, silently: the later value won."""
    code, out, err = run_cli(capsys, *args)
    assert code == 2 and out == "" and err.startswith(f"minigpt-tui: {message}") and err.count("\n") == 1


def test_an_option_given_twice_with_one_value_is_fine(capsys, tmp_path, monkeypatch):
    assert run_cli(capsys, "-c", "6", "sample", "-c", "training", "--seed", "3", "--samples", "1")[0] == 0
    assert run_cli(capsys, "--seed", "3", "sample", "-c", "6", "--seed", "3", "--samples", "1")[0] == 0
    monkeypatch.chdir(tmp_path)
    (tmp_path / "words.txt").write_text("zed\nzoe\n")  # one file, named two ways
    assert run_cli(capsys, "--data", "words.txt", "sample", "-c", "9", "--data", "./words.txt", "--samples", "1")[0] == 0
    # an empty value before the command is not a second value: the one after it is used
    assert run_cli(capsys, "--data", "", "sample", "-c", "9", "--data", "words.txt", "--samples", "1")[0] == 0


def test_long_docs_are_cut_with_a_note(capsys):
    code, _, err = run_cli(capsys, "train", "-c", "12", "--docs", "annannannannannannann", "--steps", "1", "--samples", "0")
    assert code == 0
    assert err == "minigpt-tui: note: 1 document of 16 or more characters is cut to the model's context of 16 tokens\n"


def test_a_diverged_run_saves_its_good_steps(tmp_path, capsys):
    """Chapter 6 on the toy data stops at step 262: the 261 steps before it are kept, not thrown away."""
    saved = tmp_path / "c6.json"
    code, _, err = run_cli(capsys, "train", "-c", "6", "--data", "toy", "--steps", "300", "--samples", "0", "--save",
                           str(saved))
    assert code == 3 and err.splitlines()[-1] == f"minigpt-tui: the parameters after step 261 are saved to {saved}"
    code, out, _ = run_cli(capsys, "sample", "--load", str(saved), "--samples", "1")
    assert code == 0 and out.startswith("sample  1: ")


@pytest.mark.parametrize("fmt", ["text", "jsonl"])
def test_closed_output_still_saves_the_run(tmp_path, fmt):
    """`train --save F | head -1`: the reader goes away; the steps trained so far are saved, and it says so."""
    saved = tmp_path / "my run.json"
    # far more steps than the pipe holds lines: a run that ended before the reader went away saw no closed output
    child = subprocess.Popen([sys.executable, "-m", "tui.cli", "train", "-c", "12", "--steps", "100000", "--format", fmt,
                              "--samples", "0", "--save", str(saved)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    while not child.stdout.readline().startswith(("step", '{"step"')):  # past the header: training
        pass
    child.stdout.close()
    code = child.wait(timeout=120)
    err = child.stderr.read()
    assert code == 2 and "Traceback" not in err and len(err.splitlines()) == 1
    assert err.startswith("minigpt-tui: the output was closed at step ") and saved.exists()
    assert err.rstrip().endswith(f"(continue with: minigpt-tui train --load '{saved}' --save '{saved}')")  # quoted


def test_a_diverged_run_saves_its_good_steps_when_its_output_is_closed_too(tmp_path):
    saved = tmp_path / "e.json"
    child = subprocess.Popen([sys.executable, "-m", "tui.cli", "train", "-c", "6", "--data", "toy", "--steps", "100",
                              "--lr", "1", "--save", str(saved)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"})  # buffered, as a user's
    child.stdout.close()  # `| true`: the flush before the message on stderr failed, and nothing was saved
    code = child.wait(timeout=120)
    err = child.stderr.read()
    assert code == 3 and saved.exists() and err.splitlines()[-1] == f"minigpt-tui: the parameters after step 28 are saved to {saved}"


@pytest.mark.parametrize("command", [["chapters"], ["sample", "-c", "3"], ["train", "-c", "6", "--steps", "3"]])
def test_a_closed_stdout_is_no_traceback(command):
    out = subprocess.run([sys.executable, "-m", "tui.cli", *command], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         text=True, close_fds=True, preexec_fn=lambda: os.close(1))
    assert out.returncode == 0 and out.stderr == ""


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [["sample", "-c", "3"], ["--help"], ["train", "--help"], ["--version"]])
def test_a_failed_write_is_one_line(args):
    # --help's failure was swallowed: exit 0, nothing said
    with open("/dev/full", "w") as full:
        out = subprocess.run([sys.executable, "-m", "tui.cli", *args], stdout=full, stderr=subprocess.PIPE, text=True)
    assert out.returncode == 2 and out.stderr == "minigpt-tui: cannot write the output (No space left on device)\n"


def full_disk(*args):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_failed_save_after_a_divergence_still_says_why_the_training_stopped(tmp_path, capsys, monkeypatch):
    """The save came first: on a full disk its error was the only line, without the step or the --lr advice."""
    monkeypatch.setattr("core.session.os.replace", full_disk)  # the temporary file is made, it cannot take the name
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the second try goes: full too
    saved = tmp_path / "e.json"
    code, _, err = run_cli(capsys, "train", "-c", "9", "--steps", "20", "--lr", "100", "--samples", "0",
                           "--save", str(saved))
    lines = err.splitlines()
    assert code == 3 and len(lines) == 3 and not saved.exists()
    assert lines[0].startswith("minigpt-tui: training stopped at step 3: the loss became inf")
    assert lines[1] == "minigpt-tui: try a smaller learning rate, e.g. --lr 0.5 (this chapter's default)"
    assert lines[2] == (f"minigpt-tui: {saved}: cannot save (No space left on device); the training is not saved "
                        f"(nor in {tmp_path}): free some space, or --save to another place")


def test_a_failed_save_at_the_end_says_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("core.session.os.replace", full_disk)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    saved = tmp_path / "s.json"
    code, _, err = run_cli(capsys, "train", "-c", "8", "--steps", "3", "--save", str(saved))
    assert code == 2 and list(tmp_path.iterdir()) == []  # no temporary file left either
    assert err == (f"minigpt-tui: {saved}: cannot save (No space left on device); the training is not saved "
                   f"(nor in {tmp_path}): free some space, or --save to another place\n")


def test_a_save_that_fails_at_its_place_goes_to_the_temporary_folder(tmp_path, capsys, monkeypatch):
    """A full disk, or the folder removed during a long run: the steps exist nowhere else."""
    saved, rescue = tmp_path / "s.json", tmp_path / "tmp"
    rescue.mkdir()
    replace = os.replace
    monkeypatch.setattr("core.session.os.replace",
                        lambda src, dst: full_disk() if Path(dst) == saved else replace(src, dst))
    monkeypatch.setattr(tempfile, "tempdir", str(rescue))
    code, _, err = run_cli(capsys, "train", "-c", "8", "--steps", "3", "--samples", "0", "--save", str(saved))
    kept = rescue / f"minigpt-softmax-step3-{os.getpid()}.session.json"
    assert code == 2 and err.splitlines() == [  # not where --save said: a script must not take s.json for the run
        f"minigpt-tui: {saved}: cannot save (No space left on device); saving in the temporary folder instead",
        f"minigpt-tui: saved to {kept}"]
    assert session.load(kept).run.step == 3


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_a_kill_or_a_closed_terminal_saves_like_ctrl_c(tmp_path, signum, kill_after):
    """An ssh connection dropped (SIGHUP) or a kill (SIGTERM) ended the process with no file; it saves, then exits
    with the signal's own status (it said 130, a Ctrl-C's)."""
    saved = tmp_path / "s.json"
    child = subprocess.Popen([sys.executable, "-m", "tui.cli", "train", "-c", "8", "--steps", "200000", "--format",
                              "jsonl", "--samples", "0", "--save", str(saved)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    kill_after(child)
    for _ in range(20):  # training has started, and the signals are ours
        child.stdout.readline()
    child.send_signal(signum)
    out, err = child.stdout.read(), child.stderr.read()
    assert child.wait(timeout=60) == 128 + signum, err  # as the shell tells a kill from a Ctrl-C
    k = 20 + len(out.splitlines())
    name = signal.Signals(signum).name
    assert err.splitlines() == [
        f"minigpt-tui: {name}: finishing the current step, then saving (Ctrl-C again stops without saving)",
        f"minigpt-tui: interrupted at step {k} of 200000; saved to {saved} (continue with: minigpt-tui train --load "
        f"{saved} --save {saved})"]  # without --save, the steps it goes on with would not be kept
    from core import session

    assert session.load(saved).run.step == k


def test_the_first_ctrl_c_says_at_once_what_happens(capsys):
    """A step of a big model can take long: the first Ctrl-C printed nothing until it ended."""
    from tui.cli import CtrlC

    with CtrlC(enabled=True) as ctrl_c:
        signal.raise_signal(signal.SIGINT)
        assert ctrl_c.pressed and capsys.readouterr().err == (
            "minigpt-tui: Ctrl-C: finishing the current step, then saving (Ctrl-C again stops without saving)\n")
        with pytest.raises(KeyboardInterrupt):  # the second stops at once
            signal.raise_signal(signal.SIGINT)
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL and signal.getsignal(signal.SIGHUP) == signal.SIG_DFL


def test_ctrl_c_without_save_says_the_steps_are_lost(capsys, monkeypatch):
    from core.run import Run

    real = Run.train_step

    def train_step(self):
        if self.step == 3:  # Ctrl-C as the fourth step starts
            signal.raise_signal(signal.SIGINT)
        return real(self)

    monkeypatch.setattr(Run, "train_step", train_step)
    code, out, err = run_cli(capsys, "train", "-c", "8", "--steps", "30")
    assert code == 130 and out.splitlines()[-1].startswith("step    3 /   30 | loss ")
    assert err == "minigpt-tui: interrupted at step 3 of 30; the steps are lost (--save FILE keeps them next time)\n"


@pytest.mark.parametrize("terminal_in", ["stdin", "stdout"])
def test_the_playground_without_a_terminal_says_so(terminal_in):
    """`ssh host minigpt-tui` (no -t: no terminal at all), or `minigpt-tui > file` (a terminal for the keys only):
    it hung, writing escape codes."""
    import pty

    _, terminal = pty.openpty()
    streams = {"stdin": subprocess.DEVNULL, "stdout": subprocess.PIPE, terminal_in: terminal}
    out = subprocess.run([sys.executable, "-m", "tui.cli", "-c", "2"], **streams, stderr=subprocess.PIPE, text=True,
                         timeout=30, env={k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"})
    assert out.returncode == 2 and not out.stdout
    assert out.stderr == ("minigpt-tui: the playground needs a terminal (with ssh, use ssh -t); without one, use the "
                          "train and sample commands\n")


def test_the_playground_on_a_dumb_terminal_says_so():
    import pty

    _, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"} | {"TERM": "dumb"}
    out = subprocess.run([sys.executable, "-m", "tui.cli", "-c", "2"], stdin=terminal, stdout=terminal,
                         stderr=subprocess.PIPE, text=True, timeout=30, env=env)
    assert out.returncode == 2
    assert out.stderr == ("minigpt-tui: the playground cannot draw on TERM=dumb: set TERM to your terminal's kind "
                          "(e.g. TERM=xterm-256color), or use the train and sample commands\n")


def test_after_a_divergence_a_loaded_session_is_told_a_command_that_works(tmp_path, capsys):
    """--lr cannot change a session's learning rate: the advice "--lr 0.5" was refused when tried with --load."""
    saved = tmp_path / "t9.json"
    assert run_cli(capsys, "train", "-c", "9", "--steps", "20", "--lr", "100", "--save", str(saved))[0] == 3
    code, _, err = run_cli(capsys, "train", "--load", str(saved))
    advice = err.splitlines()[1]
    assert code == 3 and advice == ("minigpt-tui: try a smaller learning rate in a new run, e.g. "
                                    "minigpt-tui train -c 9 --steps 20 --lr 0.5")
    code, out, _ = run_cli(capsys, *shlex.split(advice.split("e.g. minigpt-tui ")[1]), "--samples", "0")
    assert code == 0 and out.splitlines()[-1].startswith("step   20 /   20 | loss ")


def test_a_toy_model_past_its_limit_at_once_is_told_the_default_rate_as_a_command_that_works(tmp_path, capsys):
    """"A smaller learning rate only gets here later" was said after step 1 at --lr 1e6, and again, with no way
    forward, to a session that stops at once on --load (where --lr is refused)."""
    code, _, err = run_cli(capsys, "train", "-c", "6", "--lr", "1e6")
    advice = "minigpt-tui: try this chapter's default learning rate, e.g. minigpt-tui train -c 6 --steps 75 --lr 0.1"
    assert code == 3 and err.splitlines()[1] == advice
    code, out, _ = run_cli(capsys, *shlex.split(advice.split("e.g. minigpt-tui ")[1]), "--samples", "0")
    assert code == 0 and out.splitlines()[-1].startswith("step   75 /   75 | loss ")
    saved = tmp_path / "lim.json"
    assert run_cli(capsys, "train", "-c", "6", "--lr", "3", "--steps", "300", "--save", str(saved))[0] == 3
    code, _, err = run_cli(capsys, "train", "--load", str(saved))
    assert code == 3 and err.splitlines()[1] == ("minigpt-tui: try this chapter's default learning rate in a new "
                                                 "run, e.g. minigpt-tui train -c 6 --steps 75 --lr 0.1")
    code, _, err = run_cli(capsys, "train", "-c", "6", "--lr", "0.2", "--steps", "300")  # near the default: true
    stop = err.splitlines()[0].split("back to the parameters after step ")[1]
    assert code == 3 and err.splitlines()[1] == ("minigpt-tui: this is as far as this model goes: a smaller learning "
                                                 f"rate only gets here later; minigpt-tui train -c 6 --steps {stop} "
                                                 "--lr 0.2 stops before it")
    shorter = err.splitlines()[1].split("; minigpt-tui ")[1].removesuffix(" stops before it")
    code, out, _ = run_cli(capsys, *shlex.split(shorter))
    assert code == 0 and out.splitlines()[-1].startswith("sample 10: ")  # it does, with the samples to show for it


@pytest.mark.parametrize("lr", ["0.123456789", "0.1", "1e-07", "0.30000000000000004"])
def test_a_suggested_command_keeps_the_runs_own_learning_rate(tmp_path, capsys, lr):
    """--lr 0.123456789 came back as --lr 0.123457 (six digits): not the same run."""
    saved = tmp_path / "r.json"
    assert run_cli(capsys, "train", "-c", "6", "--lr", lr, "--steps", "5", "--samples", "0", "--save", str(saved))[0] == 0
    code, _, err = run_cli(capsys, "train", "--load", str(saved), "--samples", "0")
    suggested = shlex.split(err.split("e.g. ")[1])
    assert code == 0 and suggested[suggested.index("--lr") + 1] == lr  # all its digits, and no more than it needs


def test_the_scalar_engine_says_the_loss_became_inf_as_the_fast_one_does(capsys):
    code, _, err = run_cli(capsys, "train", "-c", "9", "--engine", "scalar", "--steps", "20", "--lr", "100")
    assert code == 3 and err.startswith("minigpt-tui: training stopped at step 3: the loss became inf: a number "
                                        "overflowed, or a probability reached 0 (learning rate 100)")


def test_a_path_with_a_line_break_is_shown_on_one_line(tmp_path, capsys):
    saved = tmp_path / "a\nb.json"
    code, _, err = run_cli(capsys, "train", "-c", "8", "--steps", "2", "--samples", "0", "--save", str(saved))
    assert code == 0 and err == f"minigpt-tui: saved to {str(saved)!r}\n"


def test_an_empty_load_is_named(capsys):
    for command in ([], ["train"], ["sample"], ["serve"]):
        assert run_cli(capsys, *command, "--load", "") == (2, "", "minigpt-tui: --load needs a session file\n")


def test_a_finished_session_says_there_is_nothing_left_to_train(tmp_path, capsys):
    saved = tmp_path / "s.json"
    assert run_cli(capsys, "train", "-c", "8", "--steps", "5", "--samples", "0", "--save", str(saved))[0] == 0
    code, out, err = run_cli(capsys, "train", "--load", str(saved), "--samples", "1")
    assert code == 0 and out.splitlines()[-1].startswith("sample  1: ")
    assert err == ("minigpt-tui: nothing left to train: the session is at step 5 of 5; to train longer, start a new "
                   "run with more steps, e.g. minigpt-tui train -c 8 --steps 10 --lr 0.5\n")


def test_a_session_of_a_chapter_that_does_not_train_is_pointed_to_sample_load(tmp_path, capsys):
    from core import session
    from core.run import Run, RunConfig

    saved = session.save(tmp_path / "my c3.json", Run(RunConfig(3)))
    code, out, err = run_cli(capsys, "train", "--load", str(saved))
    assert code == 2 and out == ""
    assert err == f"minigpt-tui: chapter 3 (weights) does not train; try `minigpt-tui sample --load '{saved}'`\n"


def test_closing_the_progress_bar_never_raises(monkeypatch):
    """The terminal closed (ssh dropped) while the bar showed: writing the lines still pending failed again inside
    the handler that saves the run, and nothing was saved."""
    from tui.cli import Progress

    class GoneTerminal:
        def stop(self):
            raise OSError(5, "Input/output error")

    def write(text):
        raise OSError(5, "Input/output error")

    progress = Progress(100, enabled=True)
    progress.bar, progress.pending = GoneTerminal(), ["step 1 / 100 | loss 3.3\n"]
    monkeypatch.setattr("sys.stdout.write", write)
    monkeypatch.setattr("tui.cli.silence", lambda stream: None)
    progress.close()
    assert progress.bar is None and progress.pending == []
    progress.close()  # again (the finally clause): nothing to do


def test_a_run_that_diverges_at_its_first_step_says_nothing_is_saved(capsys, tmp_path):
    path = tmp_path / "d.json"
    code, _, err = run_cli(capsys, "train", "-c", "gpt", "--lr", "1e9", "--steps", "5", "--save", str(path))
    assert code == 3 and not path.exists()
    assert err.splitlines()[-1] == f"minigpt-tui: nothing is saved to {path}: no step of this run could be kept"


def test_a_run_that_ran_away_from_its_start_goes_back_to_it_and_keeps_nothing(capsys, tmp_path):
    """lr 0.2 runs chapter 12's loss up to 16-96 from step 3 and to inf at step 50: no checkpoint every 10 steps is
    sound, but the start is (as in the playground). Before, the runaway parameters after step 48 were saved."""
    path = tmp_path / "r.json"
    code, _, err = run_cli(capsys, "train", "-c", "gpt", "--lr", "0.2", "--save", str(path))
    assert code == 3 and not path.exists()
    assert "back to the starting parameters, before the loss ran away" in err.splitlines()[0]
    assert err.splitlines()[-1] == f"minigpt-tui: nothing is saved to {path}: no step of this run could be kept"


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="no SIGHUP on this system")
def test_a_closing_terminal_sighup_twice_still_saves(capsys):
    """A closing terminal sends SIGHUP twice (the kernel, then the shell to its jobs): taken as "Ctrl-C again", the
    second stopped the run before its save."""
    from tui.cli import CtrlC

    with CtrlC(enabled=True) as ctrl_c:
        signal.raise_signal(signal.SIGHUP)
        signal.raise_signal(signal.SIGHUP)  # no KeyboardInterrupt: the run goes on to save
        assert ctrl_c.pressed and capsys.readouterr().err.count("SIGHUP: finishing") == 1


def test_a_session_trained_past_its_plan_is_told_a_longer_run(tmp_path, capsys):
    """The playground trains chapters 9-11 on past their planned steps: the longer run suggested must be longer."""
    from core import session
    from core.run import Run, RunConfig

    run = Run(RunConfig(9, steps=3))
    for _ in range(7):
        run.train_step()
    path = session.save(tmp_path / "past.json", run)
    code, _, err = run_cli(capsys, "train", "--load", str(path), "--samples", "0")
    assert code == 0 and "the session is at step 7, past its 3 planned;" in err and "train -c 9 --steps 14 " in err


def test_a_playground_session_continued_by_the_cli_keeps_its_typed_name(tmp_path, capsys):
    from core import session
    from core.run import Run, RunConfig

    run = Run(RunConfig(12, steps=4))
    run.train_step()
    path = session.save(tmp_path / "pg.json", run, typed="emma")
    code, _, _ = run_cli(capsys, "train", "--load", str(path), "--save", str(path), "--samples", "0")
    assert code == 0 and session.load(path).typed == "emma" and session.load(path).run.step == 4


def test_the_built_in_names_and_a_file_called_names_are_two_values(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "names").write_text("zed\nzoe\n")
    code, _, err = run_cli(capsys, "--data", "names", "train", "-c", "9", "--data", "./names")
    assert code == 2 and err.startswith("minigpt-tui: --data given twice: names before the command")


def test_a_run_saved_meanwhile_at_the_same_place_is_kept(tmp_path, capsys, monkeypatch):
    """Two runs given one --save: the check before training passed for both, and the later save replaced the other."""
    from core.run import Run, RunConfig

    saved, rescue = tmp_path / "race.json", tmp_path / "tmp"
    rescue.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(rescue))
    train_step = Run.train_step

    def other_run_saves_first(self):
        if not saved.exists():
            session.save(saved, Run(RunConfig(12, steps=5)))
        return train_step(self)

    monkeypatch.setattr(Run, "train_step", other_run_saves_first)
    code, _, err = run_cli(capsys, "train", "-c", "6", "--steps", "3", "--samples", "0", "--save", str(saved))
    kept = rescue / f"minigpt-training-step3-{os.getpid()}.session.json"
    assert code == 2 and err.splitlines() == [
        f"minigpt-tui: {saved}: another run saved there meanwhile; it is kept; saving in the temporary folder instead",
        f"minigpt-tui: saved to {kept}"]
    assert session.load(saved).run.chapter.number == 12 and session.load(kept).run.step == 3


def test_a_folder_made_at_the_save_path_meanwhile_sends_the_save_to_the_temporary_folder(tmp_path, capsys,
                                                                                         monkeypatch):
    from core.run import Run

    saved, rescue = tmp_path / "s.json", tmp_path / "tmp"
    rescue.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(rescue))
    train_step = Run.train_step
    monkeypatch.setattr(Run, "train_step", lambda self: (saved.mkdir(exist_ok=True), train_step(self))[1])
    code, _, err = run_cli(capsys, "train", "-c", "6", "--steps", "3", "--samples", "0", "--save", str(saved))
    assert code == 2 and err.splitlines()[0].startswith(f"minigpt-tui: {saved}: is a folder")
    assert err.splitlines()[1].startswith(f"minigpt-tui: saved to {rescue}")


def test_continuing_a_session_through_a_tilde_path_saves_it_in_place(tmp_path, capsys, monkeypatch):
    """The check for another run compared the file as typed ("~/s.json", which os.stat does not expand)."""
    from core.run import Run, RunConfig

    monkeypatch.setenv("HOME", str(tmp_path))
    session.save(tmp_path / "s.json", Run(RunConfig(6, steps=6)))
    code, _, err = run_cli(capsys, "train", "--load", "~/s.json", "--save", "~/s.json", "--samples", "0")
    assert code == 0 and err == f"minigpt-tui: saved to {tmp_path / 's.json'}\n"
    assert session.load(tmp_path / "s.json").run.step == 6


def test_a_loaded_session_at_its_limit_gets_no_fresh_run_command(tmp_path, capsys):
    """A fresh run retraces a session only when nothing else shaped it (nudges, a rate changed in the playground)."""
    from core.run import Run, RunConfig

    run = Run(RunConfig(6, data="toy", steps=300, lr=0.2))
    for _ in range(100):
        run.train_step()
    session.save(tmp_path / "s.json", run)
    code, _, err = run_cli(capsys, "train", "--load", str(tmp_path / "s.json"))
    assert code == 3 and err.splitlines()[1] == ("minigpt-tui: this is as far as this model goes: a smaller learning "
                                                 "rate only gets here later")


def test_a_finished_toy_session_is_not_told_a_longer_run_that_fails(tmp_path, capsys):
    """`train -c 6 --steps 150` stops at step 80, where a weight reaches 0: it was the advice for a finished run."""
    saved = tmp_path / "six.json"
    assert run_cli(capsys, "train", "-c", "6", "--save", str(saved), "--samples", "0")[0] == 0
    code, _, err = run_cli(capsys, "train", "--load", str(saved), "--samples", "0")
    assert code == 0 and err == ("minigpt-tui: nothing left to train: the session is at step 75 of 75; to train longer, "
                                 "start a new run with more steps, e.g. minigpt-tui train -c 6 --steps 79 --lr 0.1\n")
    assert run_cli(capsys, "train", "-c", "6", "--steps", "80", "--samples", "0")[0] == 3  # one more stops
    limit = tmp_path / "limit.json"
    assert run_cli(capsys, "train", "-c", "6", "--steps", "79", "--samples", "0", "--save", str(limit))[0] == 0
    code, _, err = run_cli(capsys, "train", "--load", str(limit), "--samples", "0")  # the advice taken: at the limit
    assert err.endswith("at step 79 of 79; this toy model is at its limit: one more step takes a weight below 0 "
                        "(chapter 8's softmax has none)\n")


def test_a_number_of_thousands_of_digits_gets_a_short_true_message(capsys):
    code, _, err = run_cli(capsys, "train", "-c", "6", "--seed", "9" * 5000)
    assert code == 2 and err == "minigpt-tui: argument --seed: '99999999999999999999…' has 5,000 digits: far too many\n"
    for odd in ("²", "+-5", "--5"):  # not digits Python reads: not a whole number, whatever isdigit says
        assert run_cli(capsys, "train", "-c", "6", f"--seed={odd}")[2].endswith(f"{odd!r} is not a whole number\n")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_the_playground_stopped_by_a_signal_gives_the_terminal_back(signum):
    """kill, or ssh hanging up: the process died in the alternate screen with the mouse captured and the cursor off."""
    import pty
    import threading

    master, terminal = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"} | {"TERM": "xterm-256color"}
    child = subprocess.Popen([sys.executable, "-m", "tui.cli", "-c", "6"], stdin=terminal, stdout=terminal,
                             stderr=terminal, env=env)  # (Textual draws on stderr)
    os.close(terminal)
    drawn = bytearray()

    def read():  # the terminal's side: keep its buffer drained
        with contextlib.suppress(OSError):
            while chunk := os.read(master, 65536):
                drawn.extend(chunk)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while b"6/12 training" not in drawn and time.monotonic() < deadline:
            time.sleep(0.1)
        if b"6/12 training" not in drawn:
            pytest.fail("the playground never drew chapter 6")
        child.send_signal(signum)
        child.wait(timeout=30)
    finally:  # never a playground left running behind the tests
        if child.poll() is None:
            child.kill()
        reader.join(timeout=5)
        os.close(master)
    assert child.returncode == 128 + signum
    assert drawn.rfind(b"\x1b[?1049l") > drawn.rfind(b"\x1b[?1049h") >= 0  # out of the alternate screen
    after = drawn[drawn.rfind(b"\x1b[?1049l"):].decode(errors="replace")
    assert f"minigpt-tui: stopped by {signal.Signals(signum).name}\r\n" in after  # nothing trained: nothing saved


def test_an_exit_that_does_not_finish_still_gives_the_terminal_back():
    """After a signal the exit can hang in Textual's writer thread (seen once, the app unmounted, the process alive
    with the alternate screen on): the deadline puts the terminal's modes back and ends the process."""
    from tui.app import TERMINAL_BACK

    out = subprocess.run([sys.executable, "-c", "from tui.app import terminal_back_and_exit; terminal_back_and_exit(129)"],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 129 and out.stderr == TERMINAL_BACK and "\x1b[?1049l" in TERMINAL_BACK


@pytest.mark.parametrize("given, used", [(None, "1"), ("2", "2")])
def test_numpys_blas_gets_one_thread_unless_the_user_says_otherwise(given, used):
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given:
        env["OPENBLAS_NUM_THREADS"] = given
    code = "import os, tui, numpy; print(os.environ['OPENBLAS_NUM_THREADS'])"  # set before numpy loads its BLAS
    assert subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip() == used


ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\r\nfake line\n"  # retitle the terminal, clear it, and start lines of its own


@pytest.mark.parametrize("where", ["params", "optimizer"])
def test_a_name_from_a_session_file_cannot_drive_the_terminal(tmp_path, capsys, where):
    path = tmp_path / "s12.json"
    assert run_cli(capsys, "train", "-c", "12", "--steps", "2", "--samples", "0", "--save", str(path))[0] == 0
    document = json.loads(path.read_text())
    (document["params"] if where == "params" else document["optimizer"]["m"])[ESCAPES] = [1.0]
    path.write_text(json.dumps(document))
    code, out, err = run_cli(capsys, "sample", "--load", str(path))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "\x1b" not in err and "\r" not in err and "unexpected '\\x1b]0;PWNED\\x07" in err


@pytest.mark.parametrize("engine", ["scalar", "fast"])
def test_the_playground_takes_an_engine_where_a_chapter_has_it(capsys, monkeypatch, engine):
    """Chapter 7's Value, the code the story reads, can run the playground too; chapters 1-6 have it alone."""
    from tui.app import PlaygroundApp

    apps = []
    monkeypatch.setattr(PlaygroundApp, "run", lambda self: apps.append(self))
    monkeypatch.setattr("tui.cli.has_terminal", lambda: True)
    assert run_cli(capsys, "--engine", engine.upper(), "-c", "7")[0] == 0
    assert apps[-1].session.run.config.engine == engine
    assert apps[-1].session_for(3).run.config.engine == "scalar"
    assert run_cli(capsys, "--engine", engine, "-c", "9", "--data", "toy")[0] == 0
    assert apps[-1].session.run.config.engine == engine and apps[-1].session.run.config.data == "toy"
    assert run_cli(capsys, "--engine", engine, "-c", "3", "--data", "toy")[0] == 0
    assert apps[-1].session.run.config.engine == "scalar"


@pytest.mark.parametrize("argv", [["--bogus" + ESCAPES], ["train", "--bog" + ESCAPES], ["-c", "gpt" + ESCAPES]])
def test_a_typed_argument_cannot_drive_the_terminal_either(capsys, argv):
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and "\x1b" not in err and "\\x1b]0;PWNED" in err
