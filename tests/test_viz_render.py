"""Rendering through Graphviz's `dot` (CI installs it), the `graph` command, and life without `dot`."""

import xml.etree.ElementTree as ET

import pytest

from tinygrad_bn import Value
from tinygrad_bn.cli import main
from tinygrad_bn.viz import GraphvizNotFoundError, draw_dot, render, to_dot
from tinygrad_bn.viz_examples import EXAMPLES, build

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """A PATH on which no `dot` program can be found."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def small_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a
    c.label = "c"
    c.backward()
    return c


def svg_node_titles(path):
    """The DOT ids of the nodes Graphviz drew into an SVG file."""
    root = ET.parse(path).getroot()
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "node"]


# ---- with dot (installed here and in CI; without it these fail saying how to install it) ----


def test_render_to_svg_draws_every_node_of_the_dot_text(tmp_path):
    root = small_graph()
    path = render(root, tmp_path / "c.svg")
    dot_ids = [
        line.split(" ")[0].strip()
        for line in to_dot(root).splitlines()
        if line.startswith("\t") and " [" in line
    ]
    dot_ids = [i for i in dot_ids if i not in ("graph", "node", "edge")]
    assert sorted(svg_node_titles(path)) == sorted(dot_ids)


def test_render_to_png_writes_a_png(tmp_path):
    path = render(small_graph(), tmp_path / "c.png")
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_the_graph_command_renders_an_example_to_svg(tmp_path, capsys):
    out = tmp_path / "fused.svg"
    assert main(["graph", "batchnorm-fused", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    titles = svg_node_titles(out)
    # the two saved tensors: the example shows them
    assert sum(t.startswith("s") for t in titles) == 2


def test_the_graph_command_renders_an_example_to_png(tmp_path):
    out = tmp_path / "neuron.png"
    assert main(["graph", "neuron", "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG_SIGNATURE


def test_a_notebook_shows_the_picture_as_svg():
    bundle = draw_dot(small_graph())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


# ---- without dot --------------------------------------------------------------------------------------------


def test_without_dot_render_says_how_to_install_graphviz_and_writes_the_dot_text_beside(
    tmp_path, no_dot
):
    root = small_graph()
    with pytest.raises(GraphvizNotFoundError) as error:
        render(root, tmp_path / "c.svg")
    message = str(error.value)
    assert "apt-get install graphviz" in message and "brew install graphviz" in message
    assert str(tmp_path / "c.dot") in message
    assert (tmp_path / "c.dot").read_text() == to_dot(root)
    assert not (tmp_path / "c.svg").exists()


def test_without_dot_the_graph_command_fails_with_the_install_hint_and_leaves_the_dot_file(
    tmp_path, no_dot, capsys
):
    out = tmp_path / "neuron.png"
    assert main(["graph", "neuron", "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "apt-get install graphviz" in err and "brew install graphviz" in err
    scene = build("neuron")
    assert (tmp_path / "neuron.dot").read_text() == to_dot(scene.root, **scene.options)


def test_without_dot_a_notebook_shows_the_install_hint_instead_of_a_traceback(no_dot):
    bundle = draw_dot(small_graph())._repr_mimebundle_()
    assert "apt-get install graphviz" in bundle["text/plain"]


def test_dot_text_needs_no_graphviz_program(tmp_path, no_dot):
    assert to_dot(small_graph()).startswith("digraph")
    assert render(small_graph(), tmp_path / "c.dot").read_text() == to_dot(small_graph())


# ---- the command's other paths --------------------------------------------------------------------------------


def test_graph_list_names_every_example_and_what_it_shows(capsys):
    assert main(["graph", "--list"]) == 0
    out = capsys.readouterr().out
    for name, example in EXAMPLES.items():
        assert any(line.startswith(name) and example.summary in line for line in out.splitlines())


def test_graph_with_an_unknown_name_lists_the_examples(capsys):
    assert main(["graph", "nope", "-o", "x.svg"]) == 2
    err = capsys.readouterr().err
    assert "no example called 'nope'" in err and "neuron" in err and "makemore-step" in err


def test_graph_refuses_a_file_name_whose_format_it_cannot_tell(tmp_path, capsys):
    assert main(["graph", "neuron", "-o", str(tmp_path / "neuron.jpeg")]) == 2
    assert "end the file name in .svg, .png, .pdf or .dot" in capsys.readouterr().err
    with pytest.raises(ValueError, match=r"cannot tell the picture format from .*\.txt"):
        render(small_graph(), tmp_path / "c.txt")


def test_graph_options_reach_the_picture(tmp_path):
    out = tmp_path / "mlp.dot"
    assert (
        main(
            ["graph", "makemore-step", "-o", str(out), "--collapse", "--rankdir", "TB", "--no-grad"]
        )
        == 0
    )
    text = out.read_text()
    assert (
        "rankdir=TB" in text
        and "folded in" in text
        and "subgraph" not in text
        and "grad" not in text
    )
    assert main(["graph", "makemore-step", "-o", str(out), "--collapse", "2"]) == 0
    # one box per module
    assert out.read_text().count("folded in") == 6 and 'label="Sequential"' in out.read_text()


def test_graph_without_a_file_name_writes_name_dot_svg_in_the_current_directory(
    tmp_path, monkeypatch, no_dot
):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "neuron"]) == 1  # no dot here: the DOT text is left as neuron.dot
    assert (tmp_path / "neuron.dot").exists()
