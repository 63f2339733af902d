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
# # Lab 3: the GRU, one gate for forgetting and writing
#
# The gated recurrent unit (GRU; Cho et al. 2014) keeps the LSTM's central idea, an additive
# update that can copy the state forward, with less machinery: no separate memory cell, no
# output gate, and one *update gate* z that decides both how much of the old state to keep and
# how much of the new candidate to write. This lab:
#
# 1. **exercise**: `GRUCell` with `reset_after=False` (the original GRU), equal to
#    `keras.layers.GRUCell(reset_after=False)`; then `reset_after=True`, Keras's default;
# 2. the two update-gate conventions (the notes' and Keras's) are one model: measured;
# 3. why the GRU keeps gradients: the z * h_{t-1} path in dh_t/dh_{t-1}; parameter counts of
#    the three cells; gradient profiles side by side.
#
# **How to work.** Open this file as a notebook or run it from the kit's root:
# `python labs/lab3_gru.py`. The exercises are the `# TODO`s in `labs/rnnlab/gru.py`; check them
# with `python -m autograder check --lab 3`. Section 3 also uses your `LSTMCell` (Lab 2) and
# `state_gradient_norms` (Lab 1). The lab runs in well under a minute on two CPU cores;
# `RNNLAB_FAST=1` makes it a few-second smoke run.
#
# **Conventions** (those of `keras.layers.GRUCell`). Inputs `(batch, T, D)`, states `(batch, H)`,
# weights multiply from the right, and the weight columns come in the gate order z, r, h:
#
#     z   = sigmoid(x_t K_z + h_{t-1} U_z + b_z)        update gate
#     r   = sigmoid(x_t K_r + h_{t-1} U_r + b_r)        reset gate
#     h~  = tanh(x_t K_h + (r * h_{t-1}) U_h + b_h)     candidate   (reset_after=False)
#     h_t = z * h_{t-1} + (1 - z) * h~
#
# with `kernel` K `(D, 3H)`, `recurrent_kernel` U `(H, 3H)` and `bias` b `(3H,)`. With
# `reset_after=True` the reset gate moves behind the matmul and the bias becomes `(2, 3H)`:
# h~ = tanh(x_t K_h + b_h^in + r * (h_{t-1} U_h + b_h^rec)). The same equations, typeset:
#
# $$\begin{aligned} z &= \sigma(x_t K_z + h_{t-1} U_z + b_z), \qquad r = \sigma(x_t K_r + h_{t-1} U_r + b_r) \\
#   \tilde h_t &= \tanh\big(x_t K_h + (r \odot h_{t-1}) U_h + b_h\big), \qquad
#   h_t = z \odot h_{t-1} + (1 - z) \odot \tilde h_t \end{aligned}$$
#
# The notes call the reset gate o_t and write the update gate on the candidate (Lab 1's notation
# map; section 2 below).

# %%
from rnnlab import labtools

lab = labtools.start("lab3")

# %%
import tempfile
from pathlib import Path

import keras
import matplotlib.pyplot as plt
import numpy as np
import tensorflow as tf

from rnnlab import figures  # schematic drawings of the models, written for you
from rnnlab.gradients import state_gradient_norms
from rnnlab.gru import GRUCell
from rnnlab.lstm import LSTMCell
from rnnlab.simple_rnn import SimpleRNNCell

# %% [markdown]
# The cell at a glance: the state runs along the top, where the update gate z keeps a share of
# h_{t-1} and 1 - z lets the candidate in; the reset gate r decides how much of h_{t-1} the
# candidate reads.

# %%
fig, ax = plt.subplots(figsize=(10, 4.6))
figures.draw_gru_cell(ax)
lab.savefig(fig, "gru_cell.png")

# %% [markdown]
# ## 1. Exercise: `GRUCell`
#
# Open `rnnlab/gru.py`. `__init__`, `build` and `get_config` are written for you (Lab 2 showed why
# `get_config` and the registration decorator matter; note that `reset_after` must be in the
# config, since it decides the shape of the bias). You write:
#
# - **`call(inputs, states)`** for `reset_after=False`: states is `[h_{t-1}]`; return
#   `(h_t, [h_t])`. Slice the weights into the blocks z, r, h (for example
#   `self.kernel[:, :H]` is K_z). The reset gate multiplies h_{t-1} *before* the candidate's
#   recurrent matmul: (r * h_{t-1}) U_h;
# - then, as a follow-up, **`call_reset_after(inputs, h_prev)`** for `reset_after=True`.
#
# As in Lab 2 we copy the weights by name into Keras's cell and compare whole sequences.

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


rng = np.random.default_rng(1)
x = rng.normal(size=(4, 12, 3)).astype("float32")  # (batch, T, D)

