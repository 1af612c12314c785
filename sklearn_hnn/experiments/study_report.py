"""The study's table and figure, from its runs (see
:mod:`sklearn_hnn.experiments.study`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from sklearn_hnn.experiments.study import MODELS, REFERENCES, SYSTEMS


def summarise(runs: list[dict]) -> dict:
    """Geometric mean and spread of each metric per (system, model).

    Parameters
    ----------
    runs : list of dict
        Runs of :func:`run_one`.

    Returns
    -------
    dict
        ``{system: {model: {"rollout_error": (gmean, gsd), "energy_error":
        (gmean, gsd), "seconds": (mean, sd), "seeds": n}}}``, where ``gsd`` is
        the geometric standard deviation over seeds (a factor).
    """
    grouped: dict = {}
    for run in runs:
        grouped.setdefault(run["system"], {}).setdefault(run["model"], []).append(run)
    summary: dict = {}
    # In the order of the registries, whatever the order of the runs.
    for system in sorted(grouped, key=list(SYSTEMS).index):
        by_model = grouped[system]
        for model in sorted(by_model, key=list(MODELS).index):
            group = by_model[model]
            entry = {"seeds": len(group)}
            for key in ("rollout_error", "energy_error"):
                logs = np.log([run[key] for run in group])
                entry[key] = (float(np.exp(logs.mean())), float(np.exp(logs.std())))
            seconds = [run["seconds"] for run in group]
            entry["seconds"] = (float(np.mean(seconds)), float(np.std(seconds)))
            summary.setdefault(system, {})[model] = entry
    return summary


def format_markdown(summary: dict) -> str:
    """The study's table, one row per system and model.

    Parameters
    ----------
    summary : dict
        :func:`summarise`'s output.

    Returns
    -------
    str
        A Markdown table, with the published references where there are.
    """
    lines = [
        "| system | model | rollout error | energy error | seconds per fit | "
        "reference rollout error | seeds |",
        "|---|---|---|---|---|---|---|",
    ]
    for system, by_model in summary.items():
        for model, entry in by_model.items():
            label = MODELS[model].label
            reference = REFERENCES.get(system, {}).get(label)
            cells = [
                system,
                label,
                "{:.2e} ×/÷ {:.2f}".format(*entry["rollout_error"]),
                "{:.2e} ×/÷ {:.2f}".format(*entry["energy_error"]),
                "{:.0f} ± {:.0f}".format(*entry["seconds"]),
                "" if reference is None else f"{reference:.1e}",
                str(entry["seeds"]),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_summary(summary: dict, path: Path) -> None:
    """Draw the rollout and energy errors of every model on every system.

    Parameters
    ----------
    summary : dict
        :func:`summarise`'s output.
    path : Path
        Where to save the figure (PNG).
    """
    from sklearn_hnn.plotting._backend import pyplot

    plt = pyplot()
    systems = list(summary)
    models = [m for m in MODELS if any(m in summary[s] for s in systems)]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.6), layout="constrained")
    width = 0.8 / max(len(models), 1)
    for ax, key, title in zip(
        axes,
        ("rollout_error", "energy_error"),
        ("rollout error (geometric mean)", "energy error (geometric mean)"),
        strict=True,
    ):
        for k, model in enumerate(models):
            xs, heights, spreads = [], [], []
            for i, system in enumerate(systems):
                entry = summary[system].get(model)
                if entry is None:
                    continue
                mean, factor = entry[key]
                xs.append(i + (k - (len(models) - 1) / 2) * width)
                heights.append(mean)
                spreads.append([mean - mean / factor, mean * factor - mean])
            ax.bar(
                xs,
                heights,
                width,
                yerr=np.array(spreads).T if spreads else None,
                label=MODELS[model].label,
                capsize=2,
            )
        ax.set(yscale="log", title=title, xticks=range(len(systems)))
        ax.set_xticklabels(systems, rotation=20)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=3, fontsize="small")
    fig.savefig(path, dpi=120)
    plt.close(fig)
