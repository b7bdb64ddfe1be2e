"""Rendering: graphviz-pure (installed by pip) for SVG/PNG, system `dot` when asked or for PDF,
every layout under a time limit, files that appear whole, and the `graph` command.

CI runs this file twice: once as is, once with `dot` hidden from PATH."""

import os
import xml.etree.ElementTree as ET

import pytest

from tinygrad_bn import Value, renderers
from tinygrad_bn.cli import main
from tinygrad_bn.renderers import GraphvizNotFoundError, RenderTimeoutError
from tinygrad_bn.viz import draw_dot, render, to_dot
from tinygrad_bn.viz_examples import EXAMPLES

SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """A PATH with every program of the current one except Graphviz's `dot`."""
    hidden = tmp_path / "bin-without-dot"
    hidden.mkdir()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            target = hidden / name
            if name != "dot" and not target.exists():
                target.symlink_to(os.path.join(folder, name))
    monkeypatch.setenv("PATH", str(hidden))
    monkeypatch.delenv("TINYGRAD_BN_RENDERER", raising=False)
    assert renderers.find_program("dot") is None
    return hidden


def small_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b + a
    c.label = "c"
    c.backward()
    return c


def hundred_term_sum():
    """The issue's example: one x used 100 times, 502 shapes, that Graphviz lays out for minutes."""
    x = Value(1.0, label="x")
    return sum(x * float(i) for i in range(100))


def svg_node_titles(path):
    """The DOT ids of the nodes Graphviz drew into an SVG file."""
    root = ET.parse(path).getroot()
    return [g.find(f"{SVG}title").text for g in root.iter(f"{SVG}g") if g.get("class") == "node"]


def dot_ids(text):
    lines = [line for line in text.splitlines() if line.startswith("\t") and " -> " not in line]
    ids = [line.split(" ")[0].strip() for line in lines]
    return sorted(i for i in ids if i[:1] in "vosg" and i[1:2].isdigit())


# ---- graphviz-pure: SVG and PNG with nothing but pip ----------------------------------------


def test_auto_renders_svg_and_png_with_graphviz_pure_and_pdf_with_dot(monkeypatch):
    monkeypatch.delenv("TINYGRAD_BN_RENDERER", raising=False)
    assert renderers.choose("svg") == renderers.choose("png") == "graphviz-pure"
    assert renderers.choose("pdf") == "dot"
    assert renderers.choose("svg", "dot") == "dot"
    monkeypatch.setenv("TINYGRAD_BN_RENDERER", "dot")
    assert renderers.choose("png") == "dot"


def test_an_unknown_renderer_is_named_with_the_choices():
    with pytest.raises(ValueError, match="unknown renderer 'cairo': choose one of auto"):
        renderers.choose("svg", "cairo")


def test_without_dot_render_to_svg_draws_every_node_of_the_dot_text(tmp_path, no_dot):
    root = small_graph()
    path = render(root, tmp_path / "c.svg")
    assert sorted(svg_node_titles(path)) == dot_ids(to_dot(root))


def test_without_dot_render_to_png_writes_a_png(tmp_path, no_dot):
    path = render(small_graph(), tmp_path / "c.png")
    assert path.read_bytes()[:8] == PNG_SIGNATURE


def test_without_dot_a_notebook_shows_the_picture_as_svg(no_dot):
    bundle = draw_dot(small_graph())._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]


def test_without_dot_pdf_says_it_needs_system_graphviz_and_how_to_get_it(tmp_path, no_dot):
    with pytest.raises(GraphvizNotFoundError) as error:
        render(small_graph(), tmp_path / "c.pdf")
    message = str(error.value)
    assert "PDF needs system Graphviz" in message and "apt-get install graphviz" in message
    assert "brew install graphviz" in message and ".svg or .png" in message
    assert list(tmp_path.iterdir()) == [no_dot]  # nothing written


def test_graphviz_pure_refuses_pdf_with_the_way_out(tmp_path):
    with pytest.raises(GraphvizNotFoundError, match="graphviz-pure cannot write PDF"):
        render(small_graph(), tmp_path / "c.pdf", renderer="graphviz-pure")


def test_without_dot_asking_for_dot_says_how_to_install_it(tmp_path, no_dot):
    with pytest.raises(GraphvizNotFoundError, match="renderer='dot' was asked for"):
        render(small_graph(), tmp_path / "c.svg", renderer="dot")


def test_without_graphviz_pure_the_message_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setattr(renderers, "find_program", lambda name: None)
    with pytest.raises(GraphvizNotFoundError, match="pip install graphviz-pure"):
        render(small_graph(), tmp_path / "c.svg")


