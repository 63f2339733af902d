"""Where each lab's grading content lives, found from the lab number alone.

Lab N is the folder ``autograder/labs/labN/`` (``cases.py``, ``mistakes.py``, ``test_labN.py`` and,
if it has its own, ``probes.py``); a folder without a ``cases.py`` (``shared/``) is not a lab. The
engine reaches lab content only through this module and only by name, so it never depends on any
one lab and a new lab is a new folder.
"""

import importlib
import re

from autograder import PACKAGE_DIR

LABS_PACKAGE = "autograder.labs"
LABS_FOLDER = PACKAGE_DIR / "labs"
_LAB_NAME = re.compile(r"lab(\d+)")


def lab_number(name):
    """The N of any lab-N name: "lab3", "test_lab3.py", "lab3.npz", "autograder.labs.lab3.test_lab3" -> 3."""
    found = _LAB_NAME.findall(str(name))
    if not found:
        raise ValueError(f"{name!r} names no lab (expected 'lab<N>' in it)")
    return int(found[-1])


def discover_labs(folder=LABS_FOLDER):
    """The lab numbers, in order: every ``labN/`` folder that has a ``cases.py``."""
    return tuple(sorted(int(path.name[3:]) for path in folder.glob("lab*")
                        if path.name[3:].isdigit() and (path / "cases.py").is_file()))


LABS = discover_labs()


def lab_folder(lab):
    return LABS_FOLDER / f"lab{lab}"


def grading_test_file(lab):
    return lab_folder(lab) / f"test_lab{lab}.py"


def lab_module(lab, part):
    """Lab ``lab``'s module ``part`` ("cases", "mistakes", ...), imported."""
    return importlib.import_module(f"{LABS_PACKAGE}.lab{lab}.{part}")


def content_modules(part):
    """Every lab folder's (and ``shared/``'s) module ``part``, imported: e.g. all the probes."""
    names = sorted(path.parent.name for path in LABS_FOLDER.glob(f"*/{part}.py"))
    return [importlib.import_module(f"{LABS_PACKAGE}.{name}.{part}") for name in names]
