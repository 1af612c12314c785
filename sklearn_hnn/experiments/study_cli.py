"""``python -m sklearn_hnn.experiments study``: the command line of
:mod:`sklearn_hnn.experiments.study`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sklearn_hnn.experiments.study import (
    EPOCHS,
    MODELS,
    QUICK_EPOCHS,
    SYSTEMS,
    run_study,
)
from sklearn_hnn.experiments.study_report import (
    format_markdown,
    plot_summary,
    summarise,
)


def make_parser() -> argparse.ArgumentParser:
    """The study subcommand's parser."""
    parser = argparse.ArgumentParser(
        prog="python -m sklearn_hnn.experiments study",
        description="The study of Gruver et al. (ICLR 2022): NODE, NODE+SO, HNN, "
        "separable and dissipative HNNs on chain and spring pendulums, trained "
        "on rollouts. Resumable: runs already in --output-dir are skipped.",
    )
    parser.add_argument(
        "--systems",
        nargs="+",
        default=["chain-1", "chain-2", "chain-3", "chain-2-drag", "spring-1-drag"],
        metavar="SYSTEM",
        help=f"among {', '.join(SYSTEMS)}",
    )
    parser.add_argument(
        "--models",
        nargs="+",
        default=list(MODELS),
        metavar="MODEL",
        help=f"among {', '.join(MODELS)} (default: all)",
    )
    parser.add_argument("--seeds", type=int, default=3, help="seeds 0..N-1 (default 3)")
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"training epochs (default {EPOCHS}; {QUICK_EPOCHS} with --quick)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny settings that check the pipeline in seconds; not a result",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch CPU threads per fit (default 1: fastest for these small "
        "networks; run two studies on different --systems to use two cores)",
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="dataset cache directory"
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        required=True,
        help="runs, study.md, study.json and study.png go here",
    )
    return parser


def main(argv: list[str]) -> int:
    """Run the study subcommand with ``argv`` (the arguments after ``study``).

    Parameters
    ----------
    argv : list of str
        Command-line arguments.

    Returns
    -------
    int
        Exit status.
    """
    parser = make_parser()
    args = parser.parse_args(argv)
    for option, names, known in (
        ("--systems", args.systems, SYSTEMS),
        ("--models", args.models, MODELS),
    ):
        unknown = [name for name in names if name not in known]
        if unknown:
            parser.error(f"{option}: unknown {unknown}; choose among {list(known)}")
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1; got {args.seeds}")
    if args.threads < 1:
        parser.error(f"--threads must be >= 1; got {args.threads}")
    if args.epochs is not None and args.epochs < 1:
        parser.error(f"--epochs must be >= 1; got {args.epochs}")
    if args.output_dir.exists() and not args.output_dir.is_dir():
        parser.error(f"--output-dir must be a directory; {args.output_dir} is a file")
    runs = run_study(
        args.systems,
        args.models,
        args.seeds,
        output_dir=args.output_dir,
        epochs=args.epochs,
        quick=args.quick,
        cache_dir=args.cache_dir,
        threads=args.threads,
    )
    summary = summarise(runs)
    table = format_markdown(summary)
    command = "python -m sklearn_hnn.experiments study " + " ".join(argv)
    stem = "study-quick" if args.quick else "study"
    (args.output_dir / f"{stem}.md").write_text(
        f"Command: `{command}`\n\n{table}\n\nErrors are geometric means over "
        "seeds, ×/÷ their geometric standard deviation.\n"
    )
    (args.output_dir / f"{stem}.json").write_text(
        json.dumps({"command": command, "summary": summary, "runs": runs}, indent=2)
        + "\n"
    )
    plot_summary(summary, args.output_dir / f"{stem}.png")
    print(table)
    return 0
