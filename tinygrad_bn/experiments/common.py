"""What every experiment shares: where its files go and which data it reads."""

from pathlib import Path

from ..data import load_names, make_splits

REPORT_ROOT = Path("tinygrad-bn-report")


def output_folder(out, name: str | None) -> Path:
    """`out` if given, else ./tinygrad-bn-report/<name> (the root for name=None); created."""
    folder = Path(out) if out is not None else REPORT_ROOT / name if name else REPORT_ROOT
    folder.mkdir(parents=True, exist_ok=True)
    return folder


SOURCES = {
    "makemore": "the lectures' 32,033 names (shipped)",
    "census": "the 5,163 census names (shipped)",
}


def default_data(quick: bool) -> str:
    """Full runs train on the lectures' names; quick runs on the small census list."""
    return "census" if quick else "makemore"


def load_splits(data=None, seed=42, block_size=3, quiet=False, quick=False):
    """The seeded 80/10/10 makemore split of `data`: a names file, "makemore" or "census".

    `data=None` picks the shipped list for the run's length (`default_data(quick)`).
    """
    data = default_data(quick) if data is None else data
    words = load_names(data)
    splits = make_splits(words, block_size=block_size, seed=seed)
    if not quiet:
        source = SOURCES.get(data, data)
        print(
            f"data: {len(words):,} names, {source}; {len(splits.train[0]):,} training examples, "
            f"{len(splits.val[0]):,} validation"
        )
    return splits


def heading(text: str):
    print(f"\n== {text}")
