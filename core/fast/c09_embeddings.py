"""Chapter 9, fast engine: token and position embeddings; their sum, through lm_head, gives the logits."""
from core.fast.c08_softmax import Softmax
from core.fast.ops import FastModel, embed, embedding_backward, linear, linear_backward

N_EMBD, BLOCK_SIZE = 16, 16


class Embeddings(Softmax):
    initial_values = FastModel.initial_values  # gauss(0, 0.08) for every entry, in the order of shapes()

    def shapes(self):
        v, d = len(self.vocab), N_EMBD
        return [("wte", (v, d)), ("wpe", (BLOCK_SIZE, d)), ("lm_head", (v, d))]

    def forward(self, inputs):
        p = self.p
        x = embed(p["wte"], p["wpe"], inputs)
        return linear(x, p["lm_head"]), (inputs, x)

    def backward(self, dlogits, saved):
        inputs, x = saved
        dx = linear_backward(dlogits, x, self.p["lm_head"], self.g["lm_head"])
        embedding_backward(dx, inputs, self.g["wte"], self.g["wpe"])
