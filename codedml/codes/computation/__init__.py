"""Coded computation of matrix products: MDS-coded, Lagrange coded computing, rateless (LT-coded)."""
