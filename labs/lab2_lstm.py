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
# # Lab 2: the LSTM, a memory that keeps its gradients
#
# Lab 1 ended with the vanishing gradient: a simple RNN multiplies the gradient by
# diag(tanh') U^T at every step back, and over a few dozen steps it is gone. The long short-term
# memory (LSTM; Hochreiter and Schmidhuber 1997, forget gate by Gers et al. 2000) changes the
# architecture so that the default is to *remember*. (**Errata in the notes**: one slide dates the
# LSTM to 1991, the year of Hochreiter's diploma thesis, which analysed the vanishing gradient;
# the LSTM paper is from 1997. And "LSTMs are designed to avoid the long-term dependencies"
# means the long-term dependency *problem*: learning long-term dependencies is what they are
# for.) This lab:
#
# 1. gates as soft switches: the forget gate worked out by hand, and the four things a memory
#    cell can do (remember, add, erase, overwrite) on a cell whose gates we force;
# 2. **exercise**: `LSTMCell` as a custom Keras layer, equal to `keras.layers.LSTMCell`, with
#    `get_config` and the registration that `Bidirectional` and `.keras` files need;
# 3. the constant error carousel, measured: with f = 1 the gradient on the memory passes back
#    unchanged; with f = 0.5 it shrinks as 0.5^T, exactly as the memory's influence does;
# 4. gradient profiles at initialisation: simple RNN against LSTM with forget bias 0 and 1;
# 5. **bonus exercise**: `PeepholeLSTMCell`, gates that look at the memory.
#
# **How to work.** Open this file as a notebook (Jupyter with jupytext) or run it from the kit's
# root: `python labs/lab2_lstm.py`. The exercises are the `# TODO`s in `labs/rnnlab/lstm.py`.
# Check them with `python -m autograder check --lab 2`. Section 1 runs before you write any code;
# later cells stop with `NotImplementedError` until you have filled in the exercise they use.
# Section 4 also uses `state_gradient_norms` from Lab 1. The lab runs in well under a minute on
# two CPU cores; `RNNLAB_FAST=1` makes it a few-second smoke run.
#
# **Conventions** (those of Keras, as in Lab 1). Inputs are `(batch, T, D)`; states are row
# vectors `(batch, H)`, so weights multiply from the right. One LSTM step:
#
#     z   = x_t K + h_{t-1} U + b          kernel K (D, 4H), recurrent_kernel U (H, 4H), bias b (4H,)
#     i   = sigmoid(z_i)                   input gate      z is cut into four (batch, H) blocks
#     f   = sigmoid(z_f)                   forget gate     in the order i, f, c, o
#     g   = tanh(z_c)                      candidate       (Keras calls this block "c")
#     o   = sigmoid(z_o)                   output gate
#     c_t = f * c_{t-1} + i * g            the memory (cell state)
#     h_t = o * tanh(c_t)                  the output (hidden state)
#
# `*` is elementwise. The cell has two states, `[h, c]`. The notes write the gates as
# σ(W [a_{t-1}, x_t] + b) with column vectors; that is our x_t K + h_{t-1} U + b transposed,
# with W = [U; K]^T. Lab 1's notation map has every other name the notes use.
#
# $$\begin{aligned} i &= \sigma(z_i), \quad f = \sigma(z_f), \quad g = \tanh(z_c), \quad o = \sigma(z_o),
#   \qquad z = x_t K + h_{t-1} U + b \\
#   c_t &= f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t) \end{aligned}$$

# %%
from rnnlab import labtools

lab = labtools.start("lab2")

# %%
import tempfile
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from rnnlab import figures  # schematic drawings of the models, written for you
from rnnlab.gradients import state_gradient_norms
from rnnlab.lstm import LSTMCell, PeepholeLSTMCell
from rnnlab.simple_rnn import SimpleRNNCell

# %% [markdown]
# The cell at a glance. The four blocks of z (orange gates, green candidate) all read
# [h_{t-1}, x_t]; the memory runs along the top, touched only by one multiplication (× f) and
# one addition (+ i·g). That straight line is the "gradient highway" of section 3.

# %%
fig, ax = plt.subplots(figsize=(10, 4.6))
figures.draw_lstm_cell(ax)
lab.savefig(fig, "lstm_cell.png")

