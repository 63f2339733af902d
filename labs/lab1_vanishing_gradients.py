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
# # Lab 1: simple RNNs, vanishing and exploding gradients
#
# A recurrent network applies the same step to every element of a sequence, so backpropagation
# through time (BPTT) multiplies the same kind of factor again and again. A product of many
# factors shrinks to nothing or blows up unless each factor is very close to 1. This lab makes
# that concrete:
#
# 1. one number, fifty steps: the gradient of h_t = w h_{t-1} is w^T;
# 2. why tanh makes it worse, and what an RNN looks like as a dynamical system;
# 3. **exercise**: `SimpleRNNCell` as a custom Keras layer;
# 4. **exercise**: `unroll` and `state_gradient_norms`, to measure ||dL/dh_t||;
# 5. gradient profiles for recurrent weights of spectral radius 0.5 to 1.5;
# 6. **exercise**: gradient clipping, a training run that needs it, and truncated BPTT;
# 7. **exercise**: the identity RNN (IRNN), a simple RNN that keeps its gradients.
#
# **How to work.** Open this file as a notebook (Jupyter with jupytext: *Open as notebook*) or run
# it as a script from the kit's root: `python labs/lab1_vanishing_gradients.py`. The exercises
# are the `# TODO`s in `labs/rnnlab/simple_rnn.py` and `labs/rnnlab/gradients.py`; each docstring
# says exactly what to compute. Check your work with `python -m autograder check` (or
# `python -m autograder check --lab 1`) from the kit's root. Until you have filled in an exercise,
# the cells that use it stop with `NotImplementedError`: that is expected. Sections 1 and 2 need
# no exercise. The lab runs in well under a minute on two CPU cores; `RNNLAB_FAST=1` makes it a
# few-second smoke run.
#
# **Conventions** (the same in every lab and in the autograder; they match Keras):
#
# - a batch of sequences `x` has shape `(batch, T, D)`: batch first, then time, then features;
# - the hidden state h_t has shape `(batch, H)`; time steps are t = 1..T in the text (0..T-1 in
#   code), and h_0 is the initial state (zeros unless said otherwise);
# - states are row vectors, so weights multiply from the right:
#   **h_t = act(x_t K + h_{t-1} U + b)** with `kernel` K `(D, H)`, `recurrent_kernel` U `(H, H)`
#   and `bias` b `(H,)`, the names and shapes of `keras.layers.SimpleRNNCell`:
#
#   $$h_t = \mathrm{act}(x_t K + h_{t-1} U + b)$$
#
# **Notation map.** The lecture notes use two notations (one set of slides per source), both
# with column vectors and weights on the left; every later lab refers back to this table. Read
# "W s_{t-1}" in the notes as our "h_{t-1} U": the same numbers, transposed.
#
# | what | the notes | this kit (Keras) |
# |---|---|---|
# | hidden state | s_t (and h_t = s_t for the GRU); a^t or a^{<t>} (superscript time) | h_t |
# | recurrent weights (act on the previous state) | **W**; W_aa, the state block of W_a | **U** = `recurrent_kernel` (H, H), as h_{t-1} U |
# | input weights (act on x_t) | **U**; W_ax, the input block of W_a | **K** = `kernel` (D, H), as x_t K |
# | both at once | W_a [a^{t-1}, x^t] = W_aa a^{t-1} + W_ax x^t | [h_{t-1}, x_t] [U; K], i.e. W_a = [U; K]^T |
# | LSTM memory (cell state) | c_t, c^t (s_t in the slides that call the LSTM state s) | c_t |
# | LSTM candidate | g, c~_t (the "gate gate") | g (Keras's block "c") |
# | GRU reset gate | **o_t** (in s~_t = σ(W (o_t ⊙ s_{t-1}) + U x_t + b)); r, z_r, Γ_r | r |
# | GRU update gate | i_t, u, z_t, Γ_u: the weight of the *candidate* | 1 - z: our z weights h_{t-1} (Lab 3) |
#
# So the notes' **U is our K, and the notes' W is our U**: the letter U means opposite things.

# %%
from rnnlab import labtools

lab = labtools.start("lab1")

# %%
import keras
import matplotlib.pyplot as plt
import numpy as np
import seqtasks  # the kit's offline sequence tasks; labtools.start put them on sys.path
import tensorflow as tf

from rnnlab.gradients import (
    clip_by_global_norm,
    clip_by_value,
    state_gradient_norms,
    unroll,
    zero_states,
)
from rnnlab import figures  # schematic drawings of the models, written for you
from rnnlab.simple_rnn import SimpleRNNCell, irnn_cell

# %% [markdown]
# ## 1. One number, fifty steps
#
# Strip an RNN down to one hidden unit, no input and no nonlinearity: h_t = w h_{t-1}. Then
# h_T = w^T h_0, and the chain rule gives
#
#     dh_T/dh_0 = (dh_T/dh_{T-1}) (dh_{T-1}/dh_{T-2}) ... (dh_1/dh_0) = w · w · ... · w = w^T
#
# one factor of w for every step back in time. Fifty steps turn a modest 0.9 into 0.005 and 1.1
# into 117: the gradient **vanishes** or **explodes**, and only w = 1 exactly keeps it.
#
# Rather than trust the algebra, let `tf.GradientTape` do the chain rule. We compute in float64
# so that the tape and the formula agree to every printed digit.

# %%
SCALAR_STEPS = 50


def scalar_state_gradients(w, steps):
    """|dh_t/dh_0| for t = 0..steps, measured with the tape, for h_t = w h_{t-1}."""
    h0 = tf.constant(1.0, dtype=tf.float64)
    # persistent=True: we ask the same tape for one gradient per step.
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(h0)  # h0 is a constant, not a Variable: tell the tape to track it
        states = [h0]
        for _ in range(steps):
            states.append(w * states[-1])
    gradients = [float(tape.gradient(h_t, h0)) for h_t in states]
    del tape
    return np.abs(gradients)


scalar_profiles = {}
for w in (0.9, 1.0, 1.1):
    scalar_profiles[w] = scalar_state_gradients(w, SCALAR_STEPS)
    print(
        f"w = {w}: dh_{SCALAR_STEPS}/dh_0 from the tape = {scalar_profiles[w][-1]:.5f}, "
        f"{w}^{SCALAR_STEPS} = {w**SCALAR_STEPS:.5f}"
    )

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for w, profile in scalar_profiles.items():
    ax.plot(np.arange(SCALAR_STEPS + 1), profile, label=f"w = {w}")
ax.set_yscale("log")  # w^t is a straight line on a log scale, with slope log w
ax.set_xlabel("time step t")
ax.set_ylabel("|dh_t / dh_0|")
ax.set_title("h_t = w h_(t-1): the gradient is w^t")
ax.legend()
lab.savefig(fig, "scalar_recurrence.png")

