"""What the scatter's Find box understands: a data row, a class, or an attribute value.

``find(query, labels, class_names, attributes, attribute_names)`` returns the rows that match:

- ``123`` or ``#123``: that row (``Found.jump`` is set);
- a class name (``Coat``; any letter case; a unique prefix such as ``sne`` for Sneaker), or ``class:Coat``;
- an attribute (``Smiling``, ``Smiling=1``, ``Smiling=yes``) or its absence (``Smiling=0``, ``not
  Smiling``, ``!Smiling``), or ``attr:Smiling``.

Exact names win over prefixes, classes over attributes (``class:`` / ``attr:`` choose explicitly).
A query that matches nothing raises ConfigError with what there is to find.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from trainer.errors import ConfigError

_YES, _NO = {"1", "yes", "true", "y"}, {"0", "no", "false", "n"}

__all__ = ["Found", "find", "vocabulary"]


@dataclass(frozen=True)
class Found:
    rows: np.ndarray  # int64, ascending
    text: str  # what was found, for a status line ("Coat", "Smiling = no", "#12")
    jump: int | None = None  # a row asked for by number


def find(query: str, labels: np.ndarray, class_names: list[str], attributes: np.ndarray | None = None,
         attribute_names: list[str] | None = None) -> Found:
    """The rows matching ``query`` (see the module docstring); ConfigError when none can."""
    text = " ".join(str(query).split())
    if not text:
        raise ConfigError("type a class, an attribute or a row number")
    n = len(labels)
    if re.fullmatch(r"#?\d+", text):
        row = int(text.lstrip("#"))
        if not 0 <= row < n:
            raise ConfigError(f"there is no row {row}: rows go from 0 to {n - 1}")
        return Found(np.array([row], np.int64), f"#{row}", jump=row)
    kind, _, rest = text.partition(":")
    if kind.lower() in ("class", "attr", "attribute") and rest.strip():
        text, only = rest.strip(), "class" if kind.lower() == "class" else "attr"
    else:
        only = None
    if only != "attr" and (k := _pick(text, class_names)) is not None:
        return Found(np.flatnonzero(np.asarray(labels) == k).astype(np.int64), class_names[k])
    if only != "class" and attributes is not None and (found := _attribute(text, attributes,
                                                                           attribute_names or [])):
        return found
    raise ConfigError(f"nothing called {text!r}: {_what_there_is(class_names, attribute_names)}")


def _attribute(text: str, attributes: np.ndarray, names: list[str]) -> Found | None:
    wanted = True
    negated = re.fullmatch(r"(?:not\s+|!)(.+)", text, flags=re.IGNORECASE)
    if negated:
        text, wanted = negated.group(1).strip(), False
    name, sep, value = text.partition("=")
    if sep:
        value = value.strip().lower()
        if value not in _YES | _NO:
            raise ConfigError(f"an attribute is 1 or 0 (yes or no), not {value!r}")
        wanted = wanted == (value in _YES)
    j = _pick(name.strip(), names)
    if j is None:
        return None
    rows = np.flatnonzero(np.asarray(attributes)[:, j].astype(bool) == wanted).astype(np.int64)
    return Found(rows, f"{names[j]} = {'yes' if wanted else 'no'}")


def _pick(text: str, names: list[str]) -> int | None:
    """The name equal to ``text`` (ignoring case), else the only one starting with it."""
    low = text.lower()
    exact = [k for k, name in enumerate(names) if name.lower() == low]
    if exact:
        return exact[0]
    prefixed = [k for k, name in enumerate(names) if name.lower().startswith(low)]
    return prefixed[0] if len(prefixed) == 1 else None


def vocabulary(class_names: list[str], attribute_names: list[str] | None = None) -> list[str]:
    """What a completer offers: the class names, then each attribute and its absence."""
    attrs = list(attribute_names or [])
    return [*class_names, *attrs, *(f"not {a}" for a in attrs)]


def _what_there_is(class_names: list[str], attribute_names: list[str] | None) -> str:
    parts = [f"classes {_some(class_names)}"]
    if attribute_names:
        parts.append(f"attributes {_some(attribute_names)}")
    return "; ".join(parts) + "; or a row number"


def _some(names: list[str], most: int = 6) -> str:
    return ", ".join(names[:most]) + (", …" if len(names) > most else "")
