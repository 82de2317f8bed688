"""Chapter 7: backprop. The weights become Values: the loss remembers how it was computed from them, and one
backward pass gives every gradient exactly, instead of one extra loss per weight."""
from core.chapters.c02_logits import logits_to_probs
from core.chapters.c03_weights import initial_weights
from core.chapters.c06_training import Training
from core.model import Model
from core.value import Parameters, ValueWeights, no_gc, total


def init_weights(vocab, rng):
    return {"weights": initial_weights(vocab, rng)}  # chapter 3's weights, drawn the same way


def average(values):
    return total(values) * (1 / len(values))  # microgpt's mean: the sum times 1 / n, the same bits as its graph


class Backprop(ValueWeights, Training):
    init_weights = staticmethod(init_weights)
    gpt = numerical_gradients = None  # retired: prob_values below replaces gpt(), backward() the finite differences

    def __init__(self, vocab, rng):
        Model.__init__(self, vocab, rng)  # the parameters come from init_weights, as Values
        self.params = Parameters(self.init_weights(vocab, rng))

    # the model, as a graph of Values --------------------------------------------------------------------
    def prob_values(self, ids):
        probs = logits_to_probs(self.params["weights"])  # chapter 2's formula, on Values now
        return [probs] * len(self.targets(ids))  # still blind to its context

    def position_loss_values(self, ids):
        return [self.token_loss(probs[t]) for probs, t in zip(self.prob_values(ids), self.targets(ids))]

    def loss_value(self, ids):
        return average(self.position_loss_values(ids))

    # gradients: one backward pass, then a step downhill ---------------------------------------------------
    @no_gc()  # the graph is freed by reference counting when the method returns, before the collector is back
    def train_step(self, batch, lr, t):
        for p in self.params.flat:
            p.grad = 0.0
        loss = average([self.loss_value(ids) for ids in batch])
        loss.backward()
        self.update(lr, t)
        return loss.data

    def update(self, lr, t):
        for p in self.params.flat:
            p.data -= lr * p.grad  # plain gradient descent, as in chapter 6

    @no_gc()
    def gradients(self, ids):
        kept = [p.grad for p in self.params.flat]  # grads() keeps showing the last training step
        for p in self.params.flat:
            p.grad = 0.0
        loss = self.loss_value(ids)
        loss.backward()
        grads = self.grads()
        for p, g in zip(self.params.flat, kept):
            p.grad = g
        return loss.data, grads

    # the same graph read as plain numbers -----------------------------------------------------------------
    @no_gc()
    def probs(self, ids):
        return [[p.data for p in probs] for probs in self.prob_values(ids)]

    def next_probs(self, context):
        return self.probs(context)[-1]

    @no_gc()
    def position_losses(self, ids):
        return [loss.data for loss in self.position_loss_values(ids)]

    @no_gc()
    def loss(self, ids):
        return self.loss_value(ids).data

