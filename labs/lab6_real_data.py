# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lab 6: your cells on real data, offline
#
# Every task so far was synthetic. Here the cells you wrote in Labs 1 to 3 meet data that people
# made, and nothing is downloaded:
#
# - **digits read pixel by pixel**: scikit-learn's 1,797 handwritten 8x8 digits, one pixel per
#   step (T = 64), the small, offline version of the "pixel-by-pixel MNIST" of Le, Jaitly and
#   Hinton (2015). Chance: an accuracy of 1/10;
# - **a character model of names** (Karpathy's char-rnn and makemore, small): 5,163 US first
#   names of the 1990 census; the model predicts each next letter, is scored in bits per
#   character against the unigram and bigram baselines, and then invents names.
#
# The plan:
#
# 1. the digits as sequences, and **exercise** `pixel_classifier`: read-out at the last step;
# 2. tanh RNN, IRNN, LSTM and GRU on the digits, in order and with the pixels permuted;
#    ||dL/dh_t|| over the 64 steps before and after training; what Le et al. found on MNIST;
# 3. the names, and the baselines that any model must beat, computed exactly;
# 4. **exercises** `bits_per_char` and `char_model`: padded names, Keras masking;
# 5. training the character model (your LSTM);
# 6. **exercise** `sample`: new names at temperatures 0.5, 1 and 1.5, and how many are real;
# 7. inside the model: one unit along a few names, and your LSTM's gates along one name;
# 8. every number as data: `out/lab6/results.json` and `results.md`.
#
# **How to work.** Open this file as a notebook (Jupyter with jupytext) or run it from the kit's
# root: `python labs/lab6_real_data.py`. The exercises are the four `# TODO`s in
# `labs/rnnlab/charmodel.py`. The lab trains *your* cells (`rnnlab.simple_rnn`, `rnnlab.lstm`,
# `rnnlab.gru`), measures gradients with your Lab 1 `state_gradient_norms` and trains with your
# Lab 4 `train_step`, so finish those first. Check this lab's exercises with `python -m autograder check --lab 6`; they are graded on
# Keras's built-in cells, so a bug in a cell never costs points twice.
#
# **Three sizes.** By default the lab runs in a little over a minute on two CPU cores.
# `python labs/lab6_real_data.py --full` (or `RNNLAB_FULL=1`) trains longer, on three seeds,
# with the GRU on names too. `RNNLAB_FAST=1` is a smoke run of about fifteen seconds.
#
# **Conventions** (as in every lab). Inputs `(batch, T, D)`; token ids `(batch, L)`; the models
# output logits (no softmax); losses take `(y_true, y_pred)` in Keras's order; time steps are
# t = 1..T in the text. Bits per character use log base 2.

# %%
import os
import sys

from rnnlab import labtools

lab = labtools.start("lab6")
FULL = not lab.fast and ("--full" in sys.argv[1:] or os.environ.get("RNNLAB_FULL", "0") not in ("", "0"))
print(f"grid: {'full (--full / RNNLAB_FULL=1)' if FULL else 'small'}")

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import seqtasks  # the kit's offline tasks and real data; labtools.start put them on sys.path
import tensorflow as tf

from rnnlab.charmodel import bits_per_char, char_model, pixel_classifier, sample
from rnnlab.gradients import state_gradient_norms
from rnnlab.gru import GRUCell
from rnnlab.lstm import LSTMCell
from rnnlab.simple_rnn import SimpleRNNCell, irnn_cell
from rnnlab.training import results_markdown, skill, train_step

started = time.perf_counter()
tf.get_logger().setLevel("ERROR")  # one compiled step per model: TensorFlow's retracing warnings are expected
# XLA costs 3-6 s to compile each model's step, then runs it 3-4 times faster than a plain
# tf.function: it pays from about 100 steps on. The smoke run takes a few steps, eagerly.
JIT = not lab.fast


def pick(full, default, fast):
    """Three sizes: ``--full``, the default, and the RNNLAB_FAST=1 smoke run."""
    return full if FULL else lab.pick(default, fast)


