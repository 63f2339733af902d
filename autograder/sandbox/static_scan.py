"""Static scan of a submission: does a graded class lean on a Keras built-in recurrent cell or layer?

An exercise such as "write ``LSTMCell``" is not done by a class that subclasses, holds or calls
``keras.layers.LSTMCell``. This module reads the submission's source with ``ast`` in the grader
process (no student code runs here) and reports every use of a built-in's name inside a graded
class, directly or through a module-level alias, helper function or class that uses one::

    findings = scan_class(submission / "rnnlab", "lstm", "LSTMCell")
    # [Finding(line=12, name="keras.layers.LSTMCell", via="class LSTMCell")]

It is one of two checks; the other runs in the child (``labs/shared/probes.py``, ``cell_builtin_check``) and
catches what a static reading cannot (``getattr(keras.layers, "LSTM" + "Cell")``).
"""

import ast
from dataclasses import dataclass
from pathlib import Path

# Built-in recurrent cells and layers (Keras 3, tf.keras, TF 1's rnn_cell, fused TF ops). A use of
# any of these names, as an attribute (``keras.layers.LSTM``) or an imported name, counts.
BUILTIN_NAMES = frozenset({
    "SimpleRNNCell", "LSTMCell", "GRUCell", "SimpleRNN", "LSTM", "GRU",
    "StackedRNNCells", "PeepholeLSTMCell", "LSTMCellV2", "GRUCellV2",
    "BasicLSTMCell", "BasicRNNCell", "LSTMBlockCell", "GRUBlockCell", "GRUBlockCellV2", "BlockLSTM",
    "BlockLSTMV2", "CudnnRNN", "CudnnRNNV2", "CudnnRNNV3", "CuDNNLSTM", "CuDNNGRU",
})
# Modules whose attributes of those names are the built-ins (a student's own ``LSTMCell`` is not).
BUILTIN_MODULE_ROOTS = ("keras", "tensorflow", "tf", "tf_keras")
# Generic Keras helpers that run the built-in cells' maths for you.
BUILTIN_FUNCTIONS = frozenset({"lstm", "gru", "cudnn_ok"})
BACKEND_MODULES = ("keras.src.backend", "keras.backend")

MAX_SOURCE_BYTES = 2_000_000


@dataclass(frozen=True)
class Finding:
    line: int
    name: str  # the built-in as written, e.g. "keras.layers.LSTMCell"
    via: str  # where it was found: "class LSTMCell", or the helper that leads to it

    def describe(self):
        return f"{self.name} (line {self.line}, {self.via})"


