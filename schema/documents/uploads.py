"""Reading an ``Upload`` argument (a Starlette ``UploadFile``) with a bound on its size."""

from __future__ import annotations

from typing import Any

from core.documents.service import check_size
from core.errors import InvalidInput


async def read_upload(upload: Any, limit: int) -> tuple[str | None, bytes]:
    """The file's name and bytes; INVALID on ``input.file`` when it is over ``limit``.

    The request body limit (413) already bounds what can arrive; this reads at most one byte
    more than ``limit`` so a larger file is refused without holding it all.
    """
    if not callable(getattr(upload, "read", None)):
        raise InvalidInput(
            "Send the file as a multipart request (GraphQL multipart request spec), with the "
            "file part mapped to this variable.",
            field=("input", "file"),
        )
    data = await upload.read(limit + 1)
    check_size(data, limit)
    return getattr(upload, "filename", None), data