# %% [markdown]
# **Erratum in the notes.** The slide writes the Jacobian from h(1) to h(T) as w^(T-1), then
# quotes 1.1^50 = 117.4 and 0.9^50 = 0.00515 for T = 50. Those are fifty factors, which is the
# count from h_0 to h_50 as here; from h_1 to h_50 there are only 49 (1.1^49 = 106.7).

# %% [markdown]
# ## 2. The forward pass squashes, the backward pass is linear
#
# Give the unit an input and a tanh: h_t = tanh(w h_{t-1} + x_t). Since tanh'(a) = 1 - tanh(a)^2,
# one step back multiplies the gradient by
#
#     dh_t/dh_{t-1} = w (1 - h_t^2)      so      dh_T/dh_0 = Π_t  w (1 - h_t^2)
#
# With H units the factor becomes the matrix diag(1 - h_t^2) U^T, and the product is an
# *ordered* product of matrices:
#
# $$\frac{\partial h_T}{\partial h_0} = \prod_{t=T}^{1} \operatorname{diag}(1 - h_t^2)\, U^\top
#   = \operatorname{diag}(1 - h_T^2)\, U^\top \cdots \operatorname{diag}(1 - h_1^2)\, U^\top$$
#
# (in the notes' column-vector notation, diag(1 - a_t^2) W_aa, a Jacobian of h_t with respect to
# h_{t-1}). **Erratum in the notes.** The slide writes the T = 4 product with "(W_a)^4": that is
# only true for one unit, where the factors are numbers and commute. With H units the diagonal
# tanh factors sit *between* the matrices and change at every step, so there is no power of
# one matrix; and the matrix is the recurrent block W_aa alone (our U), not all of
# W_a = [W_aa, W_ax], whose input block W_ax never touches h_{t-1}.
#
# The picture: one cell, copied at every step with the same K, U and b (blue, forwards), and
# the backward pass (red), one Jacobian per step back.

# %%
fig, ax = plt.subplots(figsize=(10, 3.8))
figures.draw_unrolled_rnn(ax, steps=4)
lab.savefig(fig, "unrolled_rnn.png")

# %% [markdown]
# Two things to notice:
#
# - **the forward pass squashes**: h_t stays in (-1, 1) however large w is;
# - **the backward pass is linear**: once the forward pass has fixed the h_t, the gradient is
#   just multiplied by the numbers w (1 - h_t^2). Nothing squashes it. Because
#   0 < 1 - h_t^2 <= 1, tanh can only shrink it: |dh_T/dh_0| <= |w|^T, and a saturated unit
#   (|h_t| close to 1) shrinks it a lot.
#
# Below, w = 1.5 would explode as a linear recurrence (1.5^20 = 3325), yet the tanh factors
# make the gradient vanish.

# %%
TANH_W, TANH_STEPS = 1.5, 20
tanh_inputs = np.random.default_rng(0).normal(scale=0.5, size=TANH_STEPS)

h0 = tf.constant(0.1, dtype=tf.float64)
with tf.GradientTape() as tape:
    tape.watch(h0)
    h, tanh_states = h0, []
    for x_t in tanh_inputs:
        h = tf.tanh(TANH_W * h + x_t)
        tanh_states.append(h)
measured = float(tape.gradient(h, h0))

tanh_states = np.array([float(h_t) for h_t in tanh_states])
tanh_factors = 1.0 - tanh_states**2  # tanh'(a_t) = 1 - h_t^2
product_of_factors = np.prod(TANH_W * tanh_factors)

print(f"forward: max |h_t| = {np.max(np.abs(tanh_states)):.4f} (tanh keeps every state in (-1, 1))")
print(f"tanh factors 1 - h_t^2 for t = 1..5: {np.array2string(tanh_factors[:5], precision=3)}")
print(f"dh_{TANH_STEPS}/dh_0 from the tape = {measured:.6e}")
print(f"product of w * (1 - h_t^2)   = {product_of_factors:.6e}")
print(f"{TANH_W}^{TANH_STEPS} = {TANH_W**TANH_STEPS:.2f} (the same w without tanh)")

# %%
steps = np.arange(1, TANH_STEPS + 1)
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(steps, TANH_W**steps, label=f"linear: {TANH_W}^t")
ax.plot(steps, np.abs(np.cumprod(TANH_W * tanh_factors)), label=f"tanh: Π {TANH_W} (1 - h_s^2)")
ax.set_yscale("log")
ax.set_xlabel("time step t")
ax.set_ylabel("|dh_t / dh_0|")
ax.set_title("the tanh factors turn an exploding product into a vanishing one")
ax.legend()
lab.savefig(fig, "tanh_factors.png")

# %% [markdown]
# ### An RNN as a dynamical system
#
# Each step computes h_t = f(h_{t-1}, x_t): the network applies one function over and over. To
# see what repeated application does, take the notes' example, the quadratic map
#
#     x_{t+1} = f(x_t) = x_t^2 + 0.15
#
# A **fixed point** x* has f(x*) = x*, that is x*^2 - x* + 0.15 = 0, so
# x* = (1 ± sqrt(1 - 0.6)) / 2 = (1 ± sqrt(0.4)) / 2. Near x*, a small offset e becomes
# f'(x*) e after one step. So x* is a **sink** (it attracts) when |f'(x*)| < 1 and a **source**
# (it repels) when |f'(x*)| > 1. Here f'(x) = 2x.
#
# The notes' slide says "f' > 1: source, f' < 1: sink". The test is on the absolute value
# |f'(x*)|: a fixed point with f' = -3 repels too (the offset flips sign and triples each step).

# %%
def quadratic_map(x):
    return x**2 + 0.15


sink, source = (1 - np.sqrt(0.4)) / 2, (1 + np.sqrt(0.4)) / 2  # roots of x^2 - x + 0.15 = 0
described = []
for point in (sink, source):
    slope = abs(2 * point)  # |f'(x*)| with f'(x) = 2x
    described.append(f"{point:.4f} ({'sink' if slope < 1 else 'source'}, |f'| = {slope:.4f})")
print("fixed points: " + ", ".join(described))

# %% [markdown]
# A **cobweb plot** follows the iteration by hand: from (x_t, x_t) on the diagonal go vertically
# to the curve, (x_t, f(x_t)), then horizontally back to the diagonal, (x_{t+1}, x_{t+1}).
# Fixed points are where the curve crosses the diagonal. Starts left of the source all end at
# the sink; a start just right of it escapes to infinity.

# %%
def cobweb_path(x0, steps):
    """Corner points of the cobweb from x0: diagonal -> curve -> diagonal -> ..."""
    xs, ys = [x0], [x0]
    x = x0
    for _ in range(steps):
        y = quadratic_map(x)
        xs += [x, y]
        ys += [y, y]
        x = y
        if x > 2:
            break  # escaped: off the plot and on its way to infinity
    return np.array(xs), np.array(ys)


