"""Metrics of an API served by several worker processes (prometheus_client's multiprocess
mode): each worker writes its samples to files in ``PROMETHEUS_MULTIPROC_DIR``, and a scrape
of any worker merges them (``serving.exposition``).

The directory must be set before a worker first imports ``prometheus_client`` and must be
fresh for each run (files of an earlier run would be counted again): the parent makes one,
the workers inherit it through the environment, and it is removed when the run ends.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


@contextmanager
def multiprocess_directory() -> Iterator[str]:
    """A fresh directory in ``PROMETHEUS_MULTIPROC_DIR`` for the duration of the block."""
    directory = tempfile.mkdtemp(prefix="conference-metrics-")
    previous = os.environ.get(VARIABLE)
    os.environ[VARIABLE] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(VARIABLE, None)
        else:
            os.environ[VARIABLE] = previous
        shutil.rmtree(directory, ignore_errors=True)
