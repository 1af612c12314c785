"""Command line: ``python -m sklearn_hnn.experiments TASK [TASK ...] --seeds N``."""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import torch

from sklearn_hnn.experiments.table1 import TASKS, format_markdown, run_task, summarise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_hnn.experiments",
        description="Reproduce rows of Table 1 of Greydanus et al. (2019).",
    )
    parser.add_argument("tasks", nargs="+", choices=sorted(TASKS), help="rows to run")
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny settings that check the pipeline in seconds; not a result",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="also write table1.md and table1.json here",
    )
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1; got {args.seeds}")

    summaries, runs_by_task = {}, {}
    for task in args.tasks:
        runs = []
        for seed in range(args.seeds):
            start = time.perf_counter()
            runs.append(run_task(task, seed, quick=args.quick))
            print(
                f"{task} seed {seed}: {time.perf_counter() - start:.1f} s", flush=True
            )
        runs_by_task[task] = runs
        summaries[task] = summarise(runs)

    table = format_markdown(summaries, args.seeds)
    print(table)
    if args.output_dir is not None:
        args.output_dir.mkdir(parents=True, exist_ok=True)
        (args.output_dir / "table1.md").write_text(table + "\n")
        record = {
            "command": "python -m sklearn_hnn.experiments "
            + " ".join(sys.argv[1:] if argv is None else argv),
            "machine": f"{platform.machine()}, {platform.processor() or 'cpu'}, "
            f"torch {torch.__version__}, {torch.get_num_threads()} threads",
            "summary": summaries,
            "runs": runs_by_task,
        }
        (args.output_dir / "table1.json").write_text(
            json.dumps(record, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
