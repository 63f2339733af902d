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
# # Lab 5: bidirectional and deep RNNs
#
# So far every model read its sequence once, left to right, with one recurrent layer. This lab
# wires cells together in two new ways:
#
# - **bidirectional**: a second cell reads the sequence right to left, so every step also knows
#   what comes *after* it. Take the notes' pair "I think, 'Deep learning is fun'" and "I think,
#   'Deep sea is dangerous'": up to and including "Deep" the two sentences are the same, so
#   nothing that reads left to right can tell, *at* "Deep", which sense is meant;
# - **deep** (stacked): the output sequence of one recurrent layer is the input sequence of the
#   next, as in a deep feed-forward network.
#
# The plan:
#
# 1. **exercise**: `BidirectionalRNN`, checked against `keras.layers.Bidirectional`;
# 2. **exercise**: `DeepRNN`, checked against `keras.layers.RNN(keras.layers.StackedRNNCells(...))`;
# 3. a task that needs the right context: a left-to-right tagger stays at chance, a
#    bidirectional one learns it;
# 4. gradients in a 3-layer RNN, over depth and time: ||dL/dh_t^(l)|| as a heatmap.
#
# **How to work.** Open this file as a notebook (Jupyter with jupytext) or run it from the kit's
# root: `python labs/lab5_bidirectional_deep.py`. The exercises are the two `# TODO`s in
# `labs/rnnlab/bidirectional.py` (`BidirectionalRNN.call` and `DeepRNN.call`); the docstrings
# say what to compute. `keras.layers.RNN` runs the time loop for each cell, so what you write is
# the wiring, and it works with any cell: this lab uses Keras's built-in `SimpleRNNCell` and
# `GRUCell`, so it does not need Labs 2 and 3. Check your work with
# `python -m autograder check --lab 5`. Until you have filled in an exercise, the cells that use
# it stop with `NotImplementedError`: that is expected. The lab runs in under a minute on two CPU
# cores; `RNNLAB_FAST=1` makes it a few-second smoke run.
#
# **Conventions** (the same in every lab and in the autograder; they match Keras):
#
# - a batch of sequences `x` has shape `(batch, T, D)`; a cell of `units` H outputs `(batch, H)`
#   per step; time steps are t = 1..T in the text (0..T-1 in code);
# - forward state ->h_t = f(x_t, ->h_{t-1}) has read x_1 .. x_t; backward state
#   <-h_t = g(x_t, <-h_{t+1}) has read x_t .. x_T;
# - the bidirectional output is **y_t = [->h_t, <-h_t]**, concatenated on the feature axis,
#   forward first, both halves about the same step t. The notes then predict with
#   o_t = g(W_o [->h_t, <-h_t] + b_o): a `Dense` layer on y_t;
# - layer l of a deep RNN computes h_t^(l) = f_l(h_t^(l-1), h_{t-1}^(l)), with h_t^(0) = x_t;
#   layer 1 is the bottom one, reading the inputs;
# - the notes' names for states and weights (s_t, a^t, W, U, ...) are in Lab 1's notation map.

# %%
from rnnlab import labtools

lab = labtools.start("lab5")

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import seqtasks  # the kit's offline sequence tasks; labtools.start put them on sys.path
import tensorflow as tf

from rnnlab import figures  # schematic drawings of the models, written for you
from rnnlab.bidirectional import BidirectionalRNN, DeepRNN

rng = np.random.default_rng(lab.seed)

# %% [markdown]
# The two wirings of this lab, drawn. Left: a forward and a backward RNN over the same inputs,
# their states side by side at each step,
#
# $$y_t = [\overrightarrow{h}_t, \overleftarrow{h}_t], \qquad
#   \overrightarrow{h}_t = f(x_t, \overrightarrow{h}_{t-1}), \qquad
#   \overleftarrow{h}_t = g(x_t, \overleftarrow{h}_{t+1})$$
#
# Right: a stack, where each layer's output sequence is the next layer's input sequence,
# $h_t^{(l)} = f_l(h_t^{(l-1)}, h_{t-1}^{(l)})$ with $h_t^{(0)} = x_t$.

