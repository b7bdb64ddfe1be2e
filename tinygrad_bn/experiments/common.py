"""What every experiment shares: where its files go and which data it reads."""

from pathlib import Path

from ..data import load_names, make_splits

REPORT_ROOT = Path("tinygrad-bn-report")


def output_folder(out, name: str | None) -> Path:
    """`out` if given, else ./tinygrad-bn-report/<name> (or the report root for name=None); created if missing."""
    folder = Path(out) if out is not None else REPORT_ROOT / name if name else REPORT_ROOT
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def load_splits(data=None, seed=42, block_size=3, quiet=False):
    """The seeded 80/10/10 makemore split of `data` (a names file) or of the shipped names."""
    words = load_names(data)
    splits = make_splits(words, block_size=block_size, seed=seed)
    if not quiet:
        source = data if data is not None else "the shipped census names"
        print(
            f"data: {len(words):,} names from {source}; {len(splits.train[0]):,} training examples, {len(splits.val[0]):,} validation"
        )
    return splits


def heading(text: str):
    print(f"\n== {text}")