grid = np.linspace(0.0, 1.0, 200)
fig, ax = plt.subplots(figsize=(5.5, 5.5))
ax.plot(grid, quadratic_map(grid), color="black", label="f(x) = x^2 + 0.15")
ax.plot(grid, grid, color="gray", linestyle="--", label="x_(t+1) = x_t")
for x0, color in ((0.0, "tab:blue"), (0.75, "tab:green"), (0.83, "tab:red")):
    xs, ys = cobweb_path(x0, steps=30)
    ax.plot(xs, ys, color=color, linewidth=1, label=f"x_0 = {x0}")
ax.plot([sink], [sink], "o", color="black", label="sink")
ax.plot([source], [source], "o", markerfacecolor="white", color="black", label="source")
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.set_xlabel("x_t")
ax.set_ylabel("x_(t+1)")
ax.set_title("cobweb plot of x_(t+1) = x_t^2 + 0.15")
ax.legend(loc="upper left", fontsize=8)
lab.savefig(fig, "cobweb.png")

# %% [markdown]
# A **phase plot** summarises the cobwebs: how far one step moves you, f(x) - x, and the
# direction on the x-axis. Arrows point towards the sink and away from the source. f is even,
# so x_0 and -x_0 land on the same x_1: the sink's **basin of attraction** is |x_0| < 0.8162.

# %%
grid = np.linspace(0.0, 1.0, 200)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(grid, quadratic_map(grid) - grid, color="black")
ax.axhline(0.0, color="gray", linewidth=0.8)
for start in (0.03, 0.45, 0.55, 0.9):
    direction = np.sign(quadratic_map(start) - start)
    ax.annotate("", xy=(start + 0.07 * direction, 0), xytext=(start, 0),
                arrowprops=dict(arrowstyle="->", color="tab:blue", linewidth=2))
ax.plot([sink], [0], "o", color="black", markersize=8, label=f"sink {sink:.4f}")
ax.plot([source], [0], "o", markerfacecolor="white", color="black", markersize=8,
        label=f"source {source:.4f}")
ax.set_xlabel("x_t")
ax.set_ylabel("f(x_t) - x_t  (one step's move)")
ax.set_title("phase plot: everything left of the source flows to the sink")
ax.legend()
lab.savefig(fig, "phase_plot.png")

# %% [markdown]
# Now the gradient. Inside the basin every start ends at the same sink, so nudging x_0 barely
# moves x_T: **the gradient vanishes**. Near the boundary (the source) a tiny nudge decides how
# long the orbit lingers at the source, growing by |f'| = 1.63 per step, before it falls to the
# sink: **the gradient explodes**. Geoffrey Hinton pictures an RNN the same way: attractors with
# basins, vanishing gradients inside a basin and exploding ones on the boundaries between them.
# One tape measures dx_T/dx_0 for a whole grid of starting points at once.

# %%
MAP_STEPS = 20


def map_state_gradients(x0_values, steps=MAP_STEPS):
    """|dx_T/dx_0| of the quadratic map for every starting point, in one backward pass."""
    x0 = tf.constant(x0_values, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x0)
        x = x0
        for _ in range(steps):
            x = quadratic_map(x)
        # The starting points do not interact, so the gradient of the sum holds each dx_T/dx_0.
        total = tf.reduce_sum(x)
    return np.abs(tape.gradient(total, x0).numpy())


probe_points = [0.1, 0.5, 0.8, 0.81, 0.816, 0.8162]
for x0, gradient in zip(probe_points, map_state_gradients(probe_points)):
    print(f"x0 = {x0:.4f}: |dx_{MAP_STEPS}/dx_0| = {gradient:.3e}")

# A grid that gets denser towards the boundary, where all the action is.
x0_grid = np.sort(np.concatenate([
    np.linspace(0.01, 0.8, lab.pick(80, 10)),
    source - np.logspace(-1.5, -7, lab.pick(80, 10)),
]))
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(x0_grid, map_state_gradients(x0_grid), ".-")
ax.axvline(source, color="gray", linestyle="--", label=f"basin boundary (source) {source:.4f}")
ax.set_yscale("log")
ax.set_xlabel("starting point x_0")
ax.set_ylabel(f"|dx_{MAP_STEPS} / dx_0|")
ax.set_title("vanishing inside the basin, exploding at its boundary")
ax.legend()
lab.savefig(fig, "map_gradients.png")

# %% [markdown]
# ### The same picture for an actual RNN: one tanh unit
#
# Now the real thing, a one-unit RNN with no input, h_t = tanh(w h_{t-1} + b). Its fixed points
# solve h* = tanh(w h* + b), and the slope of one step there is
#
# $$f'(h^*) = w \left(1 - \tanh^2(w h^* + b)\right) = w \left(1 - {h^*}^2\right)$$
#
# a sink when |f'(h*)| < 1, a source when it is > 1, as for the quadratic map. For w <= 1 there
# is one fixed point, a sink. For w > 1 and small |b| there are three: two sinks near ±1 and a
# source between them, the boundary of their basins. We find them as the sign changes of
# tanh(w h + b) - h on a fine grid, refined by bisection.

# %%
def tanh_unit(h, w, b):
    return np.tanh(w * h + b)


def tanh_fixed_points(w, b, grid_size=20000, rounds=60):
    """Every h* in [-1, 1] with h* = tanh(w h* + b), and the slope w (1 - h*^2) there."""
    grid = np.linspace(-1.0, 1.0, grid_size)  # an even size: 0 is not a grid point, so no root sits on one
    gap = tanh_unit(grid, w, b) - grid
    points = []
    for i in np.flatnonzero(np.sign(gap[:-1]) != np.sign(gap[1:])):
        lo, hi = grid[i], grid[i + 1]
        for _ in range(rounds):  # bisection: keep the half where the sign changes
            mid = (lo + hi) / 2
            if np.sign(tanh_unit(mid, w, b) - mid) == np.sign(tanh_unit(lo, w, b) - lo):
                lo = mid
            else:
                hi = mid
        points.append(round((lo + hi) / 2, 12) + 0.0)  # + 0.0 turns a rounded -0.0 into 0.0
    return [(point, w * (1 - point**2)) for point in points]


FIXED_POINT_CASES = [(0.5, 0.0), (2.0, 0.0), (2.0, -0.3), (2.0, -1.0)]
for w, b in FIXED_POINT_CASES:
    described = [f"{point:.4f} ({'sink' if abs(slope) < 1 else 'source'}, |f'| = {abs(slope):.4f})"
                 for point, slope in tanh_fixed_points(w, b)]
    print(f"tanh unit, w = {w}, b = {b}: fixed points " + ", ".join(described))

