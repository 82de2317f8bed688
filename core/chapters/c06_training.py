"""Chapter 6: training. Step every weight against its gradient, a little at a time, one document per step."""
import numpy as np

from core.chapters.c05_gradients import Gradients
from core.model import mean


class Training(Gradients):
    trainable = True

    def __init__(self, vocab, rng):
        super().__init__(vocab, rng)
        self.last_gradients = [0.0] * len(self.w)

    def train_step(self, batch, lr, t):  # batch: this step's documents (one unless --batch); t matters from Adam on
        losses, total = [], [0.0] * len(self.w)
        for ids in batch:
            loss, gradients = self.numerical_gradients(ids)
            losses.append(loss)
            total = [s + g for s, g in zip(total, gradients)]
        self.last_gradients = [g / len(batch) for g in total]
        for i, g in enumerate(self.last_gradients):
            self.w[i] -= lr * g  # downhill: a positive gradient means a smaller weight lowers the loss
        return mean(losses)  # before this update, as microgpt prints it (the post logs it after)

    def grads(self):
        return {"weights": np.array(self.last_gradients)}

    def load_grads(self, grads):
        self.last_gradients = [float(g) for g in grads["weights"]]
