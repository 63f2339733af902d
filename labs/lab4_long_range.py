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
# # Lab 4: long-range dependencies, four cells side by side
#
# Labs 1 to 3 measured gradients at initialisation. This lab trains. The four cells you have
# written, the tanh `SimpleRNNCell`, the IRNN, the `LSTMCell` and the `GRUCell`, learn tasks
# whose answer depends on something far back in the sequence:
#
# - **subject-verb agreement** across a relative clause, the lecture's "That guy, who we met at
#   the airport, was ...": "the guys , who we met ... friend ," must be followed by "were",
#   whatever the nouns in the clause. Chance: an accuracy of 1/2;
# - the **adding problem** (Hochreiter and Schmidhuber 1997): two numbers are marked in a stream
#   of T random numbers; answer their sum. Chance: an MSE of 1/6 (always answer 1);
# - (in the full grid) their **temporal-order task**: the order of two symbols hidden early in a
#   stream of distractors. Chance: an accuracy of 1/4.
#
# The plan:
#
# 1. **exercise**: `skill`, one number for "how far from chance towards perfect";
# 2. **exercise**: `train_step`, one step of full BPTT with clipping by global norm;
# 3. the set-up: four cells, masking for sentences of different lengths;
# 4. agreement: which cells carry the subject across the clause, at every distance;
# 5. **exercise**: `chrono_bias`, a gate bias that starts each unit's memory at the task's
#    horizon, and what the usual biases do instead;
# 6. inside the trained models: the gates along one sentence, and ||dL/dh_t||;
# 7. the adding problem (partial credit) and the temporal-order task (none);
# 8. three tricks and their limits: clipping where gradients explode, reversing the input,
#    and (**exercise**: `truncated_bptt_step`) truncated BPTT's horizon;
# 9. every number as data: `out/lab4/results.json` and `results.md`.
#
# **How to work.** Open this file as a notebook (Jupyter with jupytext) or run it from the kit's
# root: `python labs/lab4_long_range.py`. The exercises are the four `# TODO`s in
# `labs/rnnlab/training.py`; the docstrings say what to compute. The lab trains *your* cells
# from Labs 1 to 3 (`rnnlab.simple_rnn`, `rnnlab.lstm`, `rnnlab.gru`) and measures profiles with
# your Lab 1 `state_gradient_norms`, so finish those first. Check this lab's exercises with
# `python -m autograder check --lab 4`; they are graded on Keras's built-in cells (and
# `chrono_bias` on plain arrays), so a bug in a cell never costs points twice. Cells that use an
# unfinished exercise stop with `NotImplementedError`: that is expected.
#
# **Three sizes.** By default the lab runs in about a minute and a half on two CPU cores: one seed, one
# length per task, a few hundred steps per run, enough to see the lesson. `python
# labs/lab4_long_range.py --full` (or `RNNLAB_FULL=1`) runs the real grid, three lengths per
# task, three seeds, 500 to 1000 steps per run, in about half an hour. `RNNLAB_FAST=1` is a smoke
# run of a few seconds.
#
# **Conventions** (as in every lab). Inputs `(batch, T, D)`; every model is
# `Input -> Masking -> keras.layers.RNN(cell) -> Dense`, reading the last step h_T; losses take
# `loss_fn(y_true, y_pred)` in Keras's order. Time steps are t = 1..T in the text.

# %%
import os
import sys

from rnnlab import labtools

lab = labtools.start("lab4")
FULL = not lab.fast and ("--full" in sys.argv[1:] or os.environ.get("RNNLAB_FULL", "0") not in ("", "0"))
print(f"grid: {'full (--full / RNNLAB_FULL=1)' if FULL else 'small'}")

# %%
import time

import keras
import matplotlib.pyplot as plt
import numpy as np
import seqtasks  # the kit's offline sequence tasks; labtools.start put them on sys.path
import tensorflow as tf

from rnnlab.gradients import state_gradient_norms
from rnnlab.gru import GRUCell
from rnnlab.lstm import LSTMCell
from rnnlab.simple_rnn import SimpleRNNCell, irnn_cell
from rnnlab.training import chrono_bias, results_markdown, skill, train_step, truncated_bptt_step

started = time.perf_counter()
# Every model gets its own compiled step, and TensorFlow warns about "retracing" from the fifth on:
# expected here, so its Python-side warnings are silenced.
tf.get_logger().setLevel("ERROR")


def pick(full, default, fast):
    """Three sizes: ``--full``, the default, and the RNNLAB_FAST=1 smoke run."""
    return full if FULL else lab.pick(default, fast)


# %% [markdown]
# ## 1. Exercise: `skill`
#
# An MSE of 0.05 on the adding problem and an accuracy of 0.75 on agreement: which model learnt
# more? Raw metrics do not compare across tasks; what compares is **how far each got from
# chance towards perfect**:
#
# $$\text{skill} = \frac{\text{metric} - \text{baseline}}{\text{perfect} - \text{baseline}}$$
#
# 0 means chance, 1 means perfect, below 0 worse than chance. One formula serves both kinds of
# metric: for an MSE (perfect = 0) it is 1 - MSE / baseline, the share of the baseline's error
# removed; for an accuracy (perfect = 1) it is (accuracy - 1/2) / (1/2) on a two-class task.
#
# **Your turn**: write `skill(metric, baseline, perfect)` in `rnnlab/training.py`. It must work
# on single numbers and, elementwise, on NumPy arrays (one score per seed).

# %%
ADDING_BASELINE = seqtasks.adding_baseline()  # MSE 1/6: always answer 1
AGREEMENT_BASELINE = seqtasks.agreement_baseline()  # accuracy 1/2
print(f"adding problem: MSE 0.05 -> skill {skill(0.05, ADDING_BASELINE, 0.0):.3f}; "
      f"MSE 1/12 -> skill {skill(1 / 12, ADDING_BASELINE, 0.0):.3f}")
print(f"agreement: accuracy 0.75 -> skill {skill(0.75, AGREEMENT_BASELINE, 1.0):.3f}; "
      f"accuracies [0.5, 1.0, 0.4] -> skills {skill(np.array([0.5, 1.0, 0.4]), AGREEMENT_BASELINE, 1.0)}")

# %% [markdown]
# A skill of 0.5 on the adding problem has a meaning of its own. The target is U + V, with U
# marked in the first half and V in the second; a model that remembers only the *recent* V and
# guesses 1/2 for U scores E[(U - 1/2)^2] = 1/12, exactly half the baseline's 1/6. **Skill 0.5
# is what short-term memory alone reaches**; only above it has a model carried U across the
# sequence. Agreement has no such half-way house: the subject is all there is to remember.

