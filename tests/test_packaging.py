"""The wheel users install: its files, version and extras."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

import sklearn_hnn

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    """A wheel built from a copy of the source (the checkout stays clean)."""
    pytest.importorskip("setuptools", minversion="68")  # builds without network
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "sklearn_hnn",
        source / "sklearn_hnn",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    out = tmp_path_factory.mktemp("wheel")
    build = ["wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(out)]
    subprocess.run(
        [sys.executable, "-m", "pip", *build, str(source)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("*.whl")
    return zipfile.ZipFile(path)


def _metadata(wheel: zipfile.ZipFile):
    (name,) = [n for n in wheel.namelist() if n.endswith(".dist-info/METADATA")]
    return Parser().parsestr(wheel.read(name).decode())


def test_the_wheel_ships_the_type_hints_marker(wheel):
    assert "sklearn_hnn/py.typed" in wheel.namelist()


def test_the_version_is_defined_once(wheel):
    assert _metadata(wheel)["Version"] == sklearn_hnn.__version__
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]


def test_every_extra_is_listed_in_the_readme(wheel):
    extras = _metadata(wheel).get_all("Provides-Extra")
    readme = (ROOT / "README.md").read_text()
    assert {"pixels", "plot"} <= set(extras)
    missing = [extra for extra in extras if f"| `{extra}` |" not in readme]
    assert not missing, f"extras not in the README's table: {missing}"
