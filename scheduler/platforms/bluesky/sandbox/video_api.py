"""The Bluesky stand-in's video service and service auth.

Endpoints (served on the stand-in's host, which the publisher's
``video_service_url`` points at in a rehearsal)::

    GET  /xrpc/com.atproto.server.getServiceAuth  a token for the video service (PDS)
    POST /xrpc/app.bsky.video.uploadVideo         raw MP4 bytes -> {jobStatus}
    GET  /xrpc/app.bsky.video.getJobStatus        the job's state, then its blob
    GET  /xrpc/app.bsky.video.getUploadLimits     the account's daily allowance

Flow and fields from platforms-2026.md 5.5 and the lexicons app.bsky.video.*,
com.atproto.server.getServiceAuth. A job answers ``JOB_STATE_ENCODING`` for
``video_polls`` polls, then ``JOB_STATE_COMPLETED`` with the blob; a
``processing_failed`` fault on ``bluesky.video_job`` fails it
(``JOB_STATE_FAILED``, ``failureCode`` ``encoding_failure``). Each upload is
kept as its size and SHA-256, not its bytes (a rehearsal uploads hundreds of MB).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from scheduler.platforms.bluesky.sandbox.base import BlueskyStandIn, claims_of, one, xrpc_error
from scheduler.platforms.bluesky.sandbox.state import RepoState, cid_of
from scheduler.platforms.sandbox_server import Request, Response

MAX_VIDEO_BYTES = 300_000_000  # app.bsky.embed.video maxSize [platforms-2026.md 5.3]
DAILY_VIDEOS = 25  # press figure only, UNCERTAIN [platforms-2026.md 5.5]
DAILY_BYTES = 10_000_000_000  # likewise
UPLOAD_LXM = "com.atproto.repo.uploadBlob"
MAX_EXPIRY_S = 3600  # a PDS refuses a service token asked for longer (BadExpiration)
GRACE_WALL_S = 5.0  # in a fast rehearsal a token's campaign seconds pass in milliseconds


@dataclass
class VideoJob:
    """One upload: whose, its size and SHA-256, polls left before it is done."""

    job_id: str
    did: str
    size: int
    sha256: str
    polls_left: int
    failed: bool = False


class VideoService:
    """The jobs of the stand-in's video service; ``video_polls`` polls per video."""

    def __init__(self, video_polls: int = 2) -> None:
        self.video_polls = video_polls
        self.jobs: dict[str, VideoJob] = {}
        self.uploaded: dict[str, list[int]] = {}  # did -> sizes uploaded (for the allowance)


def get_service_auth(pds: BlueskyStandIn, request: Request, repo: RepoState | None) -> Response:
    assert repo is not None
    aud, lxm = one(request, "aud"), one(request, "lxm")
    if not aud.startswith("did:"):
        return xrpc_error(400, "InvalidRequest", 'Error: Params must have the property "aud"')
    now = int(pds.clock.now().timestamp())
    exp = int(one(request, "exp") or now + 60)
    if exp + _grace(pds) <= now or exp - now > MAX_EXPIRY_S:
        return xrpc_error(400, "BadExpiration", "expiration is out of range")
    header = _b64({"typ": "JWT", "alg": "ES256K"})
    claims = {"iss": repo.did, "aud": aud, "lxm": lxm, "exp": exp, "iat": now,
              "jti": secrets.token_hex(8)}  # fmt: skip
    return Response(200, {"token": f"{header}.{_b64(claims)}.{secrets.token_urlsafe(16)}"})


