"""The zygote's start (``autograder/sandbox/child.py``): TensorFlow and Keras imported without the
optional packages Keras would pull in for features the grader never uses, which student code can
still import afterwards."""

import importlib.util
import json
import subprocess
import sys
import textwrap

from conftest import KIT_ROOT

PROGRAM = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {kit!r})
    from autograder.sandbox.child import KERAS_OPTIONAL_IMPORTS, _import_tensorflow_and_keras
    _import_tensorflow_and_keras()
    facts = {{"imported_with_keras": [name for name in KERAS_OPTIONAL_IMPORTS if name in sys.modules],
              "keras": "keras" in sys.modules, "later": {{}}}}
    for name in KERAS_OPTIONAL_IMPORTS:
        try:
            __import__(name)
            facts["later"][name] = "imported"
        except ImportError as error:
            facts["later"][name] = str(error)
    print(json.dumps(facts))
""")


def test_keras_is_imported_without_its_optional_packages_and_they_stay_importable():
    result = subprocess.run([sys.executable, "-I", "-c", PROGRAM.format(kit=str(KIT_ROOT))], capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["keras"] and facts["imported_with_keras"] == []
    for name, outcome in facts["later"].items():
        if importlib.util.find_spec(name) is not None:
            assert outcome == "imported", (name, outcome)
        else:
            assert "No module named" in outcome, (name, outcome)  # a real absence, not the block left behind
