"""Backprop step by step: the steps are backward()'s, and the page, the GIF and the PNG folder
show them frame by frame. The page is also driven in a real headless Chromium."""

import io
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest
from PIL import Image
from test_viz import parse, text_of, values

from tinygrad_bn import Value, topological_order
from tinygrad_bn.cli import main
from tinygrad_bn.viz_examples import build
from tinygrad_bn.viz_steps import backward_steps, step_frames, write_steps

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def neuron():
    return build("neuron")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    path = tmp_path_factory.mktemp("steps") / "steps.html"
    assert main(["graph", "neuron", "--steps", "-o", str(path)]) == 0
    return path


@pytest.fixture(scope="module")
def tensor_page(tmp_path_factory):
    """The fused BatchNorm's backward pass: 3 op nodes, so 4 frames."""
    path = tmp_path_factory.mktemp("steps") / "fused.html"
    assert main(["graph", "batchnorm-fused", "--steps", "-o", str(path)]) == 0
    return path


# ---- the steps ----------------------------------------------------------------------------------


def test_the_steps_follow_backwards_order_one_computed_node_each():
    scene = neuron()
    steps = backward_steps(scene.root)
    computed = [n for n in reversed(topological_order(scene.root)) if n._prev]
    assert [s.node for s in steps] == computed and len(steps) == 5
    assert steps[0].node is scene.root and steps[0].grad == 1.0


@pytest.mark.parametrize("name", ["neuron", "batchnorm-values"])
def test_the_grads_the_steps_add_up_to_are_backwards_grads(name):
    root = build(name).root
    final = {}
    for step in backward_steps(root):
        final.setdefault(step.node, step.grad)
        for add in step.additions:
            final[add.input] = add.after
            assert add.after == add.before + add.local * step.grad
    for node in topological_order(root):
        if node is not root:
            assert abs(final[node] - node.grad) <= 1e-12 * max(1.0, abs(node.grad))


def test_stepping_changes_no_grad_of_the_graph():
    root = neuron().root
    before = [n.grad for n in topological_order(root)]
    backward_steps(root)
    assert [n.grad for n in topological_order(root)] == before


def test_an_input_used_twice_visibly_accumulates_twice():
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    (step,) = backward_steps(y)
    assert [(a.input, a.before, a.after) for a in step.additions] == [(x, 0.0, 3.0), (x, 3.0, 6.0)]
    _, texts = step_frames(y)
    assert texts[1][1:] == [
        "  x.grad += 3.0000 * 1.0000   [d y / d x = b]   0.0000 -> 3.0000",
        "  x.grad += 3.0000 * 1.0000   [d y / d x = a]   3.0000 -> 6.0000",
    ]


def test_an_unlabelled_constant_is_named_by_its_place_and_number():
    a = Value(2.0, label="a")
    y = a - 1.0
    y.label = "y"
    _, texts = step_frames(y)
    assert any(re.match(r"  #\d+ \(-?1\)\.grad \+= ", line) for line in texts[-1]), texts


def test_frame_zero_is_the_forward_graph_with_every_grad_empty():
    frames, texts = step_frames(neuron().root, **neuron().options)
    assert len(frames) == 6 and texts[0][0].startswith("frame 0: the forward pass is done")
    boxes = [text_of(v) for v in values(parse(frames[0].source)).values()]
    assert len(boxes) == 10 and all(re.search(r"grad 0+$", t) for t in boxes)  # 0s: invisible
    last = [text_of(v) for v in values(parse(frames[-1].source)).values()]
    assert all(re.search(r"grad (0+ )?-?\d+\.\d{4}$", t) for t in last)


def test_each_frame_writes_out_the_formula_of_its_step_with_its_numbers():
    _, texts = step_frames(neuron().root)
    assert texts[1][0].startswith("step 1 of 5: node o (op tanh), grad 1.0000")
    assert texts[1][1] == "  n.grad += 0.5000 * 1.0000   [d o / d n = 1 - out^2]   0.0000 -> 0.5000"


