"""Lab 1 budgets, measured side by side in one run (this machine is shared and noisy).

    python bench/bench_lab1.py            # everything
    python bench/bench_lab1.py --skip-lab # leave out the ~1 minute lab run

Prints:
  * Lab 1's wall time in default mode (budget <= 90 s on 2 CPU cores);
  * state_gradient_norms at T=1000 divided by one training step of the same model
    (LSTM width 64, batch 32; budget <= 2), the two timed alternately, medians reported;
  * `python -m autograder check` wall time for one full submission, TensorFlow import included
    (budget <= 20 s).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT_ROOT / "solutions"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def timed_command(command, env=None):
    started = time.perf_counter()
    result = subprocess.run(command, cwd=KIT_ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - started


def gradient_norms_vs_training_step(steps=1000, batch=32, units=64, input_dim=8, repeats=5):
    import keras
    import numpy as np
    import tensorflow as tf

    from rnnlab.gradients import state_gradient_norms

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).standard_normal((batch, steps, input_dim)).astype("float32")
    y = np.zeros((batch, 1), "float32")
    cell = keras.layers.LSTMCell(units)
    model = keras.Sequential([keras.Input((steps, input_dim)), keras.layers.RNN(cell), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    readout = tf.constant(np.random.default_rng(1).standard_normal(units).astype("float32"))

    def loss_fn(h_last):
        return tf.reduce_sum(h_last * readout)

    model.train_on_batch(x, y)  # warm up: trace and compile both before timing
    state_gradient_norms(cell, x, loss_fn)
    train, norms = [], []
    for _ in range(repeats):  # alternate, so both see the same machine load
        started = time.perf_counter()
        model.train_on_batch(x, y)
        train.append(time.perf_counter() - started)
        started = time.perf_counter()
        state_gradient_norms(cell, x, loss_fn)
        norms.append(time.perf_counter() - started)
    return statistics.median(train), statistics.median(norms)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-lab", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = []
    if not args.skip_lab:
        env = dict(os.environ, MPLBACKEND="Agg")
        seconds = timed_command([sys.executable, "solutions/lab1_vanishing_gradients.py"], env)
        rows.append(("lab 1 wall time, default mode", f"{seconds:.1f} s", "<= 90 s", seconds <= 90))
    train, norms = gradient_norms_vs_training_step(repeats=args.repeats)
    ratio = norms / train
    rows.append(("training step, LSTM(64), B=32, T=1000", f"{train * 1000:.0f} ms", "", None))
    rows.append(("state_gradient_norms, same model and input", f"{norms * 1000:.0f} ms", "", None))
    rows.append(("state_gradient_norms / training step", f"{ratio:.2f}x", "<= 2", ratio <= 2))
    checks = [timed_command([sys.executable, "-m", "autograder", "check", "solutions", "--lab", "1"])
              for _ in range(2)]
    check = statistics.median(checks)
    rows.append(("check of one submission (lab 1, incl. TF import)", f"{check:.1f} s", "<= 20 s", check <= 20))
    print(f"{'measure':52} {'value':>10} {'budget':>8}  ok")
    for name, value, budget, ok in rows:
        print(f"{name:52} {value:>10} {budget:>8}  {'' if ok is None else ('yes' if ok else 'NO')}")


if __name__ == "__main__":
    main()
