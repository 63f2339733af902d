"""Similar submissions: token fingerprints with winnowing over the code each student wrote.

What is compared is a student's *own* code: the lines of their ``rnnlab/*.py`` that are not the
template's given lines (a line diff against ``labs/rnnlab``, the release they started from), so
an untouched template has nothing to match and the given scaffolding never makes two students
look alike. A module the template does not have counts in full.

    1. tokens      Python's tokenizer; comments, blank lines, indentation and line breaks dropped;
                   every bare name a student chooses -> "V", numbers -> "N", strings -> "S";
                   keywords, operators, builtins and attribute names (``.kernel``, ``.matmul``:
                   fixed by the exercise contract and the APIs) stay. Renaming changes nothing.
    2. k-grams     every run of K consecutive tokens of one module, hashed (blake2b, stable
                   across runs and machines).
    3. winnowing   the smallest hash of every window of W consecutive k-grams (Schleimer,
                   Wilkerson and Aiken 2003, the method MOSS uses): any shared run of at least
                   W + K - 1 tokens shares a fingerprint; a run shorter than K never does.
    4. pairs       a fingerprint that more than max(4, 10%) of the class share is what the
                   exercise makes everybody write, and is left out (MOSS's -m), except between two
                   submissions whose whole normalised own code is identical: a group of copies
                   larger than that limit is still found. For each pair: the share of each one's
                   fingerprints found in the other. Reordering functions moves whole runs of
                   tokens and keeps their fingerprints.

A pair is flagged when one of them has at least ``FLAG_AT`` of its fingerprints in the other and
they share at least ``MIN_SHARED``. A flag is a reason to read both, never a verdict.

Why not PyPI's ``copydetect`` (the same method): it reads whole files from disk and removes
template code by matching a boilerplate folder's fingerprints, where the kit knows exactly which
lines the student wrote (a diff against the release); it tokenises with Pygments and reports in
HTML through Jinja2, three dependencies for what the standard library's ``tokenize`` and ``difflib``
do here in about 150 lines, on zips unpacked in memory, with a markdown report that quotes the lines.
"""

import builtins
import csv
import difflib
import hashlib
import io
import keyword
import math
import tempfile
import tokenize
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import LABS_DIR
from autograder.engine.files import atomic_write

K = 12  # tokens per k-gram: shorter shared runs are noise
W = 8  # k-grams per window: a shared run of W + K - 1 = 19 tokens is always found
FLAG_AT = 0.5
MIN_SHARED = 8
MAX_CHARS = 200_000  # of one module: a real one is a few thousand; more is not code to compare
_KEEP = set(keyword.kwlist) | set(dir(builtins)) | {"self", "cls"}


@dataclass
class Code:
    """One submission's own code: {module: [(line number, text)]} and its fingerprints."""

    submission: str
    lines: dict = field(default_factory=dict)
    fingerprints: dict = field(default_factory=dict)  # hash -> (module, first line, last line)
    digest: str = ""  # of the whole normalised token stream: equal for identical own code

    @property
    def size(self):
        return sum(len(lines) for lines in self.lines.values())


def own_lines(text, template):
    """[(line number, line)] of ``text`` that are not ``template``'s lines (1-based numbers)."""
    lines = text.splitlines()
    if template is None:
        return list(enumerate(lines, start=1))
    matcher = difflib.SequenceMatcher(None, template.splitlines(), lines, autojunk=False)
    own = []
    for tag, _, _, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            own += [(number + 1, lines[number]) for number in range(j1, j2)]
    return own


def tokens(text, keep_lines):
    """[(normalised token, line)] of the tokens of ``text`` on the lines in ``keep_lines``."""
    result = []
    try:
        stream = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except Exception:  # TokenError, IndentationError, SyntaxError: whatever a student's file holds
        stream = None
    if stream is None:  # code that does not tokenize: fall back to words and symbols
        import re

        for number, line in enumerate(text.splitlines(), start=1):
            if number in keep_lines:
                for word in re.findall(r"\w+|\S", line.split("#")[0]):
                    result.append(("V" if word.isidentifier() and word not in _KEEP else word, number))
        return result
    previous = None
    for token in stream:
        if token.start[0] not in keep_lines or token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE,
                                                              tokenize.INDENT, tokenize.DEDENT,
                                                              tokenize.ENDMARKER):
            continue
        if token.type == tokenize.NAME:
            value = token.string if token.string in _KEEP or previous == "." else "V"
        elif token.type == tokenize.NUMBER:
            value = "N"
        elif token.type == tokenize.STRING or token.type == getattr(tokenize, "FSTRING_START", -1):
            value = "S"
        elif token.type in (getattr(tokenize, "FSTRING_MIDDLE", -1), getattr(tokenize, "FSTRING_END", -1)):
            continue
        else:
            value = token.string
        result.append((value, token.start[0]))
        previous = token.string
    return result