# %% [markdown]
# **The cliff.** Start every run at h_0 = 0.5 and score where it ends after 50 steps with the
# loss L = (h_50 - (-0.5))^2: the target is -0.5. With two sinks, h_0 = 0.5 ends near +1 or
# near -1 depending on which side of the source it starts. The source passes through 0.5 exactly when
# 0.5 = tanh(0.5 w + b), that is on the line **b = artanh(0.5) - 0.5 w**: crossing it flips
# h_50 from one sink to the other, and the loss jumps. This is the cliff that Pascanu, Mikolov
# and Bengio (2013, fig. 6) draw for the same kind of one-unit RNN: flat plateaus, a wall
# between them, and on the wall a gradient that explodes (a tiny step in b moves h_50 by ~2). We
# compute L on a grid of (w, b), and dL/dw, dL/db for every grid point in one backward pass.

# %%
CLIFF_STEPS, CLIFF_START, CLIFF_TARGET = 50, 0.5, -0.5
# 301 x 251 points, 50 steps each: about a second, so fast mode uses the same grid.
cliff_w = np.linspace(0.0, 3.0, 301)
cliff_b = np.linspace(-1.5, 1.0, 251)


def tanh_unit_loss(w, b):
    """L = (h_T - target)^2 for h_t = tanh(w h_{t-1} + b) from h_0 = CLIFF_START (any array shapes)."""
    h = CLIFF_START + 0.0 * w  # broadcast the start to the grid's shape
    for _ in range(CLIFF_STEPS):
        h = tf.tanh(w * h + b)
    return (h - CLIFF_TARGET) ** 2


w_grid, b_grid = (tf.constant(a) for a in np.meshgrid(cliff_w, cliff_b))  # float64, shape (len b, len w)
with tf.GradientTape() as tape:
    tape.watch([w_grid, b_grid])
    cliff_loss = tanh_unit_loss(w_grid, b_grid)
    # The grid points do not interact: the gradient of the sum holds every point's own dL/dw, dL/db.
    total_loss = tf.reduce_sum(cliff_loss)
loss_dw, loss_db = (g.numpy() for g in tape.gradient(total_loss, [w_grid, b_grid]))
cliff_loss = cliff_loss.numpy()

on_cliff = float(np.arctanh(CLIFF_START) - 0.5 * 2.0)  # the cliff's b at w = 2
for b in (on_cliff - 0.01, on_cliff + 0.01):
    print(f"w = 2.0, b = {b:.4f}: L = {float(tanh_unit_loss(tf.constant(2.0, tf.float64), b)):.4f}")
print(f"the cliff at w = 2.0 is at b = artanh(0.5) - 0.5 w = {on_cliff:.4f}")
worst = np.unravel_index(np.argmax(np.abs(loss_db)), loss_db.shape)
print(f"largest |dL/db| on the grid: {np.abs(loss_db)[worst]:.3e} at w = {cliff_w[worst[1]]:.2f}, "
      f"b = {cliff_b[worst[0]]:.2f}; median |dL/db|: {np.median(np.abs(loss_db)):.3e}")

# %%
fig, (fixed_ax, cliff_ax) = plt.subplots(1, 2, figsize=(11.5, 4.6))
h_grid = np.linspace(-1.2, 1.2, 400)
fixed_ax.plot(h_grid, h_grid, color="gray", linestyle="--", label="h_t = h_(t-1)")
for (w, b), color in zip(FIXED_POINT_CASES, ("tab:green", "tab:blue", "tab:purple", "tab:red")):
    fixed_ax.plot(h_grid, tanh_unit(h_grid, w, b), color=color, label=f"tanh({w} h + {b})")
    for point, slope in tanh_fixed_points(w, b):
        sink = abs(slope) < 1
        fixed_ax.plot([point], [point], "o", color=color, markerfacecolor=color if sink else "white", markersize=7)
fixed_ax.set(xlabel="h_(t-1)", ylabel="h_t", title="fixed points (filled: sink, open: source)",
             xlim=(-1.2, 1.2), ylim=(-1.2, 1.2))
fixed_ax.legend(fontsize=8, loc="upper left")

image = cliff_ax.pcolormesh(cliff_w, cliff_b, cliff_loss, shading="auto", cmap="viridis")
fig.colorbar(image, ax=cliff_ax, label=f"L = (h_{CLIFF_STEPS} - ({CLIFF_TARGET}))^2")
line_w = np.linspace(1.0, 3.0, 50)
cliff_ax.plot(line_w, np.arctanh(CLIFF_START) - CLIFF_START * line_w, color="tab:red", linestyle="--",
              label="b = artanh(0.5) - 0.5 w")
cliff_ax.set(xlabel="w", ylabel="b", title=f"the loss over (w, b), h_0 = {CLIFF_START}: a cliff")
cliff_ax.legend(fontsize=8, loc="upper right")
lab.savefig(fig, "tanh_unit_cliff.png")

# %% [markdown]
# Left: w = 0.5 has one sink at 0; w = 2 has two sinks near ±0.96 and a source at 0 between
# them; a bias tilts the curve until one sink and the source merge and vanish (w = 2, b = -1).
# Right: two plateaus of the loss, one where h_50 ends at the positive sink (L ≈ 2) and one at
# the negative sink (L ≈ 0.2), and between them, along the dashed line, a wall. Off the wall the
# gradient is modest (the median |dL/db| above is about 0.1: inside a basin, b only moves the sink
# a little); on it, it is thousands of times larger, and it grows without bound as the grid gets
# finer. A gradient step that lands on the wall throws the weights far away: that is what
# clipping (section 6) is for.

# %% [markdown]
# ## 3. Exercise: `SimpleRNNCell`, a custom Keras layer
#
# A Keras RNN is split in two: a **cell** computes one time step, and `keras.layers.RNN(cell)`
# runs the loop over time. A cell is a `keras.layers.Layer` that follows the *cell contract*:
#
# - `state_size`: the size of each state tensor; here H, one state, the hidden state;
# - `output_size`: the size of the per-step output; here H too, because the output *is* h_t;
# - `build(input_shape)`: create the weights, once, when the first input arrives.
#   `input_shape` is `(batch, D)` (one step, not a sequence), so D = `input_shape[-1]`. Use
#   `self.add_weight(shape=..., initializer=..., name=...)` with the Keras names `kernel`
#   `(D, H)`, `recurrent_kernel` `(H, H)`, `bias` `(H,)`;
# - `call(inputs, states)`: one step, x_t `(batch, D)` and the list `[h_{t-1}]` in,
#   `(h_t, [h_t])` out: the output and the list of new states.
#
# The class is decorated with `@keras.saving.register_keras_serializable(package="rnnlab")`.
# Without it Keras cannot rebuild the cell from its config, and `keras.layers.Bidirectional`
# (which clones the cell that way) fails with an opaque deserialization error.
#
# **Your turn**: fill in `SimpleRNNCell.build` and `SimpleRNNCell.call` in
# `rnnlab/simple_rnn.py`.

# %%
rng = np.random.default_rng(1)
x = rng.normal(size=(4, 10, 3)).astype("float32")  # (batch, T, D)

