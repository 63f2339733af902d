"""Lab 4's compiled training step with and without XLA, measured side by side in one run.

    python bench/bench_lab4.py                 # T 50, 100, 200; batch 64; 32 units
    python bench/bench_lab4.py --steps 40      # more steps per timing, steadier numbers

For each reference cell (``solutions/rnnlab``) and length, the model ``Input -> RNN(cell) -> Dense(1)``
on the adding problem, the step ``rnnlab.training.train_step`` with clipping by global norm 1 and
Adam, wrapped in ``tf.function`` once with ``jit_compile=False`` and once with ``True``. It prints
the first call (trace + compile) and the median time per step after it, and the ratio XLA / plain.
This is why the lab compiles with XLA only in ``--full``: XLA's step is faster, its compile slower,
and a few hundred steps do not win the difference back.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT_ROOT / "solutions"))
sys.path.insert(0, str(KIT_ROOT / "datasets"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def measure(make_cell, steps_t, jit, repeats):
    import keras
    import seqtasks
    import tensorflow as tf

    from rnnlab.training import train_step

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((steps_t, 2)), keras.layers.RNN(make_cell()), keras.layers.Dense(1)])
    optimizer = keras.optimizers.Adam(1e-3)

    def mse(y_true, y_pred):
        return tf.reduce_mean(tf.square(y_pred - y_true))

    step = tf.function(lambda x, y: train_step(model, optimizer, x, y, mse, 1.0), jit_compile=jit)
    x, y = seqtasks.make_adding_problem(64, steps_t, seed=0)
    started = time.perf_counter()
    step(x, y)
    first = time.perf_counter() - started
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        step(x, y)
        times.append(time.perf_counter() - started)
    return first, statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per measurement")
    args = parser.parse_args()
    from rnnlab.gru import GRUCell
    from rnnlab.lstm import LSTMCell
    from rnnlab.simple_rnn import SimpleRNNCell

    cells = {"SimpleRNN": lambda: SimpleRNNCell(32), "LSTM": lambda: LSTMCell(32), "GRU": lambda: GRUCell(32)}
    print(f"{'cell':10} {'T':>4}  {'first call plain / XLA':>24}  {'step plain / XLA (ms)':>22}  ratio")
    for length in (50, 100, 200):
        for name, make_cell in cells.items():
            plain_first, plain = measure(make_cell, length, False, args.steps)
            xla_first, xla = measure(make_cell, length, True, args.steps)
            print(f"{name:10} {length:4d}  {plain_first:10.2f} s / {xla_first:6.2f} s  "
                  f"{1000 * plain:10.1f} / {1000 * xla:6.1f}  {xla / plain:5.2f}", flush=True)


if __name__ == "__main__":
    main()
