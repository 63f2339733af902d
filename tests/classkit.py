"""Submissions a TA meets in a real class, for the tests of similarity, overrides, late work and
regrades: the master, the untouched release, a renamed and reordered copy of another student, and
one written independently (every Lab 1 exercise, plus the LSTM and GRU calls, in another style).

    independent(root)       -> root/rnnlab: the release with INDEPENDENT filled in
    disguised_copy(source, root)   -> a copy of ``source`` with locals renamed and functions reordered
"""

import re
import shutil

from conftest import LABS, SOLUTIONS

# What a second student wrote, alone, for each TODO of the release (indented by the TODO's indent).
INDEPENDENT = {
    "SimpleRNNCell.build": '''
n_in, n_out = input_dim, self.units
self.kernel = self.add_weight(name="kernel", shape=(n_in, n_out), initializer=self.kernel_initializer)
self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(n_out, n_out),
                                        initializer=self.recurrent_initializer)
self.bias = self.add_weight(name="bias", shape=(n_out,), initializer=self.bias_initializer)
self.built = True
''',
    "SimpleRNNCell.call": '''
pre = ops.add(ops.matmul(inputs, self.kernel), self.bias)
pre = pre + ops.matmul(h_prev, self.recurrent_kernel)
new_state = self.activation(pre)
return new_state, [new_state]
''',
    "irnn_cell": '''
cell = SimpleRNNCell(units=units, recurrent_initializer="identity", activation="relu")
return cell
''',
    "unroll": '''
if initial_state is None:
    carry = zero_states(cell, x.shape[0])
else:
    carry = _as_state_list(initial_state)
steps, t = [], 0
while t < x.shape[1]:
    y, carry = cell(x[:, t, :], carry)
    carry = _as_state_list(carry)
    steps.append(y)
    t += 1
return tf.stack(steps, axis=1), carry
''',
    "state_gradient_norms": '''
carry = zero_states(cell, x.shape[0]) if initial_state is None else _as_state_list(initial_state)
hs = []
with tf.GradientTape() as tape:
    for t in range(x.shape[1]):
        _, carry = cell(x[:, t, :], carry)
        carry = _as_state_list(carry)
        hs.append(carry[0])
    loss = loss_fn(carry[0])
norms = []
for g in tape.gradient(loss, hs):
    g = np.zeros(1) if g is None else g.numpy().astype(np.float64)
    norms.append(np.sqrt((g ** 2).sum()))
return np.array(norms)
''',
    "clip_by_value": '''
out = []
for g in grads:
    out.append(g if g is None else tf.minimum(tf.maximum(g, lo), hi))
return out
''',
    "clip_by_global_norm": '''
squares = [tf.reduce_sum(tf.cast(g, tf.float32) ** 2) for g in grads if g is not None]
norm = tf.sqrt(sum(squares)) if squares else tf.constant(0.0)
factor = tf.minimum(1.0, max_norm / tf.maximum(norm, 1e-12))
return [g if g is None else tf.cast(g, tf.float32) * factor for g in grads], norm
''',
    "LSTMCell.call": '''
gates = ops.matmul(inputs, self.kernel) + self.bias
gates = gates + ops.matmul(h_prev, self.recurrent_kernel)
n = self.units
input_gate = self.recurrent_activation(gates[:, :n])
forget_gate = self.recurrent_activation(gates[:, n:2 * n])
candidate = self.activation(gates[:, 2 * n:3 * n])
output_gate = self.recurrent_activation(gates[:, 3 * n:])
c_new = forget_gate * c_prev + input_gate * candidate
h_new = output_gate * self.activation(c_new)
return h_new, [h_new, c_new]
''',
    "GRUCell.call": '''
xk = ops.matmul(inputs, self.kernel) + self.bias
update = self.recurrent_activation(xk[:, :units] + ops.matmul(h_prev, self.recurrent_kernel[:, :units]))
reset = self.recurrent_activation(xk[:, units:2 * units]
                                  + ops.matmul(h_prev, self.recurrent_kernel[:, units:2 * units]))
proposal = self.activation(xk[:, 2 * units:] + ops.matmul(reset * h_prev, self.recurrent_kernel[:, 2 * units:]))
h = update * h_prev + (1.0 - update) * proposal
return h, [h]
''',
}

_TODO = re.compile(r"^( *)# TODO \((?P<exercise>[^)]+)\):.*\n\1raise NotImplementedError\(.*\)\n", re.M)


def fill(text, answers):
    """The release's ``text`` with the TODO of every exercise in ``answers`` replaced by its code."""
    def replace(match):
        code = answers.get(match.group("exercise"))
        if code is None:
            return match.group(0)
        return "".join(match.group(1) + line + "\n" if line else "\n" for line in code.strip("\n").splitlines())
    return _TODO.sub(replace, text)


def release_copy(root):
    shutil.copytree(LABS / "rnnlab", root / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def master_copy(root):
    shutil.copytree(SOLUTIONS / "rnnlab", root / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def independent(root):
    release_copy(root)
    for path in (root / "rnnlab").glob("*.py"):
        path.write_text(fill(path.read_text(), INDEPENDENT))
    return root


RENAMES = {"carry": "state_list", "steps": "collected", "pre": "z_sum", "new_state": "h_next", "norms": "sizes",
           "hs": "hidden_states", "squares": "sq", "factor": "ratio", "gates": "zz", "update": "u_gate",
           "reset": "r_gate", "proposal": "h_tilde", "states": "st", "outputs": "outs", "present": "kept",
           "global_norm": "gn", "scale": "shrink"}


def disguised_copy(source, root):
    """``source``'s rnnlab/ with local names renamed, comments dropped and gradients.py's functions
    in reverse order: what a student who copied does to hide it."""
    shutil.copytree(source / "rnnlab", root / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    for path in (root / "rnnlab").glob("*.py"):
        text = path.read_text()
        for old, new in RENAMES.items():
            text = re.sub(rf"(?<![.\w]){old}\b", new, text)
        text = re.sub(r"\n *# (?!TODO|BEGIN|END).*", "", text)
        if path.name == "gradients.py":
            head, *functions = re.split(r"\n(?=def )", text)
            text = "\n".join([head] + functions[::-1]) + "\n"
        path.write_text(text)
    return root
