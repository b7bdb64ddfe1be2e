"""With vs without BatchNorm: loss curves, a learning-rate sweep, a 5-layer tanh net's layers.

    python demos/02_with_without_batchnorm.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo with-without`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("with-without"))
