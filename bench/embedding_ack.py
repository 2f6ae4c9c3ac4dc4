"""Post acks while every new idea is embedded for theme suggestions, against a server that embeds
nothing (IDEA_FACTORY_THEMES=lexical), in the same run.

Phones post unique ideas (xSID requests, Danish and English) at a fixed total rate over real
Socket.IO (WebSocket) to `app.py` in a subprocess; each ack's latency is timed from the moment
the idea was due (so a late send counts), and the server's CPU seconds are read from /proc. Prints
a table and the command to rerun it.
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import sys
import tempfile
import threading
import time
from pathlib import Path

import socketio

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fanout import HOST, Server, pct  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "clustering" / "xsid_da_en.csv"


def texts_from(path: Path) -> list[str]:
    """Every Danish and English text of the corpus, in a fixed interleaved order."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return list(dict.fromkeys(t for r in rows for t in (r["text_da"], r["text_en"])))


def run(label: str, lexical: bool, texts: list[str], args: argparse.Namespace, workdir: Path
        ) -> tuple[str, list[float], float, int]:
    """One server, `args.phones` phones posting `args.rate` ideas a second: latencies (ms), the
    server's CPU seconds during the posting, and how many acks failed."""
    previous = os.environ.pop("IDEA_FACTORY_THEMES", None)
    if lexical:
        os.environ["IDEA_FACTORY_THEMES"] = "lexical"
    server = Server(args.async_mode, workdir)
    try:
        server.start()
    finally:
        os.environ.pop("IDEA_FACTORY_THEMES", None)
        if previous is not None:
            os.environ["IDEA_FACTORY_THEMES"] = previous
    phones: list[socketio.Client] = []
    try:
        code = server.create_workshop()
        for _ in range(args.phones):
            phone = socketio.Client(reconnection=False)
            phone.connect(f"http://{HOST}:{server.port}", transports=["websocket"], wait_timeout=10)
            assert phone.call("join", {"code": code}, timeout=30)["ok"]
            phones.append(phone)
        time.sleep(2)  # the word tables and the model load after the server answers
        total = int(args.rate * args.seconds)
        latencies: list[float] = []
        failed = [0]
        lock = threading.Lock()
        start = time.monotonic() + 0.5
        cpu_before = server.cpu()

        def post(index: int, phone: socketio.Client) -> None:
            for n in range(index, total, len(phones)):
                due = start + n / args.rate
                time.sleep(max(0.0, due - time.monotonic()))
                ack = phone.call("post_idea", {"text": texts[n % len(texts)], "client_id": f"{n}"},
                                 timeout=30)
                took = (time.monotonic() - due) * 1000
                with lock:
                    latencies.append(took)
                    failed[0] += not ack.get("ok")

        threads = [threading.Thread(target=post, args=(i, p)) for i, p in enumerate(phones)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        time.sleep(args.drain)  # let the last embeddings finish inside the measured CPU time
        return label, sorted(latencies), server.cpu() - cpu_before, failed[0]
    finally:
        for phone in phones:
            phone.disconnect()
        server.stop()


def main(argv: list[str] | None = None) -> None:
    """Run both servers and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=20.0, help="ideas a second, all phones")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--phones", type=int, default=60, help="each may post 0.5 ideas a second")
    parser.add_argument("--async-mode", default="gevent", choices=("gevent", "eventlet"))
    parser.add_argument("--drain", type=float, default=3.0, help="seconds after the last ack")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=2,
                        help="pairs of runs, in alternating order (the host's load drifts)")
    args = parser.parse_args(argv)
    texts = texts_from(args.data.resolve())
    print(f"{args.phones} phones, {args.rate:g} ideas/s for {args.seconds:g} s "
          f"({int(args.rate * args.seconds)} unique ideas), {args.async_mode}; "
          f"{os.cpu_count()} cores, {platform.machine()}, load {os.getloadavg()[0]:.2f}\n")
    print(f"{'server':<28} {'acks':>5} {'failed':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7} {'CPU s':>6} {'CPU ms/idea':>11}")
    with tempfile.TemporaryDirectory(prefix="embedding-ack-") as tmp:
        pair = [("words only (baseline)", True), ("embedding each idea", False)]
        runs = [p for n in range(args.rounds) for p in (pair if n % 2 == 0 else pair[::-1])]
        for label, lexical in runs:
            name, ms, cpu, failed = run(label, lexical, texts, args, Path(tmp))
            print(f"{name:<28} {len(ms):5d} {failed:6d} {pct(ms, 50):7.1f} {pct(ms, 95):7.1f} "
                  f"{pct(ms, 99):7.1f} {ms[-1]:7.1f} {cpu:6.2f} {cpu * 1000 / max(len(ms), 1):11.1f}",
                  flush=True)
    print(f"\nload after: {os.getloadavg()[0]:.2f}\nrerun: .venv/bin/python bench/embedding_ack.py "
          f"--rate {args.rate:g} --seconds {args.seconds:g} --phones {args.phones} "
          f"--async-mode {args.async_mode} --rounds {args.rounds}")


if __name__ == "__main__":
    main()
