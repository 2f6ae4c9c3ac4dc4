"""Static files and the public pages sent gzip-compressed to browsers that accept it: a phone on a
crowded venue Wi-Fi loads a third of the bytes (socket.io.min.js: 47 KB, 15 KB compressed).

Static files are compressed once per file version and kept in memory (a few dozen small files);
pages as they are made. Only pages without a secret in them are compressed (the phone's and the
wall's): compressing a secret beside text an attacker can choose leaks the secret through the
compressed size (BREACH), so the console, the forms with a CSRF token and the API are sent as they are.
"""

from __future__ import annotations

import gzip
import os
from functools import lru_cache
from typing import Any, cast

from flask import Flask, Response, request
from werkzeug.security import safe_join

COMPRESSIBLE = {"text/css", "text/javascript", "application/javascript", "application/json",
                "image/svg+xml", "text/plain", "text/html"}
PUBLIC_PAGES = {"views.join_page", "views.wall"}
MIN_BYTES = 512  # smaller bodies gain less than gzip's own overhead and the CPU it costs


def accepts_gzip() -> bool:
    """Whether this request's client takes a gzip-encoded body."""
    return request.accept_encodings["gzip"] > 0


@lru_cache(maxsize=256)
def compressed_file(path: str, mtime_ns: int, size: int) -> bytes:
    """A static file's bytes, gzip-compressed at the highest level (once per version)."""
    with open(path, "rb") as source:
        return gzip.compress(source.read(), compresslevel=9, mtime=0)


def encoded(response: Response, body: bytes) -> Response:
    """The response with `body` as its gzip-encoded content, headers kept."""
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("ETag", None)  # the stored file's tag names other bytes; Last-Modified stays
    response.vary.add("Accept-Encoding")
    return response


def install(app: Flask) -> None:
    """Compress static files and public pages for clients that accept gzip."""
    serve_static = app.view_functions["static"]

    def static(filename: str) -> Any:
        response = cast(Response, serve_static(filename=filename))  # send_static_file's own type
        if response.status_code != 200 or response.mimetype not in COMPRESSIBLE:
            return response
        response.vary.add("Accept-Encoding")
        path = safe_join(str(app.static_folder), filename)
        if path is None or not accepts_gzip():
            return response
        stat = os.stat(path)
        if stat.st_size < MIN_BYTES:
            return response
        response.close()  # the file the plain response would have streamed
        return encoded(response, compressed_file(path, stat.st_mtime_ns, stat.st_size))

    app.view_functions["static"] = static

    @app.after_request
    def compress_page(response: Response) -> Response:
        if (request.endpoint in PUBLIC_PAGES and response.status_code == 200
                and response.mimetype == "text/html" and not response.direct_passthrough
                and "Content-Encoding" not in response.headers):
            response.vary.add("Accept-Encoding")
            body = response.get_data()
            if accepts_gzip() and len(body) >= MIN_BYTES:
                return encoded(response, gzip.compress(body, compresslevel=6))
        return response