def train(model, optimizer, x, y, loss_fn, epochs, seed, batch_size):
    """``epochs`` passes over ``x`` in full batches, in a seeded order; returns the number of steps.

    One step is your Lab 4 ``train_step`` with clipping by global norm, compiled once per model.
    """
    step = lambda xb, yb: train_step(model, optimizer, xb, yb, loss_fn, CLIP_NORM)
    if JIT:
        step = tf.function(step, jit_compile=True)
    rng = np.random.default_rng(seed)
    batches = len(x) // batch_size  # the few images left over are in the next epoch's batches
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for b in range(batches):
            chosen = order[b * batch_size:(b + 1) * batch_size]
            step(x[chosen], y[chosen])
    return epochs * batches


results = []  # every number this lab measures, one dict per row: written to out/lab6/results.json


def result_row(section, task, T, model, seed, init, steps, metric, metric_name, baseline, perfect):
    """One row of ``results`` (the same keys as Lab 4's): what was measured, and its skill against chance."""
    return {"section": section, "task": task, "T": T, "distance": None, "attractor": None,
            "model": model, "seed": seed, "init": init, "steps": steps, "metric": metric,
            "metric_name": metric_name, "baseline": baseline, "skill": skill(metric, baseline, perfect)}


# %% [markdown]
# ## 1. The digits as sequences
#
# Each 8x8 image becomes 64 steps of one number, the pixel's ink in [0, 1], read row by row, top
# left first. The network sees one pixel at a time and answers after the last one: everything it
# knows about the top rows it must have carried in its state. In the **permuted** version every
# image goes through the same fixed shuffle of its 64 pixels: the digit is the same, but
# neighbouring pixels are no longer neighbouring steps, and the ink is spread over the whole
# sequence.

# %%
DIGITS = {"in order": seqtasks.load_sequential_digits(), "permuted": seqtasks.load_sequential_digits(permuted=True)}
x_train, y_train, x_test, y_test = DIGITS["in order"]
CHANCE = seqtasks.digits_chance_accuracy()
print(f"digits: {len(x_train)} train and {len(x_test)} test sequences of T = {x_train.shape[1]} steps, "
      f"{x_train.shape[2]} feature; classes 0..9, chance accuracy {CHANCE:.2f}")
print(f"most frequent test class: {np.bincount(y_test).max() / len(y_test):.3f} of the test set")

fig, axes = plt.subplots(2, 2, figsize=(10, 4), gridspec_kw={"width_ratios": [1, 5]})
for row, (name, (_, _, xs, ys)) in enumerate(DIGITS.items()):
    axes[row, 0].imshow(xs[0, :, 0].reshape(8, 8), cmap="gray_r")
    axes[row, 0].set(xticks=[], yticks=[], title=f"digit {ys[0]}, {name}" if row == 0 else name)
    axes[row, 1].bar(np.arange(1, 65), xs[0, :, 0], color="black")
    axes[row, 1].set(xlim=(0.5, 64.5), ylabel="ink", xlabel="step t" if row == 1 else None,
                     title=f"the sequence the network reads ({name})")
fig.tight_layout()
lab.savefig(fig, "digits_as_sequences.png")

# %% [markdown]
# ## Exercise: `pixel_classifier`
#
# The classifier reads the whole sequence and answers from the **last** state h_T:
# `Input (batch, T, 1) -> keras.layers.RNN(cell) -> Dense(10)`, logits of shape (batch, 10).
# `keras.layers.RNN` returns h_T alone by default (`return_sequences=False`); with
# `return_sequences=True` you would get every h_t, shape (batch, T, H), which is what the
# character model of section 4 needs, not this one.
#
# **Your turn**: write `pixel_classifier(cell, num_classes)` in `rnnlab/charmodel.py`.

# %%
check = pixel_classifier(SimpleRNNCell(8), 10)
print(f"pixel_classifier: {x_test[:5].shape} -> {tuple(check(x_test[:5]).shape)} logits")
assert tuple(check(x_test[:5]).shape) == (5, 10), "one row of 10 logits per image: read h_T only"