cell = SimpleRNNCell(8)
h_start = tf.zeros((4, cell.state_size))
h_1, new_states = cell(x[:, 0, :], [h_start])  # the first call runs build((4, 3)) first

print(f"state_size = {cell.state_size}, output_size = {cell.output_size}")
print("weights: " + ", ".join(f"{w.name} {tuple(w.shape)}" for w in cell.weights))
print(f"one step: x_1 {x[:, 0, :].shape} and h_0 {tuple(h_start.shape)} -> h_1 {tuple(h_1.shape)}, "
      f"new states: a list of {len(new_states)}")
print(f"registered as {keras.saving.get_registered_name(SimpleRNNCell)}")

# %% [markdown]
# Inside `keras.layers.RNN` the cell runs over a whole sequence. To check it against Keras's
# own `SimpleRNNCell`, copy the weights across **by name** (the order in which a layer creates
# its weights is not part of the contract) and compare the outputs.

# %%
def copy_weights_by_name(source, target):
    """Give every weight of `target` the value of the weight with the same name in `source`."""
    source_weights = {w.name: w for w in source.weights}
    for w in target.weights:
        w.assign(source_weights[w.name])


our_rnn = keras.layers.RNN(cell, return_sequences=True)
keras_cell = keras.layers.SimpleRNNCell(8)
keras_rnn = keras.layers.RNN(keras_cell, return_sequences=True)
keras_rnn(x)  # build the Keras cell so that it has weights to overwrite
copy_weights_by_name(cell, keras_cell)

ours, theirs = our_rnn(x), keras_rnn(x)
print(f"outputs: {tuple(ours.shape)} (batch, T, H)")
print(f"SimpleRNNCell vs keras.layers.SimpleRNNCell: max abs difference = "
      f"{np.max(np.abs(ours - theirs)):.1e}")

# %% [markdown]
# ## 4. Exercise: `unroll` and `state_gradient_norms`
#
# To measure gradients with respect to the hidden states we need the states themselves, so we
# run the time loop by hand. Read the docstrings in `rnnlab/gradients.py`, then fill in:
#
# - `unroll(cell, x, initial_state=None) -> (outputs, final_states)`: a plain Python loop over
#   the time steps, what `keras.layers.RNN(cell, return_sequences=True, return_state=True)` does.
#   `zero_states(cell, batch_size)` gives the default initial state.
# - `state_gradient_norms(cell, x, loss_fn) -> (T,)`: ||dL/dh_t|| for t = 1..T with
#   L = loss_fn(h_T). It is the **total** derivative, through every later state, and the norm is
#   over the whole `(batch, H)` array. Do it in **one** backward pass: a `GradientTape` can
#   return the gradients for a whole list of tensors at once (the docstring has a hint, and a
#   faster trick for long sequences).

# %%
outputs, final_states = unroll(cell, x)
keras_outputs, keras_final_state = keras.layers.RNN(
    cell, return_sequences=True, return_state=True
)(x)
print(f"unroll: outputs {tuple(outputs.shape)}, {len(final_states)} final state(s)")
print(f"unroll vs keras.layers.RNN: max abs difference = "
      f"{np.max(np.abs(outputs - keras_outputs)):.1e} (outputs), "
      f"{np.max(np.abs(final_states[0] - keras_final_state)):.1e} (final state)")

# %% [markdown]
# Check `state_gradient_norms` against the naive way: keep every h_t on a persistent tape and
# ask for one gradient per step. That is T backward passes instead of one, fine for T = 10, far
# too slow for T = 1000. The loss reads h_T through a fixed random vector r:
# L = Σ_b Σ_j h_T[b, j] r_j, so dL/dh_T is r in every row and ||dL/dh_T|| = sqrt(batch) ||r||.

# %%
readout = tf.constant(np.random.default_rng(2).normal(size=8), dtype=tf.float32)


def readout_loss(h_last):
    return tf.reduce_sum(h_last * readout)


norms = state_gradient_norms(cell, x, readout_loss)

with tf.GradientTape(persistent=True) as tape:
    states = zero_states(cell, x.shape[0])
    hidden_states = []
    for t in range(x.shape[1]):
        h_t, states = cell(x[:, t, :], states)
        hidden_states.append(h_t)
    loss = readout_loss(hidden_states[-1])
naive_norms = np.array([tf.norm(tape.gradient(loss, h_t)).numpy() for h_t in hidden_states])
del tape

print(f"||dL/dh_t||, t = 1..{x.shape[1]}: {np.array2string(norms, precision=4)}")
print(f"state_gradient_norms vs one tape.gradient per step: max abs difference = "
      f"{np.max(np.abs(norms - naive_norms)):.1e}")
print(f"||dL/dh_T|| = {norms[-1]:.4f}, sqrt(batch) * ||r|| = "
      f"{np.sqrt(x.shape[0]) * np.linalg.norm(readout.numpy()):.4f}")

# %% [markdown]
# ## 5. Measuring the profile ||dL/dh_t||
#
# With H units, one step back multiplies the gradient (a row vector) by
# diag(act'(a_t)) U^T. Pascanu, Mikolov and Bengio (2013) bound it: if |act'| <= γ (γ = 1 for
# tanh and for the identity) and λ_1 is the largest singular value of U, then
#
#     ||dL/dh_{t-1}|| <= λ_1 γ ||dL/dh_t||      so      ||dL/dh_t|| <= (λ_1 γ)^(T-t) ||dL/dh_T||
#
# If **λ_1 < 1/γ the gradient vanishes exponentially**; λ_1 > 1/γ is *necessary* for it to
# explode (not sufficient: tanh factors can still pull it down).
#
# The usual knob is the **spectral radius** ρ (the largest |eigenvalue|), but in general
# ρ <= λ_1, and a matrix with ρ < 1 can still stretch some directions (λ_1 > 1) for a while. We
# take U = ρ Q with Q a random orthogonal matrix: then U^T U = ρ^2 I, every singular value equals
# ρ and every eigenvalue has modulus ρ, so **ρ = λ_1** and the one number we dial is exactly the
# one in the bound. For a linear RNN the bound is then an equality: each step back multiplies
# ||dL/dh_t|| by exactly ρ. `keras.initializers.Orthogonal(gain=ρ)` builds ρ Q.
#
# The loss is L = Σ h_T, so dL/dh_T is all ones whatever the forward pass did: every curve
# starts from the same gradient, and the differences come from the backward pass alone.

# %%
PROFILE_STEPS = lab.pick(50, 20)
PROFILE_UNITS = lab.pick(32, 8)
SPECTRAL_RADII = (0.5, 0.9, 1.0, 1.1, 1.5)
profile_inputs = np.random.default_rng(3).normal(size=(8, PROFILE_STEPS, 4)).astype("float32")


def sum_of_last_state(h_last):
    return tf.reduce_sum(h_last)


