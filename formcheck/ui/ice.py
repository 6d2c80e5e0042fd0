"""ICE servers for the live page's WebRTC connection.

On localhost no STUN/TURN server is needed (and none can be reached offline), so the default is an
empty list. For use from another machine set FORMCHECK_ICE_SERVERS (environment variable or
`.streamlit/secrets.toml`) to a JSON list of RTCIceServer objects, e.g.
`[{"urls": ["stun:stun.example.org:3478"]}]`.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

ICE_SERVERS_KEY = "FORMCHECK_ICE_SERVERS"


class IceConfigError(ValueError):
    """FORMCHECK_ICE_SERVERS is set but is not a list of ICE server objects."""


def parse_ice_servers(value: Any) -> list[dict[str, Any]]:
    """A list of RTCIceServer dicts from a JSON string or an already parsed list (secrets.toml)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise IceConfigError(f"{ICE_SERVERS_KEY} is not valid JSON: {exc}") from None
    if not isinstance(value, (list, tuple)):
        raise IceConfigError(f"{ICE_SERVERS_KEY} must be a JSON list of ICE servers, e.g. "
                             '[{"urls": ["stun:stun.example.org:3478"]}]')
    servers = []
    for i, server in enumerate(value):
        if not isinstance(server, Mapping) or "urls" not in server:
            raise IceConfigError(f"{ICE_SERVERS_KEY}[{i}] must be an object with \"urls\"")
        servers.append(dict(server))
    return servers


def ice_servers(environ: Mapping[str, str], secrets: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The environment wins over secrets; nothing configured means no ICE servers (localhost)."""
    if environ.get(ICE_SERVERS_KEY):
        return parse_ice_servers(environ[ICE_SERVERS_KEY])
    if secrets is not None and ICE_SERVERS_KEY in secrets:
        return parse_ice_servers(secrets[ICE_SERVERS_KEY])
    return []
