"""Lab content: one folder per lab, found from the lab number alone.

    labN/cases.py       TITLE, PUBLIC_SEED and make_cases(rng, hidden): the inputs for the probes
    labN/probes.py      (optional) the small programs the child runs on the student's code
    labN/mistakes.py    the lab's catalogue of known mistakes and the NumPy variants that name them
    labN/test_labN.py   the grading tests with their @points (run by the engine, never imported)
    shared/             what several labs use: cell probes and checks (labs 1-3), the NumPy
                        reference cells, the registration/config/built-in mistakes

The engine discovers these folders (``engine.labs``); nothing here is imported by the engine.
"""