def test_with_system_dot_both_renderers_draw_the_same_nodes(tmp_path):
    if renderers.find_program("dot") is None:
        pytest.skip("system Graphviz is not installed (CI installs it for this test)")
    root = small_graph()
    pure = render(root, tmp_path / "pure.svg", renderer="graphviz-pure")
    system = render(root, tmp_path / "system.svg", renderer="dot")
    assert sorted(svg_node_titles(pure)) == sorted(svg_node_titles(system)) == dot_ids(to_dot(root))
    assert render(root, tmp_path / "c.pdf").read_bytes()[:5] == b"%PDF-"


# ---- time limits ---------------------------------------------------------------------------------


def test_a_layout_past_its_time_limit_is_stopped_with_the_graph_size_and_what_to_do(tmp_path):
    with pytest.raises(RenderTimeoutError) as error:
        render(hundred_term_sum(), tmp_path / "sum.svg", timeout=0.5)
    message = str(error.value)
    assert "within 0.5 s" in message and "502 shapes, 600 arrows" in message
    assert "collapse=True" in message and "max_nodes=" in message and "timeout=60" in message
    assert list(tmp_path.iterdir()) == []  # no half-written picture


def test_a_notebook_shows_a_timeout_as_one_line_instead_of_blocking():
    picture = draw_dot(hundred_term_sum(), timeout=0.5)
    bundle = picture._repr_mimebundle_()
    assert set(bundle) == {"text/plain"} and "did not finish" in bundle["text/plain"]


def test_the_time_limit_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        render(small_graph(), tmp_path / "c.svg", timeout=0)


def test_the_graph_command_reports_a_timeout_in_one_line(tmp_path, capsys):
    out = tmp_path / "step.svg"
    assert main(["graph", "makemore-step", "-o", str(out), "--timeout", "0.01"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("tinygrad-bn graph: ") and "did not finish" in err
    assert len(err.strip().splitlines()) == 1 and not out.exists()


# ---- the command --------------------------------------------------------------------------------


def test_the_graph_command_renders_an_example_to_svg(tmp_path, capsys):
    out = tmp_path / "fused.svg"
    assert main(["graph", "batchnorm-fused", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    titles = svg_node_titles(out)
    assert sum(t.startswith("s") for t in titles) == 2  # the two saved tensors it shows


def test_the_graph_command_renders_an_example_to_png_without_dot(tmp_path, no_dot):
    out = tmp_path / "neuron.png"
    assert main(["graph", "neuron", "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == PNG_SIGNATURE


def test_dot_text_needs_no_graphviz_program(tmp_path, monkeypatch):
    monkeypatch.setattr(renderers, "find_program", lambda name: None)
    assert to_dot(small_graph()).startswith("digraph")
    assert render(small_graph(), tmp_path / "c.dot").read_text() == to_dot(small_graph())


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
    argv = ["graph", "makemore-step", "-o", str(out), "--collapse", "--rankdir", "TB", "--no-grad"]
    assert main(argv) == 0
    text = out.read_text()
    assert "rankdir=TB" in text and "folded in" in text and "subgraph" not in text
    assert "grad" not in text
    assert main(["graph", "makemore-step", "-o", str(out), "--collapse", "2"]) == 0
    text = out.read_text()
    assert text.count("folded in") == 6 and 'label="Sequential"' in text  # one box per module


def test_graph_without_a_file_name_writes_name_svg_in_the_current_directory(
    tmp_path, monkeypatch, no_dot
):
    monkeypatch.chdir(tmp_path)
    assert main(["graph", "neuron"]) == 0
    assert (tmp_path / "neuron.svg").read_text().lstrip().startswith("<?xml")


# ---- slide-shaped ready-made pictures ----------------------------------------------------------


def png_size(data):
    assert data[:8] == PNG_SIGNATURE
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


@pytest.mark.parametrize("name", list(EXAMPLES))
def test_every_ready_made_picture_is_slide_shaped_and_readable_at_1920_px(tmp_path, name):
    """width / height <= 2.5, and the 11 pt text (14.7 px in the PNG) keeps at least 10 px when
    the picture is shown 1920 px wide: so the PNG is at most 1920 * 14.7 / 10 = 2816 px wide."""
    out = tmp_path / f"{name}.png"
    assert main(["graph", name, "-o", str(out)]) == 0
    width, height = png_size(out.read_bytes())
    assert width / height <= 2.5, (width, height)
    assert width <= 2816, (width, height)


def test_graphvizs_own_render_method_goes_through_the_time_limit_too(tmp_path):
    picture = draw_dot(small_graph())
    written = picture.render("c", directory=tmp_path, format="png")
    assert (
        written == str(tmp_path / "c.png")
        and (tmp_path / "c.png").read_bytes()[:8] == PNG_SIGNATURE
    )
    slow = draw_dot(hundred_term_sum(), timeout=0.5)
    with pytest.raises(RenderTimeoutError):
        slow.render(outfile=tmp_path / "sum.svg")
