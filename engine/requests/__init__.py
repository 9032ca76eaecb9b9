"""The request grammar shared by chat, CLI and HTTP (SPEC §1): free text plus explicit fields."""

from .errors import RequestError
from .parser import parse_request
from .request import Part, Request

__all__ = ["Part", "Request", "RequestError", "parse_request"]
