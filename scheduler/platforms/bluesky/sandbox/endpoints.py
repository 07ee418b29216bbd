"""The Bluesky stand-in's endpoints: sessions and the repository.

Each handler takes the stand-in, the request and the account whose session it
carries (None for an endpoint that needs none), with the stand-in's lock held.
A create on a key that exists answers 500 ``InternalServerError``, as the PDS
does (atproto#3718); records are checked against ``app.bsky.feed.post``.
"""

from __future__ import annotations

import json
from typing import Any

from scheduler.platforms.bluesky import rates
from scheduler.platforms.bluesky.links import POST_COLLECTION, at_uri
from scheduler.platforms.bluesky.records import decode_tid
from scheduler.platforms.bluesky.sandbox import lexicon
from scheduler.platforms.bluesky.sandbox.base import (
    BlueskyStandIn,
    claims_of,
    one,
    rate_limited,
    read_input,
    xrpc_error,
)
from scheduler.platforms.bluesky.sandbox.state import (
    REFRESH_GRACE,
    Blob,
    RepoState,
    StoredRecord,
    cid_of,
)
from scheduler.platforms.sandbox_server import Request, Response

MAX_UPLOAD_BYTES = 52_428_800  # Bluesky-hosted PDS upload cap [platforms-2026.md 5.2]


# -- sessions --------------------------------------------------------------------


def create_session(pds: BlueskyStandIn, request: Request, _repo: RepoState | None) -> Response:
    body, problem = read_input(request, "com.atproto.server.createSession")
    if problem is not None:
        return problem
    repo = pds.state.repo(str(body["identifier"]))
    scope = pds.state.password_scope(repo, str(body["password"])) if repo else None
    if repo is None or scope is None:
        return xrpc_error(401, "AuthenticationRequired", "Invalid identifier or password")
    repo.sessions_opened += 1
    return Response(200, pds.state.issue(repo, scope, pds.clock.now(), pds.speed()))


def refresh_session(pds: BlueskyStandIn, request: Request, _repo: RepoState | None) -> Response:
    claims = claims_of(request)
    repo = pds.state.repos.get(str(claims.get("sub", ""))) if claims else None
    if claims is None or repo is None or claims.get("scope") != "com.atproto.refresh":
        return xrpc_error(400, "InvalidToken", "Invalid token type")
    now = pds.clock.now()
    usable_until = repo.refresh.get(str(claims.get("jti", "")))
    if usable_until is None or now >= usable_until:
        return xrpc_error(400, "ExpiredToken", "Token has been revoked")
    repo.refresh[str(claims["jti"])] = min(usable_until, now + REFRESH_GRACE)
    return Response(200, pds.state.issue(repo, "com.atproto.appPass", now, pds.speed()))


# -- repository ------------------------------------------------------------------


def upload_blob(pds: BlueskyStandIn, request: Request, repo: RepoState | None) -> Response:
    assert repo is not None
    if len(request.body) > MAX_UPLOAD_BYTES:
        return xrpc_error(413, "PayloadTooLarge", "request entity too large")
    mime = request.header("Content-Type", "application/octet-stream").split(";")[0].strip()
    cid = cid_of(request.body)
    repo.blobs[cid] = Blob(mime, request.body)
    blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(request.body)}
    return Response(200, {"blob": blob})


def _write(
    pds: BlueskyStandIn, request: Request, repo: RepoState, nsid: str
) -> tuple[dict[str, Any], Response | None]:
    """The input of a write to ``repo``: valid for ``nsid``, and to the session's own repo."""
    body, problem = read_input(request, nsid)
    if problem is None and pds.state.repo(str(body["repo"])) is not repo:
        problem = xrpc_error(400, "InvalidRequest", "Input/repo must be the authenticated account")
    return body, problem


