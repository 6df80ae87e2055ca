"""What booklet.yml, a section's and a card's front matter may contain: the types of their keys
(``model.py`` declares the keys with them), human error messages, and the JSON Schemas and the
README's key tables made from the models.

The models are strict (no silent ``12`` → ``"12"``) and forbid unknown keys, so a typo is
reported instead of ignored. Validation errors become ContentErrors on the offending key's line.
"""

from __future__ import annotations

import datetime
import difflib
import re
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
    model_validator,
)
from pydantic.json_schema import WithJsonSchema
from pydantic_core import ErrorDetails, PydanticCustomError, core_schema

from nomodel.errors import ContentError, ContentErrors
from nomodel.frontmatter import YamlFile
from nomodel.paper import BOOKLET_FORMATS

NUMBER_PATTERN = r"\d{2}[A-Z]\.\d{3}"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class _Matching:
    """Text fully matching ``pattern`` (``Annotated[str, _Matching(…)]``), in validation and in
    the JSON Schema; ``problem`` says what is wanted."""

    pattern: str
    problem: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> Any:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        return {**handler(schema), "pattern": f"^{self.pattern}$"}

    def _check(self, value: str) -> str:
        if not re.fullmatch(self.pattern, value):
            raise PydanticCustomError("nomodel", self.problem)
        return value


def _to_date(value: Any) -> datetime.date:
    # The YAML reader keeps dates as strings, so a wrong one is a message, never a crash.
    problem = PydanticCustomError("nomodel", "must be a real date written YYYY-MM-DD")
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value.strip()):
        raise problem
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise problem from None


def _to_cards_start(value: Any) -> Any:
    if value in CARDS_STARTS:
        return value
    raise PydanticCustomError(
        "nomodel", 'must be "any" (the next page) or "recto" (a right-hand page)'
    )


def _to_format(value: Any) -> Any:
    if isinstance(value, str) and value.strip().upper() in BOOKLET_FORMATS:
        return value.strip().upper()
    raise PydanticCustomError("nomodel", "must be A4, A5 or A6")


CARDS_STARTS = ("any", "recto")
T = TypeVar("T")

Text = Annotated[str, Field(min_length=1)]
Number = Annotated[
    str,
    _Matching(
        NUMBER_PATTERN,
        "must look like 00C.001 (two digits, the series letter, a dot, three digits)",
    ),
]
Series = Annotated[str, _Matching(r"[A-Z]", "must be one capital letter A–Z")]
Url = Annotated[
    str, _Matching(r"(https?://|mailto:)\S+", "must start with http://, https:// or mailto:")
]
EditionName = Annotated[
    str,
    _Matching(r"[a-z0-9][a-z0-9-]*", "must be lower case letters, digits and dashes, like atelier"),
]
IsoDate = Annotated[
    datetime.date,
    BeforeValidator(_to_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]
PageFormat = Annotated[
    str,
    BeforeValidator(_to_format),
    WithJsonSchema({"enum": [*BOOKLET_FORMATS, *(name.lower() for name in BOOKLET_FORMATS)]}),
]
CardsStart = Annotated[
    str, BeforeValidator(_to_cards_start), WithJsonSchema({"enum": list(CARDS_STARTS)})
]
# A YAML list, kept as a tuple so that the values stay immutable; strict about its items.
Listed = Annotated[tuple[T, ...], Field(strict=False)]


class Strict(BaseModel):
    """A model of a file's keys: a key's docstring says what it means (README, JSON Schema)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        str_strip_whitespace=True,
        frozen=True,
        use_attribute_docstrings=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _blank_is_absent(cls, data: Any) -> Any:
        # An optional key left empty ("summary:") means "none", as authors expect.
        if not isinstance(data, dict):
            return data
        optional = {name for name, field in cls.model_fields.items() if not field.is_required()}
        return {
            key: value for key, value in data.items() if value is not None or key not in optional
        }


M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], source: YamlFile) -> M:
    """``source.data`` as a ``model``; raises ContentErrors, one per problem, on their lines."""
    try:
        return model.model_validate(source.data)
    except ValidationError as exc:
        errors = exc.errors()
        # "titel" reported as unknown with the hint "title" says all: no "missing title" too.
        hinted = {
            (*error["loc"][:-1], hint)
            for error in errors
            if error["type"] == "extra_forbidden"
            and (hint := _close_key(error["loc"][-1], _allowed(model, error["loc"])))
        }
        raise ContentErrors(
            _content_error(model, source, error)
            for error in errors
            if not (error["type"] == "missing" and error["loc"] in hinted)
        ) from None


def _content_error(model: type[BaseModel], source: YamlFile, error: ErrorDetails) -> ContentError:
    loc = error["loc"]
    if error["type"] == "missing":
        where = f" in {_subject(loc[:-1])}" if len(loc) > 1 else ""
        return ContentError(
            source.path, source.line_of(loc[:-1]), f'missing required key "{loc[-1]}"{where}'
        )
    if error["type"] in ("extra_forbidden", "invalid_key"):  # invalid: a key like 1 or true
        return ContentError(
            source.path, source.line_of(loc), _unknown_key(loc[-1], _allowed(model, loc))
        )
    return ContentError(source.path, source.line_of(loc), _wrong_value(loc, error))


def _allowed(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys allowed beside the key at ``loc``."""
    return list(_model_at(model, loc[:-1]).model_fields)


def _close_key(key: Any, allowed: list[str]) -> str | None:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    return close[0] if close else None


def _unknown_key(key: Any, allowed: list[str]) -> str:
    close = _close_key(key, allowed)
    hint = f'did you mean "{close}"?' if close else f"allowed keys: {', '.join(allowed)}"
    return f'unknown key "{key}" ({hint})'


# Pydantic's own wording for these is written for programmers.
_PROBLEMS = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "bool_type": "must be true or false",
    "tuple_type": "must be a list",  # a YAML list becomes a tuple (`Listed`)
    "model_type": 'must be "key: value" lines',
    "string_too_short": "must not be empty",
}


