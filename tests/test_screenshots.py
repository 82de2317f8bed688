"""scripts/screenshots.py still drives the real playground to the README's screens (it leans on the app's keys)."""
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "screenshots.py"


def test_the_screenshot_script_draws_chapter_1_and_chapter_6_in_the_middle_of_training(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "chapter1", "chapter6-training", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    first = (tmp_path / "chapter1.svg").read_text()
    training = (tmp_path / "chapter6-training.svg").read_text()
    assert first.startswith("<svg") and "1/12&#160;tokens" in first
    assert "6/12&#160;training" in training and "step&#160;30/75" in training and "●&#160;training" in training


def test_an_unknown_screen_is_one_line_and_exit_2(tmp_path):
    result = subprocess.run([sys.executable, str(SCRIPT), "nope", "--out", str(tmp_path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "unknown screen 'nope'" in result.stderr