cell = GRUCell(5)
h1, _ = cell(x[:, 0, :], [tf.zeros((4, 5))])  # the first call builds the weights
print(f"state_size = {cell.state_size}, output_size = {cell.output_size}")
print("weights: " + ", ".join(f"{w.name} {tuple(w.shape)}" for w in cell.weights))

our_rnn = keras.layers.RNN(cell, return_sequences=True)
keras_cell = keras.layers.GRUCell(5, reset_after=False)
keras_rnn = keras.layers.RNN(keras_cell, return_sequences=True)
keras_rnn(x)
random_weights(cell, seed=2)
copy_weights_by_name(cell, keras_cell)
print(f"GRUCell vs keras.layers.GRUCell(reset_after=False): max abs difference = "
      f"{np.max(np.abs(our_rnn(x) - keras_rnn(x))):.1e}")

# %% [markdown]
# ### Follow-up: `reset_after=True`
#
# Keras's `GRU` layer (and CuDNN on a GPU) apply the reset gate *after* the matmul:
# r * (h_{t-1} U_h + b_h^rec). Then a single matmul h_{t-1} U serves all three blocks, which is
# faster, and the recurrent part needs its own bias, hence a bias of shape (2, 3H): row 0 is added
# to x_t K, row 1 to h_{t-1} U. It is a slightly different model: the same weights give other
# outputs. Fill in `call_reset_after`; it should equal Keras's default `GRU` layer.

# %%
after_cell = GRUCell(5, reset_after=True)
after_rnn = keras.layers.RNN(after_cell, return_sequences=True)
after_rnn(x)
keras_gru = keras.layers.GRU(5, return_sequences=True)  # reset_after=True is Keras's default
keras_gru(x)
random_weights(after_cell, seed=3)
copy_weights_by_name(after_cell, keras_gru)
print("reset_after=True weights: " + ", ".join(f"{w.name} {tuple(w.shape)}" for w in after_cell.weights))
print(f"GRUCell(reset_after=True) vs keras.layers.GRU(): max abs difference = "
      f"{np.max(np.abs(after_rnn(x) - keras_gru(x))):.1e}")

# %% [markdown]
# Like every cell in this kit, yours works inside `Bidirectional` and survives a `.keras` round
# trip (thanks to `get_config` and the registration decorator):

# %%
inputs = keras.Input(shape=x.shape[1:])
model = keras.Model(inputs, keras.layers.Bidirectional(keras.layers.RNN(GRUCell(5), return_sequences=True))(inputs))
with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "bidirectional_gru.keras"
    model.save(path)
    reloaded = keras.models.load_model(path)
print(f"Bidirectional(RNN(GRUCell(5))): outputs {tuple(model(x).shape)}; after .keras save and load: "
      f"max abs difference = {np.max(np.abs(model(x) - reloaded(x))):.1e}")

# %% [markdown]
# ## 2. Two conventions for the update gate, one model
#
# The lecture notes write the GRU as
#
#     c_t = z * c~ + (1 - z) * c_{t-1}          (z weights the new candidate)
#
# while Keras (and Cho et al.) write h_t = z * h_{t-1} + (1 - z) * h~ (z weights the *old*
# state). They are the same model: since 1 - sigmoid(a) = sigmoid(-a), negating the update
# gate's kernel, recurrent kernel and bias turns one z into the other's 1 - z. Rather than take
# that on trust, here is the notes' GRU in a few lines of NumPy, in the notes' own notation:
# column vectors, and one matrix per gate acting on the concatenation [c_{t-1}, x_t]. Keras's
# weights convert by stacking: W_u = [U_z; K_z]^T (the recurrent rows first, as in [c, x]). We
# run it with the weights of Keras's `GRUCell` from section 1, first as they are, then with the
# update gate's block negated.

# %%
def notes_gru(x, W_u, W_r, W_c, b_u, b_r, b_c):
    """The notes' GRU from c_0 = 0; returns c_1..c_T, shape (batch, T, H).

        u   = sigmoid(W_u [c_{t-1}, x_t] + b_u)          update gate
        r   = sigmoid(W_r [c_{t-1}, x_t] + b_r)          reset ("relevance") gate
        c~  = tanh(W_c [r * c_{t-1}, x_t] + b_c)
        c_t = u * c~ + (1 - u) * c_{t-1}
    """
    c = np.zeros((x.shape[0], W_u.shape[0]))
    memories = []
    for t in range(x.shape[1]):
        # Rows are examples here, so W [c, x] is computed as [c, x] @ W.T.
        c_and_x = np.concatenate([c, x[:, t]], axis=1)
        u = sigmoid(c_and_x @ W_u.T + b_u)
        r = sigmoid(c_and_x @ W_r.T + b_r)
        c_tilde = np.tanh(np.concatenate([r * c, x[:, t]], axis=1) @ W_c.T + b_c)
        c = u * c_tilde + (1.0 - u) * c
        memories.append(c)
    return np.stack(memories, axis=1)


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def notes_weights(cell, negate_update=False):
    """Keras GRUCell weights (reset_after=False) as the notes' (W_u, W_r, W_c, b_u, b_r, b_c)."""
    weights = {w.name: w.numpy().astype(np.float64) for w in cell.weights}
    kernels = np.split(weights["kernel"], 3, axis=1)  # K_z, K_r, K_h
    recurrents = np.split(weights["recurrent_kernel"], 3, axis=1)  # U_z, U_r, U_h
    biases = np.split(weights["bias"], 3)
    matrices = [np.concatenate([u, k], axis=0).T for u, k in zip(recurrents, kernels)]
    if negate_update:
        matrices[0], biases[0] = -matrices[0], -biases[0]
    return (*matrices, *biases)


