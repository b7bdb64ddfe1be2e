"""Files that Ctrl-C cannot half-write: the old file or the new one, and a report never mixed."""

import os
import signal

import pytest

from tinygrad_bn import safe_write
from tinygrad_bn.experiments.report import Report


def test_a_write_interrupted_midway_leaves_the_old_file_and_no_temporary_one(tmp_path):
    target = tmp_path / "loss.png"
    target.write_bytes(b"old picture")
    with pytest.raises(KeyboardInterrupt):
        with safe_write.replacing(target) as tmp:
            tmp.write_bytes(b"half a ne")
            raise KeyboardInterrupt
    assert target.read_bytes() == b"old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["loss.png"]


def test_a_finished_write_replaces_the_file_whole(tmp_path):
    target = tmp_path / "notes.md"
    target.write_text("old")
    assert safe_write.write_text(target, "new") == target
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["notes.md"]


def test_the_temporary_name_keeps_the_suffix_that_libraries_read_the_format_from(tmp_path):
    name = safe_write.temporary_name(tmp_path / "plot.png")
    assert name.parent == tmp_path and name.suffix == ".png" and name.name.startswith(".")


@pytest.fixture
def ctrl_c_as_in_a_terminal():
    """Python's own SIGINT handler, even when the suite runs in the background (SIGINT ignored)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_ctrl_c_inside_a_held_block_is_raised_after_the_block_ends(ctrl_c_as_in_a_terminal):
    finished = []
    with pytest.raises(KeyboardInterrupt):
        with safe_write.interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)
            finished.append(True)  # the block runs to its end first
    assert finished == [True]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_staged_report_appears_only_when_the_run_finishes(tmp_path):
    folder = tmp_path / "report"
    with safe_write.staged_folder(folder) as stage:
        report = Report(stage, "run two")
        report.write()
        (stage / "graphs").mkdir()
        safe_write.write_bytes(stage / "graphs" / "g.png", b"png")
        assert not (folder / "README.md").exists()
        assert safe_write.shown(stage / "graphs" / "g.png") == folder / "graphs" / "g.png"
    assert (folder / "README.md").read_text().startswith("# run two")
    assert (folder / "graphs" / "g.png").read_bytes() == b"png"
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "graphs"]


def test_an_interrupted_staged_report_leaves_the_old_one_whole(tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    (folder / "README.md").write_text("# run one")
    with pytest.raises(KeyboardInterrupt):
        with safe_write.staged_folder(folder) as stage:
            Report(stage, "run two").write()
            raise KeyboardInterrupt
    assert [p.name for p in folder.iterdir()] == ["README.md"]
    assert (folder / "README.md").read_text() == "# run one"


def test_a_staged_folder_onto_a_file_is_refused_with_the_fix(tmp_path):
    target = tmp_path / "report"
    target.write_text("a file")
    with pytest.raises(NotADirectoryError, match="is a file, not a folder"):
        with safe_write.staged_folder(target):
            pass