# %% [markdown]
# ## 1. Gates as soft switches
#
# A gate is a vector of numbers in (0, 1), made by a sigmoid, that multiplies another vector
# elementwise: 1 lets a component through, 0 blocks it, 0.5 halves it. The notes' forget-gate
# example has three hidden units a_{t-1} = [2.9, 0.5, 0.7], two memory units, and
#
#     W_f = [[ 1.0,  0.4,  0.7],        b_f = [0, 0]
#            [-0.6, -0.5, -0.2]]
#
# (no input x_t, to keep it small). **Erratum in the notes**: no LSTM has three hidden units and
# two memory units. f multiplies c_{t-1} elementwise and h_t = o * tanh(c_t), so h and c are both
# H wide, and W_f, which maps [h_{t-1}, x_t] to f, has H rows and at least H columns. Read the
# example as the arithmetic of one gate, f = sigmoid(W_f a + b_f), not as a cell you could build.

# %%
def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


a_prev = np.array([2.9, 0.5, 0.7])
W_f = np.array([[1.0, 0.4, 0.7], [-0.6, -0.5, -0.2]])
b_f = np.zeros(2)

forget_logits = W_f @ a_prev + b_f  # the notes' column-vector form; in Keras: a_prev @ W_f.T
forget_gate = sigmoid(forget_logits)
print(f"W_f a + b_f = {np.array2string(forget_logits, precision=2)}")
print(f"f = sigmoid(W_f a + b_f) = {np.array2string(forget_gate, precision=4)}")
print(f"keras.ops.sigmoid agrees: {np.array2string(keras.ops.convert_to_numpy(keras.ops.sigmoid(forget_logits)), precision=4)}")

c_prev = np.array([1.0, 1.0])
print(f"f * c_prev with c_prev = [1, 1]: {np.array2string(forget_gate * c_prev, precision=4)}")

# %% [markdown]
# **Erratum in the notes.** The slide prints f = [0.7941, 0.1062]. The second value is right, but
# sigmoid(3.59) = 1 / (1 + e^-3.59) = **0.9731**, not 0.7941: the first memory unit keeps 97% of
# its content, the second 11%.

# %%
grid = np.linspace(-6, 6, 200)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(grid, sigmoid(grid), color="black", label="sigmoid(a)")
for logit, value in zip(forget_logits, forget_gate):
    ax.plot([logit], [value], "o", markersize=8, label=f"sigmoid({logit:.2f}) = {value:.4f}")
ax.axhline(0.7941, color="tab:red", linestyle=":", label="the notes' 0.7941 (wrong)")
ax.set_xlabel("a = W_f [a_(t-1), x_t] + b_f")
ax.set_ylabel("gate value")
ax.set_title("the forget gate of the worked example")
ax.legend(fontsize=8, loc="upper left")
lab.savefig(fig, "forget_gate.png")

# %% [markdown]
# ### Four things a memory cell can do
#
# c_t = f * c_{t-1} + i * g. With the gates at their extremes:
#
# | i | f | c_t | |
# |---|---|---|---|
# | 0 | 1 | c_{t-1} | **remember** |
# | 1 | 1 | c_{t-1} + g | **add** |
# | 0 | 0 | 0 | **erase** |
# | 1 | 0 | g | **overwrite** |
#
# To see it on a real cell we *force* the gates: set every kernel to 0, so that z = b whatever the
# input, and give the gate blocks of the bias ±30 (in float32 sigmoid(30) rounds to 1, and
# sigmoid(-30) = 9e-14 is as good as 0). The candidate's bias is artanh(0.5), so g = 0.5, and the memory starts at
# c_{t-1} = 2. Keras's own `LSTMCell` uses the same weight layout as the one you will write, so
# we use it here, before the exercise.

# %%
FORCE = 30.0
C_PREV, CANDIDATE = 2.0, 0.5
TRUTH_TABLE = [("remember", 0, 1), ("add", 1, 1), ("erase", 0, 0), ("overwrite", 1, 0)]


