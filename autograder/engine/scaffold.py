"""Start a lab or a dataset from ``templates/``: ``python -m autograder new-lab N TOPIC`` and ``new-dataset NAME``.

``templates/lab/`` and ``templates/dataset/`` mirror the kit's root. Every file in them ends in
``.tmpl``, so no discovery path of the kit (pytest's ``tests/``, the lab folders under
``autograder/labs/``, ``run_all.py``'s ``solutions/lab[0-9]*_*.py``) ever picks a template up. Their paths and
text hold placeholders, substituted here:

    {{lab}} {{topic}} {{module}} {{title}} {{seed}}    new-lab: 9, attention, attention, ...
    {{name}} {{title}}                                 new-dataset: first_symbol, "first symbol"

An unknown ``{{word}}`` is an error, so a typo in a template cannot reach the kit. Nothing is
written unless every target is new; ``new-dataset`` also appends its two exports to
``datasets/seqtasks/__init__.py``.
"""

import keyword
import re
from pathlib import Path

from autograder import KIT_ROOT
from autograder.engine.labs import discover_labs

TEMPLATES = "templates"
SUFFIX = ".tmpl"
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_MODULES = {"labtools"}

# What each lab template is, for the list printed after scaffolding (keys: template paths).
LAB_FILES = {
    "solutions/lab{{lab}}_{{topic}}.py": "the walkthrough, a percent-format notebook",
    "solutions/rnnlab/{{module}}.py": "the student module: the exercise between solution markers",
    "autograder/labs/lab{{lab}}/__init__.py": "the lab's grading folder",
    "autograder/labs/lab{{lab}}/cases.py": "the cases: inputs for the probes, public and hidden",
    "autograder/labs/lab{{lab}}/probes.py": "the probes: run the student's code in the child",
    "autograder/labs/lab{{lab}}/mistakes.py": "the known mistakes, computed in NumPy",
    "autograder/labs/lab{{lab}}/test_lab{{lab}}.py": "the grading tests and their @points",
    "tests/test_grader_lab{{lab}}.py": "the kit's test: master, release and broken copies graded",
    "tests/test_lab{{lab}}_walkthrough.py": "the kit's test of the walkthrough",
}
DATASET_FILES = {
    "datasets/seqtasks/{{name}}.py": "the generator and its chance baseline",
    "tests/test_dataset_{{name}}.py": "its tests",
}


class ScaffoldError(ValueError):
    """Why nothing was written, and what to do instead."""


def render(text, values, where="<text>"):
    """``text`` with every ``{{key}}`` replaced by ``values[key]``; an unknown key is an error."""
    def substitute(match):
        key = match.group(1)
        if key not in values:
            raise ScaffoldError(f"{where}: unknown placeholder {match.group(0)}; "
                                f"the placeholders are {', '.join('{{' + k + '}}' for k in values)}")
        return str(values[key])

    return PLACEHOLDER.sub(substitute, text)


def plan(kind, values, kit_root=KIT_ROOT):
    """[(template, target)] for every template of ``kind`` ("lab" or "dataset")."""
    source = Path(kit_root) / TEMPLATES / kind
    if not source.is_dir():
        raise ScaffoldError(f"{source} is missing: scaffolding runs in the instructor's copy of the kit, "
                            "which has templates/")
    pairs = []
    for template in sorted(source.rglob("*" + SUFFIX)):
        relative = template.relative_to(source).as_posix()[: -len(SUFFIX)]
        pairs.append((template, Path(kit_root) / render(relative, values, relative)))
    return pairs


def write(pairs, values, kit_root=KIT_ROOT):
    """Render and write every template, or nothing at all if any target already exists."""
    kit_root = Path(kit_root)
    existing = [target.relative_to(kit_root).as_posix() for _, target in pairs if target.exists()]
    if existing:
        raise ScaffoldError("these files already exist and would be overwritten: " + ", ".join(existing)
                            + ". Nothing was written; pick another name, or move those files away first")
    rendered = [(target, render(template.read_text(), values, template.name)) for template, target in pairs]
    for target, text in rendered:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return [target for target, _ in rendered]


def _title(title, default):
    """A title goes into Python strings and Markdown headings: one line, no quotes or backslashes."""
    title = default if title is None else title.strip()
    if not title or any(c in title for c in '"\\\n') or "{{" in title:
        raise ScaffoldError(f"--title must be one non-empty line without double quotes or backslashes, got {title!r}")
    return title


def _snake_case(what, value, example):
    if not SNAKE_CASE.match(value or "") or keyword.iskeyword(value):
        raise ScaffoldError(f"{what} must be a lowercase Python name (letters, digits, _), e.g. {example}; "
                            f"got {value!r}")
    return value


# -- new-lab ---------------------------------------------------------------------------------------
def existing_lab_files(lab, kit_root=KIT_ROOT):
    kit_root = Path(kit_root)
    candidates = [kit_root / "autograder" / "labs" / f"lab{lab}",
                  kit_root / "autograder" / "generated" / "fixtures" / f"lab{lab}.npz"]
    candidates += sorted((kit_root / "solutions").glob(f"lab{lab}_*.py"))
    return [path.relative_to(kit_root).as_posix() for path in candidates if path.exists()]


