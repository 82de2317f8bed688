"""Tokens: a character vocabulary plus one end token that marks where a document stops (and starts)."""
from __future__ import annotations


class UnknownCharacter(ValueError):
    """Characters of a text the vocabulary has no token for, all named in one line; `char` and `position` are the
    first's."""

    def __init__(self, text: str, positions: list[int], vocab: "Vocab"):
        self.char, self.position = text[positions[0]], positions[0]
        missing = [i for i in positions if text[i] != vocab.end_symbol]
        ends = [i for i in positions if text[i] == vocab.end_symbol]  # a token, but only to end a name (chapter 1)
        said = []
        if missing:
            named = [f"{text[i]!r} (position {i + 1})" for i in missing[:2]]
            subject = " and ".join(named) if len(missing) <= 2 else f"{', '.join(named)} and {len(missing) - 2} more"
            other_case = list(dict.fromkeys(c for c in (text[i].swapcase() for i in missing) if c in vocab.chars))
            has = f" (it has {' and '.join(map(repr, other_case))})" if other_case else ""
            said.append(f"{subject} {'is' if len(missing) == 1 else 'are'} not in the vocabulary {vocab.shown}{has}")
        if ends:
            said.append(f"{vocab.end_symbol!r} (position {ends[0] + 1}) is the end token: it ends a name and has no "
                        "place inside one")
        super().__init__("; ".join(said))


class Vocab:
    """Characters get ids 0..n-1 in the given order; the end token gets id n."""

    def __init__(self, chars: list[str], end: str = "."):
        self.chars = list(chars)
        self.end_symbol = end if end not in self.chars else "¶"
        self.tokens = self.chars + [self.end_symbol]
        self.end = len(self.chars)
        self._ids = {c: i for i, c in enumerate(self.chars)}

    @classmethod
    def from_docs(cls, docs: list[str]) -> "Vocab":
        """microgpt's rule: the sorted set of the documents' characters, then the end token."""
        return cls(sorted(set("".join(docs))))

    @property
    def shown(self) -> str:
        """The characters for a one-line message: quoted, control characters escaped, a space shown as ␣ (a bare
        one reads as a stray gap, or breaks the line there)."""
        return repr("".join(self.chars).replace(" ", "␣"))

    def __len__(self) -> int:
        return len(self.tokens)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Vocab) and self.chars == other.chars

    def __repr__(self) -> str:
        return f"Vocab({''.join(self.chars)!r} + {self.end_symbol!r})"

    def encode(self, text: str) -> list[int]:
        try:
            return [self._ids[char] for char in text]  # the hot path: training encodes a batch every step
        except KeyError:
            raise UnknownCharacter(text, self.unknown(text), self) from None

    def unknown(self, text: str) -> list[int]:
        """Positions of the characters of `text` that have no token."""
        return [i for i, c in enumerate(text) if c not in self._ids]

    def decode(self, ids: list[int]) -> str:
        return "".join(self.chars[i] for i in ids if i != self.end)
