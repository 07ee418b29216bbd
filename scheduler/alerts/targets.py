"""Alert targets: their Apprise URLs, read from the environment, and every secret
part of each registered for redaction before Apprise ever sees it.

Apprise logs the URLs it loads and sends to at DEBUG, and puts them in the
texts of the exceptions it logs (a requests ``ConnectionError`` names the URL
with its query string; see Apprise's ``custom_json.py``, "Socket Exception").
A URL's secrets sit in different places per service: the password
(``mailto://user:PASSWORD@host``), the host (``tgram://BOT_TOKEN/chat``, whose
token holds a colon; ``slack://TOKEN_A/TOKEN_B/TOKEN_C``), path segments
(``discord://id/TOKEN``, a webhook's secret path) or query values
(``json://host/?-token=SECRET``, ``+Authorization=Bearer SECRET``). So every
part that could be one is registered (:func:`secret_parts`), plus whatever
Apprise itself marks private for the service. What is plainly public is not
registered, so ordinary words stay readable in the logs: a DNS name, an IP
address or ``localhost`` as the host; an e-mail address; and, outside the
password and the host, a plain lower-case word such as ``hooks`` or a Slack
channel's ``general`` (a token has digits or capitals, or is long).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlencode

from scheduler.alert_settings import AlertSettings, AlertTarget
from scheduler.platforms.secrets import register_secrets

# Custom webhooks: Apprise sends ``+Name=value`` as an HTTP header and
# ``:name=value`` as a field of the JSON (or form, XML) body (Apprise wiki,
# Notify_Custom_JSON "Header Manipulation" and "Payload Manipulation").
WEBHOOK_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})
MAIL_SCHEMES = frozenset({"mailto", "mailtos"})
EVENT_ID_HEADER = "X-Campaign-Event-Id"
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*)://")
_PLAIN_WORD = re.compile(r"^[a-z]{1,12}(?:[-_][a-z]{1,12})*$")
_ADDRESS = re.compile(r"^[^@\s/]+@[^@\s/]+\.[^@\s/]+$")


@dataclass(frozen=True)
class ResolvedTarget:
    """A target ready to send to: the variable's name, its events, its URL.

    ``url`` is None when the variable is not set (``problem`` says so). The URL
    never appears in ``repr``.
    """

    name: str
    target: AlertTarget
    url: str | None = field(repr=False)
    scheme: str = ""
    problem: str | None = None
    secrets: tuple[str, ...] = field(default=(), repr=False)


def scheme_of(url: str) -> str:
    """The URL's scheme in lower case (``mailto``), or "" when it has none."""
    match = _SCHEME.match(url.strip())
    return match.group(1).lower() if match else ""


def _public_host(host: str) -> bool:
    """A host name that is no secret: a DNS name, an IP address, localhost."""
    bare = host.strip("[]")
    if bare.lower() == "localhost" or "." in bare:
        return True
    try:
        ipaddress.ip_address(bare)
    except ValueError:
        return False
    return True


def _public_word(part: str) -> bool:
    """A value that is no secret wherever it sits: a plain lower-case word, an
    e-mail address (or a list of them)."""
    decoded = unquote(part)
    if _PLAIN_WORD.match(decoded):
        return True
    return all(_ADDRESS.match(item.strip()) for item in re.split(r"[,;\s]+", decoded) if item)


def secret_parts(url: str) -> list[str]:
    """Every part of ``url`` that may be a secret, raw and percent-decoded.

    Always the whole URL, the password, and the host unless it is plainly
    public; the whole authority when it holds a colon that is no port (a
    Telegram bot token). Then, unless it is a plain word or an e-mail address
    (:func:`_public_word`): the user, every path segment, the fragment, and
    every query value (a header's value word by word too). The scheme, query
    names and a numeric port never.
    """
    text = url.strip()
    parts: list[str] = [text]
    maybe: list[str] = []
    rest = text.split("://", 1)[1] if "://" in text else text
    cut = min((index for index in (rest.find(c) for c in "/?#") if index >= 0), default=len(rest))
    authority, tail = rest[:cut], rest[cut:]
    tail, _, fragment = tail.partition("#")
    path, _, query = tail.partition("?")
    userinfo, _, hostport = authority.rpartition("@")
    if userinfo:
        user, _, password = userinfo.partition(":")
        parts.append(password)
        maybe.append(user)
    host, _, port = hostport.rpartition(":") if hostport.count(":") == 1 else (hostport, "", "")
    if port and not port.isdigit():
        parts += [hostport, host, port]  # tgram://123456789:AAH.../: the token has a colon
    elif not _public_host(host):
        parts.append(host)
    maybe += path.split("/")
    maybe.append(fragment)
    for _name, value in parse_qsl(query, keep_blank_values=False):
        maybe.append(value)
        maybe += value.split()
    parts += [part for part in maybe if part and not _public_word(part)]
    found: list[str] = []
    for part in parts:
        for form in (part, unquote(part)):
            if form and form not in found:
                found.append(form)
    return found


