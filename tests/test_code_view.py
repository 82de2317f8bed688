"""The code view (`c`) shows each chapter's new idea as new: the sampling loop, the groundwork a chapter starts to use,
what a chapter takes from another module by name; and shows nothing twice."""
import inspect

import pytest

from core.chapters import CHAPTERS
from core.fast.ops import FastModel
from core.model import Model
from tui.widgets.code_view import code_view, resolve

VIEWS = [(c.number, engine) for c in CHAPTERS for engine in c.models]


def view(number, engine="scalar") -> str:
    return "\n".join(line.plain for line in code_view(number, engine))


def marked_new(function) -> list[str]:
    """A function's source as the view shows it new: every line behind a "+" (a method under its class line)."""
    return ["+ " + line for line in inspect.getsource(function).rstrip("\n").split("\n")]


def shows_new(text: str, function) -> bool:
    return "\n".join(marked_new(function)) in text


def test_chapter_1_shows_the_generation_loop_as_new():
    loop = resolve("core.sampling:sample_steps")
    text = view(1)
    assert "  new in this chapter, in core/sampling.py:" in text
    assert shows_new(text, loop)
    assert "+ def sample_steps(model, rng" in text


def test_pick_index_is_new_in_chapter_2_and_only_there():
    assert "+ def pick_index(probs" in view(2)
    assert "+ def sample_steps(" not in view(2)  # chapter 1's loop is not new again
    for number, engine in VIEWS:
        if number != 2:
            assert "+ def pick_index(" not in view(number, engine), (number, engine)


@pytest.mark.parametrize("number, engines, path", [(6, ["scalar"], "core.run:Run.batch_indices"),
                                                   (12, ["scalar", "fast"], "core.run:Run.lr_at")])
def test_the_training_loops_new_choices_are_shown_under_their_class(number, engines, path):
    method = resolve(path)
    for engine in engines:
        text = view(number, engine)
        assert "  new in this chapter, in core/run.py:\n+ class Run:\n" + "\n".join(marked_new(method)) in text
    assert f"+     def {method.__name__}(" not in view(number - 1)


def test_each_chapters_also_new_is_shown_once_in_its_views_and_not_later():
    for chapter in CHAPTERS:
        for path in chapter.also_new:
            function = resolve(path)
            # its own def line, signature and all: a chapter's override of the same name is that chapter's new code
            header = next(line.strip() for line in inspect.getsource(function).splitlines() if "def " in line)
            for number, engine in VIEWS:
                text = view(number, engine)
                new_here = [line for line in text.split("\n") if line.startswith("+") and header in line]
                assert len(new_here) == (number == chapter.number), (path, number, engine)


def test_backprop_shows_the_value_class_as_new_before_what_it_inherits():
    text = view(7)
    value = text.index("+ class Value:")
    assert value < text.index("inherited from")
    assert "+     def backward(self):" in text and "+ def topological_order(" in text
    assert "called from above, in core/value.py:" not in text  # all of it is new here
    # the weights as Values, inherited from the groundwork, are new too
    assert "  inherited from core/value.py, class ValueWeights, new in this chapter:" in text
    eight = view(8)
    assert "+ class Value:" not in eight and "  class Value:" in eight  # chapter 8 still runs it, unmarked


def test_fast_groundwork_is_new_in_the_chapter_that_first_runs_it():
    eight = view(8, "fast")
    softmax = eight.index("+ def softmax(logits")
    assert eight.index("new in this chapter, in core/fast/ops.py:") < softmax < eight.index("replaces loss_head")
    assert "+ def row_indices(" not in eight  # chapter 7's ratio_loss already ran it: still runs, grey
    eleven = view(11, "fast")
    assert "+ def attention(q, k, v" in eleven and "+ def causal_masks(" in eleven
    twelve = view(12, "fast")
    assert "+ def rmsnorm(x):" in twelve and "+ def rmsnorm_backward(" in twelve
    assert "+ def attention(" not in twelve and "  def attention(q, k, v" in twelve  # chapter 11's, still running
    # chapter 7's fast engine: the numpy model it builds on is all new (chapter 6 has no fast engine)
    assert "  inherited from core/fast/ops.py, class FastModel, new in this chapter:" in view(7, "fast")