# %% [markdown]
# ## 2. Exercise: `train_step`
#
# One step of full backpropagation through time: the forward pass inside a `tf.GradientTape`,
# the gradients of the loss w.r.t. every trainable weight, their global norm, optional clipping
# by that global norm (Lab 1), one optimizer update. It returns the loss and the norm *before*
# clipping: the norm is the number to watch for explosions.
#
# **Your turn**: write `train_step(model, optimizer, x, y, loss_fn, clip_norm=None)` in
# `rnnlab/training.py`. Below it is checked against Keras: our step with `clip_norm=c` on a plain
# SGD optimizer must equal our step without clipping on `SGD(global_clipnorm=c)`, which clips the
# same way inside the optimizer.

# %%
def mse(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_pred - y_true))


def cross_entropy(y_true, y_pred):  # the Dense layer outputs logits
    return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y_true, y_pred, from_logits=True))


def small_model(seed):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([keras.Input((12, 2)), keras.layers.RNN(SimpleRNNCell(8)), keras.layers.Dense(1)])


x_check, y_check = seqtasks.make_adding_problem(16, 12, seed=1)
ours, theirs = small_model(0), small_model(0)
loss_ours, norm_ours = train_step(ours, keras.optimizers.SGD(0.5), x_check, y_check, mse, clip_norm=0.1)
loss_theirs, norm_theirs = train_step(theirs, keras.optimizers.SGD(0.5, global_clipnorm=0.1), x_check, y_check, mse)
gap = max(float(np.max(np.abs(a - b))) for a, b in zip(ours.get_weights(), theirs.get_weights()))
print(f"train_step: loss {float(loss_ours):.4f}, global norm before clipping {float(norm_ours):.4f} "
      f"(clipped to 0.1); max |ours - SGD(global_clipnorm=0.1)| over the weights after one step = {gap:.1e}")
assert abs(float(loss_ours) - float(loss_theirs)) < 1e-6 and abs(float(norm_ours) - float(norm_theirs)) < 1e-5
assert gap < 1e-6, "train_step's update differs from SGD(global_clipnorm=...): see rnnlab/training.py"

# %% [markdown]
# ## 3. Setting up the runs
#
# Every run: a cell of 32 units, batch 64, a fresh batch per step (seeded, so every model sees
# the same data), Adam with learning rate 1e-2, and clipping by global norm 1 for every cell
# (cheap insurance; section 8 shows what it saves). The IRNN gets a learning rate ten times
# smaller, 1e-3: Le et al. (2015) train it with a small learning rate and clipping. The test sets
# are fresh sequences, never trained on.
#
# | cell | what it is | from |
# |---|---|---|
# | SimpleRNN (tanh) | `SimpleRNNCell(32)`, orthogonal U | Lab 1 |
# | IRNN | `irnn_cell(32)`: ReLU, U = I | Lab 1 |
# | LSTM | `LSTMCell(32)`, chrono initialisation (section 5) | Lab 2 |
# | GRU | `GRUCell(32)`, chrono initialisation (section 5) | Lab 3 |
#
# Every model is `Input -> Masking -> RNN(cell) -> Dense`. The agreement sentences of one batch
# have different lengths and are padded on the left with all-zero rows; `Masking` marks those
# rows, and `keras.layers.RNN` then copies the state across a masked step unchanged, so a padded
# sentence ends in exactly the state it reaches unpadded. Your cells need nothing for this: the
# `RNN` layer does the masking around them. The check below runs one sentence both ways.

# %%
UNITS, BATCH, CLIP_NORM, LEARNING_RATE = 32, 64, 1.0, 1e-2
KINDS = {"LSTM": "lstm", "GRU": "gru"}  # the gated cells, for chrono_bias


def make_cell(model_name, init="chrono"):
    """A fresh cell. ``init`` is the gate bias: "chrono", or "0" / "1" (LSTM forget / GRU update gate)."""
    if model_name == "SimpleRNN (tanh)":
        return SimpleRNNCell(UNITS)
    if model_name == "IRNN":
        return irnn_cell(UNITS)
    if model_name == "LSTM":
        return LSTMCell(UNITS, unit_forget_bias=(init == "1"))
    return GRUCell(UNITS)  # update-gate bias 0 until chrono_bias overwrites it


MODELS = ["SimpleRNN (tanh)", "IRNN", "LSTM", "GRU"]
COLORS = dict(zip(MODELS, ("tab:red", "tab:orange", "tab:blue", "tab:green")))
MARKERS = dict(zip(MODELS, ("o-", "v-", "s-", "x--")))  # distinct, so that equal curves stay visible
JIT = FULL  # XLA halves the time per step but costs seconds to compile: it pays off in long runs only

x_one, y_one, _ = seqtasks.make_agreement_varied(4, 3, 3, seed=3)  # four sentences, clause length 3
padded = np.concatenate([np.zeros((4, 6, x_one.shape[-1]), "float32"), x_one], axis=1)  # 6 padding rows
for model_name in ("SimpleRNN (tanh)", "LSTM"):
    rnn = keras.layers.RNN(make_cell(model_name))
    unpadded_h = np.asarray(rnn(x_one))
    padded_h = np.asarray(rnn(keras.layers.Masking(0.0)(padded)))
    print(f"{model_name}: max |h_T(padded, masked) - h_T(unpadded)| = {np.max(np.abs(padded_h - unpadded_h)):.1e}")
    assert np.allclose(padded_h, unpadded_h, atol=1e-5), "masking changed the state: is your cell's call pure?"