def scaled_orthogonal_cell(rho, activation):
    # The same seeds for every cell: only rho and the activation change between curves.
    return SimpleRNNCell(
        PROFILE_UNITS,
        activation=activation,
        kernel_initializer=keras.initializers.GlorotUniform(seed=1),
        recurrent_initializer=keras.initializers.Orthogonal(gain=rho, seed=0),
    )


def per_step_factor(norms):
    """Fit ||dL/dh_t|| ~ c * factor^(T - t): what one step back multiplies the gradient by."""
    steps_back = np.arange(len(norms))[::-1]  # T - t for t = 1..T
    slope, _ = np.polyfit(steps_back, np.log(norms), 1)
    return float(np.exp(slope))


profiles, profile_cells = {}, {}
for activation in ("linear", "tanh"):
    for rho in SPECTRAL_RADII:
        cell = scaled_orthogonal_cell(rho, activation)
        profiles[activation, rho] = state_gradient_norms(cell, profile_inputs, sum_of_last_state)
        profile_cells[activation, rho] = cell

# Check the claim rho = lambda_1 on one of the cells' actual recurrent kernels.
recurrent_kernel = {w.name: w for w in profile_cells["linear", 1.1].weights}["recurrent_kernel"]
singular_values = np.linalg.svd(recurrent_kernel.numpy(), compute_uv=False)
spectral_radius = np.max(np.abs(np.linalg.eigvals(recurrent_kernel.numpy())))
print(f"U = 1.1 * Q: singular values from {singular_values.min():.4f} to "
      f"{singular_values.max():.4f}, spectral radius {spectral_radius:.4f}")
for rho in SPECTRAL_RADII:
    print(f"rho = {rho}: per-step factor linear {per_step_factor(profiles['linear', rho]):.4f}, "
          f"tanh {per_step_factor(profiles['tanh', rho]):.4f}")

# %%
time_steps = np.arange(1, PROFILE_STEPS + 1)
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, activation in zip(axes, ("linear", "tanh")):
    for rho in SPECTRAL_RADII:
        ax.plot(time_steps, profiles[activation, rho], label=f"ρ = λ_1 = {rho}")
    ax.set_yscale("log")
    ax.set_xlabel("time step t (the loss reads h_T)")
    ax.set_title(f"{activation} activation")
axes[0].set_ylabel("||dL / dh_t||")
axes[0].legend()
fig.suptitle("gradient profiles for U = ρ Q")
lab.savefig(fig, "gradient_profiles.png")

# %% [markdown]
# The linear panel is the bound made visible: straight lines on the log scale, because every
# step back multiplies the gradient by exactly ρ, and the fitted factor is ρ itself. With tanh
# every factor (1 - h_t^2) is at most 1, so each curve falls at least as fast as its linear twin:
# ρ = 1 already vanishes, and even ρ = 1.5 stays roughly flat, because the large recurrent
# weights saturate the units. That is the vanishing gradient problem: a loss at step T sends
# only a faint signal to the states a few dozen steps earlier, so a tanh RNN can hardly learn
# that they mattered.

# %% [markdown]
# ## 6. Exploding gradients: clipping
#
# Vanishing is hard to fix; exploding is easy to *contain*: when the gradient is too long,
# shorten it before the update. Two ways:
#
# - **by value**: clip every component into [lo, hi]. Simple, but it changes the gradient's
#   *direction* (large components are cut more than small ones);
# - **by global norm** (Pascanu et al. 2013): if the norm of *all* gradients together,
#   sqrt(Σ_i ||g_i||^2), exceeds `max_norm`, scale every g_i by max_norm / global_norm. The
#   direction is kept; only the step is shorter.
#
# **Your turn**: fill in `clip_by_value` and `clip_by_global_norm` in `rnnlab/gradients.py`.
# Gradient lists can hold `None` (a variable the loss does not use): keep it `None`.

# %%
def flat(gradients):
    return np.concatenate([np.ravel(g) for g in gradients if g is not None])


def listed(gradients):
    return [None if g is None else g.numpy().tolist() for g in gradients]


example_grads = [tf.constant([3.0, -4.0]), None, tf.constant([[12.0]])]
by_value = clip_by_value(example_grads, -1.0, 1.0)
by_norm, global_norm = clip_by_global_norm(example_grads, 6.5)
tf_by_norm, tf_global_norm = tf.clip_by_global_norm(example_grads, 6.5)


def cosine(a, b):
    return np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))


print(f"gradients: {listed(example_grads)}")
print(f"clip_by_value to [-1, 1]: {listed(by_value)}")
print(f"clip_by_global_norm to 6.5: {listed(by_norm)}, global norm = {float(global_norm):.4f}")
print(f"clip_by_global_norm vs tf.clip_by_global_norm: max abs difference = "
      f"{np.max(np.abs(flat(by_norm) - flat(tf_by_norm))):.1e}, "
      f"tf global norm = {float(tf_global_norm):.4f}")
print(f"cosine with the original: clip_by_value {cosine(flat(example_grads), flat(by_value)):.4f}, "
      f"clip_by_global_norm {cosine(flat(example_grads), flat(by_norm)):.4f}")

# %% [markdown]
# ### A training run that needs clipping
#
# The adding problem (`seqtasks.make_adding_problem`): two input channels, random numbers in
# [0, 1) and a 0/1 marker on exactly two steps; the target is the sum of the two marked numbers.
# Always answering 1 scores an MSE of 1/6 (`seqtasks.adding_baseline()`): below that line, the
# model has learnt something.
#
# We give a `SimpleRNNCell` a large recurrent kernel (U = 1.5 Q, so λ_1 = 1.5) and train with
# plain SGD at a high learning rate, twice, from the same weights on the same batches: once as
# is, once with `clip_by_global_norm`. Without clipping, each gradient spike throws the weights
# further and the loss runs off to `inf` (then `nan`) within a few dozen steps; with clipping the
# same spikes are cut to length 1.

# %%
ADDING_T, BATCH_SIZE = 30, 64
TRAIN_STEPS = lab.pick(1500, 40)
LEARNING_RATE, MAX_NORM = 0.15, 1.0
baseline = seqtasks.adding_baseline()
x_test, y_test = seqtasks.make_adding_problem(1000, ADDING_T, seed=0)


def adding_batch(step):
    # A fresh batch per step, seeded by the step: both runs see the same data in the same order.
    return seqtasks.make_adding_problem(BATCH_SIZE, ADDING_T, seed=1 + step)


def build_adding_model():
    keras.utils.set_random_seed(lab.seed)  # both runs start from the same weights
    cell = SimpleRNNCell(32, recurrent_initializer=keras.initializers.Orthogonal(gain=1.5, seed=0))
    return keras.Sequential([
        keras.Input((ADDING_T, 2)),
        keras.layers.RNN(cell),
        keras.layers.Dense(1),
    ])


