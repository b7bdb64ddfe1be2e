"""The names dataset, makemore style: predict each character from the previous ones.

Every name is framed by '.', the boundary token (index 0), and cut into
(context, next character) pairs with a context of `block_size` characters:

    "emma", block 3:  ... -> e,  ..e -> m,  .em -> m,  emm -> a,  mma -> .
"""

import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

BOUNDARY = "."


SHIPPED = {
    "census": "names.txt",  # 5,163 names: small, for quick runs
    "makemore": "makemore_names.txt",  # the lectures' 32,033 names: for long runs
}


def shipped_names_path(which: str = "census") -> Path:
    """A names list that ships with the package: "census" (small) or "makemore" (the lectures')."""
    if which not in SHIPPED:
        raise ValueError(f"no shipped names list {which!r}; choose one of {sorted(SHIPPED)}")
    return Path(str(resources.files("tinygrad_bn") / "data" / SHIPPED[which]))


def default_names_path() -> Path:
    """The small names list (1990 US census first names), the default for quick runs."""
    return shipped_names_path("census")


def makemore_names_path() -> Path:
    """The 32,033 names of the makemore lectures, shipped for long runs."""
    return shipped_names_path("makemore")


def load_names(path=None) -> list[str]:
    """One name per line, lower-cased, blank lines dropped.

    `path=None`: the small shipped list; `"census"` or `"makemore"`: that shipped list.
    """
    if path is None or (isinstance(path, str) and path in SHIPPED):
        path = shipped_names_path(path or "census")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no names file at {path}; pass a text file with one name per line")
    words = [line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()]
    words = [w for w in words if w]
    if not words:
        raise ValueError(f"{path} holds no names; it should have one name per line")
    return words


@dataclass
class Vocabulary:
    """Characters <-> integer ids; '.' is always id 0."""

    chars: list[str]

    @classmethod
    def from_words(cls, words):
        return cls([BOUNDARY] + sorted(set("".join(words)) - {BOUNDARY}))

    @property
    def size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        index = {c: i for i, c in enumerate(self.chars)}
        return [index[c] for c in text]

    def decode(self, ids) -> str:
        return "".join(self.chars[i] for i in ids)


def build_dataset(words, vocab: Vocabulary, block_size: int = 3):
    """X: (n, block_size) int64 contexts, Y: (n,) int64 next-character ids."""
    contexts, targets = [], []
    for word in words:
        context = [0] * block_size
        for i in vocab.encode(word + BOUNDARY):
            contexts.append(context)
            targets.append(i)
            context = context[1:] + [i]
    return np.array(contexts, dtype=np.int64).reshape(-1, block_size), np.array(
        targets, dtype=np.int64
    )


@dataclass
class Splits:
    """Train/validation/test (X, Y) pairs from one seeded 80/10/10 split of the words."""

    vocab: Vocabulary
    train: tuple
    val: tuple
    test: tuple


MIN_NAMES = 10  # the fewest for which 80/10/10 leaves a name in each part


def make_splits(words, block_size: int = 3, seed: int = 42) -> Splits:
    """Shuffle the words with `seed`, cut 80/10/10, and build each part's dataset."""
    words = list(words)
    if len(words) < MIN_NAMES:
        raise ValueError(
            f"only {len(words)} name(s): the 80/10/10 split into training, validation and test "
            f"needs at least {MIN_NAMES} names; give a file with more names, one per line"
        )
    random.Random(seed).shuffle(words)
    vocab = Vocabulary.from_words(words)
    n1, n2 = int(0.8 * len(words)), int(0.9 * len(words))
    parts = [
        build_dataset(part, vocab, block_size) for part in (words[:n1], words[n1:n2], words[n2:])
    ]
    return Splits(vocab, *parts)