def _hash(gram):
    return int.from_bytes(hashlib.blake2b("\x1f".join(gram).encode(), digest_size=8).digest(), "big")


def winnow(stream, k=K, w=W):
    """{hash: (first line, last line)} chosen by winnowing from ``stream`` ([(token, line)])."""
    grams = [(_hash([t for t, _ in stream[i:i + k]]), stream[i][1], stream[i + k - 1][1])
             for i in range(len(stream) - k + 1)]
    chosen = {}
    if 0 < len(grams) < w:
        grams_windows = [grams]
    else:
        grams_windows = (grams[i:i + w] for i in range(len(grams) - w + 1))
    for window in grams_windows:
        smallest = min(window, key=lambda g: g[0])  # the leftmost of equal minima
        chosen.setdefault(smallest[0], smallest[1:])
    return chosen


def read_code(submission_id, package, template_dir=LABS_DIR / "rnnlab"):
    """The own code of the rnnlab/ folder ``package`` (a Path)."""
    code = Code(submission_id)
    whole = hashlib.blake2b(digest_size=16)
    for path in sorted(Path(package).glob("*.py")):
        try:
            text = path.read_text(errors="replace")[:MAX_CHARS]
        except OSError:
            continue
        template_path = Path(template_dir) / path.name
        template = template_path.read_text() if template_path.exists() else None
        own = own_lines(text, template)
        if not own:
            continue
        code.lines[path.name] = own
        stream = tokens(text, {n for n, _ in own})
        whole.update(("\x1e" + path.name + "\x1d" + "\x1f".join(t for t, _ in stream)).encode())
        for digest, (first, last) in winnow(stream).items():
            code.fingerprints.setdefault(digest, (path.name, first, last))
    code.digest = whole.hexdigest() if code.fingerprints else ""
    return code


def read_entry(path, submission_id, template_dir=LABS_DIR / "rnnlab"):
    """The own code of one entry of the submissions folder (a folder or a .zip); empty if unreadable."""
    from autograder.engine.submission import SubmissionError, unpack_submission

    with tempfile.TemporaryDirectory(prefix="rnnlab-similarity-") as scratch:
        try:
            root = unpack_submission(path, scratch)
        except (SubmissionError, OSError, zipfile.BadZipFile):
            return Code(submission_id)
        return read_code(submission_id, root / "rnnlab", template_dir)


@dataclass
class Pair:
    a: Code
    b: Code
    shared: set
    common: set = frozenset()  # the class's common fingerprints, counted on neither side

    @property
    def share_a(self):
        return len(self.shared) / max(1, len(self.a.fingerprints.keys() - self.common))

    @property
    def share_b(self):
        return len(self.shared) / max(1, len(self.b.fingerprints.keys() - self.common))

    @property
    def score(self):
        return max(self.share_a, self.share_b)

    @property
    def flagged(self):
        return self.score >= FLAG_AT and len(self.shared) >= MIN_SHARED


def compare(codes):
    """Every pair that shares a fingerprint, most similar first (fingerprints common to more than
    max(4, 10%) of ``codes`` left out)."""
    counts = {}
    for code in codes:
        for digest in code.fingerprints:
            counts[digest] = counts.get(digest, 0) + 1
    common = {digest for digest, n in counts.items() if n > max(4, math.ceil(0.1 * len(codes)))}
    pairs = []
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            # Identical own code is never "what everybody writes", however many share it.
            leave_out = frozenset() if a.digest and a.digest == b.digest else common
            shared = (a.fingerprints.keys() & b.fingerprints.keys()) - leave_out
            if shared:
                pairs.append(Pair(a, b, shared, leave_out))
    pairs.sort(key=lambda p: (-p.score, -len(p.shared), p.a.submission, p.b.submission))
    return pairs


