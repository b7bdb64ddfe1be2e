"""Batch sizes 8, 32, 128, 512: the noise of the batch statistics and the final loss.

    python demos/05_batch_size.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo batch-size`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("batch-size"))