class Task:
    """One task at one length: data, loss, readout width, the test set, and how it is scored.

    ``agreement`` trains on clause lengths drawn from ``[shortest, length]`` (by default
    ``shortest = length // 2``); ``adding`` and
    ``temporal order`` on sequences of exactly ``length`` steps.
    """

    def __init__(self, name, length, reverse=False, n_test=None, shortest=None):
        self.name, self.length, self.reverse = name, length, reverse
        self.shortest = max(1, length // 2) if shortest is None else shortest  # agreement's shortest clause
        if name == "adding":
            self.outputs, self.loss_fn, self.metric_name = 1, mse, "MSE"
            self.baseline, self.perfect = ADDING_BASELINE, 0.0
        elif name == "temporal order":
            self.outputs, self.loss_fn, self.metric_name = 4, cross_entropy, "accuracy"
            self.baseline, self.perfect = seqtasks.temporal_order_chance_accuracy(), 1.0
        else:
            self.outputs, self.loss_fn, self.metric_name = 2, cross_entropy, "accuracy"
            self.baseline, self.perfect = AGREEMENT_BASELINE, 1.0
        self.x_test, self.y_test = self.data(N_TEST if n_test is None else n_test, seed=10**6 + length)

    def data(self, n, seed, attractor="random"):
        if self.name == "adding":
            x, y = seqtasks.make_adding_problem(n, self.length, seed=seed)
        elif self.name == "temporal order":
            x, y = seqtasks.make_temporal_order(n, self.length, seed=seed)
        else:
            x, y, _ = seqtasks.make_agreement_varied(n, self.shortest, self.length, seed=seed, attractor=attractor)
        return (x[:, ::-1].copy() if self.reverse else x), y

    @property
    def steps(self):  # the (longest) sequence length T the model reads
        return self.x_test.shape[1]

    @property
    def label(self):
        if self.name == "agreement":
            return f"agreement, clauses {self.shortest}..{self.length} (T <= {self.steps})"
        return f"{self.name} T={self.steps}"

    def score(self, predictions, y=None):
        y = self.y_test if y is None else y
        if self.name == "adding":
            return float(np.mean((predictions - y) ** 2))
        return float(np.mean(np.argmax(predictions, axis=-1) == y))


def build(model_name, task, seed, init="chrono"):
    keras.utils.set_random_seed(seed)
    cell = make_cell(model_name, init)
    model = keras.Sequential([keras.Input((None, task.x_test.shape[-1])), keras.layers.Masking(0.0),
                              keras.layers.RNN(cell), keras.layers.Dense(task.outputs)])
    if model_name in KINDS and init == "chrono":  # the horizon: the longest sequence the task holds
        cell.bias.assign(chrono_bias(KINDS[model_name], UNITS, t_max=task.steps, seed=seed))
    learning_rate = LEARNING_RATE / 10 if model_name == "IRNN" else LEARNING_RATE
    return model, cell, keras.optimizers.Adam(learning_rate)


_compiled_models = {}


def predict(model, x):
    """``model(x)`` as a NumPy array, compiled once per model (eager RNNs loop in Python: slow)."""
    if id(model) not in _compiled_models:
        _compiled_models[id(model)] = tf.function(lambda inputs: model(inputs), reduce_retracing=True)
    return np.asarray(_compiled_models[id(model)](x))


def train(task, seed, steps, model, optimizer, clip_norm=CLIP_NORM):
    """Train one model; returns the test metric, its skill, and the losses and norms per step."""
    step = tf.function(lambda x, y: train_step(model, optimizer, x, y, task.loss_fn, clip_norm), jit_compile=JIT)
    losses, norms = [], []
    for i in range(steps):
        x, y = task.data(BATCH, seed=10**4 * seed + i + 1)
        loss, norm = step(x, y)
        losses.append(float(loss))
        norms.append(float(norm))
        if not np.isfinite(losses[-1]):
            break  # the weights are inf or nan: nothing more to learn
    predictions = predict(model, task.x_test)
    metric = task.score(predictions) if np.all(np.isfinite(predictions)) else float("nan")
    return {"metric": metric, "skill": skill(metric, task.baseline, task.perfect), "losses": losses, "norms": norms}


results = []  # every number this lab measures, one dict per row: written to out/lab4/results.json


def result_row(section, task, T, model, seed, init, steps, metric, metric_name, baseline, perfect,
               distance=None, attractor=None):
    """One row of ``results``: what was measured, on what, and its skill against chance."""
    return {"section": section, "task": task, "T": T, "distance": distance, "attractor": attractor,
            "model": model, "seed": seed, "init": init, "steps": steps, "metric": metric,
            "metric_name": metric_name, "baseline": baseline, "skill": skill(metric, baseline, perfect)}


def run(model_name, task, seed, steps, init="chrono", section=""):
    """Build, train, print one line, record one row; returns (model, cell, result)."""
    run_started = time.perf_counter()
    model, cell, optimizer = build(model_name, task, seed, init)
    result = train(task, seed, steps, model, optimizer)
    init_name = init_label(model_name, init)
    results.append(result_row(section, task.name, task.steps, model_name, seed, init_name, steps, result["metric"],
                              task.metric_name, task.baseline, task.perfect,
                              attractor="random" if task.name == "agreement" else None))
    print(f"{task.label:40} {model_name:16} {init_name:17} seed {seed}: test {task.metric_name} "
          f"{result['metric']:.4f} (chance {task.baseline:.4f}), skill {result['skill']:+.2f} "
          f"[{time.perf_counter() - run_started:.1f} s]")
    return model, cell, result


def init_label(model_name, init):
    if model_name not in KINDS:
        return "default"
    gate = "forget" if model_name == "LSTM" else "update"
    return "chrono" if init == "chrono" else f"{gate} bias {init}"


# %% [markdown]
# ## 4. "That guy, who we met at the airport, was ...": agreement across the clause
#
# The lecture's sentence: the verb must agree with the subject, however long the clause between
# them, and whatever the nouns inside it. Our sentences have the shape
# "the guys , who we met near friend , [were]": the subject's number must travel
# **clause length + 3 steps** to the answer. The clause's last word is an *attractor*, a noun of
# random number: a model that agrees with the closest noun is right half the time, which is chance.
#
# Natural text mixes short and long sentences, so we train on clause lengths drawn uniformly from
# [L/2, L] (a few hundred steps; the full grid trains longer and on several L). Why not from 1?
# Short sentences are a curriculum: once a network has learnt to hold the number over four steps,
# the same trick often holds it over forty. That is worth knowing, and `--full` measures it for the
# tanh RNN (end of this section), but here we want to see which cells can *learn* a long
# dependency when the data contains only long ones. Then we test each model at every distance,
# shorter and longer than in training, on random attractors and on **opposite** ones (always the
# other number: the closest-noun rule scores 0 there).

# %%
AGREEMENT_LENGTHS = pick([20, 40, 80], [40], [3])  # L: clauses of L/2 .. L tokens
AGREEMENT_STEPS = pick(600, 120, 6)
ADDING_LENGTHS = pick([50, 100, 200], [40], [8])
ADDING_STEPS = pick(1000, 300, 6)
ADDING_MODELS = pick(MODELS, ["SimpleRNN (tanh)", "LSTM"], MODELS)  # the IRNN's turn: section 8
ORDER_LENGTHS = pick([60, 120], [], [10])  # temporal order: the full grid only (time)
ORDER_STEPS = pick(500, 200, 6)
SEEDS = pick([0, 1, 2], [0], [0])
N_TEST = pick(1000, 500, 64)
TEST_CLAUSES = pick([1, 5, 10, 20, 40, 60, 80, 120, 160], [1, 5, 10, 20, 30, 40, 60, 80], [1, 3, 6])

agreement_models = {}
for length in AGREEMENT_LENGTHS:
    task = Task("agreement", length)
    for model_name in MODELS:
        for seed in SEEDS:
            model, cell, result = run(model_name, task, seed, AGREEMENT_STEPS, section="agreement")
            if length == AGREEMENT_LENGTHS[-1]:
                agreement_models[model_name, seed] = (model, cell, result)
agreement_task = task  # the longest L, for the sections below

# %% [markdown]
# Every model of the longest L, at every distance, on both kinds of attractor. The distance is
# clause length + 3: from the subject (step 2) to the answer (after the closing comma).

# %%
test_sets = {(clause, attractor): seqtasks.make_agreement(N_TEST, clause_len=clause, seed=2 * 10**6 + clause,
                                                            attractor=attractor)
             for clause in TEST_CLAUSES for attractor in ("random", "opposite")}
by_distance = []
for (model_name, seed), (model, _, _) in agreement_models.items():
    for (clause, attractor), (x, y) in test_sets.items():
        accuracy = float(np.mean(np.argmax(predict(model, x), axis=-1) == y))
        by_distance.append(result_row("agreement by distance", f"agreement, {attractor} attractor", x.shape[1],
                                      model_name, seed, init_label(model_name, "chrono"), AGREEMENT_STEPS,
                                      accuracy, "accuracy", AGREEMENT_BASELINE, 1.0, distance=clause + 3,
                                      attractor=attractor))
results.extend(by_distance)
closest_noun = {attractor: seqtasks.agreement_closest_noun_accuracy(*test_sets[TEST_CLAUSES[-1], attractor])
                for attractor in ("random", "opposite")}
print(f"closest-noun rule: accuracy {closest_noun['random']:.2f} on random attractors, "
      f"{closest_noun['opposite']:.2f} on opposite ones; chance {AGREEMENT_BASELINE}")
for model_name in MODELS:
    line = " ".join(f"{r['distance']}:{r['metric']:.2f}" for r in by_distance
                    if r["model"] == model_name and r["seed"] == SEEDS[0] and r["attractor"] == "opposite")
    print(f"{model_name:16} accuracy by distance, opposite attractors (seed {SEEDS[0]}): {line}")

# %%
trained_from, trained_to = agreement_task.length // 2 + 3, agreement_task.length + 3
fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
for ax, attractor in zip(axes, ("random", "opposite")):
    for model_name in MODELS:
        mine = [r for r in by_distance if r["model"] == model_name and r["attractor"] == attractor]
        distances = sorted({r["distance"] for r in mine})
        means = [np.mean([r["metric"] for r in mine if r["distance"] == d]) for d in distances]
        ax.plot(distances, means, MARKERS[model_name], color=COLORS[model_name], label=model_name, alpha=0.85)
    ax.axvspan(max(1, trained_from), trained_to, color="gray", alpha=0.15, label="distances trained on")
    ax.axhline(AGREEMENT_BASELINE, color="black", ls="--", lw=1, label="chance")
    ax.axhline(closest_noun[attractor], color="purple", ls=":", lw=1.5, label="closest-noun rule")
    ax.set(xlabel="distance from subject to verb (steps)", ylim=(-0.03, 1.03),
           title=f"{attractor} attractors ({len(SEEDS)} seed(s), {AGREEMENT_STEPS} steps)")
axes[0].set_ylabel("test accuracy")
axes[1].legend(fontsize=8, loc="center right")
lab.savefig(fig, "agreement_by_distance.png")

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8))
for model_name in MODELS:
    losses = agreement_models[model_name, SEEDS[0]][2]["losses"]
    ax.plot(np.arange(1, len(losses) + 1), losses, color=COLORS[model_name], alpha=0.8, label=model_name)