def upload_video(pds: BlueskyStandIn, request: Request, _repo: RepoState | None) -> Response:
    service: VideoService = pds.video  # type: ignore[attr-defined]
    did = one(request, "did")
    claims = claims_of(request)
    if claims is None:
        return xrpc_error(401, "AuthMissing", "Authentication Required")
    if claims.get("iss") != did or claims.get("lxm") != UPLOAD_LXM:
        return xrpc_error(401, "InvalidToken", "Token could not be verified for this upload")
    if int(claims.get("exp", 0)) + _grace(pds) <= int(pds.clock.now().timestamp()):
        return xrpc_error(400, "ExpiredToken", "Token has expired")
    if pds.state.repos.get(did) is None:
        return xrpc_error(400, "InvalidRequest", f"Could not find repo: {did}")
    mime = request.header("Content-Type", "").split(";")[0].strip()
    if mime != "video/mp4" or not request.body:
        return xrpc_error(400, "InvalidRequest", "Wrong type of file: expected video/mp4")
    if len(request.body) > MAX_VIDEO_BYTES:
        return xrpc_error(413, "PayloadTooLarge", "request entity too large")
    sizes = service.uploaded.setdefault(did, [])
    if len(sizes) >= DAILY_VIDEOS or sum(sizes) + len(request.body) > DAILY_BYTES:
        return xrpc_error(400, "InvalidRequest", "You have exceeded the daily video upload limit")
    sizes.append(len(request.body))
    job = VideoJob(secrets.token_hex(8), did, len(request.body),
                   hashlib.sha256(request.body).hexdigest(), service.video_polls)  # fmt: skip
    service.jobs[job.job_id] = job
    return Response(200, {"jobStatus": _status(job, "JOB_STATE_CREATED")})


def get_job_status(pds: BlueskyStandIn, request: Request, _repo: RepoState | None) -> Response:
    service: VideoService = pds.video  # type: ignore[attr-defined]
    job = service.jobs.get(one(request, "jobId"))
    if job is None:
        return xrpc_error(404, "NotFound", "Job not found")
    if job.failed:
        return Response(200, {"jobStatus": _status(job, "JOB_STATE_FAILED")})
    if job.polls_left > 0:
        job.polls_left -= 1
        return Response(200, {"jobStatus": _status(job, "JOB_STATE_ENCODING")})
    status = _status(job, "JOB_STATE_COMPLETED")
    cid = cid_of(job.sha256.encode())
    status["blob"] = {"$type": "blob", "ref": {"$link": cid}, "mimeType": "video/mp4",
                      "size": job.size}  # fmt: skip
    repo = pds.state.repos[job.did]
    repo.videos[cid] = job.size
    return Response(200, {"jobStatus": status})


def fail_job(pds: BlueskyStandIn, request: Request) -> None:
    """A ``processing_failed`` fault: the job polled fails."""
    service: VideoService = pds.video  # type: ignore[attr-defined]
    job = service.jobs.get(one(request, "jobId"))
    if job is not None:
        job.failed = True


def get_upload_limits(pds: BlueskyStandIn, request: Request, repo: RepoState | None) -> Response:
    assert repo is not None
    service: VideoService = pds.video  # type: ignore[attr-defined]
    sizes = service.uploaded.get(repo.did, [])
    left = DAILY_VIDEOS - len(sizes)
    return Response(200, {"canUpload": left > 0, "remainingDailyVideos": max(0, left),
                          "remainingDailyBytes": max(0, DAILY_BYTES - sum(sizes))})  # fmt: skip


def _grace(pds: BlueskyStandIn) -> float:
    """Campaign seconds a token outlives its ``exp`` here: a few wall seconds, as the
    stand-in's sessions (nothing on the real clock but a little clock skew)."""
    return GRACE_WALL_S * pds.speed() if pds.speed() > 1.0 else 0.0


def _status(job: VideoJob, state: str) -> dict[str, Any]:
    status: dict[str, Any] = {"jobId": job.job_id, "did": job.did, "state": state}
    if state == "JOB_STATE_ENCODING":
        status["progress"] = 50
    if state == "JOB_STATE_FAILED":
        status["failureCode"] = "encoding_failure"
        status["error"] = "Video failed to encode"
    return status


def _b64(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
