"""Backpropagation by hand: seven exercises and a checker that explains mistakes.

Each exercise is a file with the forward pass written and every gradient
left for you (templates/); `tinygrad-bn exercises check FILE` compares your
gradients with autograd, one row per gradient, and names known mistakes
(a missing sum over a broadcast axis, a transposed matrix, n/(n-1), a
flipped sign, a reused value whose contributions were not added up).
Reference solutions live apart, in solutions/.

Read in this order: catalog.py (the list), loader.py (importing your file
safely), part.py (one forward/backward pair against autograd), hints.py
(naming a mistake), problems.py and makemore_problem.py (the data and
graphs of each exercise), checker.py (the table), cli.py (the command).
"""

from .catalog import EXERCISES, Exercise
from .checker import Report, check_file

__all__ = ["EXERCISES", "Exercise", "Report", "check_file"]