ax.axhline(seqtasks.agreement_chance_cross_entropy(), color="black", ls="--", lw=1, label="chance (ln 2)")
ax.set(xlabel="training step", ylabel="training cross-entropy", title=agreement_task.label)
ax.legend(fontsize=8)
lab.savefig(fig, "agreement_training_curves.png")

# %% [markdown]
# **What you should see.** The LSTM and the GRU drop off the ln 2 line within a few dozen steps
# and then get (nearly) every sentence right, at every distance, on opposite attractors too:
# they carry the subject, not the closest noun, and the rule they learnt holds well beyond the
# distances they were trained on. The IRNN, whose identity recurrence passes the gradient back
# unchanged (Lab 1), learns it too, more slowly. The tanh RNN stays at chance at *every*
# distance, short ones included: it never saw a short sentence, and from a long one its
# gradient ||dL/dh_t|| is gone long before it reaches the subject (section 6 measures it). A
# model at chance on random attractors that scores well above or below 1/2 on opposite ones
# has learnt something about the last noun instead of the subject.

# %% [markdown]
# **Short sentences as a curriculum** (`--full`, and the smoke run). The same tanh RNN, trained on
# clauses of *every* length from 1 to L: with short sentences to start from, does it learn to hold
# the number, and does that carry to the long ones? (Bengio, Simard and Frasconi (1994) showed
# that a tanh RNN can hold a bit indefinitely in a saturated state; what it cannot do is *learn*
# to across a long gap, because the gradient through such a state vanishes.)

# %%
if FULL or lab.fast:
    curriculum_task = Task("agreement", agreement_task.length, shortest=1)
    model, _, _ = run("SimpleRNN (tanh)", curriculum_task, SEEDS[0], AGREEMENT_STEPS, section="curriculum")
    line = []
    for clause in TEST_CLAUSES:
        x, y = test_sets[clause, "opposite"]
        accuracy = float(np.mean(np.argmax(predict(model, x), axis=-1) == y))
        results.append(result_row("curriculum", "agreement, opposite attractor", x.shape[1], "SimpleRNN (tanh)",
                                  SEEDS[0], "clauses 1..L", AGREEMENT_STEPS, accuracy, "accuracy",
                                  AGREEMENT_BASELINE, 1.0, distance=clause + 3, attractor="opposite"))
        line.append(f"{clause + 3}:{accuracy:.2f}")
    print(f"tanh RNN trained on clauses 1..{curriculum_task.length}, accuracy by distance, opposite attractors: "
          + " ".join(line))

# %% [markdown]
# ## 5. Exercise: `chrono_bias`, initialising for the horizon
#
# Why do the gated cells start well here? A gate held at g keeps g^k of what it stored k steps
# ago: a memory of about 1 / (1 - g) steps. The LSTM's usual forget bias 1 gives
# sigmoid(1) = 0.73, **3.7 steps**; a GRU with bias 0 keeps 0.5 per step, **2 steps**; against the
# 23 to 43 steps of our sentences, the gradient from the verb is (nearly) gone before it reaches
# the subject, exactly as in the tanh RNN. A bias of log(T - 1) gives sigmoid = (T - 1) / T, a
# memory of T steps. **Chrono initialisation** (Tallec and Ollivier, 2018) draws each unit's
# time scale between 1 and T_max - 1 steps:
#
# $$u_j \sim \mathrm{Uniform}(1,\ T_{max} - 1), \qquad b_f = \log u, \qquad b_i = -b_f \qquad (\text{GRU: } b_z = \log u)$$
#
# so the cell starts with some short and some long memories, and the long ones give the
# gradient a path back to the subject from the first step of training.
#
# **Your turn**: write `chrono_bias(kind, units, t_max, seed)` in `rnnlab/training.py`. Mind the
# GRU's sign: in Keras's convention, h_t = z * h_{t-1} + (1 - z) * h~_t, the update gate z is the
# one that *keeps*, so b_z = +log u.

