"""Training speed of the reference LSTMCell and GRUCell against Keras's built-in layers, in one run.

    python bench/bench_gated_cells.py                 # batch 32, T 100, D 8, H 64, 25 rounds
    python bench/bench_gated_cells.py --repeats 30    # more rounds, steadier medians

Task: regress one number from the last step (MSE, Adam), the model
``Input((T, D)) -> RNN(cell) -> Dense(1)``, trained with ``model.train_on_batch``. Each pair:

    reference  keras.layers.RNN(rnnlab.lstm.LSTMCell(H))          (solutions/, the master)
    built-in   keras.layers.LSTM(H)

and the same for the GRU, once per ``reset_after`` convention (Keras's ``GRU`` defaults to True,
the kit's ``GRUCell`` to False, so each is compared with the built-in computing the same model).
Both models of a pair are compiled the same way and warmed up (traced) first; then the rounds
alternate reference and built-in, so both see the same machine load, and the table reports the
median time per training step and the median of the per-round ratios reference / built-in
(target <= 1.0), with their interquartile range as the noise.

On a CPU, ``keras.layers.LSTM`` and ``GRU`` have no fused kernel to switch to (the CuDNN path is
GPU only), so they run the same ``keras.layers.RNN`` loop over their own cell as the reference does;
ratios near 1 are what to expect, and the spread between runs on a shared machine is a few percent.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT_ROOT / "solutions"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def build_model(recurrent_layer, steps, input_dim):
    import keras

    model = keras.Sequential([keras.Input((steps, input_dim)), recurrent_layer, keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    return model


def pairs(units):
    """(name, make the reference layer, make the built-in layer) for each comparison."""
    import keras

    from rnnlab.gru import GRUCell
    from rnnlab.lstm import LSTMCell

    return [
        ("LSTM", lambda: keras.layers.RNN(LSTMCell(units)), lambda: keras.layers.LSTM(units)),
        ("GRU, reset_after=False", lambda: keras.layers.RNN(GRUCell(units)),
         lambda: keras.layers.GRU(units, reset_after=False)),
        ("GRU, reset_after=True", lambda: keras.layers.RNN(GRUCell(units, reset_after=True)),
         lambda: keras.layers.GRU(units)),
    ]


def time_steps(model, x, y, steps_per_round):
    started = time.perf_counter()
    for _ in range(steps_per_round):
        model.train_on_batch(x, y)
    return (time.perf_counter() - started) / steps_per_round


def measure(make_reference, make_builtin, x, y, repeats, steps_per_round):
    import keras

    keras.utils.set_random_seed(0)
    reference = build_model(make_reference(), x.shape[1], x.shape[2])
    builtin = build_model(make_builtin(), x.shape[1], x.shape[2])
    for model in (reference, builtin):  # trace and compile before timing
        model.train_on_batch(x, y)
        model.train_on_batch(x, y)
    reference_times, builtin_times = [], []
    for round_index in range(repeats):
        # Alternate which goes first, so neither always runs on a freshly idle core.
        order = [(reference, reference_times), (builtin, builtin_times)]
        for model, times in (order if round_index % 2 == 0 else order[::-1]):
            times.append(time_steps(model, x, y, steps_per_round))
    # Each round's ratio compares two timings taken back to back, under the same load.
    ratios = sorted(r / b for r, b in zip(reference_times, builtin_times))
    quartiles = statistics.quantiles(ratios, n=4)
    return {"reference": statistics.median(reference_times), "builtin": statistics.median(builtin_times),
            "ratio": statistics.median(ratios), "q1": quartiles[0], "q3": quartiles[2],
            "params": (reference.count_params(), builtin.count_params())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--steps", type=int, default=100, help="sequence length T")
    parser.add_argument("--input-dim", type=int, default=8)
    parser.add_argument("--units", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=25, help="rounds per pair (each times both models)")
    parser.add_argument("--steps-per-round", type=int, default=4, help="training steps per timing")
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.standard_normal((args.batch, args.steps, args.input_dim)).astype("float32")
    y = rng.standard_normal((args.batch, 1)).astype("float32")
    print(f"TensorFlow {tf.__version__}, {os.cpu_count()} CPU(s); batch {args.batch}, T {args.steps}, "
          f"D {args.input_dim}, H {args.units}; MSE on the last step, Adam; median of {args.repeats} rounds "
          f"of {args.steps_per_round} steps")
    print(f"{'cell':24} {'params':>7} {'reference':>11} {'built-in':>11} {'ratio':>7} {'IQR':>11}  <= 1.0")
    for name, make_reference, make_builtin in pairs(args.units):
        result = measure(make_reference, make_builtin, x, y, args.repeats, args.steps_per_round)
        reference_params, builtin_params = result["params"]
        assert reference_params == builtin_params, (name, reference_params, builtin_params)
        ratio = result["ratio"]
        verdict = "yes" if ratio <= 1.0 else ("within noise" if result["q1"] <= 1.0 else "NO")
        print(f"{name:24} {reference_params:>7} {result['reference'] * 1000:>8.1f} ms "
              f"{result['builtin'] * 1000:>8.1f} ms {ratio:>7.2f} {result['q1']:>5.2f}-{result['q3']:<5.2f}  {verdict}")
    print("ratio: median over rounds of (reference step time / built-in step time), each round timing both "
          "back to back; IQR: the middle half of those per-round ratios")


if __name__ == "__main__":
    main()
