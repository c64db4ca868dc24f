"""codedml distributed: Dask's records of a lost worker are expected (the loss is an erasure) and not printed."""

import logging

from codedml.experiments.distributed import expected_losses_quiet


def _record(name: str, message: str) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, message, None, None)


def test_lost_worker_records_are_dropped_and_others_kept():
    scheduler = logging.getLogger("distributed.scheduler")
    lost = _record("distributed.scheduler", "Removing worker 'tcp://127.0.0.1:1' caused the cluster to lose "
                                             "scattered data, which can't be recovered: {'x'}")
    other = _record("distributed.scheduler", "a different problem")
    with expected_losses_quiet():
        assert not scheduler.filter(lost)
        assert scheduler.filter(other)
        assert not logging.getLogger("distributed.nanny").filter(
            _record("distributed.nanny", "Restarting worker (status=Status.running)"))
    assert scheduler.filter(lost)  # only within the command