reference = keras_rnn(x).numpy()  # Keras's GRUCell(reset_after=False) from section 1
for label, negate in (("the same weights", False), ("z's weights and bias negated", True)):
    notes_outputs = notes_gru(x.astype(np.float64), *notes_weights(keras_cell, negate_update=negate))
    print(f"notes' GRU with {label} vs keras.layers.GRUCell: max abs difference = "
          f"{np.max(np.abs(notes_outputs - reference)):.1e}")

# %% [markdown]
# Same function, different parametrisation. It matters when you read a paper or transplant
# weights between frameworks, which is why the autograder recognises the flipped convention
# and tells you so, instead of just saying "wrong".

# %% [markdown]
# ## 3. Why the GRU keeps gradients
#
# Differentiate h_t = z * h_{t-1} + (1 - z) * h~ with respect to h_{t-1}:
#
#     dh_t/dh_{t-1} = diag(z)  +  (terms through z, r and h~, each with a factor U)
#
# The first term is the GRU's version of the LSTM's constant error carousel: an elementwise copy,
# no weight matrix. If the gates and the candidate did not read h_{t-1} at all (U = 0), the
# Jacobian would be exactly diag(z). We check that with `tf.GradientTape.batch_jacobian` on one
# step, then look at a cell with its usual random U.

# %%
def step_jacobian(gru_cell, x_t, h_prev):
    """dh_t/dh_{t-1} for every example, shape (batch, H, H), and the update gate z (batch, H)."""
    with tf.GradientTape() as tape:
        tape.watch(h_prev)
        h_t, _ = gru_cell(x_t, [h_prev])
    jacobian = tape.batch_jacobian(h_t, h_prev)
    units = gru_cell.units
    kernel, recurrent, bias = (w.numpy() for w in (gru_cell.kernel, gru_cell.recurrent_kernel, gru_cell.bias))
    z = 1.0 / (1.0 + np.exp(-(x_t.numpy() @ kernel[:, :units] + h_prev.numpy() @ recurrent[:, :units] + bias[:units])))
    return jacobian.numpy(), z


jacobian_x = tf.constant(np.random.default_rng(4).normal(size=(3, 3)).astype("float32"))
jacobian_h = tf.constant(np.random.default_rng(5).normal(scale=0.5, size=(3, 5)).astype("float32"))
jacobian_cell = GRUCell(5, recurrent_initializer=keras.initializers.Orthogonal(seed=6),
                        kernel_initializer=keras.initializers.GlorotUniform(seed=7))
jacobian_cell.build((None, 3))
full_recurrent = jacobian_cell.recurrent_kernel.numpy()

jacobian_cell.recurrent_kernel.assign(np.zeros_like(full_recurrent))
jacobian, z = step_jacobian(jacobian_cell, jacobian_x, jacobian_h)
diagonal_z = np.stack([np.diag(row) for row in z])
print(f"U = 0: max |dh_t/dh_(t-1) - diag(z)| = {np.max(np.abs(jacobian - diagonal_z)):.1e}, mean z = {z.mean():.4f}")

jacobian_cell.recurrent_kernel.assign(full_recurrent)
jacobian, z = step_jacobian(jacobian_cell, jacobian_x, jacobian_h)
diagonal_z = np.stack([np.diag(row) for row in z])
share = np.linalg.norm(diagonal_z) / np.linalg.norm(jacobian)
print(f"orthogonal U: ||diag(z)|| / ||dh_t/dh_(t-1)|| = {share:.4f}, mean z = {z.mean():.4f}")

# %% [markdown]
# The same share as a picture, for the first example of the batch: the Jacobian, its copy part
# diag(z), and what the gates and the candidate add through U. Rows are h_t's units, columns
# h_{t-1}'s (entry [j, k] = dh_t[j]/dh_{t-1}[k]).

# %%
parts = {"dh_t/dh_(t-1)": jacobian[0], "diag(z): the copy path": diagonal_z[0],
         "the rest: through U": jacobian[0] - diagonal_z[0]}
