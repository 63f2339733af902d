"""Every lab runs as a notebook, the way a student opens it: jupytext turns the percent-format
``solutions/labN_*.py`` into an .ipynb, nbclient runs it cell by cell in a real Jupyter kernel
(ipykernel) in fast mode (``RNNLAB_FAST=1``), and then

- no cell ends in an error;
- every figure the lab saves is on disk, written by this run, and shown inline: the cell that
  prints ``figure saved: out/labN/NAME.png`` also holds a ``display_data`` output with an
  ``image/png`` (``labtools.Lab.savefig`` calls ``plt.show()`` inside a kernel).

The figure names come from the lab's own source (each ``lab.savefig(fig, "NAME.png")``), so a
figure added to a lab is checked without touching this file.
"""

import re
import time

import pytest
from conftest import KIT_ROOT, SOLUTIONS

jupytext = pytest.importorskip("jupytext")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

LAB_FILES = sorted(SOLUTIONS.glob("lab[0-9]*_*.py"))
SAVED = re.compile(r"figure saved: (out/lab\d+/[\w.-]+\.png)")


def figure_names(source):
    """The file names a lab passes to ``lab.savefig``, in order (literals only, as the labs write them)."""
    return re.findall(r"""lab\.savefig\(\s*\w+\s*,\s*f?["']([\w.-]+\.png)["']""", source)


def test_every_lab_is_found_and_saves_figures():
    assert [path.name.split("_")[0] for path in LAB_FILES] == ["lab1", "lab2", "lab3", "lab4", "lab5", "lab6"]
    for path in LAB_FILES:
        assert figure_names(path.read_text()), f"{path.name} saves no figure"


@pytest.mark.parametrize("path", LAB_FILES, ids=lambda p: p.stem.split("_")[0])
def test_lab_runs_as_a_notebook_and_shows_every_figure_inline(path, monkeypatch):
    monkeypatch.setenv("RNNLAB_FAST", "1")
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "2")
    monkeypatch.delenv("RNNLAB_FULL", raising=False)
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel must pick its inline backend
    notebook = jupytext.read(path)
    started = time.time()
    client = nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=False,
                                     resources={"metadata": {"path": str(SOLUTIONS)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{path.name}: a cell ended in an error when run as a notebook:\n{str(error)[-3000:]}")

    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    errors = [output for cell in code_cells for output in cell.outputs if output.output_type == "error"]
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]

    lab = path.stem.split("_")[0]
    shown = []
    for cell in code_cells:
        text = "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")
        saved = SAVED.findall(text)
        images = [output for output in cell.outputs
                  if output.output_type == "display_data" and "image/png" in output.get("data", {})]
        assert len(images) >= len(saved), (f"{lab}: the cell that saves {saved} shows {len(images)} image(s) "
                                           f"inline:\n{cell.source[:300]}")
        shown += saved
    expected = [f"out/{lab}/{name}" for name in figure_names(path.read_text())]
    assert sorted(set(shown)) == sorted(set(expected)), (shown, expected)
    for relative in expected:
        figure = KIT_ROOT / relative
        assert figure.is_file(), f"missing {figure}"
        assert figure.stat().st_mtime >= started - 1, f"{figure} was not rewritten by the notebook run"
        assert figure.stat().st_size > 5000, f"{figure} looks empty"
