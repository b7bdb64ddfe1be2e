"""BatchNorm from scratch: pre-activations before and after, per-feature mean 0 and std 1.

    python demos/01_batchnorm_from_scratch.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo from-scratch`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("from-scratch"))
