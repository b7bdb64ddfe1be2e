"""Every ```python block in docs/*.md (and in README.md) runs: the guide cannot drift from the code.

The blocks of one file run in order in one shared namespace (a chapter builds
on its earlier blocks), in a fresh temporary working directory. Blocks fenced
as anything else (```text, ```console, ```pycon, ...) are shown, not run; a
fence spelt almost like python (```py, ```python3) fails, since whoever wrote
it surely meant it to run.
A failing block is reported by file and by the line of its opening fence, and
its traceback points at the failing line of the Markdown file itself.
"""

import importlib
import re
import traceback
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"

# The chapters this guide promises; each must hold code that runs.
CHAPTERS = [
    "01_value_engine.md",
    "02_tensors_and_broadcasting.md",
    "03_batchnorm_forward.md",
    "04_fused_backward.md",
    "05_train_vs_eval.md",
    "06_images.md",
    "api.md",
]

FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)")


def fenced_blocks(path: Path) -> list[tuple[int, str, str]]:
    """(line number of the opening fence, language, source) for every fenced block, in order."""
    blocks, lines = [], path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, fence, language = opening.groups()
        start, body = i + 1, []
        i += 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
            i += 1
        if i == len(lines):
            raise AssertionError(
                f"{path.name}: the code fence opened on line {start} is never closed"
            )
        i += 1
        blocks.append((start, language, "\n".join(body) + "\n"))
    return blocks


def python_blocks(path: Path) -> list[tuple[int, str]]:
    """(line number of the opening fence, source) for each ```python block, in order."""
    return [
        (line, source) for line, language, source in fenced_blocks(path) if language == "python"
    ]


def doc_files() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def runnable_files() -> list[Path]:
    """The guide's pages and the repository README, whose examples are a newcomer's first code."""
    readme = DOCS.parent / "README.md"
    return doc_files() + ([readme] if readme.is_file() else [])


@pytest.mark.parametrize("path", runnable_files(), ids=lambda p: str(p.relative_to(DOCS.parent)))
def test_every_python_block_in_the_file_runs(path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")  # plots in the docs must not need a display
    namespace = {"__name__": f"docs.{path.stem}"}
    for line, source in python_blocks(path):
        # Pad with blank lines so the traceback's line numbers are the Markdown file's.
        code = compile("\n" * line + source, str(path), "exec")
        try:
            exec(code, namespace)
        except (Exception, SystemExit):  # SystemExit: an argparse usage error in a CLI example
            failure = traceback.format_exc()
        else:
            continue
        pytest.fail(
            f"{path.relative_to(DOCS.parent)}: the python block opened on line {line} failed:\n"
            f"{failure}",
            pytrace=False,
        )


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_has_runnable_code(name):
    path = DOCS / name
    assert path.is_file(), f"docs/{name} is missing"
    assert python_blocks(path), f"docs/{name} has no ```python block, so nothing in it is checked"


def test_the_index_links_every_page_and_only_pages_that_exist():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    targets = {m.split("#")[0] for m in re.findall(r"\]\(([^)\s]+\.md(?:#[^)\s]*)?)\)", index)}
    pages = {p.name for p in doc_files()} - {"README.md"}
    assert pages <= targets, f"docs/README.md does not link {sorted(pages - targets)}"
    missing = sorted(t for t in targets if not (DOCS / t).is_file())
    assert not missing, f"docs/README.md links pages that do not exist: {missing}"


# Fences that look like Python but would silently not run.
ALMOST_PYTHON = {"py", "python3", "Python", "py3"}


@pytest.mark.parametrize("path", runnable_files(), ids=lambda p: str(p.relative_to(DOCS.parent)))
def test_no_code_block_is_skipped_by_a_misspelt_fence(path):
    almost = [
        (line, language) for line, language, _ in fenced_blocks(path) if language in ALMOST_PYTHON
    ]
    assert not almost, (
        f"{path.relative_to(DOCS.parent)}: fences {almost} (line, language) are not run "
        "by the tests; "
        "write ```python for code that runs, or ```text for code that is only shown"
    )


def test_the_block_finder_sees_only_python_fences(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "intro\n```python\nx = 1\n```\n```text\nnot run\n```\n"
        "```console\n$ ls\n```\n~~~python\ny = 2\n~~~\n"
    )
    assert python_blocks(page) == [(2, "x = 1\n"), (11, "y = 2\n")]


@pytest.mark.parametrize(
    "module", ["tinygrad_bn", "tinygrad_bn.functional", "tinygrad_bn.nn", "tinygrad_bn.optim"]
)
def test_the_api_reference_names_every_public_name(module):
    public = importlib.import_module(module).__all__
    reference = (DOCS / "api.md").read_text(encoding="utf-8")
    undocumented = [name for name in public if f"`{name}" not in reference]
    assert not undocumented, f"docs/api.md does not document {module}: {undocumented}"