# %%
fig, (bidirectional_ax, stacked_ax) = plt.subplots(1, 2, figsize=(13, 4.2))
figures.draw_bidirectional(bidirectional_ax, steps=4)
figures.draw_stacked(stacked_ax, steps=4, depth=3)
lab.savefig(fig, "wiring.png")

# %% [markdown]
# ## 1. Exercise: `BidirectionalRNN`
#
# Fill in `BidirectionalRNN.call` in `rnnlab/bidirectional.py`. The layer already holds two
# `keras.layers.RNN`s, `self.forward_rnn` and `self.backward_rnn`, each returning its whole output
# sequence. The backward cell must meet x_T first, so:
#
# 1. run `self.forward_rnn` on the inputs: row t is ->h_t;
# 2. flip the inputs **in time** (axis 1) and run `self.backward_rnn` on them: its row s is the
#    backward cell after reading x_T .. x_{T-s}, that is <-h_{T-s};
# 3. flip those outputs back, so that row t is <-h_t and lines up with ->h_t, and concatenate
#    [forward, backward] on the last axis.
#
# With `return_sequences=False` the layer returns one vector per sequence: each direction's
# **final** output, [->h_T, <-h_1]. That is the last row of each run *before* realigning
# (after realigning, <-h_1 sits at time 0, not at T-1).
#
# Keras's `keras.layers.Bidirectional` does the same (it runs a copy of the layer with
# `go_backwards=True`); the cell below checks that yours matches it for both settings.

# %%
def copy_into_keras_bidirectional(ours, theirs):
    """Give Keras's Bidirectional the weights of our layer (it builds its own copies of the cells)."""
    theirs.forward_layer.cell.set_weights(ours.forward_cell.get_weights())
    theirs.backward_layer.cell.set_weights(ours.backward_cell.get_weights())


x_small = rng.standard_normal((2, 6, 3)).astype("float32")
for return_sequences in (True, False):
    ours = BidirectionalRNN(keras.layers.SimpleRNNCell(4), keras.layers.SimpleRNNCell(4),
                            return_sequences=return_sequences)
    y_ours = ours(x_small)
    theirs = keras.layers.Bidirectional(
        keras.layers.RNN(keras.layers.SimpleRNNCell(4), return_sequences=return_sequences), merge_mode="concat")
    theirs(x_small)  # builds its weights
    copy_into_keras_bidirectional(ours, theirs)
    y_theirs = theirs(x_small)
    gap = float(np.max(np.abs(np.asarray(y_ours) - np.asarray(y_theirs))))
    print(f"return_sequences={return_sequences!s:5}: output {tuple(y_ours.shape)}, "
          f"max |ours - keras.layers.Bidirectional| = {gap:.1e}")
    assert gap < 1e-5, "BidirectionalRNN differs from keras.layers.Bidirectional: see rnnlab/bidirectional.py"

# %% [markdown]
# **Who sees what.** Change a single input, x at step k, and look at which outputs move. The
# forward half (first 4 units) can only change from step k on; the backward half only up to step
# k. A model that reads y_t therefore sees the whole sentence at every step.

# %%
layer = BidirectionalRNN(keras.layers.SimpleRNNCell(4), keras.layers.SimpleRNNCell(4))
k = 2
x_changed = x_small.copy()
x_changed[:, k, :] += 1.0
moved = np.abs(np.asarray(layer(x_changed)) - np.asarray(layer(x_small))) > 1e-6  # (batch, T, 8)
print(f"x changed at step {k} only; 'x' marks an output that changed")
print("step t:        " + " ".join(str(t) for t in range(x_small.shape[1])))
for name, half in (("forward half ", moved[..., :4]), ("backward half", moved[..., 4:])):
    print(f"{name}: " + " ".join("x" if changed else "." for changed in half.any(axis=(0, 2))))