# %%
def memory_steps(gate_bias):
    """About how many steps a gate held at sigmoid(bias) remembers: 1 / (1 - sigmoid(bias))."""
    return 1.0 / (1.0 - 1.0 / (1.0 + np.exp(-gate_bias)))


for bias in (0.0, 1.0, np.log(39.0)):
    print(f"gate bias {bias:.3f}: sigmoid = {1 / (1 + np.exp(-bias)):.4f}, memory of about {memory_steps(bias):.1f} steps")
b = chrono_bias("lstm", 4, t_max=40, seed=0)
print(f"chrono_bias('lstm', 4, t_max=40): b_i = {np.round(b[:4], 3)}, b_f = {np.round(b[4:8], 3)}, "
      f"memories {np.round(memory_steps(b[4:8]), 1)} steps")
assert np.allclose(b[:4], -b[4:8]) and np.all(b[8:] == 0), "chrono_bias: b_i must be -b_f, and b_c = b_o = 0"
assert np.all((np.exp(b[4:8]) >= 1) & (np.exp(b[4:8]) <= 39)), "chrono_bias: b_f = log(u), u in [1, t_max - 1]"

# %% [markdown]
# Now the same agreement data with the LSTM started the usual way, Keras's forget bias 1, against
# chrono (`--full` adds forget bias 0, and the GRU with bias 0 on its update gate, Keras's
# default). The chrono runs are the ones above.

# %%
INIT_STEPS = AGREEMENT_STEPS
init_runs = {("LSTM", "chrono"): agreement_models["LSTM", SEEDS[0]][2],
             ("GRU", "chrono"): agreement_models["GRU", SEEDS[0]][2]}
OTHER_INITS = pick([("LSTM", "0"), ("LSTM", "1"), ("GRU", "0")], [("LSTM", "1")], [("LSTM", "1")])
for model_name, init in OTHER_INITS:
    init_runs[model_name, init] = run(model_name, agreement_task, SEEDS[0], INIT_STEPS, init=init,
                                      section="initialisation")[2]

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.8))
styles = {"0": ":", "1": "--", "chrono": "-"}
for (model_name, init), result in init_runs.items():
    ax.plot(np.arange(1, len(result["losses"]) + 1), result["losses"], styles[init], color=COLORS[model_name],
            label=f"{model_name}, {init_label(model_name, init)}: test accuracy {result['metric']:.2f}")
ax.axhline(seqtasks.agreement_chance_cross_entropy(), color="black", lw=1, label="chance (ln 2)")
ax.set(xlabel="training step", ylabel="training cross-entropy", title="agreement: the gate bias at initialisation")
ax.legend(fontsize=7)
lab.savefig(fig, "initialisation_curves.png")

# %% [markdown]
# With forget bias 0 or 1 (and, in `--full`, the GRU's update bias 0) the loss sits on ln 2 for
# the whole run: the cells could represent the answer (hold f near 1 after the subject) but
# nothing tells them to, because the gradient that would say so has decayed to nothing on its
# way back.
# Chrono-initialised, the same cells learn in a few dozen steps. Given enough steps the others
# may get there too (the loss curve then shows a long plateau before a sudden drop, as in the
# full grid's adding runs); the initialisation decides whether the first steps of training
# already see the dependency.

# %% [markdown]
# ## 6. Did the gates learn to hold the subject?
#
# Which unit carries the subject's number? The readout decides "were" over "was" by the
# difference of its two output weights, w_were - w_was: the unit with the largest |difference|
# is the one the answer listens to most. Below: that unit's forget gate f_t (LSTM) or update
# gate z_t (GRU) along one sentence, after training and, for the same unit, at initialisation
# (the chrono start). Both read the weights your cells use: `kernel`, `recurrent_kernel`,
# `bias`, gate blocks in the order i, f, c, o (LSTM) and z, r, h (GRU). Next to them,
# ||dL/dh_t|| along the same kind of sentence (your Lab 1 `state_gradient_norms`), before and
# after training, for every cell. The loss here is the readout's margin for the right verb,
# logit_right - logit_wrong (a cross-entropy of a model that is already sure has a gradient
# that rounds to 0, and would hide the path).

# %%
def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def keep_gate(model_name, cell, x):
    """The gate that keeps the memory, at every step: f_t (LSTM) or z_t (GRU), shape (batch, T, H)."""
    h = np.asarray(keras.layers.RNN(cell, return_sequences=True)(x))
    h_prev = np.concatenate([np.zeros_like(h[:, :1]), h[:, :-1]], axis=1)
    kernel, recurrent, bias = (np.asarray(w) for w in (cell.kernel, cell.recurrent_kernel, cell.bias))
    if model_name == "LSTM":  # gate order i, f, c, o: f is the second block
        block = slice(UNITS, 2 * UNITS)
    else:  # GRU, reset gate before the matmul: z is the first block and sees h_{t-1} directly
        block = slice(0, UNITS)
    return sigmoid(x @ kernel[:, block] + h_prev @ recurrent[:, block] + bias[block])


def memory_unit(model):
    """The unit the answer listens to most: the largest |w_were - w_was| in the readout."""
    readout_kernel = np.asarray(model.layers[-1].kernel)
    return int(np.argmax(np.abs(readout_kernel[:, 1] - readout_kernel[:, 0])))


sentence_x, sentence_y = seqtasks.make_agreement(1, clause_len=agreement_task.length, seed=11)
words = seqtasks.decode_agreement(sentence_x[0]).replace(",", " ,").split()
gates = {}
for model_name in KINDS:
    model, cell, _ = agreement_models[model_name, SEEDS[0]]
    _, initial_cell, _ = build(model_name, agreement_task, SEEDS[0])
    unit = memory_unit(model)
    gates[model_name] = {"initialisation": keep_gate(model_name, initial_cell, sentence_x)[0, :, unit],
                         "trained": keep_gate(model_name, cell, sentence_x)[0, :, unit]}
    clause = slice(4, len(words) - 1)  # after "who", up to the closing comma
    print(f"{model_name}: unit {unit}'s keep gate through the clause: mean {gates[model_name]['initialisation'][clause].mean():.3f} "
          f"at initialisation, {gates[model_name]['trained'][clause].mean():.3f} after training "
          f"(lowest {gates[model_name]['trained'][clause].min():.3f})")

