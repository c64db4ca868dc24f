"""The commands of ``codedml``: one module a command (argparse, tables, plots live here only)."""