def forced_bias(units, i, f, g, o):
    """An LSTM bias (blocks i, f, c, o) that pins the gates to 0/1 and the candidate to g."""
    pin = {0: -FORCE, 1: FORCE}
    return np.concatenate([np.full(units, pin[i]), np.full(units, pin[f]),
                           np.full(units, np.arctanh(g)), np.full(units, pin[o])]).astype("float32")


def forced_step(cell_class, i, f, g=CANDIDATE, o=1, c_prev=C_PREV):
    """One step of a one-unit LSTM cell whose weights are all zero except the forcing bias."""
    cell = cell_class(1)
    cell.build((None, 1))
    weights = {"kernel": np.zeros((1, 4), "float32"), "recurrent_kernel": np.zeros((1, 4), "float32"),
               "bias": forced_bias(1, i, f, g, o)}
    for weight in cell.weights:
        weight.assign(weights[weight.name])
    x = tf.constant([[0.7]])  # any input: the zero kernel ignores it
    h, (_, c) = cell(x, [tf.zeros((1, 1)), tf.constant([[c_prev]])])
    return float(c[0, 0]), float(h[0, 0])


print(f"c_(t-1) = {C_PREV}, g = {CANDIDATE}, o = 1")
for name, i, f in TRUTH_TABLE:
    c, h = forced_step(keras.layers.LSTMCell, i, f)
    print(f"i = {i}, f = {f} ({name}): c_t = {c:.4f}, h_t = o * tanh(c_t) = {h:.4f}")

# %% [markdown]
# Remembering is the default an LSTM is built for: f = 1, i = 0 copies the memory forward
# unchanged, with no weight matrix in the way. A simple RNN cannot even express "do nothing":
# its state always goes through U and a tanh.

# %% [markdown]
# ## 2. Exercise: `LSTMCell`
#
# Open `rnnlab/lstm.py`. `__init__` and `build` are written for you (`build` makes `kernel`,
# `recurrent_kernel` and `bias` with Keras's names and shapes, and starts the forget block of
# the bias at 1: more on that in section 4). You write:
#
# - **`call(inputs, states)`**: one step. `states` is `[h_{t-1}, c_{t-1}]`; return
#   `(h_t, [h_t, c_t])`. Compute z with one matmul per weight and cut it with
#   `ops.split(z, 4, axis=-1)`; use `self.recurrent_activation` for the gates and
#   `self.activation` for g and for tanh(c_t), so that `LSTMCell(activation="relu")` behaves like
#   Keras's.
# - **`get_config()`**: the dict of `__init__` arguments Keras needs to rebuild the cell (the
#   docstring lists them). Keras calls it when you save a model, and `keras.layers.Bidirectional`
#   calls it to make its backward copy.
#
# First, one step by hand and the forced-gate table again, now on your cell:

# %%
rng = np.random.default_rng(1)
x = rng.normal(size=(4, 12, 3)).astype("float32")  # (batch, T, D)

cell = LSTMCell(5)
h0, c0 = tf.zeros((4, 5)), tf.zeros((4, 5))
h1, (h1_again, c1) = cell(x[:, 0, :], [h0, c0])  # the first call builds the weights
print(f"state_size = {cell.state_size}, output_size = {cell.output_size}")
print("weights: " + ", ".join(f"{w.name} {tuple(w.shape)}" for w in cell.weights))
print(f"one step: h_1 {tuple(h1.shape)}, c_1 {tuple(c1.shape)}")
for name, i, f in TRUTH_TABLE:
    ours, theirs = forced_step(LSTMCell, i, f), forced_step(keras.layers.LSTMCell, i, f)
    print(f"forced {name}: your c_t = {ours[0]:.4f}, keras c_t = {theirs[0]:.4f}")

# %% [markdown]
# Now the real test: copy the weights into `keras.layers.LSTMCell` **by name** and compare whole
# sequences inside `keras.layers.RNN`.

# %%
def copy_weights_by_name(source, target):
    """Give every weight of `target` the value of the weight with the same name in `source`."""
    source_weights = {w.name: w for w in source.weights}
    for w in target.weights:
        w.assign(source_weights[w.name])


def random_weights(cell, seed, scale=0.5):
    """Replace every weight by seeded random values (the bias too, so it cannot go unnoticed)."""
    generator = np.random.default_rng(seed)
    for w in cell.weights:
        w.assign(scale * generator.normal(size=w.shape).astype("float32"))


