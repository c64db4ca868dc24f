"""Erasure codes on shards and symbols: Reed-Solomon (Cauchy and additive-FFT), LT and BATS."""
