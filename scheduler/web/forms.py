"""Reading the dashboard's forms: small, text only, no control characters.

Every form the dashboard shows is a handful of short text fields. A body
larger than :data:`MAX_FORM_BYTES` is refused before it is read (see
:class:`scheduler.web.guard.RequestGuard`); here a file upload, too many
fields, or a field holding a control character (a NUL byte, which PostgreSQL
refuses in text, or an escape sequence meant for someone's terminal) is
refused with 400 and a plain message, before anything reaches the database.
"""

from __future__ import annotations

from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request

from scheduler.printable import has_control_characters

MAX_FORM_BYTES = 64 * 1024
MAX_FIELDS = 20
FIELD_MAX_CHARS = 4000  # a reason of 500 characters, a URL of 2000, with room to spare


async def read_form(request: Request) -> FormData:
    """The submitted form.

    :raises HTTPException: 400 for a file, too many or too long fields, or a
        control character other than a line break or a tab.
    """
    form = await request.form(max_files=0, max_fields=MAX_FIELDS)
    for name, value in form.multi_items():
        if isinstance(value, UploadFile):
            raise HTTPException(400, "The dashboard's forms take no files.")
        if len(value) > FIELD_MAX_CHARS:
            raise HTTPException(
                400, f"The field {name[:40]!r} is longer than {FIELD_MAX_CHARS} characters."
            )
        if has_control_characters(value, allowed="\n\r\t"):
            raise HTTPException(
                400,
                f"The field {name[:40]!r} holds a control character (such as a NUL byte); "
                "remove it and send the form again.",
            )
    return form