limit = max(np.max(np.abs(p)) for p in parts.values())
fig, axes = plt.subplots(1, 3, figsize=(11, 3.6))
for ax, (title, part) in zip(axes, parts.items()):
    image = ax.imshow(part, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.set(title=title, xlabel="unit k of h_(t-1)", ylabel="unit j of h_t")
    ax.set_xticks(range(part.shape[1]))
    ax.set_yticks(range(part.shape[0]))
fig.colorbar(image, ax=axes, label="dh_t[j] / dh_(t-1)[k]", shrink=0.85)
fig.suptitle(f"GRU, one step, orthogonal U: diag(z) is {share:.0%} of the Jacobian's norm (whole batch)")
lab.savefig(fig, "jacobian_share.png")

# %% [markdown]
# With zero biases z starts near sigmoid(0) = 0.5, so at initialisation the copy path halves the
# gradient per step, like an LSTM with forget bias 0; what a GRU *can* do is learn z close to 1
# for the units that must remember. How big is each cell, for the same width? Count the
# weights: a simple RNN has one block of H(D + H + 1) (kernel, recurrent kernel, bias), a GRU
# three, an LSTM four; `reset_after=True` adds a second bias, 3H more.

# %%
COUNT_FEATURES, COUNT_UNITS = 8, 32
counted = {
    "SimpleRNNCell": SimpleRNNCell(COUNT_UNITS),
    "GRUCell(reset_after=False)": GRUCell(COUNT_UNITS),
    "GRUCell(reset_after=True)": GRUCell(COUNT_UNITS, reset_after=True),
    "LSTMCell": LSTMCell(COUNT_UNITS),
}
block = COUNT_UNITS * (COUNT_FEATURES + COUNT_UNITS + 1)
formulas = {"SimpleRNNCell": ("H(D + H + 1)", block), "GRUCell(reset_after=False)": ("3H(D + H + 1)", 3 * block),
            "GRUCell(reset_after=True)": ("3H(D + H + 1) + 3H", 3 * block + 3 * COUNT_UNITS),
            "LSTMCell": ("4H(D + H + 1)", 4 * block)}
print(f"parameters for D = {COUNT_FEATURES}, H = {COUNT_UNITS}:")
for name, counted_cell in counted.items():
    counted_cell.build((None, COUNT_FEATURES))
    formula, value = formulas[name]
    print(f"  {name}: {counted_cell.count_params()} ({formula} = {value})")

# %% [markdown]
# Now the gradient profiles of the three cells on the same inputs, built with the same seeded
# initialisers, with L = Σ h_T (as in Lab 2). We add a GRU whose update gate starts at
# z ≈ sigmoid(3) = 0.95, the GRU counterpart of an opened forget gate.

# %%
PROFILE_STEPS = lab.pick(100, 20)
PROFILE_UNITS = lab.pick(32, 8)
PROFILE_BATCH, PROFILE_FEATURES = lab.pick(16, 4), 4
profile_x = np.random.default_rng(7).normal(size=(PROFILE_BATCH, PROFILE_STEPS, PROFILE_FEATURES)).astype("float32")


def seeded(cell_class, **kwargs):
    return cell_class(PROFILE_UNITS, kernel_initializer=keras.initializers.GlorotUniform(seed=1),
                      recurrent_initializer=keras.initializers.Orthogonal(seed=2), **kwargs)


def with_update_bias(gru_cell, value):
    """Build `gru_cell` and set the update gate's block (the first third) of its bias to `value`."""
    gru_cell.build((None, PROFILE_FEATURES))
    bias = {w.name: w for w in gru_cell.weights}["bias"]
    values = bias.numpy()
    values[..., :PROFILE_UNITS] = value
    bias.assign(values)
    return gru_cell


def sum_of_last_state(h_last):
    return tf.reduce_sum(h_last)


profile_cells = {
    "simple RNN": seeded(SimpleRNNCell),
    "GRU": seeded(GRUCell),
    "GRU, update bias 3": with_update_bias(seeded(GRUCell), 3.0),
    "LSTM (forget bias 1)": seeded(LSTMCell),
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
ax.set_title(f"simple RNN, GRU and LSTM at initialisation, H = {PROFILE_UNITS}")
ax.legend()
lab.savefig(fig, "gradient_profiles.png")

# %% [markdown]
# At initialisation the plain GRU, with z ≈ 0.5, loses its gradient about as fast as an LSTM
# with forget bias 0: the copy path is only as good as the gate that opens it. Push z towards 1
# and many orders of magnitude more of the gradient cross the whole sequence, with a quarter
# fewer weights than an LSTM of the same width. Which of the two works better is an empirical question; Chung et al. (2014) and
# Jozefowicz et al. (2015) found them close on most tasks.
