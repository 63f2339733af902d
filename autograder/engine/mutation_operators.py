"""One-edit mutants of a solution block: the fixed set of operators behind ``autograder mutants``.

Each operator finds edit sites with Python's ``ast`` inside the lines of one solution block and
rewrites the *source text* of one node (so a mutant keeps the master's layout and comments, and its
diff is one small change a person can read). The operators, and the student mistake each stands for:

    arithmetic       ``+`` -> ``-`` and ``*``; ``-`` -> ``+``; ``*`` -> ``+``; ``/`` -> ``*``;
                     ``@`` and ``**`` -> ``*``          (a wrong sign or operation in an equation)
    drop_operand     ``a + b`` -> ``a`` or ``b`` (also ``-``, ``*``)   (a missing term: bias, gate)
    constant         an int or float literal ``c`` -> ``c + 1``     (off by one, a wrong axis)
    swap_name        one use of a name, attribute or string of a pair: ``kernel``/``recurrent_kernel``,
                     ``activation``/``recurrent_activation``, ``sigmoid``/``tanh``, gate names, ...
    drop_call        ``f(x, ...)`` -> ``x`` for ``tf.stop_gradient``, ``ops.flip``, a transpose, an
                     activation, a square or root ...; ``x.astype(...)`` -> ``x``
    slice_bound      a slice bound ``b`` -> ``b + 1`` and ``b - 1``
    negate           ``-x`` -> ``x``; ``not c`` -> ``c``; a bare condition ``c`` -> ``not c``;
                     a comparison to its opposite (``is``/``is not``, ``<``/``>=``, ...); a name
                     in a list literal ``x`` -> ``-x``
    swap_args        two neighbouring positional arguments, or list / tuple elements, swapped

``mutations(text, first_line, last_line)`` lists every edit for the lines (1-based, inclusive) of
one block, in source order; each edit parses, and changes the module's AST.
"""

import ast
import builtins
from dataclasses import dataclass

OPERATORS = ("arithmetic", "drop_operand", "constant", "swap_name", "drop_call", "slice_bound", "negate",
             "swap_args")

_OP_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.MatMult: "@", ast.Pow: "**",
               ast.FloorDiv: "//", ast.Mod: "%"}
_ARITHMETIC = {ast.Add: ("-", "*"), ast.Sub: ("+",), ast.Mult: ("+",), ast.Div: ("*",), ast.MatMult: ("*",),
               ast.Pow: ("*",)}
_COMPARE_SYMBOLS = {ast.Is: "is", ast.IsNot: "is not", ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<",
                    ast.GtE: ">=", ast.Gt: ">", ast.LtE: "<=", ast.In: "in", ast.NotIn: "not in"}
_COMPARE_OPPOSITE = {ast.Is: "is not", ast.IsNot: "is", ast.Eq: "!=", ast.NotEq: "==", ast.Lt: ">=",
                     ast.GtE: "<", ast.Gt: "<=", ast.LtE: ">", ast.In: "not in", ast.NotIn: "in"}

# Names that a student mixes up with each other (a name in several pairs gets one mutant per partner).
SWAP_PAIRS = (
    ("kernel", "recurrent_kernel"), ("activation", "recurrent_activation"),
    ("kernel_initializer", "recurrent_initializer"), ("sigmoid", "tanh"), ("relu", "tanh"),
    ("forward", "backward"), ("forward_rnn", "backward_rnn"), ("h_prev", "c_prev"), ("lo", "hi"),
    ("maximum", "minimum"), ("reduce_sum", "reduce_mean"), ("baseline", "perfect"),
    ("z_i", "z_f"), ("z_g", "z_o"), ("i", "f"), ("x_z", "x_r"), ("h_z", "h_r"), ("z", "r"),
    ("peephole_i", "peephole_f"), ("identity", "orthogonal"),
)
_PARTNERS = {}
for _a, _b in SWAP_PAIRS:
    _PARTNERS.setdefault(_a, []).append(_b)
    _PARTNERS.setdefault(_b, []).append(_a)