# %% [markdown]
# ## 2. Four cells on the digits
#
# Every run: 32 units, batch 32, Adam with learning rate 1e-2 and clipping by global norm 1, the
# IRNN ten times slower (1e-3: Le et al. train it with a small learning rate and clipping), for
# 18 epochs of 40 steps (720 steps; `--full`: 60 epochs, three seeds, and the permuted pixels).
# Each step is your Lab 4 `train_step`, compiled once per model with XLA (`tf.function(...,
# jit_compile=True)`): a few seconds to compile, then steps three to four times faster than
# `model.fit`'s plain graph. Before and after training we measure
# ||dL/dh_t|| for t = 1..64 with your `state_gradient_norms`, L the cross-entropy of the
# read-out on 64 test images: how much the loss can still learn from what the network did at
# each step.

# %%
UNITS, BATCH, LEARNING_RATE, CLIP_NORM = 32, 32, 1e-2, 1.0
MODELS = ["SimpleRNN (tanh)", "IRNN", "LSTM", "GRU"]
COLORS = dict(zip(MODELS, ("tab:red", "tab:orange", "tab:blue", "tab:green")))
DIGIT_EPOCHS = pick(60, 18, 1)  # 40 steps an epoch: 2400 / 720 steps
DIGIT_SEEDS = pick([0, 1, 2], [0], [0])
READINGS = pick(["in order", "permuted"], ["in order"], ["in order"])
N_TRAIN, N_TEST = pick(None, None, 32), pick(None, None, 100)  # fast mode: slices of the data
N_PROFILE = pick(64, 64, 8)  # test images in the gradient-norm measurement


def make_cell(model_name, units=UNITS):
    return {"SimpleRNN (tanh)": SimpleRNNCell, "IRNN": irnn_cell, "LSTM": LSTMCell, "GRU": GRUCell}[model_name](units)


def cross_entropy(y_true, logits):
    return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y_true, logits, from_logits=True))


def gradient_profile(model, cell, x, y):
    """||dL/dh_t|| for t = 1..T: L = cross-entropy of the model's Dense read-out of h_T."""
    readout = model.layers[-1]
    return state_gradient_norms(cell, x, lambda h: cross_entropy(y, readout(h)))


def train_digits(model_name, reading, seed):
    keras.utils.set_random_seed(seed)
    xs_train, ys_train, xs_test, ys_test = DIGITS[reading]
    cell = make_cell(model_name)
    model = pixel_classifier(cell, 10)
    learning_rate = LEARNING_RATE / 10 if model_name == "IRNN" else LEARNING_RATE
    before = gradient_profile(model, cell, xs_test[:N_PROFILE], ys_test[:N_PROFILE])
    train(model, keras.optimizers.Adam(learning_rate), xs_train[:N_TRAIN], ys_train[:N_TRAIN], cross_entropy,
          DIGIT_EPOCHS, seed, BATCH)
    after = gradient_profile(model, cell, xs_test[:N_PROFILE], ys_test[:N_PROFILE])
    predictions = np.asarray(model(xs_test[:N_TEST]))  # one eager pass: cheaper than compiling predict
    accuracy = float(np.mean(np.argmax(predictions, axis=-1) == ys_test[:N_TEST]))
    return accuracy, before, after