# %%
def margin_profile(model, cell, task):
    x, y = task.data(64, seed=7)
    readout = model.layers[-1]
    sign = tf.constant(np.where(y == 1, 1.0, -1.0).astype("float32"))
    margin = lambda h_last: tf.reduce_mean(sign * (readout(h_last)[:, 1] - readout(h_last)[:, 0]))  # noqa: E731
    return state_gradient_norms(cell, x, margin)


# Profiles need one length: every clause exactly L tokens long.
fixed_task = Task("agreement", agreement_task.length, n_test=8, shortest=agreement_task.length)
profiles = {}
for model_name in MODELS:
    model, cell, _ = agreement_models[model_name, SEEDS[0]]
    initial_model, initial_cell, _ = build(model_name, agreement_task, SEEDS[0])
    profiles[model_name] = {"initialisation": margin_profile(initial_model, initial_cell, fixed_task),
                            "trained": margin_profile(model, cell, fixed_task)}
    ratios = {when: norms[0] / norms[-1] for when, norms in profiles[model_name].items()}
    print(f"{model_name:16} agreement, clause {fixed_task.length}: ||dL/dh_1|| / ||dL/dh_T|| = "
          f"{ratios['initialisation']:.3e} at initialisation, {ratios['trained']:.3e} after training")

# %%
fig, axes = plt.subplots(1, 2 + len(MODELS), figsize=(4.2 * 2 + 2.6 * len(MODELS), 3.6),
                         gridspec_kw={"width_ratios": [1.6, 1.6] + [1] * len(MODELS)})
for ax, model_name in zip(axes, KINDS):
    for (when, trace), style in zip(gates[model_name].items(), ("--", "-")):
        ax.plot(trace, style, color=COLORS[model_name], label=when)
    ax.set_xticks(range(len(words)), words, rotation=90, fontsize=6)
    ax.set(ylim=(0, 1.02), title=f"{model_name}: {'f_t' if model_name == 'LSTM' else 'z_t'} of the memory unit")
    ax.legend(fontsize=7)
for ax, model_name in zip(axes[2:], MODELS):
    for (when, norms), style in zip(profiles[model_name].items(), ("--", "-")):
        ax.plot(np.arange(1, len(norms) + 1), norms, style, color=COLORS[model_name],
                label=f"{when}: {norms[0] / norms[-1]:.0e}")
    ax.set(yscale="log", xlabel="step t", title=model_name)
    ax.yaxis.set_minor_formatter(plt.NullFormatter())  # decades only: minor labels would overlap
    ax.legend(fontsize=6, loc="best", title="||dL/dh_1|| / ||dL/dh_T||", title_fontsize=6)
axes[2].set_ylabel("||dL/dh_t||")
lab.savefig(fig, "gates_and_gradients.png")

# %% [markdown]
# Read the gates against the words. Trained, the LSTM's memory unit keeps its forget gate at
# about 1 through the whole clause: what it stored at the subject is protected from the fillers
# and from the attractor. The GRU's may sit lower: a GRU can also refresh the number at every
# step through its candidate h~ (which reads h_{t-1}), rather than only hold it; at initialisation
# its open gate is what let the first gradients through.
#
# Read the profiles from the right (t = T, where the loss is) to the left.
#
# - **At initialisation** the IRNN keeps almost all of the gradient (U = I, Lab 1) and the
#   chrono GRU a good share of it; the tanh RNN loses orders of magnitude. The LSTM's ratio looks
#   no better than the tanh RNN's, and that is Lab 2's point about the cell state: h_t is the
#   LSTM's *output*, its memory is c_t. The gradient's highway runs along c, where the chrono
#   forget gates keep most of it; it reaches h_1 only through the input gate, which chrono starts
#   nearly shut in the long-memory units (b_i = -b_f), so dL/dh_1 is small while dL/dc_1 is not.
# - **After training**, the models that use the subject pass more gradient back to its step:
#   the gated cells' ratios rise. The tanh RNN, still at chance, has lost its path altogether
#   (a ratio near 1e-11). The trained IRNN's profile *rises* towards t = 1: its gradients have
#   started to explode, the regime where clipping earns its keep (section 8).

# %% [markdown]
# ## 7. The adding problem: partial credit, and the temporal-order task: none
#
# The adding problem (Hochreiter and Schmidhuber 1997): two numbers are marked in a stream of T
# random numbers; answer their sum. Remembering only the second, recent one already earns skill
# 0.5 (section 1), so the gradient from that partial solution leads on. The temporal-order task
# (their experiment 6a) hides two symbols, X or Y, early in a stream of distractors; the answer is
# their order (XX, XY, YX, YY): chance is 1/4 and, as in agreement, there is no partial credit.
# The full grid (`--full`) runs both at several lengths with every cell; the default runs the
# adding problem at T = 40 with the tanh RNN and the LSTM (the IRNN's turn is section 8).

# %%
grid_tasks = [("adding", T, ADDING_STEPS) for T in ADDING_LENGTHS] + \
             [("temporal order", T, ORDER_STEPS) for T in ORDER_LENGTHS]
trained = {}
for task_name, length, steps in grid_tasks:
    task = Task(task_name, length)
    for model_name in ADDING_MODELS if task_name == "adding" else MODELS:
        for seed in SEEDS:
            model, cell, _ = run(model_name, task, seed, steps, section=task_name)
            if task_name == "adding" and length == ADDING_LENGTHS[-1] and seed == SEEDS[0]:
                trained[model_name] = (model, cell, task)

# %%
grid_rows = [r for r in results if r["section"] in ("agreement", "adding", "temporal order")]
grid_names = [name for name in ("agreement", "adding", "temporal order") if any(r["task"] == name for r in grid_rows)]
fig, axes = plt.subplots(1, len(grid_names), figsize=(4.6 * len(grid_names), 3.8), sharey=True, squeeze=False)
for ax, task_name in zip(axes[0], grid_names):
    for model_name in MODELS:
        mine = [r for r in grid_rows if r["task"] == task_name and r["model"] == model_name]
        lengths = sorted({r["T"] for r in mine})
        skills = [np.clip([r["skill"] for r in mine if r["T"] == T], -0.5, 1.05) for T in lengths]
        means = [np.mean(s) for s in skills]
        spread = [[m - np.min(s) for m, s in zip(means, skills)], [np.max(s) - m for m, s in zip(means, skills)]]
        ax.errorbar(lengths, means, yerr=spread, fmt="o-", capsize=3, color=COLORS[model_name], label=model_name)
    ax.axhline(0, color="black", ls="--", lw=1, label="chance")
    if task_name == "adding":
        ax.axhline(0.5, color="gray", ls=":", lw=1, label="short-term memory only")
    ax.set(xlabel="sequence length T (agreement: the longest)", title=f"{task_name}: {len(SEEDS)} seed(s)")
    ax.set_xticks(sorted({r["T"] for r in grid_rows if r["task"] == task_name}))
