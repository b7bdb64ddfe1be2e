"""BatchNorm vs GroupNorm vs LayerNorm on the conv net over batch sizes 2 to 64.

    python demos/15_groupnorm.py [--quick] [--seed N] [--out DIR]

The same as `tinygrad-bn demo groupnorm`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("groupnorm"))
