"""Command line: ``python -m sklearn_hnn.experiments [TASK ...] --seeds N``,
and ``python -m sklearn_hnn.experiments study ...`` (see
:mod:`sklearn_hnn.experiments.study`)."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

import torch

from sklearn_hnn.datasets.real import DATA_ENV
from sklearn_hnn.differentiation import METHODS as DIFFERENTIATION_METHODS
from sklearn_hnn.experiments import study_cli
from sklearn_hnn.experiments.table1 import (
    LR_SCHEDULES,
    PROTOCOL_LR_SCHEDULE,
    format_markdown,
    run_task,
    summarise,
)
from sklearn_hnn.experiments.tasks import TASKS


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    if arguments[:1] == ["study"]:  # the Gruver et al. study, its own options
        return study_cli.main(arguments[1:])
    saved = os.environ.get(DATA_ENV)
    try:
        return _main(argv)
    finally:  # --data-dir must not outlive the call (main is also a function)
        if saved is None:
            os.environ.pop(DATA_ENV, None)
        else:
            os.environ[DATA_ENV] = saved


def make_parser() -> argparse.ArgumentParser:
    """The command line's parser (also reads back a committed output's
    recorded command)."""
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_hnn.experiments",
        description="Reproduce Tables 1 and 2 of Greydanus et al. (2019): baseline "
        "against HNN on every task with state observations. The study of "
        "Gruver et al. (2022) is the subcommand 'study' (see 'study --help').",
    )
    parser.add_argument(
        "tasks",
        nargs="*",
        metavar="TASK",
        help=f"rows to run, among {', '.join(TASKS)} (default: all)",
    )
    parser.add_argument("--seeds", type=int, default=5, help="seeds 0..N-1 (default 5)")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny settings that check the pipeline in seconds; not a result",
    )
    parser.add_argument(
        "--lr-schedule",
        choices=LR_SCHEDULES,
        default=PROTOCOL_LR_SCHEDULE,
        help="cosine: decay from 1e-3 to zero over the run; constant: the "
        f"paper's 1e-3 (default: {PROTOCOL_LR_SCHEDULE}, the protocol's)",
    )
    parser.add_argument(
        "--differentiation",
        choices=DIFFERENTIATION_METHODS,
        default=None,
        help="how the real pendulum's derivatives are estimated (default: "
        "forward, the protocol); other tasks have exact derivatives",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"directory holding real_pend_h_1.txt (default: ${DATA_ENV})",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="read and write the simulated datasets (every task but the real "
        "pendulum) in this directory, keyed by all their parameters "
        "(default: simulate every time)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="also write tables.md and tables.json here",
    )
    return parser


def variant_label(args: argparse.Namespace, tasks: list[str]) -> str:
    """The departures from the protocol that ``args`` asks for in ``tasks``,
    ``--quick`` included, as the label of our rows ("" for the protocol
    itself)."""
    variant = ["quick settings"] if args.quick else []
    if args.lr_schedule != PROTOCOL_LR_SCHEDULE:
        variant.append(f"{args.lr_schedule} lr")
    if args.differentiation is not None and any(TASKS[t].measured for t in tasks):
        variant.append(f"{args.differentiation} derivatives")
    return ", ".join(variant)


def _how_to_add(task: str, why: str, data_dir: Path | None) -> str:
    """What keeps ``task`` from running, and how to add it."""
    if TASKS[task].measured:
        where = (
            "use --data-dir" if data_dir is None else f"--data-dir {str(data_dir)!r}"
        )
        return (
            f"{task}: {why} ({where}; the file is the supplementary data of "
            "Schmidt & Lipson, Science 2009, see docs/reproduction.md)"
        )
    return f"{task}: {why}"


def _main(argv: list[str] | None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1; got {args.seeds}")
    unknown = [task for task in args.tasks if task not in TASKS]
    if unknown:
        parser.error(f"unknown task(s) {unknown}; choose among {list(TASKS)}")
    # Paths are checked before any task runs, so that a typo does not cost the
    # tasks before it.
    for option, directory in [
        ("--data-dir", args.data_dir),
        ("--cache-dir", args.cache_dir),
        ("--output-dir", args.output_dir),
    ]:
        if directory is not None and directory.exists() and not directory.is_dir():
            parser.error(f"{option} must be a directory; {str(directory)!r} is a file")
    if args.data_dir is not None:
        os.environ[DATA_ENV] = str(args.data_dir)
    # Checked before any task runs, so that a missing file does not cost the
    # tasks before it. Rows named explicitly must run; of all rows (none
    # named), those without their data or extra are skipped and listed.
    tasks = args.tasks or list(TASKS)
    unavailable = {task: TASKS[task].unavailable() for task in tasks}
    skipped = {task: why for task, why in unavailable.items() if why is not None}
    for task, why in skipped.items():
        # A row named, or a --data-dir given for the measured rows, is wanted.
        if args.tasks or (TASKS[task].measured and args.data_dir is not None):
            parser.error(_how_to_add(task, why, args.data_dir))
    tasks = [task for task in tasks if task not in skipped]
    if not tasks:
        parser.error(
            "no row can run here:\n"
            + "\n".join(_how_to_add(t, w, args.data_dir) for t, w in skipped.items())
        )

    summaries, runs_by_task = {}, {}
    for task in tasks:
        runs = []
        for seed in range(args.seeds):
            start = time.perf_counter()
            runs.append(
                run_task(
                    task,
                    seed,
                    quick=args.quick,
                    lr_schedule=args.lr_schedule,
                    differentiation=args.differentiation,
                    cache_dir=args.cache_dir,
                )
            )
            print(
                f"{task} seed {seed}: {time.perf_counter() - start:.1f} s", flush=True
            )
        runs_by_task[task] = runs
        summaries[task] = summarise(runs)

    tables = format_markdown(summaries, args.seeds, variant_label(args, tasks))
    if skipped:
        tables += "\n\n**Skipped rows**\n\n" + "\n".join(
            f"- {_how_to_add(task, why, args.data_dir)}"
            for task, why in skipped.items()
        )
    print(tables)
    if args.output_dir is not None:
        command = "python -m sklearn_hnn.experiments " + " ".join(
            sys.argv[1:] if argv is None else argv
        )
        machine = (
            f"{platform.machine()}, {platform.processor() or 'cpu'}, "
            f"{os.cpu_count()} CPUs, torch {torch.__version__}, "
            f"{torch.get_num_threads()} threads"
        )
        args.output_dir.mkdir(parents=True, exist_ok=True)
        (args.output_dir / "tables.md").write_text(
            f"Command: `{command}`\n\nMachine: {machine}\n\n{tables}\n"
        )
        record = {
            "command": command,
            "machine": machine,
            "summary": summaries,
            "runs": runs_by_task,
        }
        (args.output_dir / "tables.json").write_text(
            json.dumps(record, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