def lab_values(lab, topic, module=None, title=None, kit_root=KIT_ROOT):
    """The placeholders for ``new-lab``, after checking that the lab and its module are new."""
    kit_root = Path(kit_root)
    if isinstance(lab, bool) or not isinstance(lab, int) or lab < 1:
        raise ScaffoldError(f"the lab number must be a positive integer, got {lab!r}")
    topic = _snake_case("TOPIC", topic, "attention (for solutions/labN_attention.py)")
    module = _snake_case("--module", module or topic, "attention (for rnnlab/attention.py)")
    existing = existing_lab_files(lab, kit_root)
    if existing:
        taken = discover_labs(kit_root / "autograder" / "labs")
        raise ScaffoldError(
            f"lab {lab} already exists ({', '.join(existing)}). Nothing was written. Pick a number no lab "
            f"uses (taken: {', '.join(map(str, taken)) or 'none'}); to add an exercise to lab {lab}, follow "
            "'Add an exercise to an existing lab' in docs/EXTENDING.md")
    if module in RESERVED_MODULES or (kit_root / "solutions" / "rnnlab" / f"{module}.py").exists():
        raise ScaffoldError(f"solutions/rnnlab/{module}.py already exists (or is reserved). Nothing was written; "
                            "pass --module NAME to give the new lab's student module another name")
    return {"lab": lab, "topic": topic, "module": module, "title": _title(title, topic.replace("_", " ")),
            "seed": 20260000 + lab}


def new_lab(lab, topic, module=None, title=None, kit_root=KIT_ROOT):
    """Write lab ``lab`` from ``templates/lab``; returns the placeholders and the files written."""
    values = lab_values(lab, topic, module, title, kit_root)
    return values, write(plan("lab", values, kit_root), values, kit_root)


def lab_report(values, written, kit_root=KIT_ROOT):
    lab, width = values["lab"], 44
    described = {render(path, values): text for path, text in LAB_FILES.items()}
    lines = [f"Created lab {lab} ({values['title']}) from templates/lab/:"]
    order = list(described)
    relatives = sorted((path.relative_to(kit_root).as_posix() for path in written),
                       key=lambda p: (order.index(p) if p in order else len(order), p))
    for relative in relatives:
        lines.append(f"  {relative:<{width}} {described.get(relative, '')}".rstrip())
    lines += [
        "",
        "It works as it stands, with an example exercise (linear_recurrence) to replace with yours. Next:",
        f"  1. python -m autograder release                   # labs/, generated/fixtures/lab{lab}.npz, manifest",
        f"  2. python -m autograder check solutions --lab {lab}   # expect full marks",
        f"  3. python -m autograder check labs --lab {lab}        # expect 0, 'not implemented yet' per test",
        f"  4. python -m pytest tests/test_grader_lab{lab}.py tests/test_lab{lab}_walkthrough.py -q",
        "Then make the exercise yours (docs/EXTENDING.md), rerun 1-4, add the lab to README.md's table,",
        "and run `python -m autograder release --check` before you commit.",
    ]
    return "\n".join(lines)


# -- new-dataset -----------------------------------------------------------------------------------
SEQTASKS = Path("datasets") / "seqtasks"


def dataset_values(name, title=None, kit_root=KIT_ROOT):
    kit_root = Path(kit_root)
    name = _snake_case("NAME", name, "first_symbol (for make_first_symbol)")
    package = kit_root / SEQTASKS
    if not (package / "__init__.py").is_file():
        raise ScaffoldError(f"{package / '__init__.py'} is missing: run new-dataset from the kit's root copy")
    if (package / f"{name}.py").exists() or f"make_{name}" in (package / "__init__.py").read_text():
        raise ScaffoldError(f"the dataset {name!r} already exists (datasets/seqtasks/{name}.py or make_{name} in "
                            "seqtasks). Nothing was written; pick another NAME")
    return {"name": name, "title": _title(title, name.replace("_", " "))}


def export_lines(values):
    name = values["name"]
    return (f"\n# Added by `python -m autograder new-dataset {name}`: move into the imports and __all__ above.\n"
            f"from .{name} import {name}_baseline, make_{name}  # noqa: E402\n"
            f'__all__ += ["make_{name}", "{name}_baseline"]\n')


def new_dataset(name, title=None, kit_root=KIT_ROOT):
    """Write dataset ``name`` from ``templates/dataset`` and export it from ``seqtasks``."""
    kit_root = Path(kit_root)
    values = dataset_values(name, title, kit_root)
    written = write(plan("dataset", values, kit_root), values, kit_root)
    init = kit_root / SEQTASKS / "__init__.py"
    with init.open("a") as handle:
        handle.write(export_lines(values))
    return values, written + [init]


def dataset_report(values, written, kit_root=KIT_ROOT):
    name = values["name"]
    described = {render(path, values): text for path, text in DATASET_FILES.items()}
    described[(SEQTASKS / "__init__.py").as_posix()] = f"exports make_{name} and {name}_baseline (appended)"
    lines = [f"Created the dataset {name} from templates/dataset/:"]
    for path in written:
        relative = path.relative_to(kit_root).as_posix()
        lines.append(f"  {relative:<36} {described.get(relative, '')}".rstrip())
    lines += [
        "",
        "It works as it stands, with an example task (recall the first symbol) to replace with yours. Next:",
        f"  1. python -m pytest tests/test_dataset_{name}.py -q",
        f"  2. make make_{name} and {name}_baseline your task; keep the seed-only randomness and derive the",
        "     baseline in its docstring; rerun 1",
        "  3. add a row to the table in datasets/README.md and to seqtasks/__init__.py's docstring",
    ]
    return "\n".join(lines)
