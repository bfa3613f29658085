"""The one name for a decoded JSON object (a request body, a search-engine document)."""

from __future__ import annotations

from typing import Any, TypeAlias

JsonDict: TypeAlias = dict[str, Any]