def train_adding(max_norm):
    """SGD on the adding problem; clip to `max_norm` unless it is None. Stops at an inf/nan loss."""
    model = build_adding_model()
    optimizer = keras.optimizers.SGD(LEARNING_RATE)

    @tf.function  # trace the step once into a graph: several times faster than eager
    def train_step(x, y):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_variables)
        if max_norm is None:
            grad_norm = tf.linalg.global_norm(grads)
        else:
            grads, grad_norm = clip_by_global_norm(grads, max_norm)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss, grad_norm

    history = {"loss": [], "grad_norm": []}
    for step in range(TRAIN_STEPS):
        loss, grad_norm = train_step(*adding_batch(step))
        history["loss"].append(float(loss))
        history["grad_norm"].append(float(grad_norm))
        if not np.isfinite(float(loss)):
            break  # the weights are inf or nan now: nothing more to learn
    test_mse = float(tf.reduce_mean(tf.square(model(x_test) - y_test)))
    return history, test_mse


unclipped, unclipped_test_mse = train_adding(max_norm=None)
clipped, clipped_test_mse = train_adding(max_norm=MAX_NORM)

final_loss, steps_run = unclipped["loss"][-1], len(unclipped["loss"])
if np.isfinite(final_loss):
    print(f"without clipping: no divergence in {steps_run} steps, "
          f"test MSE = {unclipped_test_mse:.4f}")
else:
    print(f"without clipping: diverged, loss = {final_loss} at step {steps_run}")
print(f"with clipping (max norm {MAX_NORM}): largest gradient norm before clipping = "
      f"{max(clipped['grad_norm']):.1f}")
print(f"with clipping: test MSE after {TRAIN_STEPS} steps = {clipped_test_mse:.4f} "
      f"(baseline 1/6 = {baseline:.4f})")

# %%
def running_mean(values, window):
    window = max(1, min(window, len(values)))
    return np.convolve(values, np.ones(window) / window, mode="valid")


unclipped_steps = np.arange(1, len(unclipped["loss"]) + 1)
clipped_steps = np.arange(1, len(clipped["loss"]) + 1)
smooth_loss = running_mean(clipped["loss"], 50)

fig, (loss_ax, norm_ax) = plt.subplots(1, 2, figsize=(11, 4))
loss_ax.plot(unclipped_steps, unclipped["loss"], "o-", color="tab:red", markersize=3,
             label=f"no clipping (loss {unclipped['loss'][-1]} at step {len(unclipped['loss'])})")
loss_ax.plot(clipped_steps, clipped["loss"], color="tab:blue", alpha=0.2)
loss_ax.plot(clipped_steps[len(clipped_steps) - len(smooth_loss):], smooth_loss, color="tab:blue",
             label=f"clip_by_global_norm({MAX_NORM}), running mean")
loss_ax.axhline(baseline, color="black", linestyle="--", label="baseline 1/6 (always answer 1)")
# Log axes: the unclipped run lives in the first few dozen steps and leaves the plot upwards.
loss_ax.set_xscale("log")
loss_ax.set_yscale("log")
loss_ax.set_ylim(0.02, 1e4)
loss_ax.set_xlabel("training step")
loss_ax.set_ylabel("training MSE")
loss_ax.set_title(f"adding problem, T = {ADDING_T}, SGD at learning rate {LEARNING_RATE}")
loss_ax.legend(fontsize=8, loc="lower left")

norm_ax.plot(unclipped_steps, unclipped["grad_norm"], "o-", color="tab:red", markersize=3,
             label="no clipping")
norm_ax.plot(clipped_steps, clipped["grad_norm"], color="tab:blue", alpha=0.6,
             label="clipped run, norm before clipping")
norm_ax.axhline(MAX_NORM, color="black", linestyle="--", label=f"max norm {MAX_NORM}")
norm_ax.set_xscale("log")
norm_ax.set_yscale("log")
norm_ax.set_xlabel("training step")
norm_ax.set_ylabel("global gradient norm")
norm_ax.set_title("the same spikes, cut to length 1 or not")
norm_ax.legend(fontsize=8)
lab.savefig(fig, "clipping.png")

# %% [markdown]
# Clipping does not make the task easier; it stops one bad step from wrecking the weights, so
# that the many ordinary steps can do their work. It is cheap insurance, but you must ask for
# it: neither Keras nor PyTorch clips unless told to (`keras.optimizers.Adam(clipnorm=1.0)` or
# `global_clipnorm=`; `torch.nn.utils.clip_grad_norm_` before `optimizer.step()`).

# %% [markdown]
# ### Truncated BPTT
#
# Another way to keep backpropagation cheap and tame on long sequences: cut it. Split each
# sequence into chunks of k steps, run the forward pass over the chunks in order and **carry the
# state** from one chunk to the next, but backpropagate only inside a chunk (`tf.stop_gradient`
# at the boundary). Every chunk costs k steps of backpropagation, however long the sequence.
#
# The price: inside a chunk of k steps, a loss at step t reaches back to at most the chunk's
# first step, that is k - 1 steps earlier. So **truncated BPTT cannot learn a dependency of d
# steps unless k >= d + 1**: a lag of exactly k is out of reach too, since x_{t-k} and its
# target at step t never share a chunk. The forward pass still carries information
# across chunks; nothing teaches the network to *keep* it there. Here is a task that needs a
# memory of exactly 5 steps: the input is a random ±1 stream and the target at step t is the
# input at step t - 5 (predicting 0 scores an MSE of 1). We train with k = 4, with k = 5 (the lag
# itself) and with k = 10.
#
# (The network is kept small, 8 units, on purpose. A large random recurrent network already
# holds a fading trace of its recent inputs, and a trained readout can decode it without any
# gradient through time; that is the idea of echo state networks. With 8 units the memory has
# to be learnt.)

# %%
ECHO_LAG, ECHO_LENGTH, ECHO_BATCH = 5, 100, 32
ECHO_UNITS = 8
ECHO_SEQUENCES = lab.pick(80, 2)


def echo_batch(seed):
    """Random ±1 inputs; the target at step t is the input ECHO_LAG steps earlier (0 before)."""
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 1.0], size=(ECHO_BATCH, ECHO_LENGTH, 1)).astype("float32")
    y = np.zeros_like(x)
    y[:, ECHO_LAG:] = x[:, :-ECHO_LAG]
    return x, y