steps_per_run = DIGIT_EPOCHS * (len(x_train[:N_TRAIN]) // BATCH)
profiles = {}
for reading in READINGS:
    for model_name in MODELS:
        for seed in DIGIT_SEEDS:
            run_started = time.perf_counter()
            accuracy, before, after = train_digits(model_name, reading, seed)
            profiles[reading, model_name, seed] = (before, after)
            results.append(result_row("digits", f"digits, {reading}", 64, model_name, seed, "default",
                                      steps_per_run, accuracy, "accuracy", CHANCE, 1.0))
            print(f"digits {reading:9} {model_name:16} seed {seed}: test accuracy {accuracy:.3f} (chance "
                  f"{CHANCE:.2f}); ||dL/dh_1|| / ||dL/dh_64|| {before[0] / before[-1]:.2e} before, "
                  f"{after[0] / after[-1]:.2e} after training [{time.perf_counter() - run_started:.1f} s]")

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, (when, index) in zip(axes, (("at initialisation", 0), ("after training", 1))):
    for model_name in MODELS:
        profile = profiles[READINGS[0], model_name, DIGIT_SEEDS[0]][index]
        ax.semilogy(np.arange(1, 65), profile / profile[-1], color=COLORS[model_name], label=model_name)
    ax.set(xlabel="step t (pixel)", title=f"||dL/dh_t|| / ||dL/dh_64||, {when} ({READINGS[0]})")
axes[0].set_ylabel("relative gradient norm")
axes[0].legend(fontsize=8)
lab.savefig(fig, "digits_gradient_norms.png")

# %% [markdown]
# ### What Le, Jaitly and Hinton (2015) found, and what 8x8 digits can say about it
#
# On MNIST read pixel by pixel (T = 784, 60,000 images, 10^6 steps of training) they report test
# accuracies of 35% for a tanh RNN, 65% for an LSTM and 97% for the IRNN. The table below puts
# this lab's numbers beside theirs.

# %%
def mean_accuracy(reading, model_name):
    return float(np.mean([r["metric"] for r in results if r["section"] == "digits"
                          and r["task"] == f"digits, {reading}" and r["model"] == model_name]))


LE_ET_AL = {"SimpleRNN (tanh)": 0.35, "IRNN": 0.97, "LSTM": 0.65, "GRU": None}
comparison = ["| cell | Le et al. 2015, pixel MNIST (T = 784) | " + " | ".join(f"8x8 digits, {r} (T = 64)" for r in READINGS)
              + " |", "|---|---:|" + "---:|" * len(READINGS)]
for model_name in MODELS:
    theirs = "-" if LE_ET_AL[model_name] is None else f"{LE_ET_AL[model_name]:.2f}"
    comparison.append(f"| {model_name} | {theirs} | " + " | ".join(f"{mean_accuracy(r, model_name):.3f}"
                                                                 for r in READINGS) + " |")
print("\n".join(comparison))

# %% [markdown]
# **What the runs show.** The gated cells beat the tanh RNN, as on MNIST, but not because the
# tanh RNN's gradient vanishes over 64 steps: read the ratios above. At initialisation the usual
# gate biases make the gated cells the *forgetful* ones: an LSTM forget gate starts near
# sigmoid(1) = 0.73 and a GRU update gate near sigmoid(0) = 0.5, so their ||dL/dh_1|| is about
# 1e-6 and 1e-13 of ||dL/dh_64||, against about 1e-2 for the tanh RNN with its orthogonal U.
# Training opens the gates: afterwards every cell's ratio lies between about 0.3 and 5, the
# first pixels weigh about as much as the last, and the gated cells, which can keep a value
# without rewriting it, use the top of the image best. (Lab 4's chrono initialisation starts the
# gates open instead.)
#
# Where the small version **agrees** with Le et al.: the tanh RNN ends below the LSTM, and every
# cell learns from one pixel at a time. Where it **cannot**: T = 64 is twelve times shorter
# than 784, so a tanh RNN's gradient crosses 64 Jacobians, not 784; their 35% is a failure to
# reach the top of a 784-step image that a 64-step sequence barely poses. Their IRNN's 97% came
# from 10^6 steps of training at a tiny learning rate: in a run of a few hundred steps it is the
# slowest learner of the four, and the touchiest. And 1.8k images of 8x8 pixels are a much smaller
# and coarser test set, with a lower ceiling, than MNIST's 10k of 28x28.

# %% [markdown]
# ## 3. The names, and two baselines
#
# A character model reads ". e m m a" and must predict "e m m a .": each next letter, then the
# end. Before training anything, what do the simplest models score? Both are counted on the
# training names with add-one smoothing and scored exactly on the held-out ones:
#
# - **unigram**: p(c) = how often c occurs, whatever came before;
# - **bigram** (the makemore baseline): p(c | previous character), a 27 x 27 table.
#
# The score is bits per character: the average of -log2 p(next character). Knowing nothing, 27
# equally likely characters cost log2 27 = 4.75 bits.

# %%
train_names, test_names = seqtasks.split_names()
all_names = seqtasks.load_names()
UNIGRAM = seqtasks.ngram_bits_per_char(train_names, test_names, order=1)
BIGRAM = seqtasks.ngram_bits_per_char(train_names, test_names, order=2)
UNIFORM = float(np.log2(27))
print(f"names: {len(train_names)} train, {len(test_names)} test; e.g. {', '.join(test_names[:6])}")
print(f"baselines on the test names: uniform {UNIFORM:.3f}, unigram {UNIGRAM:.3f}, bigram {BIGRAM:.3f} bits per char")
VOCAB = len(seqtasks.NAMES_VOCAB)  # 28: padding, ".", a..z

# %% [markdown]
# ## 4. Exercises: `bits_per_char` and `char_model`
#
# A batch of names is padded on the right with token 0 to the longest one. `bits_per_char`
# averages -log2 p over the **real** steps only (the mask), never over padding:
#
# $$\text{bpc} = \frac{\sum_{b,t} m_{bt}\,(-\log_2 \mathrm{softmax}(z_{bt})[y_{bt}])}{\sum_{b,t} m_{bt}}$$
#
# `char_model` is `Embedding(V, 16, mask_zero=True) -> RNN(cell, return_sequences=True) ->
# Dense(V)`: a prediction at every step. `mask_zero=True` tells the RNN layer which steps are
# padding, and it copies the state across them unchanged; the check below runs one name alone,
# padded on the right and padded on the left: the same logits.
#
# **Your turn**: write both in `rnnlab/charmodel.py`.

# %%
x_names, y_names, mask_names = seqtasks.encode_names(test_names)
flat = np.zeros((len(test_names), x_names.shape[1], VOCAB), np.float32)
flat[..., seqtasks.PAD] = -1e9  # equal logits for the 27 tokens a name can hold, none for padding
uniform = bits_per_char(flat, y_names, mask_names)
print(f"bits_per_char of equal logits over 27 tokens: {float(uniform):.4f} (log2 27 = {UNIFORM:.4f})")
assert abs(float(uniform) - UNIFORM) < 1e-4

keras.utils.set_random_seed(0)
probe_model = char_model(LSTMCell(8), VOCAB)
name = seqtasks.encode_names(["emma"])[0]  # ". e m m a", shape (1, 5)
alone = np.asarray(probe_model(name))[0]
right = np.asarray(probe_model(np.pad(name, ((0, 0), (0, 4)))))[0, :5]
left = np.asarray(probe_model(np.pad(name, ((0, 0), (4, 0)))))[0, 4:]
print(f"char_model: 'emma' alone vs padded on the right: max gap {np.max(np.abs(alone - right)):.1e}; "
      f"on the left: {np.max(np.abs(alone - left)):.1e}")
assert np.allclose(alone, right, atol=1e-5) and np.allclose(alone, left, atol=1e-5), "padding changed the logits"

# %% [markdown]
# ## 5. Training the character model
#
# Your LSTM, 64 units, embeddings of 16, Adam 1e-2 with clipping, on batches of 64 names, with
# the same compiled `train_step`. The Embedding's mask keeps padding out of the RNN; the loss
# keeps it out too, averaging the cross-entropy over the steps whose target is a real character
# (target 0 is padding). The score is your `bits_per_char` on the held-out names.

# %%
CHAR_UNITS, CHAR_EPOCHS, NAMES_BATCH = 64, pick(30, 4, 1), 64
CHAR_MODELS = pick(["LSTM", "GRU"], ["LSTM"], ["LSTM"])
x_train_names, y_train_names, _ = seqtasks.encode_names(train_names[:pick(None, None, 256)])
char_models, char_cells = {}, {}


def masked_cross_entropy(y_true, logits):
    """The mean cross-entropy (nats) over the real steps: padding is where the target is token 0."""
    mask = tf.cast(y_true > 0, tf.float32)
    nats = keras.losses.sparse_categorical_crossentropy(y_true, logits, from_logits=True)
    return tf.reduce_sum(nats * mask) / tf.reduce_sum(mask)


for model_name in CHAR_MODELS:
    run_started = time.perf_counter()
    keras.utils.set_random_seed(0)
    cell = make_cell(model_name, CHAR_UNITS)
    model = char_model(cell, VOCAB)
    char_steps = train(model, keras.optimizers.Adam(1e-2), x_train_names, y_train_names, masked_cross_entropy,
                       CHAR_EPOCHS, 0, NAMES_BATCH)
    bpc = float(bits_per_char(model(x_names), y_names, mask_names))
    char_models[model_name], char_cells[model_name] = model, cell
    # skill against the bigram: 0 at the bigram's score, 1 at 0 bits
    results.append(result_row("names", "names, bits per char", x_names.shape[1], model_name, 0, "default",
                              char_steps, bpc, "bits per char", BIGRAM, 0.0))
    print(f"names {model_name}: {bpc:.3f} bits per char on the test names (bigram {BIGRAM:.3f}, unigram "
          f"{UNIGRAM:.3f}) [{time.perf_counter() - run_started:.1f} s]")
names_model = char_models["LSTM"]

# %% [markdown]
# ## 6. Exercise: `sample`, and the temperature
#
# To invent a name, start from "." and repeat: run the model on the sequence so far, take the
# logits z at the last position, draw the next character from softmax(z / T), append it. The
# temperature T reshapes the distribution: T < 1 sharpens it (safe, repetitive names), T > 1
# flattens it (inventive, often unpronounceable ones), and T = 1 samples the model as trained.
# A name ends at its first ".".
#
# **Your turn**: write `sample(model, start, length, temperature, seed)` in `rnnlab/charmodel.py`:
# seeded, so that the same seed gives the same names.

# %%
N_SAMPLES, MAX_LETTERS = pick(500, 200, 16), lab.pick(12, 6)  # letters drawn per name at most
start = np.ones((N_SAMPLES, 1), np.int32)  # "." for every row
twice = [sample(names_model, start[:4], 8, temperature=1.0, seed=5) for _ in range(2)]
assert np.array_equal(*twice), "sample is not reproducible: draw only from np.random.default_rng(seed)"
train_set = set(train_names)
for temperature in (0.5, 1.0, 1.5):
    drawn = seqtasks.decode_names(sample(names_model, start, MAX_LETTERS, temperature=temperature, seed=1))
    drawn = [d for d in drawn if d]  # an immediate "." is an empty name
    real = seqtasks.real_name_share(drawn, all_names)
    seen = seqtasks.real_name_share(drawn, train_names)
    results.append(result_row("sampling", f"names sampled at T={temperature}", MAX_LETTERS, "LSTM", 1, "default",
                              0, real, "share of real names", 0.0, 1.0))
    print(f"T = {temperature}: {real:.2f} of {len(drawn)} sampled names are real names ({seen:.2f} from the "
          f"training list); e.g. {', '.join(drawn[:10])}")

# %% [markdown]
# ## 7. Inside the model
#
# Karpathy, Johnson and Fei-Fei (2015) looked for single units with a meaning. Below: the unit of
# your LSTM whose activation h_t changes most along names, drawn over the characters of a few
# of them, and the three gates of your LSTM (i, f, o, recomputed from its weights: gate order i,
# f, c, o) along one name.

# %%
def lstm_internals(cell, model, tokens):
    """h_t and the gates i, f, o at every step of one name (NumPy, from the cell's weights)."""
    embedded = np.asarray(model.layers[0](tokens))[0]
    k, u, b = (np.asarray(w) for w in (cell.kernel, cell.recurrent_kernel, cell.bias))
    units = u.shape[0]
    h, c = np.zeros(units), np.zeros(units)
    hs, gates = [], []
    for x_t in embedded:
        z = x_t @ k + h @ u + b
        i, f, g, o = (z[j * units:(j + 1) * units] for j in range(4))
        i, f, o = (1 / (1 + np.exp(-a)) for a in (i, f, o))
        c = f * c + i * np.tanh(g)
        h = o * np.tanh(c)
        hs.append(h)
        gates.append((i, f, o))
    return np.array(hs), np.array(gates)  # (L, H), (L, 3, H)


shown = test_names[:6]
runs = [lstm_internals(char_cells["LSTM"], names_model, seqtasks.encode_names([n])[0]) for n in shown]
# check against the Keras model's own states: the recomputed h_t must be the cell's output
rnn_states = keras.Sequential(names_model.layers[:2])(seqtasks.encode_names([shown[0]])[0])
assert np.allclose(runs[0][0], np.asarray(rnn_states)[0], atol=1e-4), "the gates are recomputed wrong"
unit = int(np.argmax(np.concatenate([h for h, _ in runs]).std(axis=0)))
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), gridspec_kw={"width_ratios": [1, 1.3]})
width = max(len(n) for n in shown) + 1
grid = np.full((len(shown), width), np.nan)
for row, (n, (h, _)) in enumerate(zip(shown, runs)):
    grid[row, :len(n) + 1] = h[:, unit]
    for col, char in enumerate("." + n):
        axes[0].text(col, row, char, ha="center", va="center", fontsize=11)
