"""Who may use the chat: loopback addresses are private; anything wider needs KB_CHAT_PASSWORD."""

from __future__ import annotations

import hmac
import ipaddress
import re

MAX_NAME_CHARS = 64
NAME = re.compile(r"[\w .@+-]{1,64}")


def is_loopback(address: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; False for 0.0.0.0, "" (every interface) and
    any other address or host name."""
    if not address:
        return False
    host = address.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_error(address: str | None, password: str | None) -> str | None:
    """Why the chat must not start on this address, or None when it may."""
    if is_loopback(address) or password:
        return None
    where = address or "every interface"
    return (
        f"listening on {where} would let anyone who can reach the port read and delete every "
        "chat: set KB_CHAT_PASSWORD (or listen on 127.0.0.1)"
    )


def password_matches(given: str, expected: str) -> bool:
    """Constant-time comparison, so the time taken says nothing about the secret."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def owner_name(name: str) -> str | None:
    """The owner key for a sign-in name (case and outer spaces ignored), None if unusable."""
    name = " ".join(name.split())
    return name.casefold() if NAME.fullmatch(name) else None
