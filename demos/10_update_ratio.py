"""How fast each layer learns: lr |dW| / |W| per layer, with and without BatchNorm.

    python demos/10_update_ratio.py [--quick] [--data FILE] [--seeds 42,7,1] [--out DIR]

The same as `tinygrad-bn demo update-ratio`; the code is in tinygrad_bn/experiments/.
"""

import sys

from tinygrad_bn.demo import main

if __name__ == "__main__":
    sys.exit(main("update-ratio"))
