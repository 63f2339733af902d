"""Schematic figures of the models the labs build, drawn with Matplotlib. Nothing to fill in here.

Each ``draw_*`` function takes a Matplotlib ``Axes`` and draws one diagram on it in data
coordinates, with the kit's names (Lab 1's notation map): x_t in, h_t (and c_t) out, weights
K (input) and U (recurrent). A lab calls, for instance::

    fig, ax = plt.subplots(figsize=(9, 3.6))
    figures.draw_unrolled_rnn(ax, steps=4)
    lab.savefig(fig, "unrolled_rnn.png")

The pieces are three: a box (a layer or a nonlinearity), a circle (an elementwise operation:
x, +, 1-) and an arrow (a tensor flowing). Colours: blue for the state path, orange for gates,
green for inputs, red for gradients.
"""

from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

STATE = "#1f5fa8"
GATE = "#e08a1e"
INPUT = "#2e8b57"
GRADIENT = "#c0392b"
INK = "#222222"


def box(ax, center, text, width=0.9, height=0.5, color=INK, fill="white", fontsize=10):
    """A rounded box with centred text (a layer, a gate's nonlinearity)."""
    x, y = center
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height, boxstyle="round,pad=0.04",
                                linewidth=1.5, edgecolor=color, facecolor=fill, zorder=3))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize, color=color, zorder=4)


def node(ax, center, symbol, radius=0.17, color=INK, fontsize=11):
    """A small circle holding an elementwise operation: ×, + or 1−."""
    ax.add_patch(Circle(center, radius, linewidth=1.5, edgecolor=color, facecolor="white", zorder=3))
    ax.text(*center, symbol, ha="center", va="center", fontsize=fontsize, color=color, zorder=4)


