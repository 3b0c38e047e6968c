"""A quicker constructor for the decision's frozen records (Decision, Basis, Reason, …).

A decision is made of immutable records, frozen dataclasses with slots, so nothing that
explains a decision (Principle 4, Procedure A7) can change after it is made. The
``__init__`` that ``dataclass`` generates for a frozen class sets each field through
``object.__setattr__``; for a plain decision that costs as much as deciding. ``quick_init``
replaces it with one taking exactly the same parameters and defaults that writes each slot
through its descriptor: the record is the same, equal and just as frozen, made in about half
the time.

Like ``dataclass`` itself it writes the constructor's source and compiles it, from the
class's own fields. It refuses a class it could not build faithfully: one that is not a
frozen dataclass with slots, or that has a ``__post_init__``, a default factory, a field
left out of ``__init__`` or keyword-only fields. ``tests/policy/test_frozen.py`` checks it.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T")


def quick_init(cls: type[T]) -> type[T]:
    """Give the frozen slots dataclass ``cls`` a constructor that sets its slots directly."""
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen or "__slots__" not in cls.__dict__:
        raise TypeError(f"`{cls.__name__}` is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"`{cls.__name__}` has a __post_init__, which quick_init would skip")
    namespace: dict[str, Any] = {}
    parameters: list[str] = []
    lines: list[str] = []
    for field in dataclasses.fields(cls):  # type: ignore[arg-type]
        if not field.init or field.kw_only or field.default_factory is not dataclasses.MISSING:
            raise TypeError(
                f"`{cls.__name__}.{field.name}` is not a plain positional field; "
                "quick_init builds only those"
            )
        namespace[f"_set_{field.name}"] = cls.__dict__[field.name].__set__
        if field.default is dataclasses.MISSING:
            parameters.append(field.name)
        else:
            namespace[f"_default_{field.name}"] = field.default
            parameters.append(f"{field.name}=_default_{field.name}")
        lines.append(f"    _set_{field.name}(self, {field.name})")
    source = f"def __init__(self, {', '.join(parameters)}):\n" + "\n".join(lines) + "\n"
    exec(source, namespace)  # noqa: S102 (our own source, made from the class's fields)
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = f"A {cls.__name__}; its slots are set directly (infoshare.policy.frozen)."
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[method-assign]
    return cls
