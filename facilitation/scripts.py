"""The screens' scripts: native ES modules under static/js (shared/, phone/, wall/, console/) that
import each other by relative URL, with no build step.

A page's `<script type="module">` URL carries its file's version (see `version_static_files`), but an
`import` inside a module names the bare file. An import map on each screen maps every module to its
versioned URL, so a phone caches each file for a year and asks again only when it changes. The map
is the one inline script a page has: the CSP allows it by its hash alone. A browser without import
maps loads the bare URLs, which are sent with `no-cache` and revalidated: never stale.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, g, request, url_for
from markupsafe import Markup

FOLDER = "js"  # under the static folder


def install(app: Flask) -> None:
    """Offer templates `import_map()` and allow the map a page carries in that page's CSP; register
    before the security headers, so that this runs after them."""
    static = Path(app.static_folder or "static")
    modules = sorted(path.relative_to(static).as_posix() for path in (static / FOLDER).rglob("*.js"))

    @lru_cache(maxsize=8)
    def import_map(script_root: str) -> tuple[str, str]:
        versioned = [url_for("static", filename=name) for name in modules]
        text = json.dumps({"imports": {url.split("?")[0]: url for url in versioned}}, separators=(",", ":"))
        text = text.replace("<", "\\u003c")  # never "</script>" inside the element
        return text, "'sha256-%s'" % base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    def import_map_tag() -> Markup:
        text, source = import_map(request.script_root)
        g.import_map_source = source
        return Markup('<script type="importmap">%s</script>') % Markup(text)

    def allow_import_map(response: Response) -> Response:
        source = g.pop("import_map_source", None)
        policy = response.headers.get("Content-Security-Policy")
        if source and policy:
            response.headers["Content-Security-Policy"] = policy.replace(
                "script-src 'self'", f"script-src 'self' {source}", 1)
        return response

    app.jinja_env.globals["import_map"] = import_map_tag
    app.after_request(allow_import_map)
