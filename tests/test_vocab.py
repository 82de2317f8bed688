import pytest

from core.data import TOY_VOCAB
from core.run import EncodedDocs
from core.vocab import UnknownCharacter, Vocab


def test_encode_decode_round_trip_and_end_token():
    vocab = Vocab.from_docs(["emma", "olivia"])
    assert vocab.chars == ["a", "e", "i", "l", "m", "o", "v"] and vocab.end == 7 and vocab.tokens[-1] == "."
    assert vocab.decode(vocab.encode("olivia") + [vocab.end]) == "olivia"


def test_a_dot_in_the_data_gets_another_end_symbol():
    assert Vocab.from_docs(["a.b"]).end_symbol != "."


def test_unknown_character_message_is_one_clean_line():
    vocab = Vocab(["a", "\x1b", "\t", "\n"])
    with pytest.raises(UnknownCharacter) as e:
        vocab.encode("ab")
    message = str(e.value)
    assert "'b' (position 2)" in message
    assert all(c.isprintable() for c in message)  # no escape codes or line breaks reach the terminal
    assert e.value.position == 1 and e.value.char == "b"


def test_a_space_in_the_vocabulary_shows_as_a_visible_mark():
    with pytest.raises(UnknownCharacter) as e:
        Vocab.from_docs(["Carl Jr", "Anna"]).encode("isabella")
    assert str(e.value) == "'i' (position 1), 's' (position 2) and 2 more are not in the vocabulary '␣ACJalnr'"


@pytest.mark.parametrize("text, message", [
    ("anx", "'x' (position 3) is not in the vocabulary 'ailen'"),
    ("Zoë", "'Z' (position 1) and 'ë' (position 3) are not in the vocabulary 'abcdefghijklmnopqrstuvwxyz' (it has 'z')"),
    ("ANN", "'A' (position 1), 'N' (position 2) and 1 more are not in the vocabulary 'ailen' (it has 'a' and 'n')"),
    ("a.n", "'.' (position 2) is the end token: it ends a name and has no place inside one"),
    ("x.y", "'x' (position 1) and 'y' (position 3) are not in the vocabulary 'ailen'; '.' (position 2) is the end "
            "token: it ends a name and has no place inside one"),
])
def test_the_message_names_every_unknown_character_and_the_letter_the_vocabulary_has(text, message):
    vocab = TOY_VOCAB if text != "Zoë" else Vocab.from_docs(["abcdefghijklmnopqrstuvwxyz"])
    with pytest.raises(UnknownCharacter) as e:
        vocab.encode(text)
    assert str(e.value) == message and e.value.position == vocab.unknown(text)[0]


def test_encoded_docs_encode_on_demand():
    encoded = EncodedDocs(["ann", "lee", "nina"], TOY_VOCAB)
    assert len(encoded) == 3
    assert encoded[0] == [0, 4, 4] and encoded[-1] == [4, 1, 4, 0]
    assert encoded[1:] == [[2, 3, 3], [4, 1, 4, 0]]
    assert list(encoded) == [encoded[0], encoded[1], encoded[2]]
    with pytest.raises(IndexError):
        encoded[3]
