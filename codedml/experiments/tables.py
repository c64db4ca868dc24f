"""The ``codedml tables cpgc`` command: seed cpgc Tables 1 and 2, counted by the library's predicates.

For MCC, UC-MMC and CPGC of seed cpgc section 2 (``K = M = 4``, ``r = 2``): the number of score
vectors of each cumulative type ``(N_2, N_1, N_0)`` from which the master recovers the full
gradient (Table 1) or 3 of the 4 partial gradients (Table 2).
"""

from __future__ import annotations

import argparse

from codedml import _validation as validation
from codedml.errors import ParameterError
from codedml.experiments.options import add_quiet_option
from codedml.experiments.progress import prepare_kernels, progress_bar

#: Table titles, by key of :func:`run`'s result.
TITLES = {"table1": "Table 1: score vectors allowing the full gradient (K = 4, r = 2)",
          "table2": "Table 2: score vectors allowing 3 of 4 partial gradients (K = 4, r = 2)"}


def cpgc_example_schemes() -> dict:
    """MCC, UC-MMC and CPGC of seed cpgc section 2 (``K = M = 4``, ``r = 2``)."""
    from codedml.codes.multimessage.cpgc import CPGC
    from codedml.codes.multimessage.mds import MDSCodedComputationMMC
    from codedml.codes.multimessage.uncoded import UncodedMMC

    return {"MCC": MDSCodedComputationMMC(4, 4, 2), "UC-MMC": UncodedMMC(4, 2), "CPGC": CPGC.seed_example()}


def run(paper: str = "cpgc", progress: bool = False) -> dict[str, list[dict]]:
    """Seed cpgc Tables 1 (full gradient) and 2 (3 of 4 partitions).

    Parameters
    ----------
    paper : str
        Whose tables: ``"cpgc"`` (the only one).
    progress : bool
        Show a progress bar on stderr (on a terminal).

    Returns
    -------
    dict
        ``{"table1": rows, "table2": rows}``; each row has ``"type"`` ``(N_2, N_1, N_0)`` and
        one count per scheme. Rows are the types with a nonzero count for some scheme, in
        decreasing lexicographic order (the seed's order).
    """
    from codedml.sim.score_vectors import score_type_counts

    if paper != "cpgc":
        raise ParameterError(f"paper must be 'cpgc', got {paper!r}")
    progress = validation.flag(progress, "progress")
    schemes = cpgc_example_schemes()
    tables = {}
    with progress_bar(len(TITLES) * len(schemes), "score vectors", progress) as bar:
        for name, required in (("table1", 4), ("table2", 3)):
            counts = {}
            for scheme, code in schemes.items():
                counts[scheme] = score_type_counts(code, required)
                bar.update()
            types = sorted(set().union(*counts.values()), reverse=True)
            tables[name] = [{"type": list(t), **{scheme: counts[scheme].get(t, 0) for scheme in schemes}}
                            for t in types]
    return tables


def format_table(results: dict) -> str:
    """Both tables, each under its title and followed by a blank line."""
    lines = []
    for key, rows in results.items():
        lines += [TITLES[key], f"{'type (N2, N1, N0)':<20}{'MCC':>6}{'UC-MMC':>8}{'CPGC':>6}"]
        for row in rows:
            label = "N2={}, N1={}, N0={}".format(*row["type"])
            lines.append(f"{label:<20}{row['MCC']:>6}{row['UC-MMC']:>8}{row['CPGC']:>6}")
        lines.append("")
    return "\n".join(lines)


def command(args: argparse.Namespace) -> int:
    """``codedml tables PAPER``: print the tables."""
    prepare_kernels(args.quiet)
    print(format_table(run(args.paper, progress=not args.quiet)))
    return 0


def add_parser(subparsers) -> None:
    """Add the ``tables`` subcommand to an argparse ``subparsers`` object."""
    tables = subparsers.add_parser("tables", help="print a paper's tables",
                                   description="cpgc: seed cpgc Tables 1 and 2 (K = 4, r = 2), the number of "
                                               "score vectors of each cumulative type from which MCC, UC-MMC "
                                               "and CPGC recover the full gradient / 3 of 4 partial gradients.")
    tables.add_argument("paper", choices=["cpgc"], help="which paper's tables")
    add_quiet_option(tables)
    tables.set_defaults(handler=command)
