from hypothesis import HealthCheck, settings

# Deterministic example generation (replayable failures), no deadline (first calls compile kernels).
settings.register_profile(
    "codedml", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("codedml")
