"""The full makemore run with BatchNorm, 200,000 steps, beside the lecture's 2.0668 / 2.1048.

    python demos/09_makemore_full.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo makemore`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("makemore"))
