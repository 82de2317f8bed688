"""A scalar that remembers how it was computed, so one backward pass finds every gradient (micrograd style).

Each operation states its forward value and the local gradient towards each input; `backward()` walks the graph
from the output in reverse topological order and applies the chain rule: child.grad += local_grad * node.grad.

The arithmetic follows microgpt's to the last bit: a / b is a * b ** -1, sums go left to right from 0, and
`dot`/`total` are single nodes that compute exactly what a chain of `sum(w * x ...)` nodes would (same float
operations, same order), only with fewer objects, so chapter 12 reproduces microgpt bit for bit, faster.
"""
from __future__ import annotations

import gc
import math
from contextlib import contextmanager
from functools import reduce
from itertools import chain
from operator import add, mul

import numpy as np

from core.model import WEIGHT_LIMIT


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self._children = children  # the Values this one was computed from
        self._local_grads = local_grads  # d self / d child, one per child

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # a plain number taking part in an operation is a constant: it gets no node of its own
    def __add__(self, other):
        if isinstance(other, Value):
            return Value(self.data + other.data, (self, other), (1.0, 1.0))
        return Value(self.data + other, (self,), (1.0,))

    def __mul__(self, other):
        if isinstance(other, Value):
            return Value(self.data * other.data, (self, other), (other.data, self.data))
        return Value(self.data * other, (self,), (other,))

    def __pow__(self, k):  # k is a plain number
        return Value(self.data**k, (self,), (k * self.data ** (k - 1),))

    # the operations of later chapters: exp and log for softmax and the log loss (8), relu for the hidden layer (10)
    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, (self,), (float(self.data > 0),))

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,))

    def __sub__(self, other):  # a + (-b), one node: the same bits as two
        if isinstance(other, Value):
            return Value(self.data - other.data, (self, other), (1.0, -1.0))
        return Value(self.data - other, (self,), (1.0,))

    def __rsub__(self, other):
        return Value(other - self.data, (self,), (-1.0,))

    def __truediv__(self, other):
        return self * other**-1  # microgpt's division, kept for its rounding

    def __rtruediv__(self, other):
        return self**-1 * other

    __radd__ = __add__
    __rmul__ = __mul__

    def backward(self):
        """Fill .grad of every Value this one depends on (gradients add up: zero them between passes)."""
        self.grad = 1.0
        for node in reversed(topological_order(self)):
            g = node.grad
            for child, local_grad in zip(node._children, node._local_grads):
                child.grad += local_grad * g


def topological_order(root: Value) -> list[Value]:
    """Every node with inputs, each after all of its inputs: the post-order of a depth-first walk from the root
    (children in order), without recursion so graphs of any depth work. Leaves (parameters, constants) are left
    out: they have nothing to pass their gradient on to."""
    order, visited = [], set()
    stack = [(root, iter(root._children))]
    while stack:
        node, children = stack[-1]
        for child in children:
            if child._children and child not in visited:
                visited.add(child)
                stack.append((child, iter(child._children)))
                break
        else:  # every child done: the node comes next
            stack.pop()
            order.append(node)
    return order


def total(values) -> Value:
    """sum(values) as one node: the left-to-right float sum from 0, gradient 1 to each."""
    values = tuple(values)
    return Value(reduce(add, [v.data for v in values], 0), values, (1.0,) * len(values))


def dot(ws, xs) -> Value:
    """sum(w * x for w, x in zip(ws, xs)) as one node: the same products, added left to right from 0."""
    w_data = [w.data for w in ws]
    x_data = [x.data for x in xs]
    return Value(
        reduce(add, map(mul, w_data, x_data), 0),
        tuple(chain.from_iterable(zip(ws, xs))),  # w0 x0 w1 x1 ...: the walk meets them as the chain would
        tuple(chain.from_iterable(zip(x_data, w_data))),
    )


@contextmanager
def no_gc():
    """Graphs are trees of fresh objects freed by reference counting: the cycle collector only costs time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Parameters(dict):
    """A model's weights: named vectors and matrices of Values, and `flat`, all of them in draw order."""

    def __init__(self, floats):
        super().__init__((name, as_values(x)) for name, x in floats.items())
        self.shapes = {name: np.shape(x) for name, x in floats.items()}
        self.flat = [p for values in self.values() for p in flatten(values)]

    def split(self, numbers):
        """A flat list of numbers, one per parameter, as {name: array of that parameter's shape}."""
        out, start = {}, 0
        for name, shape in self.shapes.items():
            size = math.prod(shape)
            out[name] = np.array(numbers[start : start + size], dtype=float).reshape(shape)
            start += size
        return out

    def arrays(self, field="data"):
        return self.split([getattr(p, field) for p in self.flat])

    def set(self, name, index, value):
        values = self[name]
        for i in index[:-1]:
            values = values[i]
        values[index[-1]].data = float(value)


def as_values(floats):
    """A vector or matrix of numbers as the same shape of Values."""
    return [as_values(x) if isinstance(x, list) else Value(float(x)) for x in floats]


def flatten(values):
    for x in values:
        yield from (flatten(x) if isinstance(x, list) else (x,))


class ValueWeights:
    """The Model contract's weights, gradients, optimizer state and checkpoints for a model whose parameters are
    Values in `self.params` (a Parameters) and whose optimizer keeps `moments()`: lists with a number per parameter."""

    def weights(self):
        return self.params.arrays("data")

    def grads(self):
        return self.params.arrays("grad")

    def set_weight(self, name, index, value):
        if name not in self.params:
            raise KeyError(name)
        self.params.set(name, index, value)

    def moments(self):
        return {}  # the optimizer's running numbers, one per parameter (Adam's m and v in chapter 12)

    def optimizer_state(self):
        return {key: self.params.split(numbers) for key, numbers in self.moments().items()}

    def load_optimizer_state(self, state):
        moments = self.moments()
        if set(state) != set(moments):
            raise ValueError(f"optimizer state has {sorted(state)}, this model keeps {sorted(moments)}")
        for key, numbers in moments.items():
            flat = [float(x) for name in self.params for x in np.asarray(state[key][name]).ravel()]
            if len(flat) != len(numbers):
                raise ValueError(f"optimizer state {key!r} has {len(flat)} numbers, the model {len(numbers)}")
            numbers[:] = flat

    def checkpoint(self):  # a quick copy for Run to put back if a step goes wrong
        flat = self.params.flat
        return [p.data for p in flat], [p.grad for p in flat], {k: list(v) for k, v in self.moments().items()}

    def restore(self, checkpoint):
        data, grads, moments = checkpoint
        for p, x, g in zip(self.params.flat, data, grads):
            p.data, p.grad = x, g
        for key, numbers in self.moments().items():
            numbers[:] = moments[key]

    def all_bounded(self):
        return all(abs(p.data) < WEIGHT_LIMIT for p in self.params.flat)  # NaN compares False too

