"""A conv net on the 8x8 digits with and without BatchNorm2d: curves, learning rates, layers.

    python demos/14_cnn.py [--quick] [--seed N] [--out DIR]

The same as `tinygrad-bn demo cnn`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("cnn"))