# %% [markdown]
# ## 2. Exercise: `DeepRNN`
#
# Fill in `DeepRNN.call`. The layer holds one `keras.layers.RNN` per cell in `self.rnns`, bottom
# to top. Feed the inputs to the first; feed each one's **whole output sequence** to the next;
# return the top layer's sequence, or with `return_sequences=False` its last step h_T^(L).
#
# Keras builds the same model as `keras.layers.RNN(keras.layers.StackedRNNCells(cells))`, which
# walks the loops the other way round: for each step t, through every layer. The numbers agree
# because h_t^(l) needs only h_t^(l-1) (below) and h_{t-1}^(l) (before), both ready in either
# order. Below, both run the very same cell objects, so they share the weights.

# %%
for return_sequences in (True, False):
    cells = [keras.layers.SimpleRNNCell(8), keras.layers.GRUCell(6), keras.layers.SimpleRNNCell(5)]
    deep = DeepRNN(cells, return_sequences=return_sequences)
    y_deep = deep(x_small)
    stacked = keras.layers.RNN(keras.layers.StackedRNNCells(cells), return_sequences=return_sequences)
    gap = float(np.max(np.abs(np.asarray(y_deep) - np.asarray(stacked(x_small)))))
    print(f"return_sequences={return_sequences!s:5}: output {tuple(y_deep.shape)}, "
          f"max |DeepRNN - RNN(StackedRNNCells)| = {gap:.1e}")
    assert gap < 1e-5, "DeepRNN differs from keras.layers.RNN(StackedRNNCells(cells)): see rnnlab/bidirectional.py"

# %% [markdown]
# ## 3. A task that needs the right context
#
# `seqtasks.make_right_context` builds the notes' example as a tagging task. Each sequence is T
# filler words with one "deep" at a random step p; the word `distance` steps later (T // 2 by
# default), "learning" or "sea", decides the label *at p*. The model tags every step, but only step p is scored: the
# `mask` goes in as `sample_weight`, so the loss and the accuracy count those steps only.
#
# At step p a left-to-right model has read words 0..p, and none of them says anything about the
# label: whatever it predicts, it is right half the time (`seqtasks.right_context_baseline()`,
# 0.5). Below it gets twice the units, and more weights than the bidirectional model: no help.

# %%
T = lab.pick(40, 12)
n_train, n_val = lab.pick(2000, 256), lab.pick(1000, 128)
epochs = lab.pick(15, 2)
units = 16
x_train, y_train, mask_train = seqtasks.make_right_context(n_train, T, seed=lab.seed)
x_val, y_val, mask_val = seqtasks.make_right_context(n_val, T, seed=lab.seed + 1)
baseline = seqtasks.right_context_baseline()

scored_labels = y_train[mask_train]  # one label per sequence: the one at its "deep"
for label in (0, 1):
    i = int(np.argmax(scored_labels == label))  # the first sequence with this label
    p = int(np.argmax(mask_train[i]))
    sense = seqtasks.RIGHT_CONTEXT_LABELS[label]
    print(f"label at step {p} = {label} ('deep {sense}'): {seqtasks.decode_right_context(x_train[i])}")


# %%
def tagger(bidirectional):
    """Per-step tagger: an RNN layer, then Dense softmax over the two senses at every step."""
    inputs = keras.Input(shape=(T, x_train.shape[-1]))
    if bidirectional:
        states = BidirectionalRNN(keras.layers.SimpleRNNCell(units), keras.layers.SimpleRNNCell(units))(inputs)
    else:  # twice the units: as wide as the bidirectional layer's [forward, backward] output
        states = keras.layers.RNN(keras.layers.SimpleRNNCell(2 * units), return_sequences=True)(inputs)
    outputs = keras.layers.Dense(2, activation="softmax")(states)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(2e-3), loss="sparse_categorical_crossentropy",
                  weighted_metrics=["accuracy"])
    return model


def scored_accuracy(model, x, y, mask):
    """Accuracy at the masked ("deep") steps only."""
    predicted = np.argmax(model.predict(x, verbose=0), axis=-1)
    return float(np.mean(predicted[mask] == y[mask]))


