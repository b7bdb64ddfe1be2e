"""Exercises 7 and 12 trained for real: the makemore MLP on the lectures' 32,033 names.

Runs the `train` loop of an exercise-7 or exercise-12 file (exercise 7's reference
solution unless --file is given; in exercise 12 the loop is the learner's own) for
200,000 steps of batch 32 (lr 0.1, then 0.01 after 100,000 steps) with
10-d embeddings, a context of 3 characters, 200 hidden units and BatchNorm, in
float64 numpy: no autograd anywhere. Then it fixes BatchNorm's statistics on the
whole training set and reports the training and validation loss.

    python benchmarks/exercise7_makemore.py --seed 1   # the lectures' 32,033 names, shipped
    python benchmarks/exercise7_makemore.py --seed 1 --file my_exercises/ex12_makemore_training.py

The lecture this follows reports a validation loss of 2.1099; the target is <= 2.12.
`--data FILE` trains on another names list (one name per line).
Run with MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ set high (the script
re-executes itself with them set when they are missing) so that glibc does not
return and re-fetch memory on every step, which would make timings noisy.
"""

import argparse
import os
import sys
import time
from pathlib import Path

MALLOC_ENV = {"MALLOC_TRIM_THRESHOLD_": str(2**30), "MALLOC_MMAP_THRESHOLD_": str(2**30)}


def main() -> int:
    if any(name not in os.environ for name in MALLOC_ENV):
        print(
            "note: re-running with MALLOC_TRIM_THRESHOLD_ and MALLOC_MMAP_THRESHOLD_ set high",
            flush=True,
        )
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **MALLOC_ENV})

    import numpy as np

    from tinygrad_bn.data import load_names, make_splits
    from tinygrad_bn.exercises.catalog import EXERCISES
    from tinygrad_bn.exercises.loader import load_exercise_file

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default="makemore",
        help="names file, one per line (default: the lectures' 32,033 names, shipped)",
    )
    parser.add_argument(
        "--file",
        default=str(EXERCISES[7].solution_path),
        help="exercise-7 or exercise-12 file whose backward (and train loop) drives training",
    )
    parser.add_argument("--steps", type=int, default=200_000)
    parser.add_argument("--decay-step", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--target", type=float, default=2.12, help="validation loss to reach (default: %(default)s)"
    )
    args = parser.parse_args()

    if args.data != "makemore" and not Path(args.data).is_file():
        print(f"no names file at {args.data}; give a text file with one name per line")
        return 2
    words = load_names(args.data)
    splits = make_splits(words, block_size=3, seed=42)
    Xtr, Ytr = splits.train
    Xva, Yva = splits.val
    ex, error = load_exercise_file(args.file)  # runs the file here: it is your own code
    if error:
        print(error)
        return 1
    params = ex.init_params(
        splits.vocab.size, block_size=3, n_embd=10, n_hidden=200, seed=args.seed, dtype=np.float64
    )
    print(
        f"{len(words)} names, {len(Xtr)} training / {len(Xva)} validation examples, "
        f"vocabulary {splits.vocab.size}, float64"
    )
    print(
        f"{sum(p.size for p in params.values())} parameters; {args.steps} steps, batch 32, "
        f"lr 0.1 -> 0.01 at {args.decay_step}, seed {args.seed}"
    )
    start = time.perf_counter()
    losses = ex.train(params, Xtr, Ytr, steps=args.steps, batch_size=32, lr=0.1,
                      decay_step=args.decay_step, seed=args.seed, log_every=10_000)  # fmt: skip
    seconds = time.perf_counter() - start
    bn_mean, bn_var = ex.batchnorm_statistics(params, Xtr)
    train_loss = ex.evaluate(params, Xtr, Ytr, bn_mean, bn_var)
    val_loss = ex.evaluate(params, Xva, Yva, bn_mean, bn_var)
    print(f"trained in {seconds:.1f} s ({1e6 * seconds / max(len(losses), 1):.0f} us/step)")
    print(
        f"final training loss {train_loss:.4f}, validation loss {val_loss:.4f} "
        f"(target <= {args.target}; the lecture reports 2.1099)"
    )
    return 0 if val_loss <= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
