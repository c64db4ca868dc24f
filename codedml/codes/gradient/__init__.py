"""One-message gradient codes (exact and approximate), all behind :class:`~codedml.codes.gradient.base.GradientCode`."""