our_rnn = keras.layers.RNN(cell, return_sequences=True)
keras_cell = keras.layers.LSTMCell(5)
keras_rnn = keras.layers.RNN(keras_cell, return_sequences=True)
keras_rnn(x)  # build, so that there are weights to overwrite
random_weights(cell, seed=2)
copy_weights_by_name(cell, keras_cell)
lstm_difference = np.max(np.abs(our_rnn(x) - keras_rnn(x)))
print(f"LSTMCell vs keras.layers.LSTMCell over {x.shape[1]} steps: max abs difference = {lstm_difference:.1e}")

# %% [markdown]
# ### `get_config` and registration
#
# A saved model is a description (JSON) plus the weights. To load it, Keras must turn
# `{"class_name": "LSTMCell", "config": {...}}` back into an object: find the class **by name**
# and call `LSTMCell(**config)`. That needs two things from you:
#
# - `get_config()` returns every `__init__` argument (a missing one is silently replaced by its
#   default, or makes `__init__` fail);
# - the class is registered: `@keras.saving.register_keras_serializable(package="rnnlab")` puts
#   it in Keras's table under the name `"rnnlab>LSTMCell"`.
#
# `keras.layers.Bidirectional` does the same round trip *while you build the model*: it makes
# the backward layer by serialising the forward one and deserialising a copy. So an unregistered
# cell does not fail when you save; it fails right away, with an error about deserialisation.
# Here is what that looks like, with a subclass that is not registered:

# %%
config = LSTMCell(7, activation="relu", unit_forget_bias=False).get_config()
print("get_config: " + ", ".join(f"{key}={config[key]!r}" for key in ("units", "activation", "unit_forget_bias")))
rebuilt = LSTMCell.from_config(config)
print(f"from_config: units={rebuilt.units}, activation={keras.activations.serialize(rebuilt.activation)!r}, "
      f"unit_forget_bias={rebuilt.unit_forget_bias}")
print(f"registered as {keras.saving.get_registered_name(LSTMCell)!r}")


class UnregisteredLSTMCell(LSTMCell):
    """The same cell, but Keras has no entry for this class name."""


try:
    keras.layers.Bidirectional(keras.layers.RNN(UnregisteredLSTMCell(5), return_sequences=True))
except TypeError as error:
    lines = str(error).split("\n")
    print("Bidirectional(RNN(UnregisteredLSTMCell)) fails with TypeError:")
    print("  " + lines[0][:110] + " ...")
    print("  ... " + [line for line in lines if "Could not locate class" in line][0][:110] + " ...")

# %% [markdown]
# Read it from the end: *Could not locate class 'UnregisteredLSTMCell'*. Keras wrote the forward
# layer down as a config, then could not find the class to rebuild the backward copy. With the
# registered `LSTMCell` the same line works, and so does saving and loading a whole model:

# %%
bidirectional = keras.layers.Bidirectional(keras.layers.RNN(LSTMCell(5), return_sequences=True))
inputs = keras.Input(shape=x.shape[1:])
model = keras.Model(inputs, bidirectional(inputs))
print(f"Bidirectional(RNN(LSTMCell(5))): outputs {tuple(model(x).shape)} = (batch, T, 2 * 5)")

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "bidirectional_lstm.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
print(f"after .keras save and load: max abs difference = {np.max(np.abs(model(x) - reloaded(x))):.1e}")

# %% [markdown]
# ## 3. The constant error carousel, measured
#
# Along the memory, one step back multiplies the gradient by f, elementwise:
#
# $$\frac{\partial c_t}{\partial c_{t-1}} = \operatorname{diag}(f_t) + \text{(terms through } h_{t-1}
#   \text{ and the gates)}$$
#
# and no weight matrix. The notes' exercise: if f = 1 and i = 0 (and o = 0, which shuts the path
# through h) the gradient on the memory passes back **unmodified**. Saturated gates shut the other
# paths as well: a sigmoid at 0 or 1 has slope 0, so i and f do not react to h_{t-1}, and with
# i = 0 the candidate is never written. We check it on a cell with random kernels (not zero this
# time, and o left free) and the gate biases forced to i = 0, f = 1, over T steps, with
# L = Σ v · c_T for a random vector v, so that dL/dc_T = v in every row of the batch. The tape
# gives dL/dc_0 for the initial memory c_0.

