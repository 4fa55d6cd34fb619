"""One argument order for every model-vs-human function: ``model=`` and ``human=`` by keyword.

The old positional orders (``confusion_matrix(human, model)`` but ``agreement_summary(model,
human)``) keep working for one release with a ``DeprecationWarning`` that shows the new call.

Example:
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     model, human, rest = model_human("confusion_matrix", ("human", "model"), (["b"], ["a"]),
    ...                                      None, None)
    >>> model, human, rest, caught[0].category.__name__
    (['a'], ['b'], (), 'DeprecationWarning')
"""

from __future__ import annotations

import warnings
from typing import Any

from a2i_kit.errors import InputError


def model_human(name: str, order: tuple[str, ...], args: tuple[Any, ...], model: Any,
                human: Any) -> tuple[Any, Any, tuple[Any, ...]]:  # fmt: skip
    """``(model, human, other positional values)`` from a call of ``name``; ``order`` is the old
    positional order (it names ``model`` and ``human`` and possibly later parameters)."""
    if not args:
        if model is None or human is None:
            raise InputError(
                f"{name}() needs model=<the model's labels> and human=<the reviewed labels>, "
                "both by keyword"
            )
        return model, human, ()
    if model is not None or human is not None:
        raise InputError(
            f"{name}(): pass model= and human= by keyword only, not mixed with positional values"
        )
    if len(args) < 2:
        raise InputError(f"{name}() needs model=<the model's labels> and human=<the reviewed "
                         "labels>, both by keyword")  # fmt: skip
    if len(args) > len(order):
        raise InputError(f"{name}() takes at most {len(order)} positional values "
                         f"({', '.join(order)}); pass them by keyword")  # fmt: skip
    given = dict(zip(order, args, strict=False))
    new_call = ", ".join(f"{p}=..." for p in ("model", "human", *order[2 : len(args)]))
    warnings.warn(
        f"{name}({', '.join(order[: len(args)])}) by position is deprecated and stops working in "
        f"the next release: call {name}({new_call})",
        DeprecationWarning,
        stacklevel=3,
    )
    return given["model"], given["human"], tuple(args[2:])
