"""Reading a posted form: bounded in size, held in memory, and only with this session's form token (CSRF)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from .state import UPLOAD_LIMIT, Console

FORM_LIMIT = UPLOAD_LIMIT + 64 * 1024  # the roster, and room for the form's own fields and framing
CSRF_FIELD = "csrf"


class FormRefused(Exception):
    """The form cannot be used: `status` (403 no form token, 413 too large, 400 not a form) and why."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


class _InMemory(MultiPartParser):
    spool_max_size = FORM_LIMIT  # an uploaded roster stays in memory: it never reaches a temporary file


@dataclass
class Form:
    fields: dict[str, list[str]] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # name -> (file name, bytes)

    def get(self, name: str, default: str = "") -> str:
        values = self.fields.get(name)
        return values[0] if values else default

    def getlist(self, name: str) -> list[str]:
        return self.fields.get(name, [])


async def read_form(request: Request, console: Console) -> Form:
    """The posted form, read whole into memory (at most FORM_LIMIT bytes), with this session's form token."""
    body = await _bounded_body(request)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        form = Form()
        try:
            pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise FormRefused(400, "not-a-form") from None
        for name, value in pairs:
            form.fields.setdefault(name, []).append(value)
    elif kind == "multipart/form-data":
        form = await _multipart(request, body)
    else:
        raise FormRefused(400, "not-a-form")
    token = form.get(CSRF_FIELD)
    if not token or not hmac.compare_digest(token.encode(), console.csrf.encode()):
        raise FormRefused(403, "form-token")
    return form


async def _bounded_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > FORM_LIMIT):
        raise FormRefused(413, "too-large")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise FormRefused(413, "too-large")
    return bytes(body)


async def _multipart(request: Request, body: bytes) -> Form:
    async def stream():
        yield body

    parser = _InMemory(request.headers, stream(), max_files=1, max_fields=50, max_part_size=64 * 1024)
    try:
        data = await parser.parse()
    except MultiPartException:
        raise FormRefused(400, "not-a-form") from None
    form = Form()
    for name, value in data.multi_items():
        if isinstance(value, UploadFile):
            form.files[name] = (value.filename or "", await value.read())
            await value.close()
        else:
            form.fields.setdefault(name, []).append(value)
    return form
