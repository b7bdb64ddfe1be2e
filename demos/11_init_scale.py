"""A sweep of the weight-init scale with and without BatchNorm.

    python demos/11_init_scale.py [--quick] [--data FILE] [--seeds 42,7,1] [--out DIR]

The same as `tinygrad-bn demo init-scale`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("init-scale"))
