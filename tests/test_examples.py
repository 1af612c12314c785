"""Every example runs and prints what it promises."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

from sklearn_hnn.datasets.real import DATA_ENV

EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("*.py"))


def test_examples_exist():
    assert len(EXAMPLES) >= 3


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(path, capsys, monkeypatch, request):
    if path.name == "real_pendulum.py":  # reads the shared data directory
        directory = request.getfixturevalue("shared_data_dir")
        monkeypatch.setenv(DATA_ENV, str(directory))
    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out.strip()
