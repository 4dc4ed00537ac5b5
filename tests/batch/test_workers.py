"""The worker pool: rows in roster order, and a pool that sleeps while the parent is busy writing."""

import multiprocessing.pool
import time
from dataclasses import dataclass

from conftest import REPO

from handouts.batch import workers
from handouts.batch.plan import ProjectPaths
from handouts.load.project import Project


def _doubled(item):
    return item * 2


@dataclass(frozen=True)
class Doubling:
    """A row's work that costs nothing, so the pool itself is what the test sees."""

    def start(self, project):
        return _doubled


def test_the_pool_sleeps_while_results_wait_for_a_busy_parent(monkeypatch):
    """The standard pool's worker handler also wakes for every result waiting unread in its pipe: with a parent
    busy writing files, it went round its loop thousands of times a run, for nothing. Ours wakes when a worker
    ends or the pool changes state."""
    rounds = []
    maintain = multiprocessing.pool.Pool._maintain_pool

    def counted(*args):
        rounds.append(1)
        return maintain(*args)

    monkeypatch.setattr(multiprocessing.pool.Pool, "_maintain_pool", staticmethod(counted))
    paths = ProjectPaths(REPO / "content", REPO / "layouts", REPO / "content" / "clinic.yaml")
    project = Project.open(paths.content, paths.layouts, paths.clinic)
    got = []
    for result in workers.render_rows(list(range(60)), project, paths, 2, Doubling()):
        time.sleep(0.005)  # a parent writing a file while the next results wait
        got.append(result)
    assert got == [item * 2 for item in range(60)]
    assert len(rounds) < 20
