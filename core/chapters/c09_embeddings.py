"""Chapter 9: embeddings. For the first time the model reads what comes before: the token before each position,
and the position itself. Every token and every position owns a vector of 16 numbers; their sum x goes through one
matrix, lm_head, to become the next token's logits."""
from core.chapters.c08_softmax import Softmax, softmax
from core.value import dot, no_gc

N_EMBD = 16  # numbers per vector
BLOCK_SIZE = 16  # positions the model knows


def gauss_matrix(rng, rows, cols, std=0.08):
    """Small random starting values, drawn row by row (the order that makes a seed reproduce a run)."""
    return [[rng.gauss(0, std) for _ in range(cols)] for _ in range(rows)]


def linear(x, w):
    return [dot(row, x) for row in w]  # w is [out][in]: one dot product per output


def init_weights(vocab, rng):
    return {
        "wte": gauss_matrix(rng, len(vocab), N_EMBD),  # a vector per token
        "wpe": gauss_matrix(rng, BLOCK_SIZE, N_EMBD),  # a vector per position
        "lm_head": gauss_matrix(rng, len(vocab), N_EMBD),  # a row of logit weights per next token
    }


class Embeddings(Softmax):
    init_weights = staticmethod(init_weights)
    block_size = BLOCK_SIZE

    def new_cache(self):
        return None  # what a model keeps between positions (attention's keys and values, chapter 11)

    def embed(self, token, pos):
        return [t + p for t, p in zip(self.params["wte"][token], self.params["wpe"][pos])]

    def forward(self, token, pos, cache):
        return linear(self.embed(token, pos), self.params["lm_head"])

    def prob_values(self, ids):
        cache = self.new_cache()
        tokens = [self.vocab.end] + list(ids)  # position p reads the token before it; the end token starts
        return [softmax(self.forward(tokens[p], p, cache)) for p in range(len(self.targets(ids)))]

    def sampler(self, temperature=1.0):
        cache, position = self.new_cache(), 0

        def next_token_probs(token):
            nonlocal position
            with no_gc():
                logits = self.forward(token, position, cache)  # one position at a time (chapter 11's cache: the past)
                position += 1
                return [p.data for p in softmax([l / temperature for l in logits])]

        return next_token_probs