# Calls whose removal (``f(x, ...)`` -> ``x``) is a plausible slip: the first positional argument
# passes through unchanged.
DROPPABLE_CALLS = frozenset({
    "stop_gradient", "flip", "reverse", "transpose", "sqrt", "square", "abs", "exp", "log", "tanh",
    "sigmoid", "relu", "activation", "recurrent_activation", "_as_state_list", "_state_list",
    "convert_to_tensor", "asarray", "float", "cast",
})
DROPPABLE_METHODS = frozenset({"astype"})  # ``x.astype(...)`` -> ``x``


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` (``old``) by ``new``; ``line`` is the 1-based line of ``start``."""

    operator: str
    line: int
    start: int
    end: int
    old: str
    new: str

    def apply(self, text):
        return text[: self.start] + self.new + text[self.end:]

    @property
    def description(self):
        return f"{self.operator}: `{_one_line(self.old)}` -> `{_one_line(self.new)}`"


def _one_line(code):
    return " ".join(code.split())


class _Source:
    """Character offsets of AST positions (``col_offset`` counts UTF-8 bytes) in one text."""

    def __init__(self, text, tree):
        self.text = text
        self.parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        self.names = set(dir(builtins))
        for node in ast.walk(tree):  # every name the module binds or reads, and every argument
            if isinstance(node, ast.Name):
                self.names.add(node.id)
            elif isinstance(node, ast.arg):
                self.names.add(node.arg)
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))

    def offset(self, lineno, col):
        line = self.lines[lineno - 1]
        return self.starts[lineno - 1] + len(line.encode()[:col].decode())

    def span(self, node):
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node):
        start, end = self.span(node)
        return self.text[start:end]

    def line_of(self, offset):
        for number, start in enumerate(self.starts[1:], start=1):
            if offset < start:
                return number
        return len(self.lines)


def _between(source, left, right, symbol):
    """(start, end) of the operator ``symbol`` in the text between nodes ``left`` and ``right``."""
    lo, hi = source.span(left)[1], source.span(right)[0]
    gap = source.text[lo:hi]
    index = gap.find(symbol)
    while index >= 0 and symbol in ("*", "/") and gap[index:index + 2] in ("**", "//"):
        index = gap.find(symbol, index + 2)
    if index < 0:
        return None
    return lo + index, lo + index + len(symbol)


def _is_number(node):
    return (isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool))


def _callee_name(call):
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)


# -- the operators: each yields (operator, start, end, new text) --------------------------------
def _arithmetic(node, source):
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        where = _between(source, node.left, node.right, _OP_SYMBOLS[type(node.op)])
        if where:
            for symbol in _ARITHMETIC[type(node.op)]:
                yield "arithmetic", where[0], where[1], symbol


def _drop_operand(node, source):
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult)):
        start, end = source.span(node)
        for kept in (node.left, node.right):
            yield "drop_operand", start, end, source.segment(kept)


def _constant(node, source):
    if _is_number(node):
        start, end = source.span(node)
        yield "constant", start, end, repr(node.value + 1)


def _swap_name(node, source):
    if isinstance(node, ast.Name):
        name, (start, end) = node.id, source.span(node)
    elif isinstance(node, ast.Attribute):
        end = source.span(node)[1]
        name, start = node.attr, end - len(node.attr)
    elif isinstance(node, ast.Constant) and isinstance(node.value, str):
        name, (start, end) = node.value, source.span(node)
        for partner in _PARTNERS.get(name, ()):
            yield "swap_name", start, end, repr(partner).replace("'", '"')
        return
    else:
        return
    if source.text[start:end] == name:
        for partner in _PARTNERS.get(name, ()):
            # A bare name swaps only with one the code defines: a NameError is no student's slip.
            if isinstance(node, ast.Attribute) or partner in source.names:
                yield "swap_name", start, end, partner


def _drop_call(node, source):
    if not isinstance(node, ast.Call):
        return
    start, end = source.span(node)
    name = _callee_name(node)
    if name in DROPPABLE_CALLS and node.args and not isinstance(node.args[0], ast.Starred):
        yield "drop_call", start, end, source.segment(node.args[0])
    if name in DROPPABLE_METHODS and isinstance(node.func, ast.Attribute):
        yield "drop_call", start, end, source.segment(node.func.value)


def _slice_bound(node, source):
    if isinstance(node, ast.Slice):
        for bound in (node.lower, node.upper):
            if bound is not None:
                start, end = source.span(bound)
                text = source.segment(bound)
                yield "slice_bound", start, end, f"{text} + 1"
                yield "slice_bound", start, end, f"{text} - 1"


def _negate(node, source):
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):
        start, end = source.span(node)
        operand = source.segment(node.operand)
        yield "negate", start, end, f"({operand})" if isinstance(node.op, ast.Not) else operand
    if isinstance(node, (ast.If, ast.IfExp, ast.While)) and isinstance(node.test, (ast.Name, ast.Attribute)):
        start, end = source.span(node.test)
        yield "negate", start, end, f"not {source.segment(node.test)}"
    if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE_OPPOSITE:
        where = _between(source, node.left, node.comparators[0], _COMPARE_SYMBOLS[type(node.ops[0])])
        if where:
            yield "negate", where[0], where[1], _COMPARE_OPPOSITE[type(node.ops[0])]
    if isinstance(node, (ast.List, ast.Tuple)) and isinstance(node.ctx, ast.Load):
        for element in node.elts:
            if isinstance(element, (ast.Name, ast.Attribute)):
                start, end = source.span(element)
                yield "negate", start, end, f"-{source.segment(element)}"


def _swap_args(node, source):
    if isinstance(node, ast.Call):
        items = [arg for arg in node.args if not isinstance(arg, ast.Starred)]
        if len(items) != len(node.args):
            return
    elif (isinstance(node, (ast.List, ast.Tuple)) and isinstance(node.ctx, ast.Load)
          and not isinstance(source.parents.get(node), ast.Subscript)):  # ``x[:, t]`` is no list
        items = node.elts
    else:
        return
    for first, second in zip(items, items[1:]):
        if isinstance(first, ast.Constant) or isinstance(second, ast.Constant):
            continue  # ``split(3, z)``: a crash, not a mix-up
        start, end = source.span(first)[0], source.span(second)[1]
        middle = source.text[source.span(first)[1]:source.span(second)[0]]
        yield "swap_args", start, end, source.segment(second) + middle + source.segment(first)


_FINDERS = {"arithmetic": _arithmetic, "drop_operand": _drop_operand, "constant": _constant,
            "swap_name": _swap_name, "drop_call": _drop_call, "slice_bound": _slice_bound, "negate": _negate,
            "swap_args": _swap_args}


def mutations(text, first_line, last_line, operators=OPERATORS):
    """Every one-edit mutant of ``text`` whose edit lies within lines ``first_line..last_line``
    (1-based, inclusive), as ``Edit``s in source order. Each mutant parses and has an AST that differs
    from the original's; two edits that give the same AST are kept once."""
    tree = ast.parse(text)
    source = _Source(text, tree)
    original = ast.dump(tree)
    seen, edits = set(), []
    for node in ast.walk(tree):
        if not hasattr(node, "lineno") or node.lineno < first_line or node.end_lineno > last_line:
            continue
        for operator in operators:
            for name, start, end, new in _FINDERS[operator](node, source):
                edit = Edit(name, source.line_of(start), start, end, text[start:end], new)
                try:
                    dumped = ast.dump(ast.parse(edit.apply(text)))
                except SyntaxError:
                    continue
                if dumped != original and dumped not in seen:
                    seen.add(dumped)
                    edits.append(edit)
    return sorted(edits, key=lambda e: (e.start, e.end, OPERATORS.index(e.operator), e.new))
