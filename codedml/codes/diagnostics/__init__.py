"""Diagnostics of a code: the B-span condition and the conditioning of real decoding."""