def test_the_command_plays_a_tensor_example_and_refuses_collapse_in_one_line(tmp_path, capsys):
    out = tmp_path / "s.html"
    assert main(["graph", "batchnorm-fused", "--steps", "--collapse", "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "cannot fold groups" in err[0] and not out.exists()


def test_an_unknown_step_format_names_the_three_it_writes(tmp_path):
    with pytest.raises(ValueError, match=r"\.html .*\.gif .* / \(a folder of PNG frames\)"):
        write_steps(neuron().root, tmp_path / "steps.svg")


# ---- the outputs --------------------------------------------------------------------------------


def test_the_page_is_self_contained_with_one_frame_per_step(page):
    text = page.read_text()
    assert len(re.findall(r'<div class="frame"', text)) == 6
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!#)""", text)  # nothing loaded from elsewhere
    assert "<link" not in text and "@import" not in text and "url(" not in text
    assert "n.grad += 0.5000 * 1.0000" in text


def test_every_frame_of_the_page_has_the_same_size(page):
    sizes = re.findall(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', page.read_text())
    assert len(sizes) == 6 and len(set(sizes)) == 1


def test_the_tensor_page_has_a_frame_per_op_node_all_of_one_size(tensor_page):
    text = tensor_page.read_text()
    assert len(re.findall(r'<div class="frame"', text)) == 4
    sizes = re.findall(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', text)
    assert len(sizes) == 4 and len(set(sizes)) == 1
    assert "gamma.grad += sum(g * x_hat) over the batch" in text
    assert len(text) < 400_000  # 4 frames of a 4x3 batch: a page, not a download


def test_the_makemore_steps_keep_every_box_the_same_size_with_grads_as_statistics(tmp_path):
    out = tmp_path / "makemore.html"
    assert main(["graph", "makemore-step", "--steps", "-o", str(out)]) == 0
    sizes = re.findall(r'<svg width="([\d.]+)pt" height="([\d.]+)pt"', out.read_text())
    assert len(sizes) == 11 and len(set(sizes)) == 1  # empty and arrived grads: the same room


def test_the_gif_animates_one_frame_per_step(tmp_path):
    out = tmp_path / "steps.gif"
    assert main(["graph", "neuron", "--steps", "-o", str(out)]) == 0
    image = Image.open(io.BytesIO(out.read_bytes()))
    assert image.format == "GIF" and image.is_animated and image.n_frames == 6


def test_a_tensor_graphs_gif_animates_one_frame_per_op_node(tmp_path):
    out = tmp_path / "fused.gif"
    assert main(["graph", "batchnorm-fused", "--steps", "-o", str(out)]) == 0
    image = Image.open(io.BytesIO(out.read_bytes()))
    assert image.is_animated and image.n_frames == 4


def test_a_folder_gets_one_png_per_frame(tmp_path):
    out = tmp_path / "frames"
    assert main(["graph", "neuron", "--steps", "-o", f"{out}/"]) == 0
    files = sorted(p.name for p in out.iterdir())
    assert files == [f"step-{k:03d}.png" for k in range(6)]
    assert all((out / f).read_bytes()[:8] == PNG_SIGNATURE for f in files)


# ---- in a real browser (CI installs Debian's chromium and chromium-driver) ----------------------


def browser_programs():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    if not (found and driver):
        if os.environ.get("CI"):
            pytest.fail("CI must install chromium and chromium-driver (see .ci/run)")
        pytest.skip("chromium and chromedriver are not installed here")
    return found, driver


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebDriver:
    """The W3C WebDriver protocol over plain HTTP: just what this test needs."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.session = ""

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())["value"]

    def run(self, script):
        return self.call(
            "POST", f"/session/{self.session}/execute/sync", {"script": script, "args": []}
        )

    def press(self, key):
        keys = [{"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}]
        actions = {"actions": [{"type": "key", "id": "keyboard", "actions": keys}]}
        self.call("POST", f"/session/{self.session}/actions", actions)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, chromedriver = browser_programs()
    port = free_port()
    driver = subprocess.Popen([chromedriver, f"--port={port}"], stdout=subprocess.DEVNULL)
    web = WebDriver(port)
    try:
        for _ in range(100):
            try:
                if web.call("GET", "/status")["ready"]:
                    break
            except OSError:
                time.sleep(0.1)
        profile = tmp_path_factory.mktemp("chromium-profile")
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
        ]
        options = {"binary": chromium, "args": flags}
        capabilities = {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}
        web.session = web.call("POST", "/session", {"capabilities": capabilities})["sessionId"]
        yield web
        web.call("DELETE", f"/session/{web.session}")
    finally:
        driver.terminate()
        driver.wait(timeout=30)


ARROW_RIGHT, ARROW_LEFT = "\ue014", "\ue012"
SHOWN = "return [...document.querySelectorAll('.frame')].findIndex(f => !f.hidden)"


def test_the_page_loads_in_chromium_and_the_arrow_keys_and_buttons_move_between_frames(
    browser, page
):
    browser.call("POST", f"/session/{browser.session}/url", {"url": page.resolve().as_uri()})
    assert browser.run("return document.querySelectorAll('.frame').length") == 6
    assert browser.run("return document.querySelectorAll('.frame svg').length") == 6
    assert browser.run(SHOWN) == 0
    assert browser.run("return document.getElementById('counter').textContent") == "frame 0 of 5"
    browser.press(ARROW_RIGHT)
    browser.press(ARROW_RIGHT)
    assert browser.run(SHOWN) == 2
    assert "step 2 of 5" in browser.run("return document.getElementById('explain').textContent")
    browser.press(ARROW_LEFT)
    assert browser.run(SHOWN) == 1
    for _ in range(9):
        browser.press(ARROW_RIGHT)
    assert browser.run(SHOWN) == 5  # stops at the last frame
    browser.run("document.getElementById('previous').click()")
    assert browser.run(SHOWN) == 4
    slider = "const s = document.getElementById('slider'); s.value = 0;"
    browser.run(slider + " s.dispatchEvent(new Event('input'));")
    assert browser.run(SHOWN) == 0


def test_the_tensor_page_loads_in_chromium_and_steps_through_the_fused_batchnorm(
    browser, tensor_page
):
    browser.call("POST", f"/session/{browser.session}/url", {"url": tensor_page.resolve().as_uri()})
    assert browser.run("return document.querySelectorAll('.frame svg').length") == 4
    assert browser.run(SHOWN) == 0
    explain = "return document.getElementById('explain').textContent"
    assert "every grad is still empty" in browser.run(explain)
    for _ in range(3):
        browser.press(ARROW_RIGHT)
    assert browser.run(SHOWN) == 3
    assert browser.run("return document.getElementById('counter').textContent") == "frame 3 of 3"
    text = browser.run(explain)
    assert "op batchnorm" in text and "gamma.grad += sum(g * x_hat)" in text
    browser.press(ARROW_LEFT)
    assert browser.run(SHOWN) == 2 and "w needs no grad" in browser.run(explain)
    visible = "return [...document.querySelectorAll('.frame')].filter(f => !f.hidden).length"
    assert browser.run(visible) == 1


def test_micrograds_own_values_are_refused_with_the_way_out():
    engine = pytest.importorskip("micrograd.engine")
    a = engine.Value(2.0)
    with pytest.raises(ValueError, match="Values or Tensors"):
        backward_steps(a * a)
