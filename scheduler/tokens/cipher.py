"""The token store's encryption: Fernet, with the keys of ``CAMPAIGN_TOKEN_KEYS``.

``CAMPAIGN_TOKEN_KEYS`` holds one Fernet key (44 characters of URL-safe
base64; ``campaign tokens new-key`` makes one) or several, comma-separated,
**newest first**. cryptography's MultiFernet encrypts with the first key and
decrypts with any of them, and its ``rotate`` re-encrypts a token with the
first key (cryptography.io/en/latest/fernet/, "MultiFernet"). So a key is
changed without a moment when a stored token cannot be read: put the new key
in front of the old one, run ``campaign tokens rotate-key``, then remove the
old key.

What gets encrypted is the value bound to its account and kind (a small JSON
object), so a ciphertext copied onto another account's row does not open
there. Fernet authenticates what it encrypts (AES-128-CBC with an
HMAC-SHA256), so an altered ciphertext does not open either; what it leaves
in clear is only the time it was made. No key, token or value ever appears in
an error message.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from scheduler.errors import TokenKeyError

TOKEN_KEYS_ENV = "CAMPAIGN_TOKEN_KEYS"

_NEW_KEY_HINT = (
    "make a key with `campaign tokens new-key`, then export {variable}=<the key> (or put "
    "it in the .env file beside config.yaml); every daemon and command that shares this "
    "database needs the same key"
)
_ORDINALS = ("first", "second", "third", "fourth", "fifth")


def new_key() -> str:
    """A fresh random Fernet key (44 characters of URL-safe base64, 32 bytes)."""
    return Fernet.generate_key().decode("ascii")


def _ordinal(index: int) -> str:
    return _ORDINALS[index] if index < len(_ORDINALS) else f"{index + 1}th"


class TokenCipher:
    """Seals and opens token values with the keys of one environment variable.

    ``keys`` are Fernet keys, newest first. Thread-safe (Fernet is).

    :raises TokenKeyError: when ``keys`` is empty or one of them is not a Fernet key.
    """

    def __init__(self, keys: Sequence[str], variable: str = TOKEN_KEYS_ENV) -> None:
        self.variable = variable
        if not keys:
            raise TokenKeyError(
                "not set; the token store encrypts the tokens the platforms rotate with "
                "the key it holds",
                variable,
                _NEW_KEY_HINT.format(variable=variable),
            )
        fernets: list[Fernet] = []
        for index, key in enumerate(keys):
            try:
                fernets.append(Fernet(key))
            except (ValueError, TypeError):
                which = f"the {_ordinal(index)} key is not" if len(keys) > 1 else "not"
                raise TokenKeyError(
                    f"{which} a Fernet key (44 characters of URL-safe base64)",
                    variable,
                    _NEW_KEY_HINT.format(variable=variable)
                    + "; separate several keys with commas, newest first",
                ) from None
        self.key_count = len(fernets)
        self._fernet = MultiFernet(fernets)

    @classmethod
    def from_environment(
        cls, environ: Mapping[str, str], variable: str = TOKEN_KEYS_ENV
    ) -> TokenCipher:
        """The cipher of ``environ[variable]``: comma-separated keys, newest first;
        blanks around and between them are ignored.

        :raises TokenKeyError: when the variable is unset or empty, or holds a
            value that is not a Fernet key (the message names the variable,
            never the value).
        """
        text = environ.get(variable, "")
        return cls([key.strip() for key in text.split(",") if key.strip()], variable)

    def __repr__(self) -> str:
        return f"TokenCipher({self.variable}, keys={self.key_count})"

    def seal(self, account_label: str, kind: str, value: str) -> str:
        """``value`` encrypted with the newest key, bound to its account and kind;
        URL-safe base64 text."""
        plain = json.dumps({"account": account_label, "kind": kind, "value": value})
        return self._fernet.encrypt(plain.encode("utf-8")).decode("ascii")

    def unseal(self, account_label: str, kind: str, ciphertext: str) -> str:
        """The value sealed in ``ciphertext`` for this account and kind.

        :raises TokenKeyError: when no key opens it (another key, or altered), or
            it was sealed for another account or kind.
        """
        try:
            plain = json.loads(self._fernet.decrypt(ciphertext.encode("ascii")))
        except (InvalidToken, UnicodeError, ValueError):
            raise self._unreadable(account_label, kind) from None
        if (
            not isinstance(plain, dict)
            or plain.get("account") != account_label
            or plain.get("kind") != kind
            or not isinstance(plain.get("value"), str)
        ):
            raise TokenKeyError(
                f"the stored {kind} token of account {account_label!r} was sealed for another "
                "account or kind: the database was altered",
                self.variable,
                f"`campaign tokens forget {account_label}`, then authorize the account again",
            )
        return str(plain["value"])

    def reseal(self, account_label: str, kind: str, ciphertext: str) -> str:
        """``ciphertext`` encrypted again with the newest key (MultiFernet.rotate),
        after checking that it opens for this account and kind.

        :raises TokenKeyError: as :meth:`unseal`.
        """
        self.unseal(account_label, kind, ciphertext)
        return self._fernet.rotate(ciphertext.encode("ascii")).decode("ascii")

    def _unreadable(self, account_label: str, kind: str) -> TokenKeyError:
        keys = "its key does not" if self.key_count == 1 else "none of its keys"
        return TokenKeyError(
            f"{keys} open the stored {kind} token of account {account_label!r}: it was "
            "encrypted with another key, or altered",
            self.variable,
            f"put the key it was stored with in {self.variable} (several keys: newest first, "
            f"comma-separated, NEW,OLD); if that key is lost, run `campaign tokens forget "
            f"{account_label} --reason ...` and authorize the account again",
        )
