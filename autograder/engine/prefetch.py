"""Running a submission's probe calls on two children at once, for ``check`` on a 2-core laptop.

The grading tests run in order, in pytest, on one child; their calls are almost all known before
they run: each case's probe on the case's own inputs and params. ``Prefetch`` runs those calls on
a second child, from the other end of the list (the last lab's cases first), in a thread of the
grader, while the tests work forward on the first child. A test asks ``claim(key)``: a call the
helper has made or is making is the helper's answer (waited for if it is on its way); any other is
the test's to make. The two meet in the middle, so both cores work until the list is done.

The helper is for speed only and never changes a score: a call it could not answer (its child hung,
crashed or ran out of time) stops it, and the tests make that call themselves. A test that asks
for other params than the case's, or a case the list does not hold, simply makes its own call.

``grade`` uses it when asked (``check`` does); a class's ``grade`` does not: its workers already
keep every core busy with one submission each.
"""

import threading

# What a helper's answer must be to stand in for the test's own call: the child answered.
USABLE = ("ok", "error")


class Prefetch:
    """Calls ``jobs`` (``[(key, probe, inputs, params)]``, in the order the tests will want them)
    on ``session`` from the last to the first, in a daemon thread, skipping keys already claimed."""

    def __init__(self, session, jobs):
        self._session = session
        self._jobs = list(jobs)
        self._lock = threading.Lock()
        self._claimed = {}  # key -> "test" or a threading.Event set when the helper's answer is in
        self._answers = {}
        self._stopped = False
        self._thread = threading.Thread(target=self._work, name="rnnlab-prefetch", daemon=True)
        self._thread.start()

    def _next_job(self):
        with self._lock:
            while self._jobs and not self._stopped:
                job = self._jobs.pop()
                if job[0] not in self._claimed:
                    self._claimed[job[0]] = threading.Event()
                    return job
            return None

    def _work(self):
        while (job := self._next_job()) is not None:
            key, probe, inputs, params = job
            try:
                outcome = self._session.call(probe, inputs, params)
            except Exception:  # the helper must never take the grading down with it
                outcome = None
            with self._lock:
                if outcome is not None and outcome.status in USABLE:
                    self._answers[key] = outcome
                else:
                    self._stopped = True  # hung, crashed or out of time: the tests take over from here
                self._claimed[key].set()

    def claim(self, key):
        """The helper's ``Outcome`` for ``key`` (waiting for it if it is on its way), or None: the
        caller makes the call itself (and the helper will not)."""
        with self._lock:
            claimed = self._claimed.get(key)
            if claimed is None:
                self._claimed[key] = "test"
                return None
        if claimed == "test":
            return None
        claimed.wait()
        return self._answers.get(key)

    def stop(self, wait=10.0):
        """No new calls, and the one in flight (its answer is not needed) ended: the tests are done."""
        with self._lock:
            self._stopped = True
        if self._thread.is_alive():
            self._session.interrupt()
        self._thread.join(wait)