@pytest.mark.parametrize("number, helper", [(9, "gauss_matrix(rng, rows"), (10, "mlp_weights(rng)"),
                                            (11, "attention_weights(rng)")])
def test_the_scalar_chapters_helpers_a_fast_chapter_first_runs_are_new_there(number, helper):
    # fast 9's init_weights is scalar 9's, and what it calls is as new in the fast view as in the scalar one
    assert f"+ def {helper}" in view(number, "fast") and f"  def {helper}" not in view(number, "fast")
    assert f"+ def {helper}" not in view(number + 1, "fast")  # the next chapter ran it before: grey


def test_a_method_taken_from_another_module_is_shown_as_new():
    text = view(8, "fast")
    assert "  sampler = FastModel.sampler, from core/fast/ops.py:\n+ class FastModel(Model):\n" in text
    assert shows_new(text, FastModel.sampler)
    assert "  out_of_range = FastModel.out_of_range, from core/model.py:\n+ class Model:\n" in text
    assert shows_new(text, Model.out_of_range)
    assert "  loss_head = staticmethod(log_loss), from core/fast/ops.py:\n+ def log_loss(" in text
    assert "  out_of_range = Model.out_of_range, from core/model.py:" in view(8)


def test_replacing_a_function_kept_under_another_name_says_both():
    text = view(8, "fast")
    assert "  replaces loss_head (ratio_loss) from chapter 7 (backprop):" in text
    assert "replaces loss_head() from" not in text


def blocks(text: str) -> list[tuple[str, str]]:
    """Each def or class the view shows, as (its mark, its code from its def line to the end of its body)."""
    found = []
    lines = text.split("\n")
    for i, line in enumerate(lines):
        mark, code = line[:1], line[2:]
        if not code.lstrip().startswith(("def ", "class ")):
            continue
        indent = len(code) - len(code.lstrip())
        body = [code[indent:]]
        for after in lines[i + 1 :]:
            if after == "" or after[:1] != mark:  # the end of a part, or a line marked otherwise
                break
            rest = after[2:]
            if rest.strip() and len(rest) - len(rest.lstrip()) <= indent:
                break
            body.append(rest[indent:])
        found.append((mark, "\n".join(body).rstrip()))
    return found


@pytest.mark.parametrize("number, engine", VIEWS)
def test_no_function_is_shown_twice(number, engine):
    shown = blocks(view(number, engine))  # a replaced version and its new one differ by their mark
    assert not [code.split("\n")[0] for code in set(shown) if shown.count(code) > 1]


def test_adam_is_shown_replacing_the_fast_engines_gradient_descent():
    # FastModel.update is the groundwork's, not a chapter's: the view said nothing of what Adam replaced
    text = view(12, "fast")
    assert "  replaces update() from core/fast/ops.py:" in text and "-         self.data -= lr * self.grad" in text
    # but groundwork the previous chapter never ran is no replaced code: fast 7's sampler replaces no log loss
    assert "replaces loss_head (log_loss)" not in view(7, "fast") and "replaces sampler()" not in view(7, "fast")


def test_the_loss_chapter_shows_how_a_name_becomes_positions_under_one_class_line():
    # position_losses reads self.probs and self.targets, the contract's: no view showed how a position's context
    # and target are made
    text = view(4)
    start = text.index("new in this chapter, in core/model.py:")
    lines = text[start:].split("\n")
    assert lines[1] == "+ class Model:" and lines[2].startswith("+     def targets(")
    assert lines[6].startswith("+     def probs(") and "+ class Model:" not in lines[3:7]  # one class line for both