def _private_values(url: str) -> list[str]:
    """What Apprise itself marks private for the URL's service (template tokens
    and arguments with ``private``), read off the loaded plugin; empty when
    Apprise cannot load the URL."""
    import apprise

    plugin = apprise.Apprise.instantiate(url, suppress_exceptions=True)
    if plugin is None or isinstance(plugin, bool):
        return []
    values: list[str] = []
    specs = {**getattr(plugin, "template_tokens", {}), **getattr(plugin, "template_args", {})}
    for name, spec in specs.items():
        if not isinstance(spec, dict) or not spec.get("private"):
            continue
        value = getattr(plugin, spec.get("map_to", name), None)
        if isinstance(value, str):
            values.append(value)
        elif isinstance(value, (list, tuple, set)):
            values += [item for item in value if isinstance(item, str)]
    return values


def resolve_targets(settings: AlertSettings, environ: Mapping[str, str]) -> list[ResolvedTarget]:
    """Each configured target with its URL from ``environ``, every secret part of
    which is registered for redaction before anything else touches the URL.

    A missing variable or a URL Apprise does not know is not an error here: the
    target carries a ``problem`` in plain words (no URL in it), which deliveries
    record and ``campaign alerts test`` prints.
    """
    resolved = []
    for target in settings.targets:
        url = (environ.get(target.url_env) or "").strip()
        if not url:
            unset = (
                f"{target.url_env} is not set; put the target's Apprise URL in it "
                "(in the environment or .env)"
            )
            resolved.append(ResolvedTarget(target.url_env, target, None, problem=unset))
            continue
        secrets = secret_parts(url)
        register_secrets(secrets)  # before Apprise loads (and logs) the URL
        private = _private_values(url)
        register_secrets(private)
        scheme = scheme_of(url)
        problem: str | None = None
        if not private and not _loads(url):
            problem = (
                f"{target.url_env} does not hold an Apprise URL Apprise can use"
                + (f" (scheme {scheme}://)" if scheme else " (no scheme:// at its start)")
                + "; see https://github.com/caronc/apprise/wiki for each service's form"
            )
        resolved.append(
            ResolvedTarget(
                target.url_env,
                target,
                url,
                scheme,
                problem,
                tuple(dict.fromkeys(secrets + private)),
            )
        )
    return resolved


def _loads(url: str) -> bool:
    import apprise

    return apprise.Apprise.instantiate(url, suppress_exceptions=True) is not None


def url_for_event(target: ResolvedTarget, event_id: str, fields: Mapping[str, str]) -> str:
    """The target's URL for one message: a webhook also gets the event id as the
    ``X-Campaign-Event-Id`` header and ``fields`` (event id, kind, post,
    account) in its JSON body; mail gets the header. Others are sent as they are.
    """
    assert target.url is not None
    if target.scheme not in WEBHOOK_SCHEMES | MAIL_SCHEMES:
        return target.url
    extra = {f"+{EVENT_ID_HEADER}": event_id}
    if target.scheme in WEBHOOK_SCHEMES:
        extra.update({f":{name}": value for name, value in fields.items()})
    base, _, fragment = target.url.partition("#")
    joiner = "&" if "?" in base else "?"
    joined = f"{base}{joiner}{urlencode(extra)}"
    return f"{joined}#{fragment}" if fragment else joined


def mask_parts(text: str, target: ResolvedTarget) -> str:
    """``text`` with every secret part of ``target``'s URL replaced by ``***``,
    however short (the log redaction skips values under six characters)."""
    for part in sorted(target.secrets, key=len, reverse=True):
        if len(part) >= 3:
            text = text.replace(part, "***")
    return text
