"""One feature's BatchNorm Jacobian: three terms, checked against autograd, its null space.

    python demos/12_jacobian.py [--quick] [--data FILE] [--seeds 42,7,1] [--out DIR]

The same as `tinygrad-bn demo jacobian`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("jacobian"))
