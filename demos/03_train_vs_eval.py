"""Train vs eval mode: a batch of one, a full batch, and how far the two modes differ.

    python demos/03_train_vs_eval.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo train-vs-eval`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("train-vs-eval"))