# %%
CEC_UNITS, CEC_BATCH = 4, 3
CEC_STEPS = lab.pick(50, 12)


def cec_cell(forget_bias, recurrent=True, dtype="float32"):
    """An LSTM cell with random kernels and the input gate forced shut (i = 0).

    forget_bias: the f block of the bias (FORCE gives f = 1, 0 gives f = 0.5 if f's kernels are 0).
    recurrent=False zeroes the recurrent kernel, so that no gate depends on h_{t-1}.
    """
    cell = LSTMCell(CEC_UNITS, dtype=dtype)
    cell.build((None, 2))
    generator = np.random.default_rng(3)
    units = CEC_UNITS
    kernel = generator.normal(scale=0.8, size=(2, 4 * units))
    recurrent_kernel = generator.normal(scale=0.8, size=(units, 4 * units)) if recurrent else np.zeros((units, 4 * units))
    bias = generator.normal(scale=0.5, size=4 * units)
    bias[:units] = -FORCE  # i = 0: nothing is written ...
    bias[units:2 * units] = forget_bias
    if forget_bias == 0.0:  # ... and f = sigmoid(0) = 0.5 exactly: no input to the forget gate
        kernel[:, units:2 * units] = 0.0
    weights = {"kernel": kernel, "recurrent_kernel": recurrent_kernel, "bias": bias}
    for weight in cell.weights:
        weight.assign(weights[weight.name].astype(dtype))
    return cell


def memory_gradients(cell, x, c_start, v):
    """Run the cell over x from (h = 0, c = c_start); return c_T and dL/dc_t for t = 0..T, L = sum(v c_T)."""
    with tf.GradientTape() as tape:
        tape.watch(c_start)
        states = [tf.zeros_like(c_start), c_start]
        memories = [c_start]
        for t in range(x.shape[1]):
            _, states = cell(x[:, t, :], states)
            memories.append(states[1])
        loss = tf.reduce_sum(v * memories[-1])
    return memories[-1], tape.gradient(loss, memories)


cec_x = tf.constant(np.random.default_rng(4).normal(size=(CEC_BATCH, CEC_STEPS, 2)).astype("float32"))
cec_c0 = tf.constant(np.random.default_rng(5).normal(size=(CEC_BATCH, CEC_UNITS)).astype("float32"))
cec_v = tf.constant(np.random.default_rng(6).normal(size=CEC_UNITS).astype("float32"))

remember_c_last, remember_grads = memory_gradients(cec_cell(FORCE), cec_x, cec_c0, cec_v)
grad_first, grad_last = remember_grads[0].numpy(), remember_grads[-1].numpy()
print(f"f = 1, i = 0, T = {CEC_STEPS}: ||dL/dc_0|| = {np.linalg.norm(grad_first):.6f}, "
      f"||dL/dc_T|| = {np.linalg.norm(grad_last):.6f}")
print(f"f = 1, i = 0: max |dL/dc_0 - dL/dc_T| = {np.max(np.abs(grad_first - grad_last)):.1e}, "
      f"max |c_T - c_0| = {np.max(np.abs(remember_c_last - cec_c0)):.1e}")

# %% [markdown]
# The memory and its gradient both pass through T steps untouched: that is the **constant error
# carousel** of Hochreiter and Schmidhuber. Now halve the memory at every step, f = 0.5 (forget
# bias 0 and no input to the forget gate). The notes argue that the gradient then vanishes, and
# that it *should*: c_0 hardly influences c_T any more, so it should not be held responsible for
# the loss. We measure both sides. Forward: nudge c_0 by δ and see how much c_T moves. Backward:
# dL/dc_0 against dL/dc_T. To isolate the memory path we zero the recurrent kernel (no gate
# reads h_{t-1}), and we compute in float64 because 0.5^T δ is small.

