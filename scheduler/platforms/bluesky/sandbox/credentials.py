"""The Bluesky stand-in's test credentials, derived from each account's label.

The stand-in accepts exactly these values; the handle is the one config.yaml
names for the account. ``sandbox-main-password-...`` is the account's own
password, which opens a session of the wrong scope (to test the refusal).
"""

from __future__ import annotations


def app_password(label: str) -> str:
    """The app password the stand-in accepts for ``label`` (Bluesky's shape, xxxx-xxxx-xxxx-xxxx)."""
    letters = "".join(character for character in label.lower() if character.isalnum())
    letters = (letters + "sandboxpassword0")[:16]
    return "-".join(letters[index : index + 4] for index in range(0, 16, 4))


def main_password(label: str) -> str:
    """The account's own password in the stand-in (refused by the publisher)."""
    return f"sandbox-main-password-{label}"


def sandbox_credentials(label: str) -> dict[str, str]:
    """Credential field -> value that the stand-in accepts for account ``label``
    (the handle field is filled by the stand-in from config.yaml's name)."""
    return {"handle": f"{label}.sandbox.test", "app_password": app_password(label)}