image = axes[0].imshow(grid, cmap="coolwarm", vmin=-1, vmax=1, aspect="auto")
axes[0].set(xticks=[], yticks=[], title=f"unit {unit}'s h_t while reading (input shown)")
fig.colorbar(image, ax=axes[0], fraction=0.04)
h, gates = runs[0]
for j, (gate, style) in enumerate(zip(("input gate i", "forget gate f", "output gate o"), ("-", "--", ":"))):
    axes[1].plot(gates[:, j].mean(axis=1), style, marker="o", label=f"{gate} (mean over units)")
axes[1].set_xticks(range(len(shown[0]) + 1), list("." + shown[0]))
axes[1].set(ylim=(0, 1), xlabel="input character", title=f"your LSTM's gates along '{shown[0]}'")
axes[1].legend(fontsize=8)
fig.tight_layout()
lab.savefig(fig, "names_units_and_gates.png")
print(f"unit {unit}: activation range {np.nanmin(grid):+.2f} .. {np.nanmax(grid):+.2f} over {len(shown)} names; "
      f"mean forget gate along '{shown[0]}' {gates[:, 1].mean():.2f}")

# %% [markdown]
# ## 8. Every number, as data
#
# Every run added a row to `results` (the same keys as Lab 4's): the task, T, the model, the
# seed, the metric, its baseline and the skill. For the names the baseline is the bigram model
# (skill 0 at the bigram's bits per char, 1 at 0 bits); for sampling, the metric is the share of
# real names.

