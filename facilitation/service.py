"""What a municipality's monitoring asks: `/healthz` (is this server able to serve) and `/metrics`
(Prometheus text), the latter for the server's own machine and `--metrics-from` addresses only."""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

from .proxy import networks, within
from .security import own_machine

bp = Blueprint("service", __name__)
log = logging.getLogger(__name__)


@bp.after_app_request
def count_refusals(response: Response) -> Response:
    """Every HTTP request refused by a rate limit (429), by endpoint, for /metrics."""
    if response.status_code == 429:
        from .metrics import REFUSED

        REFUSED.labels(request.endpoint or "http").inc()
    return response


@bp.get("/healthz")
def healthz() -> Any:
    """200 when the store and, with workers, Redis answer; 503 with the reason otherwise."""
    checks = {"store": current_app.extensions["facilitation.store"].health,
              "coordination": current_app.extensions["facilitation.coordination"].health}
    status: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            status[name] = "ok"
        except Exception as error:  # any failure is the answer, never a 500
            log.warning("health check %s failed: %s", name, error)
            status[name] = f"{type(error).__name__}: {error}"
    healthy = all(value == "ok" for value in status.values())
    body = {"status": "ok" if healthy else "unavailable", **status}
    return jsonify(body), 200 if healthy else 503, {"Cache-Control": "no-store"}


def metrics_allowed() -> bool:
    """The server's own machine (not through a proxy), or an address named by --metrics-from."""
    if own_machine():
        return True
    try:
        ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return within(request.remote_addr or "", networks(current_app.config["METRICS_FROM"]))


@bp.get("/metrics")
def metrics() -> Any:
    """The Prometheus text format: connections, commands, refusals, queues, commit times."""
    if not metrics_allowed():
        return Response("Metrics are served to this machine and --metrics-from addresses only.\n",
                        403, mimetype="text/plain")
    from .metrics import exposition

    body, content_type = exposition()
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})
