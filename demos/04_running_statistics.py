"""Running mean and variance against batch and dataset statistics, momentum 0.1 / 0.01 / None.

    python demos/04_running_statistics.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo running-stats`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("running-stats"))
