"""The scalar autograd Value: every operation's gradient against a central finite difference, composite graphs,
deep graphs, and the fused nodes (dot, total) giving the very bits of the chains they replace."""
import math
import sys

import pytest

from core.value import Value, dot, topological_order, total

H = 1e-6


def numeric(f, *xs):
    """Central finite differences of f (on plain floats) at xs."""
    grads = []
    for i in range(len(xs)):
        up = list(xs)
        down = list(xs)
        up[i] += H
        down[i] -= H
        grads.append((f(*up) - f(*down)) / (2 * H))
    return grads


def backprop(f, *xs):
    values = [Value(x) for x in xs]
    out = f(*values)
    out.backward()
    return out.data, [v.grad for v in values]


CASES = {
    "add": (lambda a, b: a + b, (1.3, -0.7)),
    "mul": (lambda a, b: a * b, (1.3, -0.7)),
    "sub": (lambda a, b: a - b, (1.3, -0.7)),
    "div": (lambda a, b: a / b, (1.3, -0.7)),
    "pow": (lambda a: a**3, (1.3,)),
    "pow_negative": (lambda a: a**-0.5, (1.3,)),
    "neg": (lambda a: -a, (1.3,)),
    "exp": (lambda a: a.exp() if isinstance(a, Value) else math.exp(a), (0.4,)),
    "log": (lambda a: a.log() if isinstance(a, Value) else math.log(a), (0.4,)),
    "relu_positive": (lambda a: a.relu() if isinstance(a, Value) else max(a, 0.0), (0.4,)),
    "relu_negative": (lambda a: a.relu() if isinstance(a, Value) else max(a, 0.0), (-0.4,)),
    "radd": (lambda a: 2.5 + a, (0.4,)),
    "rsub": (lambda a: 2.5 - a, (0.4,)),
    "rmul": (lambda a: 2.5 * a, (0.4,)),
    "rdiv": (lambda a: 2.5 / a, (0.4,)),
    "add_number": (lambda a: a + 2.5, (0.4,)),
    "sub_number": (lambda a: a - 2.5, (0.4,)),
    "mul_number": (lambda a: a * 2.5, (0.4,)),
    "div_number": (lambda a: a / 2.5, (0.4,)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_operation_matches_central_difference(name):
    f, xs = CASES[name]
    value, grads = backprop(f, *xs)
    assert value == pytest.approx(f(*xs), rel=1e-15)
    for g, n in zip(grads, numeric(f, *xs)):
        assert g == pytest.approx(n, rel=1e-6, abs=1e-9)


def test_relu_passes_no_gradient_below_zero_and_exact_one_above():
    assert backprop(lambda a: a.relu(), -2.0) == (0.0, [0.0])
    assert backprop(lambda a: a.relu(), 3.0) == (3.0, [1.0])


def test_composite_expression():
    def f(a, b, c):
        e = a * b + (c - a).exp() / (b * b + 1.0)
        return (e.relu() + (a * c).log() * 0.5 - 3.0 / c) ** 2

    xs = (1.2, -0.8, 2.1)
    value, grads = backprop(f, *xs)
    floats = lambda a, b, c: (max(a * b + math.exp(c - a) / (b * b + 1.0), 0) + 0.5 * math.log(a * c) - 3.0 / c) ** 2
    assert value == pytest.approx(floats(*xs), rel=1e-14)
    assert grads == pytest.approx(numeric(floats, *xs), rel=1e-6)


def test_a_value_used_twice_collects_both_gradients():
    a = Value(3.0)
    out = a * a + a
    out.backward()
    assert a.grad == 7.0


def test_division_is_microgpt_multiplication_by_the_inverse():
    a, b = Value(1.0), Value(3.0)
    assert (a / b).data == 1.0 * 3.0**-1
    assert (1.0 / b).data == 3.0**-1 * 1.0


def test_deep_graph_needs_no_recursion():
    depth = 3 * sys.getrecursionlimit() + 100_000
    x = Value(1.0)
    y = x
    for _ in range(depth):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    assert len(topological_order(y)) == 2 * depth


def chain_sum(values):
    """What Python's sum() builds from Values: 0 + v0, then + v1, ..."""
    out = 0
    for v in values:
        out = out + v
    return out


def test_dot_and_total_give_the_bits_of_the_chains_they_replace():
    import random

    rng = random.Random(7)
    ws = [Value(rng.gauss(0, 1)) for _ in range(16)]
    xs = [Value(rng.gauss(0, 1)) for _ in range(16)]
    fused = dot(ws, xs)
    chained = chain_sum([w * x for w, x in zip(ws, xs)])
    assert fused.data == chained.data
    fused_total = total(xs)
    assert fused_total.data == chain_sum(xs).data

    def grads(out):
        for v in ws + xs:
            v.grad = 0.0
        (out * out.exp()).backward()
        return [v.grad for v in ws + xs]

    assert grads(dot(ws, xs)) == grads(chain_sum([w * x for w, x in zip(ws, xs)]))
    assert grads(total(xs) * dot(ws, ws)) == grads(chain_sum(xs) * chain_sum([w * w for w in ws]))


def test_topological_order_puts_every_node_after_its_inputs():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert order == [c, d, e]  # leaves are left out: they pass their gradient on to nothing