# %%
HALF_STEPS = lab.pick(10, 6)
half_cell = cec_cell(0.0, recurrent=False, dtype="float64")
half_x = tf.cast(cec_x[:, :HALF_STEPS], tf.float64)
half_c0 = tf.cast(cec_c0, tf.float64)
half_v = tf.cast(cec_v, tf.float64)
NUDGE = 1e-3

c_last, half_grads = memory_gradients(half_cell, half_x, half_c0, half_v)
c_last_nudged, _ = memory_gradients(half_cell, half_x, half_c0 + NUDGE, half_v)
forward_ratio = float(np.mean((c_last_nudged - c_last).numpy() / NUDGE))
backward_ratio = float(np.mean(half_grads[0].numpy() / half_grads[-1].numpy()))
print(f"f = 0.5, T = {HALF_STEPS}: forward (change in c_T) / (change in c_0) = {forward_ratio:.6f}")
print(f"f = 0.5, T = {HALF_STEPS}: backward (dL/dc_0) / (dL/dc_T) = {backward_ratio:.6f}")
print(f"0.5^{HALF_STEPS} = {0.5 ** HALF_STEPS:.6f}")

# %%
remember_norms = [np.linalg.norm(g.numpy()) for g in remember_grads]
half_norms = [np.linalg.norm(g.numpy()) for g in half_grads]
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(np.arange(CEC_STEPS + 1), remember_norms, "o-", markersize=3, label="f = 1, i = 0 (remember)")
ax.plot(np.arange(HALF_STEPS + 1), half_norms, "s-", markersize=3, label="f = 0.5")
ax.set_yscale("log")
ax.set_xlabel("t")
ax.set_ylabel("||dL / dc_t||")
ax.set_title("the gradient along the memory: multiplied by f per step")
ax.legend()
lab.savefig(fig, "constant_error_carousel.png")

# %% [markdown]
# "Gradients vanish only when they should": in an LSTM the same gate decides how much of the past
# the memory keeps and how much gradient flows back to it. A simple RNN has no such switch: its
# gradient shrinks through U^T and tanh' whether or not the past mattered.

# %% [markdown]
# ## 4. Gradient profiles at initialisation
#
# A freshly initialised network has not learnt to open or close anything, so what does the
# gradient do at the start of training? With Lab 1's `state_gradient_norms` we measure
# ||dL/dh_t|| for L = Σ h_T, on the same inputs, for four cells built with the same seeded
# initialisers:
#
# - a simple RNN (tanh), as in Lab 1;
# - an LSTM with forget bias 0: f ≈ sigmoid(0) = 0.5 at first;
# - an LSTM with forget bias 1 (`unit_forget_bias=True`, Keras's default): f ≈ sigmoid(1) = 0.73.
#   Jozefowicz, Zaremba and Sutskever (2015) found that this one-line change closes the gap
#   between the LSTM and the GRU on most of their tasks;
# - an LSTM with forget bias 3, f ≈ 0.95: what a unit looks like once training has opened its
#   forget gate (a simple RNN has no such knob).

# %%
PROFILE_STEPS = lab.pick(100, 20)
PROFILE_UNITS = lab.pick(32, 8)
PROFILE_BATCH, PROFILE_FEATURES = lab.pick(16, 4), 4
profile_x = np.random.default_rng(7).normal(size=(PROFILE_BATCH, PROFILE_STEPS, PROFILE_FEATURES)).astype("float32")


def seeded(cell_class, **kwargs):
    """A cell with fixed-seed initialisers: every model starts from comparable weights."""
    return cell_class(PROFILE_UNITS, kernel_initializer=keras.initializers.GlorotUniform(seed=1),
                      recurrent_initializer=keras.initializers.Orthogonal(seed=2), **kwargs)


def with_forget_bias(cell, value):
    """Build `cell` and set the forget block (the second quarter) of its bias to `value`."""
    cell.build((None, PROFILE_FEATURES))
    bias = {w.name: w for w in cell.weights}["bias"]
    values = bias.numpy()
    values[PROFILE_UNITS:2 * PROFILE_UNITS] = value
    bias.assign(values)
    return cell


def sum_of_last_state(h_last):
    return tf.reduce_sum(h_last)