# %%
digit_rows = [r for r in results if r["section"] == "digits"]
report = [f"# Lab 6: results ({'full grid' if FULL else 'default run'})\n",
          f"{len(DIGIT_SEEDS)} seed(s), batch {BATCH}, {UNITS} units, Adam {LEARNING_RATE} (IRNN "
          f"{LEARNING_RATE / 10}), clipping by global norm {CLIP_NORM}, {steps_per_run} steps per digits run. "
          "Each cell: the test metric averaged over seeds, its skill (0 chance, 1 perfect) and how many seeds "
          "reached skill >= 0.8.\n",
          "## Digits read pixel by pixel (chance 0.1)\n", results_markdown(digit_rows, MODELS),
          "## Against Le et al. 2015 (accuracy)\n", "\n".join(comparison) + "\n",
          "## Names: bits per character on held-out names\n",
          f"uniform {UNIFORM:.3f}, unigram {UNIGRAM:.3f}, bigram {BIGRAM:.3f}; "
          + ", ".join(f"{r['model']} {r['metric']:.3f}" for r in results if r["section"] == "names") + "\n",
          "## Sampled names that are real names\n",
          ", ".join(f"T = {r['task'].split('=')[1]}: {r['metric']:.2f}" for r in results
                    if r["section"] == "sampling") + "\n"]
lab.save_results(results, report, show=FULL)

# %% [markdown]
# ## Summary
#
# - Your cells work on real data through plain Keras: `keras.layers.RNN(cell)` for a read-out at
#   the last step, `return_sequences=True` for a prediction at every step, `mask_zero=True` for
#   batches of names of different lengths.
# - Bits per character compares language models on one scale; the bigram table is the bar a
#   recurrent model must clear, and it does by using more than one character of context.
# - The temperature trades safety for invention: at T = 0.5 many of the sampled names are real
#   names (most of them from the training list), at T = 1 far fewer, at T = 1.5 almost none.

# %%
print(f"lab 6 done in {time.perf_counter() - started:.0f} s (after imports)")
