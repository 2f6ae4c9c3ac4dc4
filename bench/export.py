"""Time every export of a big workshop: 2,000 ideas, several participants, themes, stacks and dots.

    .venv/bin/python bench/export.py                     # 2,000 ideas, median of 5 runs per format
    .venv/bin/python bench/export.py --ideas 5000 --runs 3

The workshop is built with direct store calls in a temporary data folder; each format (and the
printable report) is then fetched through Flask's test client as the facilitator, so a time covers
the whole request: reading the rows, writing the file, and the response. The requirement is that
every export of a 2,000-idea workshop finishes in under 2 s.
"""

from __future__ import annotations

import argparse
import random
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from facilitation import create_app  # noqa: E402
from facilitation.export import FORMATS  # noqa: E402

LIMIT_S = 2.0
WORDS = ("cykelsti bænk æbletræ gård legeplads bibliotek skraldespand bus metro grønne tage "
         "Amager Nørrebro Østerbro havnebad skøjtebane fællesspisning lys parkering træer "
         "fortov byhave kunst musik ældre unge hund").split()


def build(app: Any, ideas: int, participants: int, themes: int, seed: int) -> tuple[str, str]:
    """A workshop with this many ideas; returns its code and facilitator token."""
    store = app.extensions["facilitation.store"]
    store.db.execute("PRAGMA synchronous = OFF")  # setup speed only; exports are what is timed
    rng = random.Random(seed)
    workshop, token = store.create_workshop("Borgermøde om byens rum", "Hvad skal vi gøre?")
    second = store.add_prompt(workshop.id, "Hvad mangler i gårdene?").payload["prompt"]["id"]
    people = [store.join(workshop.id, None, 10_000)[0].id for _ in range(participants)]
    idea_ids = []
    for n in range(ideas):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 25))).capitalize()
        idea, _ = store.post_idea(workshop.id, rng.choice(people), f"c{n}", f"{text} ({n})",
                                  prompt_id=second if n % 3 == 0 else workshop.active_prompt_id,
                                  author=f"Deltager {n % 40}" if n % 2 else None)
        idea_ids.append(idea.id)
    clusters = [store.create_cluster(workshop.id, f"Tema {k}: {rng.choice(WORDS)}").payload
                ["cluster"]["id"] for k in range(themes)]
    for idea_id in idea_ids[: ideas * 3 // 4]:
        store.move_idea(workshop.id, idea_id, rng.choice(clusters))
    for k in range(0, ideas // 20):
        store.stack_ideas(workshop.id, idea_ids[k * 20], [idea_ids[k * 20 + 1]])
    for idea_id in idea_ids[5::97]:
        store.set_hidden(workshop.id, idea_id, True)
    store.set_phase(workshop.id, "vote")
    store.set_voting(workshop.id, 5, 2)
    current = store.get_workshop(workshop.code)
    for person in people:
        for _ in range(5):
            if rng.random() < 0.2:
                store.cast_vote(current, person, "cluster_id", rng.choice(clusters))
            else:
                target = rng.choice(idea_ids[: ideas // 2])
                try:
                    store.cast_vote(current, person, "idea_id", target)
                except Exception:  # over the per-item cap: that dot stays in the pocket
                    pass
    return workshop.code, token


def main() -> None:
    """Build the workshop, time each format, print a table and the command to run it again."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ideas", type=int, default=2000)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--themes", type=int, default=15)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        app = create_app({"DATA_DIR": data_dir, "ASYNC_MODE": "threading", "TESTING": True})
        started = time.perf_counter()
        code, token = build(app, args.ideas, args.participants, args.themes, args.seed)
        print(f"built a workshop of {args.ideas} ideas, {args.participants} participants and "
              f"{args.themes} themes in {time.perf_counter() - started:.1f} s")
        client = app.test_client()
        auth = {"Authorization": f"Bearer {token}", "Accept-Language": "da"}
        paths = {fmt: f"/w/{code}/export.{fmt}" for fmt in FORMATS} | {"report": f"/w/{code}/report"}
        print(f"\n| format | median s | min s | max s | size KB | under {LIMIT_S:g} s |")
        print("|---|---:|---:|---:|---:|---|")
        slow = []
        for name, path in paths.items():
            times, size = [], 0
            for _ in range(args.runs):
                begin = time.perf_counter()
                response = client.get(path, headers=auth)
                times.append(time.perf_counter() - begin)
                assert response.status_code == 200, (name, response.status_code)
                size = len(response.data)
            median = statistics.median(times)
            if median >= LIMIT_S:
                slow.append(name)
            print(f"| {name} | {median:.3f} | {min(times):.3f} | {max(times):.3f} | "
                  f"{size / 1024:.0f} | {'yes' if median < LIMIT_S else 'NO'} |")
    print(f"\nrerun: .venv/bin/python bench/export.py {shlex.join(sys.argv[1:])}".rstrip())
    if slow:
        raise SystemExit(f"slower than {LIMIT_S:g} s: {', '.join(slow)}")


if __name__ == "__main__":
    main()
