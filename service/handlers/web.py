"""The web function: the Flask app behind API Gateway HTTP API (payload 2.0) through apig-wsgi."""

from __future__ import annotations

import logging
from typing import Any

from apig_wsgi import make_lambda_handler

from service.handlers.observability import api_request_id, observed
from service.web import create_app

log = logging.getLogger(__name__)
# Blueprints are imported when a request first needs one (a cold /healthz never does). The Flask app itself: tests
# reach its wiring to hand in moto's hosted UI.
app = create_app(lazy_blueprints=True)
_app = make_lambda_handler(app, binary_support=True)


def _serve(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one request; one log line says what was asked and how it was answered."""
    _links_to_this_api(event)
    response = _app(event, context)
    http = (event.get("requestContext") or {}).get("http") or {}
    log.info(
        "request",
        extra={"method": http.get("method"), "path": event.get("rawPath"), "status": response.get("statusCode")},
    )
    return response


def _links_to_this_api(event: dict[str, Any]) -> None:
    """Without a custom domain, links in emails name the API as API Gateway does (template.yaml: BASE_URL empty).

    requestContext.domainName is set by API Gateway, not by the client: the execute-api host the request reached.
    """
    wiring = app.extensions["reviews"]
    domain = (event.get("requestContext") or {}).get("domainName")
    if not wiring.settings.base_url and domain:
        wiring.settings = wiring.settings.with_overrides(base_url=f"https://{domain}")


lambda_handler = observed(_serve, api_request_id)
