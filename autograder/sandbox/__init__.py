"""The trust boundary: everything that crosses between the grader and the child running student code.

    session.py      ``Zygote`` (a warm process with TensorFlow imported) and ``Session`` (a confined
                    child bound to one submission, with time limits), and the ``Outcome`` of a call
    child.py        the zygote and child processes themselves (run as a script, never imported here)
    confine.py      what a child does to itself before running student code: limits, namespaces,
                    audit hooks
    wire.py         the only message format between the two sides (npz, ``allow_pickle=False``)
    probes.py       the probe registry and the helpers probes use inside the child
    static_scan.py  reading (never running) a submission's source: forbidden imports, built-ins

Student code runs only on the child side. Lab folders add probes (``labs/*/probes.py``), which
this package loads into the child.
"""
