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
# # Lab 6: the students' cells on real data: digits pixel by pixel, a character model of names
#
# <!-- TEMPLATE (from `python -m autograder new-lab`): a complete, working lab around one example
# exercise. Replace the text, the exercise and the experiment with yours; keep the shape: what the
# lab is about, how to work, the conventions, then one section per exercise or experiment. -->
#
# One exercise and one experiment:
#
# 1. **exercise**: `linear_recurrence`, the simple RNN without its activation;
# 2. what one input leaves behind after T steps, for recurrent matrices of different sizes.
#
# **How to work.** Open this file as a notebook (Jupyter with jupytext) or run it from the kit's
# root: `python labs/lab6_real_data.py`. The exercise is the `# TODO` in
# `labs/rnnlab/charmodel.py`; its docstring says what to compute. Check your work with
# `python -m autograder check --lab 6`. Until you have filled in the exercise, the cells that
# use it stop with `NotImplementedError`: that is expected. `RNNLAB_FAST=1` makes the lab a
# few-second smoke run.
#
# **Conventions** (the same in every lab and in the autograder; they match Keras):
#
# - a batch of sequences `x` has shape `(batch, T, D)`; time steps are t = 1..T in the text
#   (0..T-1 in code);
# - states are row vectors: h_t = h_{t-1} W + x_t, with W of shape (H, H).

# %%
from rnnlab import labtools

lab = labtools.start("lab6")

# %%
import matplotlib.pyplot as plt
import numpy as np

from rnnlab.charmodel import linear_recurrence

rng = np.random.default_rng(lab.seed)

# %% [markdown]
# ## 1. Exercise: `linear_recurrence`
#
# Fill in `linear_recurrence` in `rnnlab/charmodel.py`:
#
#     h_t = h_{t-1} W + x_t,    t = 1..T,    h_0 = 0 unless given
#
# and return every state, shape `(batch, T, H)`. Loop over the steps with `keras.ops`
# (`ops.matmul`, then `ops.stack(..., axis=1)`), not NumPy, so that gradients flow through it.
# The cell below checks the first two steps by hand.

# %%
x = rng.standard_normal((2, 4, 3)).astype("float32")
w = (0.5 * rng.standard_normal((3, 3))).astype("float32")
states = np.asarray(linear_recurrence(x, w))
print(f"states: shape {states.shape}")
print(f"h_1 = x_1 (h_0 = 0): {np.allclose(states[:, 0], x[:, 0])}")
print(f"h_2 = h_1 W + x_2: {np.allclose(states[:, 1], x[:, 1] + states[:, 0] @ w, atol=1e-5)}")

# %% [markdown]
# ## 2. What one input leaves behind
#
# Feed a single input at t = 1 and nothing after it: then h_t = x_1 W^(t-1). Take W = rho Q with
# Q orthogonal (it keeps lengths), and ||h_t|| = rho^(t-1) ||x_1|| exactly: over 50 steps,
# 0.9^50 = 0.00515 and 1.1^50 = 117.39. Memory (and, in the later labs, the gradient) fades or
# explodes geometrically unless rho is 1.

# %%
steps = lab.pick(51, 11)
width = 8
q, _ = np.linalg.qr(rng.standard_normal((width, width)))
impulse = np.zeros((1, steps, width), "float32")
impulse[0, 0] = rng.standard_normal(width)

fig, ax = plt.subplots(figsize=(6, 3.5))
for rho in (0.9, 1.0, 1.1):
    norms = np.linalg.norm(np.asarray(linear_recurrence(impulse, (rho * q).astype("float32")))[0], axis=-1)
    print(f"rho = {rho}: ||h_T|| / ||h_1|| = {norms[-1] / norms[0]:.5g} after {steps - 1} steps; "
          f"rho^{steps - 1} = {rho ** (steps - 1):.5g}")
    ax.semilogy(np.arange(1, steps + 1), norms, label=f"rho = {rho}")
ax.set_xlabel("step t")
ax.set_ylabel("||h_t||")
ax.set_title("one input at t = 1, W = rho Q")
ax.legend()
lab.savefig(fig, "impulse_norms.png")

# %% [markdown]
# ## Check your work
#
# `python -m autograder check --lab 6` grades `labs/rnnlab/charmodel.py` with the public
# tests: points, and a message per test that says what is wrong.