axes[0][0].set_ylabel("test skill (0 chance, 1 perfect)")
axes[0][0].legend(fontsize=8, loc="lower left")
lab.savefig(fig, "success_vs_length.png")

# %% [markdown]
# **What to expect, and what the papers found.** On the adding problem Le et al. (2015) and
# Arjovsky et al. (2016) find the tanh RNN stuck at the baseline once T reaches 100 or more,
# the LSTM (and, in later work, the GRU) going well below it, and the IRNN in between: it can
# solve long adding problems, but only with a small learning rate and clipping, and not
# reliably. In the default run (T = 40, 300 steps) the LSTM gets close to perfect and the tanh
# RNN stays near chance. Your table of every run, default or full, is
# `out/lab4/results.md`, made from `out/lab4/results.json`.

# %% [markdown]
# ## 8. Three tricks and their limits
#
# ### Clipping where gradients explode
#
# The IRNN has no squashing nonlinearity: a ReLU state that grows keeps growing, and so can its
# gradient. Below, the same IRNN on the adding problem, same seed and same batches, with a
# learning rate ten times the one above, once without clipping and once with `clip_norm=1`.

# %%
EXPLODE_T, EXPLODE_LR = pick(100, 60, 8), 1e-2
explode_steps = pick(600, 150, 6)
explode_task = Task("adding", EXPLODE_T)
clipping_runs = {}
for label, clip_norm in (("no clipping", None), ("clip_norm = 1", 1.0)):
    model, _, _ = build("IRNN", explode_task, seed=0)
    clipping_runs[label] = train(explode_task, 0, explode_steps, model, keras.optimizers.Adam(EXPLODE_LR),
                                 clip_norm=clip_norm)
    run_result = clipping_runs[label]
    print(f"IRNN, adding T={EXPLODE_T}, Adam {EXPLODE_LR}, {label}: largest gradient norm {max(run_result['norms']):.3g}, "
          f"{len(run_result['losses'])} steps run, test MSE {run_result['metric']:.4f} (skill {run_result['skill']:+.2f})")

# %%
fig, (loss_ax, norm_ax) = plt.subplots(1, 2, figsize=(11, 3.8))
for (label, run_result), color in zip(clipping_runs.items(), ("tab:red", "tab:blue")):
    steps_axis = np.arange(1, len(run_result["losses"]) + 1)
    loss_ax.plot(steps_axis, run_result["losses"], color=color, alpha=0.7, label=label)
    norm_ax.plot(steps_axis, run_result["norms"], color=color, alpha=0.7, label=label)
loss_ax.axhline(ADDING_BASELINE, color="black", ls="--", label="chance (1/6)")
loss_ax.set(yscale="log", xlabel="training step", ylabel="training MSE", title=f"IRNN, adding T={EXPLODE_T}")
norm_ax.axhline(1.0, color="black", ls=":", label="clip_norm")
norm_ax.set(yscale="log", xlabel="training step", ylabel="global gradient norm (before clipping)")
loss_ax.legend(fontsize=8)
norm_ax.legend(fontsize=8)
lab.savefig(fig, "clipping_irnn.png")

# %% [markdown]
# With Adam the damage is subtler than with SGD (Lab 1), where a huge gradient throws the weights
# far away: Adam divides each step by a running root-mean-square of past gradients, so a single
# step moves each weight by about the learning rate at most. But that running average has a
# memory of about a thousand steps (decay 0.999), and one spike inflates it for all of them:
# every later step is divided by it, and learning slows or stops. With `clip_norm = 1` the same
# spikes happen (the norm *before* clipping is plotted), but they reach the optimizer at length
# 1. Le et al. (2015) train their IRNNs with gradient clipping, and this lab clips every run.

# %% [markdown]
# ### Reversing the input
#
# Sutskever et al. (2014) fed their translation LSTM the source sentence backwards: the first
# words, which the decoder needs first, then come last, a few steps from where they are used.
# It matters when the information sits at one end. Read backwards, our sentence ends
# "..., who , guys the": the subject is the second-to-last word, **one step** before the answer.
# (In the adding problem one marker lies in each half: reading backwards only swaps which one is
# far.) The tanh RNN, which stayed at chance on agreement in section 4, on the same data reversed:

# %%
REVERSED_STEPS = pick(AGREEMENT_STEPS, 60, 6)  # a one-step memory needs few steps
reversed_task = Task("agreement", agreement_task.length, reverse=True)
_, _, reversed_result = run("SimpleRNN (tanh)", reversed_task, SEEDS[0], REVERSED_STEPS, section="reversed input")
in_order = agreement_models["SimpleRNN (tanh)", SEEDS[0]][2]
print(f"tanh RNN, agreement: test accuracy {in_order['metric']:.4f} in order, {reversed_result['metric']:.4f} reversed")

# %% [markdown]
# Reversed, agreement becomes a one-step memory, and the tanh RNN solves it. Reversal is a trick
# about *where* the information is, not a cure for vanishing gradients; a bidirectional RNN
# (Lab 5) gets both directions at once.

# %% [markdown]
# ### Exercise: `truncated_bptt_step`, and its horizon
#
# Lab 1 showed truncated BPTT by hand; now you write it. Split each sequence into chunks of k
# steps, carry the state from chunk to chunk (the value, with `tf.stop_gradient`), and make one
# update per chunk. The cost per update is k steps of backpropagation, however long the sequence.
#
# **Your turn**: write `truncated_bptt_step(cell, readout, optimizer, x, y, loss_fn, k,
# initial_state=None)` in `rnnlab/training.py`. The lab runs it compiled, under `tf.function`.
#
# Then the horizon: an echo task with a target at every step, y_t = x_{t-d} (random ±1 inputs,
# d = 5; predicting 0 scores an MSE of 1). Inside a chunk of k steps a loss can reach inputs at
# most k - 1 steps back, so the gradient never links y_t to x_{t-5} unless **k >= d + 1 = 6**.
# We try k = d = 5 and k = d + 1 = 6 (the full grid sweeps k from 2 to 20); the sequences are 30
# steps long (60 in the full grid) and the network has 8 units (see Lab 1 for why small). Each k is
# traced once by `tf.function`, one graph per chunk: that tracing, not the training, is what this
# section spends its time on.

