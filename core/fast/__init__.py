"""The fast engine: chapters 7-12 in float64 numpy, with the scalar engine's numbers.

Each module here has the same class as its scalar twin in core/chapters/ (same parameters, same init draws),
but processes every position of a batch of documents at once and writes its backward pass by hand.
"""
