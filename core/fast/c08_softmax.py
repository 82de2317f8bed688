"""Chapter 8, fast engine: the same weights read as logits: softmax, and the log loss -log p(target)."""
from core.fast.c07_backprop import Backprop
from core.fast.ops import FastModel, log_loss


class Softmax(Backprop):
    loss_formula = "-log p"
    loss_head = staticmethod(log_loss)  # softmax, then -log p(target)
    out_of_range = FastModel.out_of_range  # logits may take any value
    sampler = FastModel.sampler  # the temperature divides the logits
