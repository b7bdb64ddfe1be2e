"""A report folder: README.md with headings, tables, figures and notes.

report = Report("tinygrad-bn-report", "BatchNorm tour")
report.table(["run", "loss"], [["plain", 2.31], ["batchnorm", 2.16]])
report.image("loss.png", "training loss")
report.write()   # -> tinygrad-bn-report/README.md
"""

from pathlib import Path

from ..safe_write import write_text


def _cell(value) -> str:
    if isinstance(value, float):
        return (
            f"{value:.3g}"
            if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e5)
            else f"{value:.4f}"
        )
    return str(value)


class Report:
    """Collect Markdown pieces in order; `write()` saves them as README.md in `folder`."""

    def __init__(self, folder, title: str):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.parts = [f"# {title}\n"]

    def heading(self, text: str):
        self.parts.append(f"## {text}\n")

    def text(self, paragraph: str):
        self.parts.append(paragraph.strip() + "\n")

    def table(self, header, rows):
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
        self.parts.append("\n".join(lines) + "\n")

    def image(self, path, caption: str):
        """Link a picture that lies in (or below) the report folder."""
        path = Path(path)
        try:
            relative = path.resolve().relative_to(self.folder.resolve())
        except ValueError:
            relative = path
        self.parts.append(f"![{caption}]({relative.as_posix()})\n")

    def write(self) -> Path:
        path = self.folder / "README.md"
        return write_text(path, "\n".join(self.parts))
