"""Chapter 9, fast engine: token and position embeddings; their sum, through lm_head, gives the logits."""
from core.chapters.c09_embeddings import BLOCK_SIZE, init_weights
from core.fast.c08_softmax import Softmax
from core.fast.ops import embed, embedding_backward, linear, linear_backward


class Embeddings(Softmax):
    init_weights = staticmethod(init_weights)  # wte, wpe, lm_head
    block_size = BLOCK_SIZE

    def forward(self, inputs, real=None):
        p = self.params
        x = embed(p["wte"], p["wpe"], inputs, real)  # the real positions only: each on its own from here
        return linear(x, p["lm_head"]), (inputs, real, x)

    def backward(self, dlogits, saved):
        inputs, real, x = saved
        dx = linear_backward(dlogits, x, self.params["lm_head"], self.param_grads["lm_head"])
        embedding_backward(dx, inputs, real, self.param_grads["wte"], self.param_grads["wpe"])