def create_record(pds: BlueskyStandIn, request: Request, repo: RepoState | None) -> Response:
    assert repo is not None
    body, problem = _write(pds, request, repo, "com.atproto.repo.createRecord")
    if problem is not None:
        return problem
    record = body["record"]
    if body["collection"] != POST_COLLECTION or not isinstance(record, dict):
        return xrpc_error(400, "InvalidRequest", "Input/collection must be app.bsky.feed.post")
    if record.get("$type") != POST_COLLECTION:
        return xrpc_error(400, "InvalidRecord", "Invalid $type: must be app.bsky.feed.post")
    schema = lexicon.definition(POST_COLLECTION, POST_COLLECTION)
    assert schema is not None
    found = lexicon.problems(record, schema, POST_COLLECTION, "Record")
    found += _blob_problems(repo, record)
    if found:
        return xrpc_error(400, "InvalidRecord", found[0])
    rkey = body.get("rkey") or pds.next_tid()
    try:
        decode_tid(str(rkey))
    except ValueError:
        return xrpc_error(400, "InvalidRequest", f"Invalid record key: {rkey} is not a TID")
    if rkey in repo.records:
        return xrpc_error(500, "InternalServerError", "Internal Server Error")  # atproto#3718
    reset = pds.state.spend(repo, rates.CREATE_POINTS, pds.clock.now())
    if reset is not None:
        return rate_limited(reset)
    cid = cid_of(json.dumps(record, sort_keys=True).encode())
    repo.records[str(rkey)] = StoredRecord(str(rkey), cid, record, pds.clock.now())
    uri = at_uri(repo.did, str(rkey))
    commit = {"cid": cid_of(uri.encode()), "rev": str(rkey)}
    return Response(200, {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"})


def get_record(pds: BlueskyStandIn, request: Request, _repo: RepoState | None) -> Response:
    repo = pds.state.repo(one(request, "repo"))
    rkey = one(request, "rkey")
    record = repo.records.get(rkey) if repo else None
    if repo is None or record is None or one(request, "collection") != POST_COLLECTION:
        uri = f"at://{one(request, 'repo')}/{one(request, 'collection')}/{rkey}"
        return xrpc_error(400, "RecordNotFound", f"Could not locate record: {uri}")
    return Response(200, {"uri": at_uri(repo.did, rkey), "cid": record.cid, "value": record.value})


def delete_record(pds: BlueskyStandIn, request: Request, repo: RepoState | None) -> Response:
    assert repo is not None
    body, problem = _write(pds, request, repo, "com.atproto.repo.deleteRecord")
    if problem is not None:
        return problem
    reset = pds.state.spend(repo, rates.DELETE_POINTS, pds.clock.now())
    if reset is not None:
        return rate_limited(reset)
    repo.records.pop(str(body["rkey"]), None)  # "or ensure it doesn't exist"
    return Response(200, {})


def describe_repo(pds: BlueskyStandIn, request: Request, _repo: RepoState | None) -> Response:
    repo = pds.state.repo(one(request, "repo"))
    if repo is None:
        return xrpc_error(400, "InvalidRequest", f"Could not find repo: {one(request, 'repo')}")
    return Response(200, {"handle": repo.handle, "did": repo.did, "didDoc": {},
                          "collections": [POST_COLLECTION], "handleIsCorrect": True})  # fmt: skip


def resolve_handle(pds: BlueskyStandIn, request: Request, _repo: RepoState | None) -> Response:
    repo = pds.state.repo(one(request, "handle"))
    if repo is None:
        return xrpc_error(400, "InvalidRequest", "Unable to resolve handle")
    return Response(200, {"did": repo.did})


def author_feed(pds: BlueskyStandIn, request: Request, _repo: RepoState | None) -> Response:
    repo = pds.state.repo(one(request, "actor"))
    if repo is None:
        return xrpc_error(400, "InvalidRequest", "Profile not found")
    limit = max(1, min(100, int(one(request, "limit") or 50)))
    records = sorted(repo.records.values(), key=lambda r: r.rkey, reverse=True)
    cursor = one(request, "cursor")
    if cursor:
        records = [r for r in records if r.rkey < cursor]
    page = records[:limit]
    feed = [
        {"post": {"uri": at_uri(repo.did, r.rkey), "cid": r.cid, "record": r.value,
                  "author": {"did": repo.did, "handle": repo.handle},
                  "indexedAt": r.received_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")}}
        for r in page
    ]  # fmt: skip
    answer: dict[str, Any] = {"feed": feed}
    if len(records) > limit:
        answer["cursor"] = page[-1].rkey
    return Response(200, answer)


def _blob_problems(repo: RepoState, record: dict[str, Any]) -> list[str]:
    """Blobs a record references must have been uploaded, with the size they claim."""
    embed = record.get("embed") or {}
    refs = [image.get("image") for image in embed.get("images", []) if isinstance(image, dict)]
    external = embed.get("external")
    if isinstance(external, dict) and external.get("thumb"):
        refs.append(external["thumb"])
    found = []
    video = (embed.get("video") or {}) if embed.get("$type") == "app.bsky.embed.video" else {}
    if isinstance(video, dict) and video:
        link = (video.get("ref") or {}).get("$link")
        if repo.videos.get(str(link)) != video.get("size"):
            found.append(f"Could not find video blob: {link}")
    for ref in refs:
        if not isinstance(ref, dict):
            continue  # the lexicon check has said so
        link = (ref.get("ref") or {}).get("$link")
        blob = repo.blobs.get(str(link))
        if blob is None:
            found.append(f"Could not find blob: {link}")
        elif blob.mime_type != ref.get("mimeType") or len(blob.data) != ref.get("size"):
            found.append(f"Blob {link} does not match its reference")
    return found
