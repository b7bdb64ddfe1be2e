"""Backpropagation by hand: twelve exercises and a checker that finds the first mistake.

Each exercise is a file with the forward pass written and the gradients left
for you (templates/); `tinygrad-bn exercises check FILE` runs your file in its
own process and judges every gradient on your own upstream gradients: right,
wrong (the mistake is in this row's own step, with a hint naming it), or
follows (right step, wrong input from a row above). Reference solutions live
apart, in solutions/.

Read in this order: catalog.py (the list), steps.py (a reference graph as
named steps), part.py (judging one forward/backward pair step by step),
hints.py and mistakes.py (naming a mistake), values.py (functions that return
values, not gradients), problems.py, engine_problem.py, norm_problems.py and
makemore_problem.py (the data and graphs of each exercise), loader.py and
runner.py (running your file, in its own process), sandbox.py (starting that
process and bounding it), checker.py (the table and the JSON), cli.py (the
command).
"""

from .catalog import EXERCISES, Exercise
from .checker import Report, check_file

__all__ = ["EXERCISES", "Exercise", "Report", "check_file"]
