"""BatchNorm vs LayerNorm: the axis each normalises, batch size one, final loss.

    python demos/06_batchnorm_vs_layernorm.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo layernorm`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("layernorm"))