profile_cells = {
    "simple RNN": seeded(SimpleRNNCell),
    "LSTM, forget bias 0": seeded(LSTMCell, unit_forget_bias=False),
    "LSTM, forget bias 1": seeded(LSTMCell, unit_forget_bias=True),
    "LSTM, forget bias 3": with_forget_bias(seeded(LSTMCell), 3.0),
}
profiles = {name: state_gradient_norms(c, profile_x, sum_of_last_state) for name, c in profile_cells.items()}
for name, norms in profiles.items():
    print(f"{name}: ||dL/dh_1|| / ||dL/dh_T|| = {norms[0] / norms[-1]:.3e} (T = {PROFILE_STEPS})")

# %%
fig, ax = plt.subplots(figsize=(6.5, 4))
for name, norms in profiles.items():
    ax.plot(np.arange(1, PROFILE_STEPS + 1), norms / norms[-1], label=name)
ax.set_yscale("log")
ax.set_xlabel("time step t (the loss reads h_T)")
ax.set_ylabel("||dL/dh_t|| / ||dL/dh_T||")
ax.set_title(f"gradient profiles at initialisation, H = {PROFILE_UNITS}")
ax.legend()
lab.savefig(fig, "gradient_profiles.png")

# %% [markdown]
# An LSTM is not better at initialisation by magic. Its gradient runs back along the memory,
# multiplied by f at every step, so with f ≈ 0.5 it is gone after a few dozen steps: far sooner
# than for the simple RNN, whose orthogonal U (Lab 1) loses only what the tanh slopes take. The
# forget bias of 1 brings the LSTM level with the simple RNN, and the last curve shows where
# the LSTM's real advantage lies: f is a per-unit gate that training can push towards 1, and
# then a good part of the gradient crosses a hundred steps (about a third, here). A simple RNN can only scale U, and
# Lab 1 showed where that leads (vanishing below 1, exploding above).

# %% [markdown]
# ## 5. Bonus exercise: `PeepholeLSTMCell`
#
# In a plain LSTM the gates see h_{t-1} = o_{t-1} * tanh(c_{t-1}), a view of the memory that the
# output gate may have shut. Gers and Schmidhuber (2000) let the gates look at the memory itself,
# through one weight per unit ("peepholes", diagonal, so elementwise):
#
#     i = sigmoid(z_i + p_i * c_{t-1})      f = sigmoid(z_f + p_f * c_{t-1})
#     c_t = f * c_{t-1} + i * g             o = sigmoid(z_o + p_o * c_t)      (the *new* memory)
#
# **Your turn**: fill in `PeepholeLSTMCell.call` in `rnnlab/lstm.py` (`build` adds `peephole_i`,
# `peephole_f`, `peephole_o`, each (H,)). Keras 3 has no built-in to compare with; the autograder
# compares yours with the master solution and a NumPy version. A check you can do here: with
# the peepholes at zero it must be exactly an LSTM.
#
# **Which memory does the output gate see?** The notes' peephole slide feeds c_{t-1} to all three
# gates. The kit follows Gers and Schmidhuber (2000), the paper that introduced peepholes, and
# Keras 2's `PeepholeLSTMCell`: i and f see c_{t-1}, because they decide what happens to it, but o
# is computed *after* the update and sees c_t, the memory it is about to show. Use
# `self.recurrent_activation` for the three gates and `self.activation` for g and tanh(c_t), as
# in `LSTMCell`.

# %%
peephole = PeepholeLSTMCell(5)
peephole_rnn = keras.layers.RNN(peephole, return_sequences=True)
peephole_rnn(x)
print("PeepholeLSTMCell weights: " + ", ".join(f"{w.name} {tuple(w.shape)}" for w in peephole.weights))
print(f"parameters: {peephole.count_params()} = 4H(D + H + 1) + 3H with D = 3, H = 5")

# The LSTM's weights from section 2, and zeros for the three peepholes.
lstm_weights = {w.name: w for w in cell.weights}
for w in peephole.weights:
    w.assign(lstm_weights[w.name] if w.name in lstm_weights else tf.zeros(w.shape))
peephole_difference = np.max(np.abs(peephole_rnn(x) - our_rnn(x)))
print(f"peepholes at zero vs LSTMCell: max abs difference = {peephole_difference:.1e}")