# %%
ECHO_LAG, ECHO_BATCH, ECHO_UNITS = 5, 32, 8
ECHO_LENGTH = pick(60, 30, 12)
CHUNK_LENGTHS = pick([2, 3, 4, 5, 6, 8, 10, 15, 20], [5, 6], [2, 6])
ECHO_SEQUENCES = pick(300, 120, 2)
ECHO_SEEDS = pick([0, 1], [0], [0])


def echo_batch(seed):
    rng = np.random.default_rng(seed)
    x = rng.choice([-1.0, 1.0], size=(ECHO_BATCH, ECHO_LENGTH, 1)).astype("float32")
    y = np.zeros_like(x)
    y[:, ECHO_LAG:] = x[:, :-ECHO_LAG]
    return x, y


def echo_test_mse(cell, readout):
    x, y = echo_batch(seed=10**6)
    outputs = keras.layers.RNN(cell, return_sequences=True)(x)
    return float(np.mean((np.asarray(readout(outputs))[:, ECHO_LAG:] - y[:, ECHO_LAG:]) ** 2))


def train_truncated(k, seed):
    keras.utils.set_random_seed(seed)
    cell, readout = SimpleRNNCell(ECHO_UNITS), keras.layers.Dense(1)
    cell.build((None, 1))
    readout.build((None, ECHO_UNITS))
    optimizer = keras.optimizers.Adam(0.01)
    # The whole truncated pass, compiled: the chunk loop unrolls once per k.
    step = tf.function(lambda x, y: truncated_bptt_step(cell, readout, optimizer, x, y, mse, k))
    for sequence in range(ECHO_SEQUENCES):
        losses, _ = step(*echo_batch(seed=10**3 * seed + sequence + 1))
    return echo_test_mse(cell, readout), len(losses)


horizon = {}
for k in CHUNK_LENGTHS:
    outcomes = [train_truncated(k, seed) for seed in ECHO_SEEDS]
    horizon[k] = [mse_k for mse_k, _ in outcomes]
    chunks = outcomes[0][1]
    results.append(result_row("truncated BPTT", "echo", ECHO_LENGTH, "SimpleRNN (tanh)", ECHO_SEEDS[0], f"k = {k}",
                              ECHO_SEQUENCES * chunks, float(np.mean(horizon[k])), "MSE", 1.0, 0.0,
                              distance=ECHO_LAG))
    print(f"truncated BPTT, k = {k:2d} ({chunks} chunks of a {ECHO_LENGTH}-step sequence, "
          f"{'k <= d' if k <= ECHO_LAG else 'k > d '}): echo test MSE {np.mean(horizon[k]):.3f} "
          f"(predicting 0: 1.000)")

# %%
fig, ax = plt.subplots(figsize=(6, 3.8))
ks = list(horizon)
ax.plot(ks, [np.mean(horizon[k]) for k in ks], "o-", color="tab:blue", label="test MSE (mean over seeds)")
ax.axhline(1.0, color="black", ls="--", label="predict 0")
ax.axvline(ECHO_LAG + 0.5, color="gray", ls=":", label=f"k = d + 1 = {ECHO_LAG + 1}")
ax.set(xlabel="chunk length k", ylabel="echo test MSE", ylim=(0, 1.2),
       title=f"truncated BPTT on y_t = x_(t-{ECHO_LAG}): the horizon")
ax.legend(fontsize=8)
lab.savefig(fig, "truncated_bptt_horizon.png")

# %% [markdown]
# Up to k = d = 5 the loss stays at (or near) 1: nothing tells the cell to keep x for 5 steps.
# From k = 6 on it learns; in the full grid longer chunks learn faster, because more of each
# chunk's targets have their input inside the chunk. Truncated BPTT keeps long sequences
# affordable and is standard for language models, but its horizon is a hard limit on what
# gradients can teach: a lag of k steps or more is out of reach. The forward pass may carry
# information further; nothing trains it to.

# %% [markdown]
# ## 9. Every number, as data
#
# Every run above added a row to `results`: the task, its length T (and, for agreement by
# distance, the distance and the attractor), the model, its initialisation, the seed, the test
# metric, its chance baseline and the skill. They go to `out/lab4/results.json` (load it with
# `json.load` to plot your own comparisons) and, as tables, to `out/lab4/results.md`.

# %%
def init_rows(rows):  # one column per model and initialisation
    return [dict(r, model=f"{r['model']}, {r['init']}") for r in rows]


grid_columns = MODELS
init_columns = [f"{m}, {init_label(m, i)}" for m, i in init_runs]
report = [f"# Lab 4: results ({'full grid' if FULL else 'default run'})\n",
          f"{len(SEEDS)} seed(s), batch {BATCH}, {UNITS} units, Adam {LEARNING_RATE} (IRNN {LEARNING_RATE / 10}), "
          f"clipping by global norm {CLIP_NORM}; agreement {AGREEMENT_STEPS} steps on clauses of L/2..L tokens, "
          f"adding {ADDING_STEPS} steps. Each cell: the test metric averaged over seeds, its skill (0 chance, "
          f"1 perfect) and how many seeds reached skill >= 0.8.\n",
          "## Success per model and length\n", results_markdown(grid_rows, grid_columns),
          "## Agreement by distance (the longest L)\n", results_markdown(by_distance, grid_columns, length_key="distance"),
          "## The gate bias at initialisation (agreement, the longest L)\n",
          results_markdown(init_rows([r for r in results if r["section"] in ("initialisation", "agreement")
                                      and r["T"] == agreement_task.steps and r["model"] in KINDS]),
                           init_columns)]
lab.save_results(results, report, show=FULL)

# %% [markdown]
# ## Summary
#
# - Compare models by **skill**, (metric - baseline) / (perfect - baseline): 0 is chance, 1 is
#   perfect, and on the adding problem 0.5 is short-term memory alone.
# - Trained on long sentences only, the LSTM and the GRU learn to carry the subject across the
#   clause, on opposite attractors too and at distances longer than any they saw; the tanh RNN
#   stays at chance. The gates hold the memory (f and z near 1 through the clause) and give the
#   gradient a path back to the subject.
# - How the gates start matters as much as having them: with forget bias 0 or 1 the same cells
#   sit at chance; chrono initialisation, b_f = log U(1, T_max - 1), starts them with memories
#   as long as the task.
# - On the adding problem the tanh RNN stays near chance while the gated cells get far below it;
#   the IRNN is in between and touchy.
# - Clipping stops explosions (essential for the IRNN); reversing the input helps when the
#   information sits at one end; truncated BPTT cannot learn a lag of k steps or more.

# %%
print(f"lab 4 done in {time.perf_counter() - started:.0f} s (after imports)")
