"""Loss-landscape smoothness along the gradient, with and without BatchNorm (Santurkar et al. 2018).

    python demos/08_loss_landscape.py [--quick] [--data FILE] [--seed N] [--out DIR]

The same as `tinygrad-bn demo landscape`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("landscape"))
