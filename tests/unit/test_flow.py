"""Pure flow rules: the countdown's arithmetic, phase and voting checks, result ranking."""

from __future__ import annotations

import pytest

from facilitation.errors import CommandError
from facilitation.flow import Timer, check_phase, check_seconds, check_voting, rank


def test_timer_counts_down_from_its_end_time() -> None:
    timer = Timer().start(300, now_ms=1_000)
    assert timer.view(1_000) == {"ends_at": 301_000, "remaining_ms": 300_000, "running": True}
    assert timer.view(61_000)["remaining_ms"] == 240_000
    assert timer.view(999_000)["remaining_ms"] == 0  # never negative after the end


def test_pause_keeps_what_is_left_and_resume_continues() -> None:
    paused = Timer().start(300, 0).pause(100_000)
    assert paused.view(500_000) == {"ends_at": None, "remaining_ms": 200_000, "running": False}
    resumed = paused.resume(1_000_000)
    assert resumed.view(1_050_000) == {"ends_at": 1_200_000, "remaining_ms": 150_000, "running": True}
    with pytest.raises(CommandError):
        resumed.resume(1_050_000)
    with pytest.raises(CommandError):
        paused.pause(0)


def test_add_time_while_running_paused_and_after_the_end() -> None:
    assert Timer().start(60, 0).add(30, 10_000).view(10_000)["remaining_ms"] == 80_000
    assert Timer().start(60, 0).pause(10_000).add(30, 99_000).view(99_000)["remaining_ms"] == 80_000
    expired = Timer().start(60, 0).add(120, 200_000)  # ran out at 60 s: two more minutes from now
    assert expired.view(200_000) == {"ends_at": 320_000, "remaining_ms": 120_000, "running": True}
    assert Timer().start(60, 0).add(-90, 0).view(0)["remaining_ms"] == 0


def test_checks() -> None:
    assert check_phase("vote") == "vote"
    assert check_seconds(300) == 300 and check_seconds(-60, allow_negative=True) == -60
    assert check_voting(5, 2) == (5, 2)
    for bad in [lambda: check_phase("lunch"), lambda: check_seconds(0), lambda: check_seconds(-5),
                lambda: check_seconds("60"), lambda: check_seconds(10**6), lambda: check_voting(0, 1),
                lambda: check_voting(3, 4), lambda: check_voting(True, 1), lambda: check_voting(21, 1)]:
        with pytest.raises(CommandError):
            bad()


def test_ties_share_a_rank() -> None:
    items = [{"id": 1, "votes": 2}, {"id": 2, "votes": 5}, {"id": 3, "votes": 2}, {"id": 4, "votes": 0}]
    assert [(i["id"], i["rank"]) for i in rank(items)] == [(2, 1), (1, 2), (3, 2), (4, 4)]


def test_one_ranking_rule_and_one_theme_total() -> None:
    from facilitation.flow import ranked, theme_totals

    assert [(r, tied) for r, tied, _ in ranked([5, 3, 5, 1], lambda v: v)] == [
        (1, True), (1, True), (3, False), (4, False)]
    themes = theme_totals([{"id": 1}, {"id": 2}], [{"cluster_id": 1, "votes": 2},
                                                  {"cluster_id": None, "votes": 9},
                                                  {"cluster_id": 1, "votes": 1}], {2: 4})
    assert themes == [{"id": 1, "votes": 3, "theme_votes": 0, "idea_votes": 3},
                      {"id": 2, "votes": 4, "theme_votes": 4, "idea_votes": 0}]
