"""Finding the ``rnnlab/`` package in what a student hands in: a folder or a ``.zip``.

Zip entries are checked before anything is extracted: absolute paths, ``..`` and symlinks are
refused (a zip must never write outside its own folder).
"""

import stat
import zipfile
from pathlib import Path, PurePosixPath


class SubmissionError(ValueError):
    """The submission cannot be graded at all; the message says what to hand in instead."""


def _safe_members(archive):
    for info in archive.infolist():
        name = PurePosixPath(info.filename)
        if name.is_absolute() or ".." in name.parts or info.filename.startswith(("/", "\\")):
            raise SubmissionError(f"the zip holds an unsafe path {info.filename!r}; zip the rnnlab/ folder itself")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise SubmissionError(f"the zip holds a symbolic link {info.filename!r}; links are not accepted")
        yield info


def extract_zip(path, destination):
    try:
        with zipfile.ZipFile(path) as archive:
            members = list(_safe_members(archive))
            total = sum(m.file_size for m in members)
            if total > 50 * 1024 * 1024:
                raise SubmissionError(f"the zip unpacks to {total // 2**20} MiB; a submission is a few files of code")
            archive.extractall(destination, members=members)
    except zipfile.BadZipFile:
        raise SubmissionError(f"{path.name} is not a valid zip file") from None
    return Path(destination)


def find_package_root(folder):
    """The folder that holds ``rnnlab/`` (the folder itself, its parent, or one level down)."""
    folder = Path(folder)
    if folder.name == "rnnlab" and folder.is_dir():
        return folder.parent
    if (folder / "rnnlab").is_dir():
        return folder
    candidates = [child for child in folder.iterdir() if child.is_dir() and (child / "rnnlab").is_dir()] \
        if folder.is_dir() else []
    if len(candidates) == 1:
        return candidates[0]
    raise SubmissionError(
        f"no rnnlab/ folder found in {folder}: hand in the folder that holds rnnlab/ (for example labs/) "
        "or a .zip of it"
    )


def check_no_escaping_links(root):
    """Refuse symlinks inside rnnlab/ that point outside the submission."""
    root = root.resolve()
    for path in (root / "rnnlab").rglob("*"):
        if path.is_symlink():
            target = path.resolve()
            if not target.is_relative_to(root):
                raise SubmissionError(f"rnnlab/{path.relative_to(root / 'rnnlab')} is a link to a file outside "
                                      "your submission; hand in real files")


def unpack_submission(target, scratch):
    """The folder holding ``rnnlab/`` in what was handed in, ready to grade; ``SubmissionError`` if none.

    ``target`` is a folder holding ``rnnlab/`` (itself, one level down, or ``rnnlab/`` itself), a
    ``.zip`` of one, or a folder whose only content of note is such a zip (Gradescope's upload
    folder). Zips are unpacked into ``scratch``, which the caller owns and removes.
    """
    target = Path(target)
    if not target.exists():
        raise SubmissionError(f"{target} does not exist; pass the folder that holds rnnlab/ or a .zip of it")
    if target.is_file():
        if target.suffix != ".zip":
            raise SubmissionError(f"{target.name} is neither a folder nor a .zip")
        folder = extract_zip(target, scratch)
    else:
        zips = sorted(target.glob("*.zip")) if not (target / "rnnlab").exists() else []
        folder = extract_zip(zips[0], scratch) if len(zips) == 1 else target
    root = find_package_root(folder)
    check_no_escaping_links(root)
    return root