histories, accuracies = {}, {}
for name, bidirectional in (("left-to-right", False), ("bidirectional", True)):
    model = tagger(bidirectional)
    history = model.fit(x_train, y_train, sample_weight=mask_train.astype("float32"),
                        validation_data=(x_val, y_val, mask_val.astype("float32")),
                        epochs=epochs, batch_size=64, verbose=0)
    histories[name] = history.history
    accuracies[name] = scored_accuracy(model, x_val, y_val, mask_val)
    print(f"{name:13} ({model.count_params()} weights): validation accuracy at the 'deep' steps "
          f"{accuracies[name]:.3f}; train {history.history['accuracy'][-1]:.3f}")
print(f"chance (right_context_baseline): {baseline}")

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8))
epoch_axis = np.arange(1, epochs + 1)
for (name, history), color in zip(histories.items(), ("tab:red", "tab:blue")):
    ax.plot(epoch_axis, history["val_accuracy"], "-o", color=color, ms=3, label=f"{name}, validation")
    ax.plot(epoch_axis, history["accuracy"], "--", color=color, alpha=0.6, label=f"{name}, train")
ax.axhline(baseline, color="gray", ls=":", label=f"chance ({baseline})")
ax.set(xlabel="epoch", ylabel="accuracy at the 'deep' step", ylim=(0.3, 1.05),
       title=f"Right-context task (T={T}): only the bidirectional model learns")
ax.legend(fontsize=8, loc="center right")
lab.savefig(fig, "right_context_training.png")

# %% [markdown]
# The bidirectional model reaches (nearly) 1.0; the left-to-right one stays at 0.5 on the
# validation set. Its *training* accuracy may creep above 0.5: with enough weights it starts to
# memorise the filler words of individual training sentences, which tells it nothing about new
# ones. A rising training curve over a flat validation curve is the signature of memorising.

# %% [markdown]
# ## 4. Gradients in a deep RNN: depth and time
#
# Lab 1 measured ||dL/dh_t|| along time. In a stack there is a second direction: the loss below
# reads the top layer's last output, L = sum(h_T^(3) * v), and dL/dh_t^(l) must travel back in
# time *and* down through the layers. We measure it at every (layer, step).
#
# One trap: `tape.gradient(loss, sequence)` on the output sequence of a `keras.layers.RNN` is not
# dL/dh_t. That tensor is only the stack of outputs handed to the layer above; the cell passes
# its state to the next step along a separate path inside the RNN's loop. So the gradient with
# respect to it counts only the paths that go *up*, and misses those that go *along* the layer.
# For the total derivative every h_t^(l) must be the very tensor the next step reads; the loop
# below (time outside, layers inside, as `StackedRNNCells` does) makes it so.

# %%
def deep_unroll(cells, x):
    """Run a stack of cells step by step; returns hs with hs[l][t] = h_t^(l+1), (batch, H_l).

    Each h_t^(l) is both the input of layer l+1 at step t and the state of layer l at step t+1,
    so inside a GradientTape, tape.gradient(loss, hs) gives the total derivatives dL/dh_t^(l).
    Works for cells with a single state (SimpleRNNCell, GRUCell).
    """
    batch, steps = x.shape[0], x.shape[1]
    states = [[tf.zeros((batch, cell.state_size))] for cell in cells]
    hs = [[None] * steps for _ in cells]
    for t in range(steps):
        below = x[:, t, :]
        for l, cell in enumerate(cells):
            below, states[l] = cell(below, states[l])
            hs[l][t] = below
    return hs


def gradient_map(cells, x, v):
    """||dL/dh_t^(l)|| for L = sum(h_T^(L) * v), as an (L, T) array (norm over batch and units)."""
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        hs = deep_unroll(cells, x)
        loss = tf.reduce_sum(hs[-1][-1] * v)
    grads = tape.gradient(loss, hs)
    return np.array([[float(tf.norm(g)) for g in layer] for layer in grads])


