"""A middleware that hands on every request that carries no credential, and checks only the
credentials that are sent, authenticates no one: the routes under it are public by its
design (optional authentication, shown with that reason), not protected by its 401. A
middleware that turns away the requests with no credential stays a guard."""
from routeguard import scan_sources

FASTAPI = {
    "api/__init__.py": "",
    "api/security.py": """
import hmac
import os


def verify_token(token: str) -> bool:
    return hmac.compare_digest(token, os.environ["API_TOKEN"])
""",
    "api/main.py": """
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from api.security import verify_token

app = FastAPI(title="inventory")


@app.middleware("http")
async def bearer_auth(request: Request, call_next):
    token = request.headers.get("Authorization")
    if not token:
        return await call_next(request)
    if not verify_token(token.removeprefix("Bearer ")):
        return JSONResponse({"detail": "invalid token"}, status_code=401)
    return await call_next(request)


@app.delete("/items/{item_id}")
async def delete_item(item_id: int):
    return {"deleted": item_id}
""",
}

GATEWAY = {
    "gateway/__init__.py": "",
    "gateway/identity.py": """
import os

from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from gateway.signing import verified


class InternalIdentityMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        tokens = Headers(scope=scope).getlist("x-internal-identity")
        if not tokens:
            await self.app(scope, receive, send)
            return
        if len(tokens) != 1 or not verified(tokens[0], os.environ.get("GATEWAY_SECRET", "")):
            await JSONResponse({"detail": "Invalid internal identity"}, status_code=401)(scope, receive, send)
            return
        await self.app(scope, receive, send)
""",
    "gateway/signing.py": """
import hmac


def verified(token, secret):
    return bool(secret) and hmac.compare_digest(token, secret)
""",
    "gateway/server.py": """
from fastapi import FastAPI

from gateway.identity import InternalIdentityMiddleware

app = FastAPI()
app.add_middleware(InternalIdentityMiddleware)


@app.post("/jobs")
async def create_job(payload: dict):
    return {"queued": True}
""",
}


def _routes(sources):
    return {(r.method, r.path): r for r in scan_sources(sources).graph.routes}


def test_a_function_middleware_that_passes_requests_without_a_token_is_optional():
    route = _routes(FASTAPI)[("DELETE", "/items/{item_id}")]
    assert route.auth.value == "public"
    assert "hands on requests that carry no Authorization header" in route.guards[0].reason


def test_an_asgi_middleware_that_passes_requests_without_its_header_is_optional():
    route = _routes(GATEWAY)[("POST", "/jobs")]
    assert route.auth.value == "public"
    assert route.guards[0].reason == ("optional authentication: InternalIdentityMiddleware hands on requests "
                                      "that carry no x-internal-identity header")


def test_a_middleware_that_turns_away_requests_without_a_token_stays_a_guard():
    sources = dict(FASTAPI)
    sources["api/main.py"] = sources["api/main.py"].replace(
        "    if not token:\n        return await call_next(request)\n",
        "    if not token:\n        return JSONResponse({\"detail\": \"missing token\"}, status_code=401)\n")
    route = _routes(sources)[("DELETE", "/items/{item_id}")]
    assert route.auth.value == "protected"
