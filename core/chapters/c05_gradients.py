"""Chapter 5: gradients. Nudge one weight by EPSILON and see how the loss moves: that slope is its gradient."""
import numpy as np

from core.chapters.c04_loss import Loss

EPSILON = 0.01


class Gradients(Loss):
    has_gradients = True

    def numerical_gradients(self, ids):
        base_weights = list(self.w)
        old_loss = self.loss(ids)
        gradients = []
        for i in range(len(base_weights)):
            self.w = list(base_weights)
            self.w[i] += EPSILON
            gradients.append((self.loss(ids) - old_loss) / EPSILON)
        self.w = base_weights
        return old_loss, gradients

    def gradients(self, ids):
        loss, gradients = self.numerical_gradients(ids)
        return loss, {"weights": np.array(gradients)}