def _regions(code, shared, limit=3, max_lines=10):
    """The ``limit`` longest runs of ``code``'s lines covered by ``shared`` fingerprints, quoted,
    longest first (over every module: a new lab's module must not crowd out a longer copy)."""
    covered = {}
    for digest in shared:
        module, first, last = code.fingerprints[digest]
        covered.setdefault(module, set()).update(range(first, last + 1))
    text = {module: dict(lines) for module, lines in code.lines.items()}
    runs = []
    for module in sorted(covered):
        numbers = sorted(n for n in covered[module] if n in text[module])
        start = None
        for index, number in enumerate(numbers):
            if start is None:
                start = number
            if index + 1 == len(numbers) or numbers[index + 1] > number + 2:
                runs.append((module, start, number))
                start = None
    quotes = []
    for module, first, last in sorted(runs, key=lambda run: (run[1] - run[2], run[0], run[1]))[:limit]:
        body = [text[module].get(n, "") for n in range(first, min(last, first + max_lines - 1) + 1)]
        more = f"\n    ... ({last - first + 1 - max_lines} more lines)" if last - first + 1 > max_lines else ""
        quotes.append(f"rnnlab/{module} lines {first}-{last}:\n\n" + "\n".join("    " + line for line in body) + more)
    return quotes


def write_similarity_report(out_dir, entries, log=None, top=20, template_dir=LABS_DIR / "rnnlab"):
    """``OUT/similarity.md`` and ``OUT/similarity.csv`` for ``entries`` ([(path, id)]); returns how
    many pairs were flagged."""
    codes = []
    for path, submission_id in entries:
        try:
            codes.append(read_entry(path, submission_id, template_dir))
        except Exception:  # a report must never cost the batch its end: this entry is left out
            codes.append(Code(submission_id))
    pairs = compare(codes)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["submission_a", "submission_b", "score", "share_a", "share_b", "shared_fingerprints",
                     "flagged"])
    for pair in pairs:
        writer.writerow([pair.a.submission, pair.b.submission, f"{pair.score:.3f}", f"{pair.share_a:.3f}",
                         f"{pair.share_b:.3f}", len(pair.shared), "yes" if pair.flagged else "no"])
    atomic_write(Path(out_dir) / "similarity.csv", buffer.getvalue())
    flagged = [pair for pair in pairs if pair.flagged]
    with_code = sum(1 for code in codes if code.fingerprints)
    lines = ["# Similar submissions", "",
             f"Own code compared: the lines each student wrote (not the template's), identifiers, literals and "
             f"layout normalised, fingerprinted by winnowing (k = {K} tokens, window {W}). {with_code} of "
             f"{len(codes)} submissions have code of their own. A pair is flagged when one has at least "
             f"{FLAG_AT:.0%} of its fingerprints in the other and they share at least {MIN_SHARED}; "
             "fingerprints that more than max(4, 10%) of the class share are left out, except between identical "
             "own code. A flag is a reason to "
             "read both submissions, not a verdict. All pairs: similarity.csv.", ""]
    if not pairs:
        lines.append("No two submissions share a fingerprint of their own code.")
    else:
        lines += [f"{len(flagged)} pair(s) flagged.", "",
                  "| rank | pair | score | a in b | b in a | shared | flagged |", "|---|---|---|---|---|---|---|"]
        for rank, pair in enumerate(pairs[:top], start=1):
            lines.append(f"| {rank} | {pair.a.submission} / {pair.b.submission} | {pair.score:.0%} | "
                         f"{pair.share_a:.0%} | {pair.share_b:.0%} | {len(pair.shared)} | "
                         f"{'**yes**' if pair.flagged else 'no'} |")
        for rank, pair in enumerate(flagged[:top], start=1):
            lines += ["", f"## {rank}. {pair.a.submission} and {pair.b.submission} ({pair.score:.0%})", ""]
            for code in (pair.a, pair.b):
                lines += [f"**{code.submission}**", ""]
                for quote in _regions(code, pair.shared):
                    lines += [quote, ""]
    atomic_write(Path(out_dir) / "similarity.md", "\n".join(lines) + "\n")
    if log:
        log(f"Similarity: {len(flagged)} pair(s) flagged in {Path(out_dir) / 'similarity.md'}")
    return len(flagged)
