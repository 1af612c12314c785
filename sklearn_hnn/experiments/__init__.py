"""Reproductions of published experiments.

Run ``python -m sklearn_hnn.experiments --help`` for the command line.
"""

from sklearn_hnn.experiments.table1 import format_markdown, run_task, summarise
from sklearn_hnn.experiments.tasks import TASKS, Task

__all__ = ["TASKS", "Task", "format_markdown", "run_task", "summarise"]
