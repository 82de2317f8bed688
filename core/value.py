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


class Value:
    __slots__ = ("data", "grad", "_children", "_local_grads")

    def __init__(self, data, children=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self._children = children  # the Values this one was computed from
        self._local_grads = local_grads  # d self / d child, one per child

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"

    # a plain number taken part in an operation is a constant: it gets no node of its own
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
