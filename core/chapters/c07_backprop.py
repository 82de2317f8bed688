"""Chapter 7: backprop. The weights become Values: the loss remembers how it was computed from them, and one
backward pass gives every gradient exactly, instead of one extra loss per weight."""
import numpy as np

from core.chapters.c03_weights import Weights
from core.chapters.c06_training import Training
from core.model import Model
from core.value import Value, no_gc, total


def init_weights(vocab, rng):
    return {"weights": Weights(vocab, rng).w}  # chapter 3's weights, drawn the same way


def average(values):
    return total(values) * (1 / len(values))  # microgpt's mean: (1 / n) * sum


class Backprop(Training):
    init_weights = staticmethod(init_weights)

    def __init__(self, vocab, rng):
        Model.__init__(self, vocab, rng)  # the parameters come from init_weights, as Values
        self.params = {name: as_values(floats) for name, floats in self.init_weights(vocab, rng).items()}

    # the model, as a graph of Values --------------------------------------------------------------------
    def prob_values(self, ids):
        w = self.params["weights"]
        s = total(w)
        probs = [wi / s for wi in w]
        return [probs] * len(self.targets(ids))  # still blind to its context

    def position_loss_values(self, ids):
        return [self.token_loss(probs[t]) for probs, t in zip(self.prob_values(ids), self.targets(ids))]

    def loss_value(self, ids):
        return average(self.position_loss_values(ids))

    # the same graph read as plain numbers -----------------------------------------------------------------
    def probs(self, ids):
        with no_gc():
            return [[p.data for p in probs] for probs in self.prob_values(ids)]

    def next_probs(self, context):
        return self.probs(context)[-1]

    def position_losses(self, ids):
        return [loss.data for loss in self.position_loss_values(ids)]

    def loss(self, ids):
        with no_gc():
            return self.loss_value(ids).data

    # gradients: one backward pass -------------------------------------------------------------------------
    def parameters(self):
        return [p for values in self.params.values() for p in flatten(values)]

    def gradients(self, ids):
        params = self.parameters()
        kept = [p.grad for p in params]  # grads() keeps showing the last training step
        for p in params:
            p.grad = 0.0
        with no_gc():
            loss = self.loss_value(ids)
            loss.backward()
        grads = self.grads()
        for p, g in zip(params, kept):
            p.grad = g
        return loss.data, grads

    def train_step(self, batch, lr, t):
        params = self.parameters()
        for p in params:
            p.grad = 0.0
        with no_gc():
            losses = [self.loss_value(ids) for ids in batch]
            loss = losses[0] if len(losses) == 1 else average(losses)
            loss.backward()
            self.update(params, lr, t)
        return loss.data

    def update(self, params, lr, t):
        for p in params:
            p.data -= lr * p.grad  # plain gradient descent, as in chapter 6

    # weights by name --------------------------------------------------------------------------------------
    def weights(self):
        return {name: np.array(read(values, "data")) for name, values in self.params.items()}

    def grads(self):
        return {name: np.array(read(values, "grad")) for name, values in self.params.items()}

    def set_weight(self, name, index, value):
        if name not in self.params:
            raise KeyError(name)
        values = self.params[name]
        for i in index[:-1]:
            values = values[i]
        values[index[-1]].data = float(value)

    @property
    def w(self):  # chapter 5's finite differences read and nudge the weights vector through this
        return DataView(self.params["weights"])

    @w.setter
    def w(self, floats):
        for p, x in zip(self.params["weights"], floats):
            p.data = float(x)


class DataView:
    """The numbers inside a list of Values, read and written like a list of floats."""

    def __init__(self, values):
        self.values = values

    def __len__(self):
        return len(self.values)

    def __getitem__(self, i):
        return self.values[i].data

    def __setitem__(self, i, x):
        self.values[i].data = float(x)


def as_values(floats):
    """A vector or matrix of numbers as the same shape of Values."""
    return [as_values(x) if isinstance(x, list) else Value(float(x)) for x in floats]


def flatten(values):
    for x in values:
        yield from (flatten(x) if isinstance(x, list) else (x,))


def read(values, field):
    return [read(x, field) if isinstance(x, list) else getattr(x, field) for x in values]
