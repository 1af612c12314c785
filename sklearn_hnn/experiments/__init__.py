"""Reproductions of published experiments.

Run ``python -m sklearn_hnn.experiments --help`` for the command line.
"""

from sklearn_hnn.experiments.table1 import (
    PAPER_TABLE1,
    TASKS,
    format_markdown,
    run_task,
    summarise,
)

__all__ = ["PAPER_TABLE1", "TASKS", "format_markdown", "run_task", "summarise"]