def _wrong_value(loc: tuple[int | str, ...], error: ErrorDetails) -> str:
    value = error["input"]
    if value is None:
        return f"{_subject(loc)} has no value"
    message = f"{_subject(loc)} {_PROBLEMS.get(error['type'], error['msg'])}"
    if error["type"] != "string_too_short":
        message += f", got {_shown(value)}"
    if error["type"] == "string_type" and isinstance(value, int | float):
        message += " (put it in quotes)"
    return message


def _subject(loc: tuple[int | str, ...]) -> str:
    """``("testimonies", 1, "role")`` → ``"role" of item 2 of "testimonies"``."""
    return " of ".join(
        f"item {part + 1}" if isinstance(part, int) else f'"{part}"' for part in reversed(loc)
    )


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return '"key: value" lines'
    return str(value)


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel]:
    """The model that validates the mapping at ``loc`` (list indexes skipped)."""
    for part in loc:
        if isinstance(part, str):
            inner = _inner_model(model.model_fields[part].annotation)
            assert inner is not None, loc  # pydantic reported a key inside this value
            model = inner
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's type (``tuple[Link, ...]`` → ``Link``), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(_inner_model, get_args(annotation))), None)


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON Schema of a file that ``model`` validates, for editors (``nomodel schema``)."""
    schema = model.model_json_schema()
    for mapping in (schema, *schema.get("$defs", {}).values()):
        _blank_allowed(mapping)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def _blank_allowed(mapping: dict[str, Any]) -> None:
    """An optional key may be left empty (``summary:``), as ``Strict`` accepts it."""
    required = set(mapping.get("required", ()))
    for name, value in mapping.get("properties", {}).items():
        if name not in required:
            kept = {
                key: value.pop(key) for key in ("title", "description", "default") if key in value
            }
            mapping["properties"][name] = {"anyOf": [value, {"type": "null"}], **kept}


def key_table(model: type[BaseModel]) -> str:
    """The README's Markdown table of the keys of ``model``, nested models' keys after their
    list's key."""
    rows = ["| key | required | meaning |", "|---|---|---|"]
    rows += _key_rows(model, "")
    return "\n".join(rows) + "\n"


def _key_rows(model: type[BaseModel], within: str) -> list[str]:
    rows = []
    for name, field in model.model_fields.items():
        key = f"`{name}` (in `{within}`)" if within else f"`{name}`"
        required = "yes" if field.is_required() else "no"
        rows.append(f"| {key} | {required} | {field.description} |")
        inner = _inner_model(field.annotation)
        if inner is not None:
            rows += _key_rows(inner, name)
    return rows