def _dotted(node):
    """``keras.layers.LSTMCell`` for an Attribute chain of Names, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class _Module:
    """What one module binds at its top level, and which of those names lead to a built-in."""

    def __init__(self, tree, names=BUILTIN_NAMES):
        self.names = names
        self.aliases = {}  # local name -> dotted origin ("keras.layers.LSTMCell", "keras", ...)
        self.definitions = {}  # top-level def/class/assignment name -> its nodes
        for node in tree.body:
            self._collect(node)

    def _collect(self, node):
        if isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                self.aliases[local] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            dots, module = "." * node.level, node.module
            for alias in node.names:
                origin = f"{dots}{module}.{alias.name}" if module else f"{dots}{alias.name}"
                self.aliases[alias.asname or alias.name] = origin
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            self.definitions.setdefault(node.name, []).append(node)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        self.definitions.setdefault(name.id, []).append(node)
        elif isinstance(node, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
            # Definitions under a top-level `if`/`try` still bind module names.
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    self._collect(child)

    def resolve(self, dotted):
        """Replace the first component by what it was imported as: ``L.LSTMCell`` -> ``keras.layers.LSTMCell``."""
        head, _, rest = dotted.partition(".")
        origin = self.aliases.get(head)
        if origin is None:
            return dotted
        return f"{origin}.{rest}" if rest else origin

    def builtin_use(self, dotted):
        """The built-in a dotted name refers to (after resolving imports), or None."""
        resolved = self.resolve(dotted)
        parts = resolved.split(".")
        if parts[-1] in self.names and parts[0] in BUILTIN_MODULE_ROOTS:
            return resolved
        if parts[-1] in BUILTIN_FUNCTIONS and any(resolved.startswith(m + ".") for m in BACKEND_MODULES):
            return resolved
        return None


def _names_in(nodes):
    """Every Name and dotted Attribute chain used in ``nodes`` (outermost chains only), with lines."""
    found = []
    for node in nodes:
        for child in ast.walk(node):
            if isinstance(child, ast.Attribute):
                dotted = _dotted(child)
                if dotted:
                    found.append((dotted, child.lineno))
            elif isinstance(child, ast.Name):
                found.append((child.id, child.lineno))
    return found


class Scanner:
    """Scan the modules of one ``rnnlab/`` folder (each parsed once)."""

    def __init__(self, package_dir, names=BUILTIN_NAMES):
        self.package_dir = Path(package_dir)
        self.names = names
        self._modules = {}

    def module(self, name):
        if name not in self._modules:
            self._modules[name] = None
            path = self.package_dir / f"{name}.py"
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_SOURCE_BYTES:
                    tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
                    self._modules[name] = _Module(tree, self.names)
            except (SyntaxError, ValueError, RecursionError, MemoryError, OSError):
                # A module that does not parse is reported by the probes as an import error.
                self._modules[name] = None
        return self._modules[name]

    def scan_class(self, module_name, class_name):
        """Built-in uses reachable from top-level ``class_name`` of ``module_name``: in the class
        itself, then (depth first) in the module-level names it uses, in this module or in another
        rnnlab module it imports them from."""
        results, seen = [], set()
        pending = [(module_name, class_name)]
        while pending:
            key = pending.pop()
            if key in seen:
                continue
            seen.add(key)
            current, top_name = key
            module = self.module(current)
            if module is None:
                continue
            for node in module.definitions.get(top_name, []):
                via = (f"class {top_name}" if isinstance(node, ast.ClassDef) else
                       f"function {top_name}" if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else
                       f"{top_name} = ...")
                if current != module_name:
                    via += f" in rnnlab/{current}.py"
                for dotted, line in _names_in([node]):
                    builtin = module.builtin_use(dotted)
                    if builtin:
                        results.append(Finding(line, dotted if builtin == dotted else f"{dotted} = {builtin}", via))
                        continue
                    head = dotted.split(".")[0]
                    if head in module.definitions:
                        pending.append((current, head))
                    elif head in module.aliases:
                        other = _rnnlab_module(module.aliases[head])
                        if other:
                            pending.append(other)
        return sorted(set(results), key=lambda f: (f.via != f"class {class_name}", f.line, f.name))


def _rnnlab_module(origin):
    """(module, name) for a name imported from another rnnlab module, e.g. ``rnnlab.lstm.LSTMCell``
    or ``.lstm.LSTMCell``; None for anything else."""
    parts = origin.lstrip(".").split(".")
    if origin.startswith("rnnlab.") and len(parts) == 3:
        return parts[1], parts[2]
    if origin.startswith(".") and not origin.startswith("..") and len(parts) == 2:
        return parts[0], parts[1]
    return None


def scan_class(package_dir, module_name, class_name, names=BUILTIN_NAMES):
    """Findings for ``class_name`` in ``package_dir/<module_name>.py``: uses of a Keras built-in
    cell or layer in the class itself (bases, body, methods) or in module-level names it uses.

    ``names`` are the built-ins that count (default: the recurrent cells and layers); a lab whose
    exercise is a wrapper passes the Keras wrappers that would do it for the student."""
    return Scanner(package_dir, names).scan_class(module_name, class_name)


def describe(findings, class_name):
    """One sentence for the student."""
    uses = "; ".join(finding.describe() for finding in findings[:3])
    more = f" and {len(findings) - 3} more" if len(findings) > 3 else ""
    return f"{class_name} uses Keras's built-in {uses}{more}"


# -- forbidden imports: anywhere in the submission's rnnlab/ ---------------------------------------
# What the sandbox blocks at run time anyway (audit hooks, namespaces); naming it up front tells a
# student why a test failed with "blocked" and a TA which submissions tried.
FORBIDDEN_MODULES = {
    "subprocess": "starts other programs",
    "multiprocessing": "starts other processes",
    "pty": "starts other programs",
    "socket": "opens network connections",
    "urllib": "opens network connections",
    "http": "opens network connections",
    "requests": "opens network connections",
    "ctypes": "loads native code",
    "cffi": "loads native code",
    "solutions": "is the instructor's master copy",
    "autograder": "is the grader itself",
}
FORBIDDEN_OS_CALLS = frozenset({"system", "popen", "fork", "forkpty", "kill", "killpg", "execv", "execve",
                                "execvp", "execl", "execlp", "spawnv", "spawnl", "posix_spawn"})
DYNAMIC_IMPORTERS = frozenset({"__import__", "importlib.import_module"})


def _forbidden(module_name):
    root = (module_name or "").split(".")[0]
    return root if root in FORBIDDEN_MODULES else None


def scan_imports(package_dir):
    """Findings for every forbidden import or call in ``package_dir/*.py``, sorted by file and line.

    ``via`` is the file, e.g. ``rnnlab/lstm.py``; ``name`` says what was used and why it is refused.
    """
    package_dir = Path(package_dir)
    findings = []
    for path in sorted(package_dir.glob("*.py")):
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="replace"))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue  # reported by the probes as an import error
        where = f"rnnlab/{path.name}"
        module = _Module(tree)
        for node in ast.walk(tree):
            used = []
            if isinstance(node, ast.Import):
                used = [(alias.name, "imports") for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                used = [(node.module, "imports")]
            elif isinstance(node, ast.Call):
                dotted = _dotted(node.func)
                resolved = module.resolve(dotted) if dotted else None
                if resolved in DYNAMIC_IMPORTERS and node.args and isinstance(node.args[0], ast.Constant) \
                        and isinstance(node.args[0].value, str):
                    used = [(node.args[0].value, "imports")]
                elif resolved and resolved.startswith("os.") and resolved[3:] in FORBIDDEN_OS_CALLS:
                    findings.append(Finding(node.lineno, f"{resolved}() (starts or signals processes)", where))
            for name, verb in used:
                root = _forbidden(name)
                if root:
                    findings.append(Finding(node.lineno, f"{verb} {name} ({root} {FORBIDDEN_MODULES[root]})", where))
    return sorted(set(findings), key=lambda f: (f.via, f.line, f.name))


def describe_imports(findings):
    """One paragraph for the feedback: what was found, and that the sandbox refuses it."""
    if not findings:
        return ""
    listed = "; ".join(f"{f.via} line {f.line}: {f.name}" for f in findings[:5])
    more = f"; and {len(findings) - 5} more" if len(findings) > 5 else ""
    return (f"Forbidden in a submission: {listed}{more}. The grader's sandbox blocks these (no processes, "
            "network, native code or grader files), so any test that reaches them fails; the labs never need them.")


# -- the order to import a package's modules in -------------------------------------------------------
def _sibling_imports(path, siblings):
    """The modules of the same package that the module at ``path`` imports at its top level or anywhere."""
    try:
        tree = ast.parse(path.read_bytes()[:MAX_SOURCE_BYTES])
    except (OSError, SyntaxError, ValueError):
        return set()
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names if alias.name.startswith("rnnlab.")}
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level == 0 and module.startswith("rnnlab."):
                found.add(module.split(".")[1])
            elif (node.level == 0 and module == "rnnlab") or (node.level == 1 and not module):
                found |= {alias.name for alias in node.names}
            elif node.level == 1:
                found.add(module.split(".")[0])
    return found & siblings


def import_order(package_dir):
    """``rnnlab`` first (its ``__init__.py`` runs before any module), then every module of the
    package after the sibling modules it imports, so that a module that hangs on import is found
    as itself and not through a module that imports it. Cycles are broken in name order."""
    package_dir = Path(package_dir)
    modules = sorted(p.stem for p in package_dir.glob("*.py") if p.stem != "__init__")
    needs = {module: _sibling_imports(package_dir / f"{module}.py", set(modules)) for module in modules}
    order, done = (["rnnlab"] if (package_dir / "__init__.py").exists() else []), set()

    def visit(module, path=()):
        if module in done or module in path:
            return
        for dependency in sorted(needs[module]):
            visit(dependency, path + (module,))
        done.add(module)
        order.append(module)

    for module in modules:
        visit(module)
    return order