steps, width, depth = lab.pick(30, 8), 16, 3
x_deep = rng.standard_normal((8, steps, 4)).astype("float32")
v = tf.constant(rng.standard_normal(width).astype("float32"))
maps = {}
for name, make_cell in (("SimpleRNNCell (tanh)", keras.layers.SimpleRNNCell), ("GRUCell", keras.layers.GRUCell)):
    cells = [make_cell(width) for _ in range(depth)]
    deep = DeepRNN(cells, return_sequences=True)
    top = np.asarray(deep(x_deep))  # also builds the cells
    hs = deep_unroll(cells, tf.constant(x_deep))
    gap = float(np.max(np.abs(np.stack([np.asarray(h) for h in hs[-1]], axis=1) - top)))
    assert gap < 1e-5, f"deep_unroll and DeepRNN disagree by {gap}"
    norms = maps[name] = gradient_map(cells, x_deep, v)
    # A constant factor per step is a straight slope on a log scale: (first / last) ** (1 / (T - 1)).
    per_step = (norms[:, 0] / norms[:, -1]) ** (1 / (steps - 1))
    print(f"{name}: ||dL/dh_T^(l)|| for l = 1..{depth}: {np.array2string(norms[:, -1], precision=3)}; "
          f"||dL/dh_1^(l)||: {np.array2string(norms[:, 0], precision=3)}; "
          f"average factor per step back in time: {np.array2string(per_step, precision=2)}")

# The trap, measured on the last (GRU) stack: the gradient w.r.t. the top keras.layers.RNN's output.
with tf.GradientTape() as tape:
    sequence = tf.constant(x_deep)
    for rnn in deep.rnns:
        sequence = rnn(sequence)  # the stacked outputs, (batch, T, H)
    loss = tf.reduce_sum(sequence[:, -1, :] * v)
upward_only = np.linalg.norm(np.asarray(tape.gradient(loss, sequence)), axis=(0, 2))
print(f"w.r.t. the top RNN layer's output sequence the gradient is nonzero at {int(np.sum(upward_only > 0))} "
      f"of {steps} steps; the total derivative dL/dh_t^(3) at {int(np.sum(maps['GRUCell'][-1] > 0))}")

# %%
fig, axes = plt.subplots(1, 2, figsize=(10, 3.2), sharey=True)
low = min(np.log10(m).min() for m in maps.values())
for ax, (name, norms) in zip(axes, maps.items()):
    image = ax.imshow(np.log10(norms), origin="lower", aspect="auto", cmap="viridis", vmin=low,
                      vmax=max(np.log10(m).max() for m in maps.values()),
                      extent=(0.5, steps + 0.5, 0.5, depth + 0.5))
    ax.set(title=f"3-layer {name}", xlabel="time step t")
    ax.set_yticks(range(1, depth + 1))
axes[0].set_ylabel("layer l")
fig.colorbar(image, ax=axes, label="log10 ||dL/dh_t^(l)||")
lab.savefig(fig, "deep_gradient_heatmap.png")

# %% [markdown]
# Read the maps from the top-right corner, where the loss is: left is back in time, down is
# through depth.
#
# - **Along time** every layer fades by a roughly constant factor per step (a straight slope on
#   this log scale), Lab 1's vanishing gradient in each layer.
# - **Down** at the last step, the gradient shrinks a little per layer: one more Jacobian,
#   dh_t^(l)/dh_t^(l-1) = diag(act') K^T for a simple RNN, on every way down.
# - **At early steps the lower layers hold more than the top one.** The loss reaches h_1^(3)
#   along one path only, T-1 steps along the top layer. It reaches h_1^(1) along every path that
#   mixes T-1 steps left with 2 steps down, hundreds of them, and the gradient is their sum.
#   Depth adds paths, but none is shorter: every path back to step 1 still crosses T-1 steps.
# - **The GRU fades faster here**, at initialisation: its update gate starts near
#   sigmoid(0) = 0.5, so each step keeps only about half of the previous state. Gates help once
#   they are *open*: after training, or with a bias that starts them open (the idea behind the
#   LSTM's forget-gate bias of 1).
#
# In practice recurrent stacks are kept to a few layers of gated cells; deeper ones add residual
# connections between the layers (Google's 8-layer translation LSTM, Wu et al. 2016, does).
#
# **Going further.** A deep *bidirectional* RNN stacks `BidirectionalRNN` layers (each with
# `return_sequences=True`): layer l+1 reads [->h_t, <-h_t] of layer l at every step.
