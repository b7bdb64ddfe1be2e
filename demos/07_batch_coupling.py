"""Batch coupling: the Jacobian across the batch, in training and in eval mode.

    python demos/07_batch_coupling.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo coupling`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("coupling"))
