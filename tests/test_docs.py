"""The README's example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"


def test_readme_example_runs_as_written():
    (code,) = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)[:1]
    namespace: dict = {}
    exec(compile(code, str(README), "exec"), namespace)
    assert namespace["dXdt_hat"].shape == namespace["X_test"].shape
    assert namespace["traj"].shape == (201, 2)
    assert namespace["H"].shape == (201,)
