"""Test cases: inputs for the probes, and (once computed) the values they should produce.

Each lab's ``autograder/labs/labN/cases.py`` defines TITLE, PUBLIC_SEED and
``make_cases(rng, hidden=False) -> list[Case]``. Public cases use the lab's fixed seed and shapes;
their expected values are computed from ``solutions/`` by ``release`` and kept as fixtures
(``autograder/generated/fixtures/labN.npz``), so ``check`` needs no solutions. Hidden cases
(``grade``) draw other shapes and scales from the TA's seed and are computed live.
"""

import json
from dataclasses import dataclass, field

import numpy as np

from autograder import FIXTURES_DIR
from autograder.engine.files import replacing
from autograder.engine.labs import lab_module


@dataclass
class Case:
    """One probe call and what it should return.

    id:        unique within its lab, e.g. "simple_rnn.forward"
    probe:     the probe the student's code runs (see ``sandbox.probes``)
    params:    JSON params for that probe
    inputs:    named input arrays
    reference_params: params for the reference run (default: the same; e.g. source="keras" to
               compute the expected values with the Keras built-in instead of the master solution)
    expected_values / expected_arrays: filled in from the reference run
    """

    id: str
    probe: str
    params: dict
    inputs: dict = field(default_factory=dict)
    reference_params: dict = None
    expected_values: dict = field(default_factory=dict)
    expected_arrays: dict = field(default_factory=dict)

    def reference(self):
        return self.probe, self.reference_params if self.reference_params is not None else self.params


def normal(rng, *shape, scale=1.0):
    """A float32 array of the given shape, N(0, scale^2) entries drawn from ``rng``."""
    return (scale * rng.standard_normal(shape)).astype(np.float32)


def make_cases(lab, rng, hidden=False):
    return lab_module(lab, "cases").make_cases(rng, hidden=hidden)


def lab_title(lab):
    return lab_module(lab, "cases").TITLE


def public_cases(lab):
    return make_cases(lab, np.random.default_rng(lab_module(lab, "cases").PUBLIC_SEED), hidden=False)


# -- fixture files: one .npz per lab ---------------------------------------------------------------
def to_npz_dict(cases):
    out = {}
    for case in cases:
        meta = {"probe": case.probe, "params": case.params, "reference_params": case.reference_params,
                "expected_values": case.expected_values}
        out[f"{case.id}/meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
        out.update({f"{case.id}/in/{k}": v for k, v in case.inputs.items()})
        out.update({f"{case.id}/out/{k}": v for k, v in case.expected_arrays.items()})
    return out


def from_npz_dict(arrays):
    cases = {}
    for key, value in arrays.items():
        case_id, kind, *name = key.split("/")
        if kind == "meta":
            meta = json.loads(value.tobytes().decode())
            cases[case_id] = Case(case_id, meta["probe"], meta["params"], reference_params=meta["reference_params"],
                                  expected_values=meta["expected_values"])
    for key, value in arrays.items():
        case_id, kind, *name = key.split("/")
        if kind == "in":
            cases[case_id].inputs[name[0]] = value
        elif kind == "out":
            cases[case_id].expected_arrays[name[0]] = value
    return cases


def fixture_path(lab):
    return FIXTURES_DIR / f"lab{lab}.npz"


def save_fixture(path, cases):
    with replacing(path) as tmp:
        np.savez_compressed(tmp, **to_npz_dict(cases))


def load_fixture(path):
    with np.load(path, allow_pickle=False) as archive:
        return from_npz_dict({name: archive[name] for name in archive.files})


class MissingFixtureError(FileNotFoundError):
    """A lab's public fixture file is not there (a partial copy of the kit, or a release not run)."""


def load_public_fixtures(labs):
    """{lab: {case_id: Case}} from the public fixtures; ``MissingFixtureError`` names a missing one."""
    public = {}
    for lab in labs:
        path = fixture_path(lab)
        if not path.exists():
            raise MissingFixtureError(f"the public fixtures for lab {lab} are missing ({path}); "
                                      "an instructor creates them with `python -m autograder release`")
        public[lab] = load_fixture(path)
    return public
