"""Noisy BatchNorm: shift the layer inputs after BatchNorm, and training still works.

    python demos/13_ics.py [--quick] [--data FILE] [--seeds 42,7,1] [--out DIR]

The same as `tinygrad-bn demo ics`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("ics"))