def arrow(ax, start, end, color=INK, width=1.4, style="-|>", linestyle="-", label=None, label_offset=(0, 0.12),
          connection="arc3", fontsize=9, shrink=0.0):
    """An arrow from ``start`` to ``end`` (a tensor flowing), with an optional label at its middle."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style, mutation_scale=12, linewidth=width, color=color,
                                 linestyle=linestyle, connectionstyle=connection, zorder=2,
                                 shrinkA=shrink, shrinkB=shrink))
    if label:
        middle = ((start[0] + end[0]) / 2 + label_offset[0], (start[1] + end[1]) / 2 + label_offset[1])
        ax.text(*middle, label, ha="center", va="center", fontsize=fontsize, color=color, zorder=4)


def line(ax, points, color=INK, width=1.4, linestyle="-"):
    """A polyline through ``points``, for wires that turn corners; the last segment can be an ``arrow``."""
    xs, ys = zip(*points)
    ax.plot(xs, ys, color=color, linewidth=width, linestyle=linestyle, zorder=2, solid_capstyle="round")


def _frame(ax, xlim, ylim, title=None):
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=11)


def draw_unrolled_rnn(ax, steps=4):
    """The simple RNN unrolled in time: one cell, copied per step, weights shared; BPTT runs back.

    h_t = act(x_t K + h_{t-1} U + b). The red arrows are the backward pass: each step back
    multiplies the gradient by dh_t/dh_{t-1} = diag(act'(a_t)) U^T.
    """
    spacing = 2.2
    _frame(ax, (-1.9, spacing * (steps - 1) + 1.6), (-1.55, 2.1),
           "a simple RNN unrolled in time: the same cell (K, U, b) at every step")
    box(ax, (-1.45, 0.55), "h$_0$", width=0.5, height=0.45, color=STATE)
    previous = (-1.2, 0.55)
    for t in range(steps):
        x = spacing * t
        box(ax, (x, 0.55), f"act(x$_{t + 1}$K + h$_{t}$U + b)", width=1.55, height=0.55, color=STATE, fontsize=8)
        arrow(ax, (x, -0.75), (x, 0.27), color=INPUT, label=f"x$_{t + 1}$  (K)", label_offset=(0.38, -0.2))
        arrow(ax, (x, 0.83), (x, 1.55), color=STATE, label=f"h$_{t + 1}$", label_offset=(0.22, 0.0))
        arrow(ax, previous, (x - 0.8, 0.55), color=STATE, label="U" if t else "", label_offset=(0, 0.14))
        if t:
            arrow(ax, (x - 0.85, 0.15), (x - spacing + 0.85, 0.15), color=GRADIENT, linestyle="--", width=1.2)
            ax.text(x - spacing / 2, -0.08, "×diag(act′)Uᵀ", ha="center", va="top", fontsize=7.5, color=GRADIENT)
        previous = (x + 0.8, 0.55)
    ax.text(spacing * (steps - 1) / 2, -1.25, "forward: left to right (blue);  backpropagation through time: "
            "right to left (red), one Jacobian per step", ha="center", fontsize=8.5, color=INK)
    ax.text(spacing * (steps - 1) + 1.1, 1.75, "loss reads h$_T$", ha="center", fontsize=8, color=GRADIENT)


def draw_lstm_cell(ax):
    """One LSTM step: the gates i, f, o and the candidate g, and the memory c along the top.

    c_t = f * c_{t-1} + i * g runs straight across (thick blue): the "gradient highway", where one
    step back multiplies the gradient by f alone, with no weight matrix and no squashing slope.
    """
    _frame(ax, (-0.4, 9.4), (-1.3, 4.35), "an LSTM cell: gates (orange) and the memory highway c (blue)")
    top, bottom = 3.2, 0.0
    # The memory highway.
    arrow(ax, (-0.2, top), (2.33, top), color=STATE, width=3.2, label="c$_{t-1}$", label_offset=(-0.9, 0.2))
    node(ax, (2.5, top), "×", color=STATE)
    arrow(ax, (2.67, top), (4.83, top), color=STATE, width=3.2)
    node(ax, (5.0, top), "+", color=STATE)
    arrow(ax, (5.17, top), (9.2, top), color=STATE, width=3.2, label="c$_t$", label_offset=(1.6, 0.2))
    ax.text(4.6, top + 0.62, "gradient highway: ∂c$_t$/∂c$_{t-1}$ = diag(f) along this path",
            ha="center", fontsize=9, color=STATE)
    # The input [h_{t-1}, x_t] feeds all four blocks.
    line(ax, [(-0.2, bottom - 0.8), (6.4, bottom - 0.8)], color=INPUT)
    ax.text(-0.2, bottom - 1.1, "[h$_{t-1}$, x$_t$]: z = x$_t$K + h$_{t-1}$U + b, cut into i, f, g, o",
            fontsize=8.5, color=INPUT, va="top")
    gates = {"f": 2.5, "i": 3.7, "g": 4.9, "o": 6.4}
    for name, x in gates.items():
        arrow(ax, (x, bottom - 0.8), (x, bottom - 0.25), color=INPUT)
        is_gate = name != "g"
        box(ax, (x, bottom), f"{name} = σ" if is_gate else "g = tanh", width=0.95, height=0.45,
            color=GATE if is_gate else INPUT, fontsize=9)
    arrow(ax, (2.5, bottom + 0.23), (2.5, top - 0.17), color=GATE, label="f", label_offset=(-0.15, 0))
    node(ax, (4.3, 1.75), "×", color=GATE)
    line(ax, [(3.7, bottom + 0.23), (3.7, 1.75), (4.13, 1.75)], color=GATE)
    line(ax, [(4.9, bottom + 0.23), (4.9, 1.75), (4.47, 1.75)], color=INPUT)
    arrow(ax, (4.3, 1.92), (4.9, top - 0.17), color=GATE, label="i·g", label_offset=(-0.35, 0))
    # The output: h_t = o * tanh(c_t).
    line(ax, [(7.2, top), (7.2, 2.45)], color=STATE)
    box(ax, (7.2, 2.2), "tanh", width=0.75, height=0.4, color=STATE, fontsize=9)
    node(ax, (7.2, 1.3), "×", color=GATE)
    arrow(ax, (7.2, 2.0), (7.2, 1.47), color=STATE)
    line(ax, [(6.4, bottom + 0.23), (6.4, 1.3), (7.03, 1.3)], color=GATE)
    arrow(ax, (7.37, 1.3), (9.2, 1.3), color=STATE, label="h$_t$ (output and state)", label_offset=(0.55, 0.18))
    ax.text(8.4, 0.2, "c$_t$ = f·c$_{t-1}$ + i·g\nh$_t$ = o·tanh(c$_t$)", fontsize=9, color=INK, ha="center")


def draw_gru_cell(ax):
    """One GRU step (Keras's convention, reset_after=False): h_t = z * h_{t-1} + (1 - z) * h~.

    The top line is the copy path: one step back multiplies the gradient by diag(z) along it.
    """
    _frame(ax, (-0.4, 9.4), (-1.3, 4.35), "a GRU cell: update gate z, reset gate r, candidate h~")
    top, bottom = 3.2, 0.0
    arrow(ax, (-0.2, top), (3.33, top), color=STATE, width=3.2, label="h$_{t-1}$", label_offset=(-1.4, 0.2))
    node(ax, (3.5, top), "×", color=STATE)
    arrow(ax, (3.67, top), (6.33, top), color=STATE, width=3.2)
    node(ax, (6.5, top), "+", color=STATE)
    arrow(ax, (6.67, top), (9.2, top), color=STATE, width=3.2, label="h$_t$", label_offset=(1.0, 0.2))
    ax.text(4.9, top + 0.62, "copy path: ∂h$_t$/∂h$_{t-1}$ = diag(z) + (terms through U)",
            ha="center", fontsize=9, color=STATE)
    line(ax, [(-0.2, bottom - 0.8), (5.6, bottom - 0.8)], color=INPUT)
    ax.text(-0.2, bottom - 1.1, "x$_t$ and h$_{t-1}$ feed both gates; the candidate reads r·h$_{t-1}$",
            fontsize=8.5, color=INPUT, va="top")
    for name, x in (("z", 1.5), ("r", 2.9)):
        arrow(ax, (x, bottom - 0.8), (x, bottom - 0.25), color=INPUT)
        box(ax, (x, bottom), f"{name} = σ", width=0.95, height=0.45, color=GATE, fontsize=9)
    # z on the copy path, 1 - z on the candidate.
    line(ax, [(1.5, bottom + 0.23), (1.5, 2.3), (3.5, 2.3)], color=GATE)
    arrow(ax, (3.5, 2.3), (3.5, top - 0.17), color=GATE, label="z", label_offset=(-0.15, 0))
    node(ax, (5.0, 2.3), "1−", color=GATE, fontsize=9)
    arrow(ax, (3.5, 2.3), (4.83, 2.3), color=GATE)
    node(ax, (6.5, 1.55), "×", color=GATE)
    line(ax, [(5.17, 2.3), (5.7, 2.3), (5.7, 1.55), (6.33, 1.55)], color=GATE)
    # The reset gate scales h_{t-1} before the candidate's matmul.
    node(ax, (2.9, 1.1), "×", color=GATE)
    arrow(ax, (2.9, bottom + 0.23), (2.9, 0.93), color=GATE, label="r", label_offset=(-0.15, 0))
    line(ax, [(0.4, top), (0.4, 1.1), (2.73, 1.1)], color=STATE)
    box(ax, (4.5, 0.6), "h~ = tanh", width=1.1, height=0.45, color=INPUT, fontsize=9)
    arrow(ax, (3.07, 1.1), (4.0, 0.75), color=STATE, label="r·h$_{t-1}$", label_offset=(0.0, 0.22))
    arrow(ax, (4.5, bottom - 0.8), (4.5, 0.37), color=INPUT)
    line(ax, [(5.05, 0.6), (6.5, 0.6), (6.5, 1.38)], color=INPUT)
    arrow(ax, (6.5, 1.72), (6.5, top - 0.17), color=GATE, label="(1−z)·h~", label_offset=(0.55, 0))
    ax.text(8.2, 0.25, "h$_t$ = z·h$_{t-1}$ + (1−z)·h~\nh~ = tanh(x$_t$K$_h$ + (r·h$_{t-1}$)U$_h$ + b$_h$)",
            fontsize=8.5, color=INK, ha="center")


def draw_bidirectional(ax, steps=4):
    """Two RNNs over the same inputs, one left to right, one right to left; y_t = [->h_t, <-h_t]."""
    spacing = 2.0
    _frame(ax, (-1.4, spacing * (steps - 1) + 1.4), (-1.0, 3.6),
           "bidirectional: y$_t$ = [→h$_t$, ←h$_t$] sees the whole sequence")
    for t in range(steps):
        x = spacing * t
        arrow(ax, (x, -0.55), (x, 0.35), color=INPUT)
        ax.text(x, -0.8, f"x$_{t + 1}$", ha="center", fontsize=10, color=INPUT)
        box(ax, (x, 0.6), f"→h$_{t + 1}$", width=0.9, height=0.45, color=STATE)
        box(ax, (x, 1.6), f"←h$_{t + 1}$", width=0.9, height=0.45, color=GATE)
        line(ax, [(x + 0.55, 0.6), (x + 0.55, 1.25)], color=INPUT, width=1.0)
        box(ax, (x, 2.75), f"y$_{t + 1}$", width=0.8, height=0.45, color=INK)
        arrow(ax, (x - 0.2, 0.83), (x - 0.2, 2.52), color=STATE, width=1.0)
        arrow(ax, (x + 0.2, 1.83), (x + 0.2, 2.52), color=GATE, width=1.0)
        if t:
            arrow(ax, (x - spacing + 0.45, 0.6), (x - 0.45, 0.6), color=STATE)
            arrow(ax, (x - 0.45, 1.6), (x - spacing + 0.45, 1.6), color=GATE)
    ax.text(spacing * (steps - 1) / 2, 3.3, "forward cell reads x$_1$..x$_t$ (blue); backward cell reads "
            "x$_T$..x$_t$ (orange), re-reversed to line up in time", ha="center", fontsize=8.5)


def draw_stacked(ax, steps=4, depth=3):
    """A deep (stacked) RNN: layer l reads layer l-1's output sequence; h_t^(0) = x_t."""
    spacing = 2.0
    _frame(ax, (-1.4, spacing * (steps - 1) + 1.4), (-1.0, depth + 0.9),
           f"a {depth}-layer stacked RNN: h$_t^{{(l)}}$ = f$_l$(h$_t^{{(l-1)}}$, h$_{{t-1}}^{{(l)}}$)")
    for t in range(steps):
        x = spacing * t
        ax.text(x, -0.8, f"x$_{t + 1}$", ha="center", fontsize=10, color=INPUT)
        arrow(ax, (x, -0.55), (x, 0.38), color=INPUT)
        for layer in range(depth):
            y = 0.6 + layer
            box(ax, (x, y), f"h$_{t + 1}^{{({layer + 1})}}$", width=0.9, height=0.42, color=STATE)
            if layer:
                arrow(ax, (x, y - 0.79), (x, y - 0.21), color=STATE)
            if t:
                arrow(ax, (x - spacing + 0.45, y), (x - 0.45, y), color=STATE)
    ax.text(spacing * (steps - 1) + 0.95, depth + 0.35, "top: output", ha="center", fontsize=8)