def train_truncated(k):
    """Truncated BPTT with chunks of k steps; returns the loss per sequence and the test MSE."""
    keras.utils.set_random_seed(lab.seed)
    cell, readout = SimpleRNNCell(ECHO_UNITS), keras.layers.Dense(1)
    cell.build((None, 1))
    readout.build((None, ECHO_UNITS))
    variables = cell.trainable_variables + readout.trainable_variables
    optimizer = keras.optimizers.Adam(0.01)

    @tf.function
    def train_chunk(x_chunk, y_chunk, state):
        with tf.GradientTape() as tape:
            outputs, final_state = unroll(cell, x_chunk, initial_state=state)
            loss = tf.reduce_mean(tf.square(readout(outputs) - y_chunk))
        grads, _ = clip_by_global_norm(tape.gradient(loss, variables), 1.0)
        optimizer.apply_gradients(zip(grads, variables))
        return loss, final_state

    losses = []
    for sequence in range(ECHO_SEQUENCES):
        x, y = echo_batch(seed=1 + sequence)
        state = zero_states(cell, ECHO_BATCH)
        chunk_losses = []
        for start in range(0, ECHO_LENGTH, k):
            state = [tf.stop_gradient(s) for s in state]  # carry the value, cut the gradient
            loss, state = train_chunk(x[:, start:start + k], y[:, start:start + k], state)
            chunk_losses.append(float(loss))
        losses.append(np.mean(chunk_losses))

    # Test on whole sequences (no truncation needed without a backward pass), after the lag.
    x, y = echo_batch(seed=0)
    outputs, _ = unroll(cell, x)
    test_mse = float(tf.reduce_mean(tf.square(readout(outputs)[:, ECHO_LAG:] - y[:, ECHO_LAG:])))
    return losses, test_mse


truncated_runs = {}
for k in (4, 5, 10):
    truncated_runs[k] = train_truncated(k)
    relation = "<" if k < ECHO_LAG else "=" if k == ECHO_LAG else ">"
    print(f"truncated BPTT, k = {k} ({relation} lag {ECHO_LAG}): echo test MSE = "
          f"{truncated_runs[k][1]:.3f} (predicting 0 scores 1.000)")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
for k, (losses, _) in truncated_runs.items():
    ax.plot(np.arange(1, len(losses) + 1), losses, "o-", markersize=3, label=f"chunks of k = {k}")
ax.axhline(1.0, color="black", linestyle="--", label="predict 0")
ax.set_yscale("log")
ax.set_xlabel("training sequence")
ax.set_ylabel("training MSE (mean over chunks)")
ax.set_title(f"echo with lag {ECHO_LAG}: learnable only when k >= {ECHO_LAG + 1}")
ax.legend()
lab.savefig(fig, "truncated_bptt.png")

# %% [markdown]
# With k = 10, half of the targets (the last 5 steps of each chunk) have the input they echo in
# the same chunk: the gradient links them, the network learns to keep 5 steps of input, and the
# shared weights then serve every step. With k = 4 no target ever does, and with k = 5 none
# either: x_{t-5} sits in the chunk before its target, whatever t is. Early on its
# loss dips anyway: the readout learns to decode the faint trace of x_{t-5} that the random
# network happens to keep. But no gradient ever asks the cell to *keep* that trace, and the
# updates it does get, which only see the last 4 steps, wash it out: the loss returns to 1.

# %% [markdown]
# ## 7. Exercise: the identity RNN
#
# Clipping tames explosions, but nothing so far helps a gradient that *vanishes*. The notes'
# argument: hidden units are a memory, so by default a step should keep them as they are, and
# the Jacobians dh_t/dh_{t-1} should be close to the identity. Le, Jaitly and Hinton (2015) get
# this with two changes to the simple RNN, the **IRNN**:
#
# - ReLU instead of tanh: for a positive unit relu' = 1, so nothing shrinks the gradient;
# - recurrent kernel initialised to the identity: with no input, h_t = relu(h_{t-1}) = h_{t-1}.
#
# Then dh_t/dh_{t-1} = diag(relu'(a_t)), a diagonal of ones (active units) and zeros.
#
# **Your turn**: write `irnn_cell(units)` in `rnnlab/simple_rnn.py`; it is one line that
# configures your `SimpleRNNCell`: `activation="relu"` and `recurrent_initializer="identity"`
# (the Keras initializer `keras.initializers.Identity()`). Below, its gradient profile is
# compared with a tanh `SimpleRNNCell` with Keras's default (orthogonal, ρ = 1) recurrent
# initialisation, on the same inputs and the same loss as in section 5.

# %%
irnn_norms = state_gradient_norms(irnn_cell(PROFILE_UNITS), profile_inputs, sum_of_last_state)
tanh_norms = state_gradient_norms(SimpleRNNCell(PROFILE_UNITS), profile_inputs, sum_of_last_state)
print(f"per-step factor: IRNN {per_step_factor(irnn_norms):.4f}, "
      f"tanh SimpleRNNCell {per_step_factor(tanh_norms):.4f}")
print(f"||dL/dh_1|| / ||dL/dh_T||: IRNN {irnn_norms[0] / irnn_norms[-1]:.3e}, "
      f"tanh SimpleRNNCell {tanh_norms[0] / tanh_norms[-1]:.3e}")

# %%
fig, ax = plt.subplots(figsize=(6, 4))
ax.plot(time_steps, irnn_norms, label="IRNN: ReLU, U = I")
ax.plot(time_steps, tanh_norms, label="tanh, U orthogonal (Keras default)")
ax.set_yscale("log")
ax.set_xlabel("time step t (the loss reads h_T)")
ax.set_ylabel("||dL / dh_t||")
ax.set_title("the identity RNN keeps its gradient")
ax.legend()
lab.savefig(fig, "irnn_vs_tanh.png")

# %% [markdown]
# The IRNN's gradient barely falls off with distance: a unit that stays active passes its
# gradient back unchanged. The price is in the forward pass: a ReLU state is not squashed, so it
# can grow; Le et al. train IRNNs with small learning rates and gradient clipping.
#
# ## Summary
#
# - BPTT multiplies one Jacobian per step. For h_t = w h_{t-1} that is w^T: 0.9^50 = 0.00515,
#   1.1^50 = 117.39. The forward pass squashes, the backward pass is linear.
# - tanh factors 1 - h_t^2 are at most 1: they only shrink the gradient. Seen as a dynamical
#   system, gradients vanish inside a basin of attraction and explode at its boundary.
# - With U = ρ Q (ρ = λ_1), a linear RNN's gradient falls by exactly ρ per step. If λ_1 < 1/γ
#   it vanishes exponentially (Pascanu et al. 2013), and tanh makes it vanish faster.
# - Exploding gradients: clip by global norm (keeps the direction; you must ask for it). Truncated
#   BPTT with chunks of k steps bounds the cost, and learns a lag of d steps only if k >= d + 1.
# - Vanishing gradients need a different architecture: the IRNN keeps dh_t/dh_{t-1} close to the
#   identity.
#
# **Next: Lab 2, the LSTM.** Its cell state is updated by addition, c_t = f c_{t-1} + i g, so
# along that direct path the step back from c_t to c_{t-1} multiplies by the forget gate f
# alone, with no weight matrix and no squashing derivative in between: the network learns when
# to remember, and its gradients vanish only when it chose to forget.
