"""The learner's process: run the learner's file on the checker's inputs, send back plain arrays.

    python path/to/runner.py FOLDER

It runs as a plain script, importing nothing of tinygrad_bn (only loader.py,
by its path) so that it starts fast; the learner's folder takes the place of
this one on sys.path, as if the learner had run their own file.

FOLDER holds `calls.json` (the file to run and the functions to call) and
`inputs.npz`. Nothing here judges anything: every value the learner's
functions return goes back as an array in `returned.npz` (or as a short
description when it is not numbers), and `returned.json` says what ran and
what failed. The checker (sandbox.py) judges in its own process, so nothing
the learner's code does here (patching numpy or tinygrad_bn, exiting,
hanging) can change a verdict. This process ends with os._exit, so threads
the learner left running or atexit hooks cannot keep it alive or run late.
"""

import importlib.util
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np

_spec = importlib.util.spec_from_file_location(
    "_exercise_loader", Path(__file__).with_name("loader.py")
)
_loader = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_loader)
call_learner, run_file = _loader.call_learner, _loader.run_file

# bound before the learner's code runs, so patching numpy or json cannot reach them
_asarray, _savez, _dump, _open = np.asarray, np.savez, json.dump, open
_exit, _replace = os._exit, os.replace
_threads, _main = threading.enumerate, threading.main_thread()


def plain(value, scalar: bool):
    """The value as a numpy array of numbers, or a description of what it is instead."""
    if value is None:
        return None
    kind = type(value).__name__
    if kind in ("Value", "Tensor"):
        return f"a {kind}"
    try:
        array = _asarray(value)
    except Exception:  # an object numpy cannot turn into an array
        return f"a {kind}"
    if array.dtype.kind not in "fiub":
        return f"an array of {array.dtype}" if kind == "ndarray" else f"a {kind}"
    return array.copy()


def _store(arrays, notes, key, value, scalar):
    value = plain(value, scalar)
    if isinstance(value, np.ndarray):
        arrays[key] = value
    notes[key] = "array" if isinstance(value, np.ndarray) else value


def _keywords(inputs, scalar):
    """{"inputs.x": a, "inputs.params.C": c, "upstream": g} -> ({"x": a, "params": {"C": c}}, g)."""
    kwargs, upstream = {}, None
    for key, value in inputs.items():
        value = value.item() if scalar and value.ndim == 0 else value
        if key == "upstream":
            upstream = value
            continue
        _, name, *entry = key.split(".")
        if entry:
            kwargs.setdefault(name, {})[entry[0]] = value
        else:
            kwargs[name] = value
    return kwargs, upstream


def _returns_dict(name, value, what):
    if isinstance(value, dict):
        return None
    return f"{name}() must return {what}, got {type(value).__name__}"


def run_pair(module, path, call, inputs, index, arrays, notes, progress):
    """forward(**inputs) then backward(cache[, dout]): the cache and the gradients go back."""
    scalar = call["scalar"]
    kwargs, upstream = _keywords(inputs, scalar)
    progress(call["forward"])
    cache, error = call_learner(module, call["forward"], path, **kwargs)
    error = error or _returns_dict(
        call["forward"], cache, "a dict of the forward pass's values (as in the template)"
    )
    if error is None:
        for name, value in cache.items():
            _store(arrays, notes, f"{index}.cache.{name}", value, scalar)
        args = (cache,) if not call["upstream"] else (cache, upstream)
        progress(call["backward"])
        grads, error = call_learner(module, call["backward"], path, *args)
        error = error or _returns_dict(call["backward"], grads, "a dict {name: gradient}")
        if error is None:
            for name, value in grads.items():
                _store(arrays, notes, f"{index}.grads.{name}", value, scalar)
    return error


def run_call(module, path, call, inputs, index, arrays, notes, progress):
    """function(**inputs) -> {name: value}: the values go back."""
    kwargs, _ = _keywords(inputs, False)
    progress(call["function"])
    values, error = call_learner(module, call["function"], path, **kwargs)
    error = error or _returns_dict(call["function"], values, "a dict {name: value}")
    if error is None:
        for name, value in values.items():
            _store(arrays, notes, f"{index}.grads.{name}", value, False)
    return error


def run_train(module, path, call, inputs, index, arrays, notes, progress):
    """train(params, X, Y, **kwargs): the losses and the parameters it ends with go back."""
    params = {key.split(".", 2)[2]: value for key, value in inputs.items() if key.count(".") == 2}
    progress("train")
    losses, error = call_learner(
        module, "train", path, params, inputs["inputs.X"], inputs["inputs.Y"], **call["kwargs"]
    )
    if error is None:
        _store(arrays, notes, f"{index}.losses", losses, False)
        for name, value in params.items():
            _store(arrays, notes, f"{index}.params.{name}", value, False)
    return error


RUNS = {"pair": run_pair, "call": run_call, "train": run_train}


def main(folder) -> None:
    folder = Path(folder)
    with _open(folder / "calls.json", encoding="utf-8") as f:
        spec = json.load(f)
    with np.load(folder / "inputs.npz", allow_pickle=False) as data:
        inputs = {key: data[key] for key in data.files}
    path = Path(spec["file"])
    sys.path[0] = str(path.parent)  # as if the learner ran their own file

    def progress(what):
        with _open(folder / "progress.txt", "w", encoding="utf-8") as f:
            f.write(what)

    progress("the file's top-level code")
    module, error = run_file(path, spec["name"])
    result = {"error": error, "parts": []}
    arrays, notes = {}, {}
    for index, call in enumerate(spec["calls"] if module is not None else []):
        prefix = f"{index}."
        mine = {key[len(prefix) :]: value.copy() for key, value in inputs.items()
                if key.startswith(prefix)}  # fmt: skip
        error = RUNS[call["kind"]](module, path, call, mine, index, arrays, notes, progress)
        result["parts"].append({"error": error})
    running = [t.name for t in _threads() if t is not _main and t.is_alive() and not t.daemon]
    if running and not result["error"]:
        result["error"] = (
            f"your code left a thread running ({running[0]}) after its functions returned: "
            "an exercise file should compute its gradients and end, so start no threads"
        )
    result["notes"] = notes
    _savez(folder / "returned.npz", **arrays)
    with _open(folder / "returned.tmp", "w", encoding="utf-8") as f:
        _dump(result, f)
    _replace(folder / "returned.tmp", folder / "returned.json")  # written last: the done mark


if __name__ == "__main__":
    try:
        main(sys.argv[1])
    finally:
        _exit(0)  # whatever the learner left behind (threads, atexit hooks) does not run on
