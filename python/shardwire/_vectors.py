"""Vectors on the wire: raw little-endian float32/float64 bytes, and the result envelope.

A vector is sent as the bytes of the array itself (a memoryview: no copy on the Python side when
it already is contiguous little-endian float32 or float64). Results come back in the agent's
envelope: ``b"SWE1"``, the JSON length (u32 LE), the JSON, zero padding to a multiple of 8, then
float64 data, which numpy maps without copying. numpy is optional: without it, ``array.array``
and ``memoryview`` inputs work and results are ``array.array("d")``.
"""

import array
import json
import struct
import sys
from typing import Any, Dict, Sequence, Tuple, Union

try:  # numpy is optional; used when present
    import numpy as _np
except ImportError:  # pragma: no cover - exercised on machines without numpy
    _np = None  # type: ignore[assignment]

from .errors import BadVectorError, error_for

#: The envelope's magic bytes ("shardwire envelope", version 1).
ENVELOPE_MAGIC = b"SWE1"

_LITTLE = sys.byteorder == "little"


def has_numpy() -> bool:
    """True when numpy is importable (results are then numpy arrays)."""
    return _np is not None


def vector_payload(vector: Any) -> Tuple[memoryview, str, Tuple[int, ...]]:
    """The bytes to send for ``vector``, its dtype name and its shape.

    Accepts numpy arrays (float32/float64 go as they are, other numeric types are converted to
    float64), ``array.array`` of type ``"f"`` or ``"d"``, memoryviews of those formats, and
    sequences of numbers (converted to float64; convenient, not fast).

    Raises:
        BadVectorError: for objects that are not numeric vectors.
    """
    if _np is not None and isinstance(vector, _np.ndarray):
        if vector.dtype.kind not in "fiub":
            raise BadVectorError(f"vector expected a real numpy array, got dtype {vector.dtype}")
        single = vector.dtype.kind == "f" and vector.dtype.itemsize == 4
        # no copy when the array already is contiguous little-endian float32/float64
        arr = _np.ascontiguousarray(vector, dtype="<f4" if single else "<f8")
        return arr.data.cast("B"), "float32" if single else "float64", tuple(int(n) for n in vector.shape)
    if isinstance(vector, array.array) and vector.typecode in ("f", "d"):
        data = vector if _LITTLE else _swapped(vector)
        return memoryview(data).cast("B"), "float32" if vector.typecode == "f" else "float64", (len(vector),)
    if isinstance(vector, memoryview) and vector.format in ("f", "d") and vector.c_contiguous:
        flat = vector.cast("B").cast(vector.format)
        view = flat if _LITTLE else memoryview(_swapped(array.array(vector.format, flat)))
        return view.cast("B"), "float32" if vector.format == "f" else "float64", tuple(vector.shape or ())
    if isinstance(vector, Sequence) and not isinstance(vector, (str, bytes, bytearray)):
        try:
            a = array.array("d", vector)
        except TypeError:
            raise BadVectorError("vector expected a sequence of numbers") from None
        return vector_payload(a)
    raise BadVectorError(
        f"vector expected a numpy array, array.array('f'/'d'), a float memoryview or a sequence of numbers, "
        f"got {type(vector).__name__}"
    )


def _swapped(a: "array.array[Any]") -> "array.array[Any]":
    b = array.array(a.typecode, a)
    b.byteswap()
    return b


def open_envelope(body: Union[bytes, bytearray]) -> Tuple[Dict[str, Any], Any]:
    """Splits an envelope into its JSON and its float64 data (a numpy view of ``body`` if numpy
    is present, else an ``array.array("d")`` copy), shaped as the JSON says.

    Raises:
        BadVectorError: when ``body`` is not an envelope.
    """
    if len(body) < 8 or bytes(body[:4]) != ENVELOPE_MAGIC:
        raise error_for("E_BAD_PAYLOAD", "the agent's answer is not a shardwire envelope (no SWE1 magic)")
    (n,) = struct.unpack_from("<I", body, 4)
    meta = json.loads(bytes(body[8 : 8 + n]).decode("utf-8"))
    start = 8 + n + (-(8 + n) % 8)
    count = (len(body) - start) // 8
    shape = tuple(meta.get("shape", (count,)))
    if _np is not None:
        data = _np.frombuffer(body, dtype="<f8", count=count, offset=start)
        return meta, data.reshape(shape)
    out = array.array("d")
    out.frombytes(bytes(body[start : start + 8 * count]))
    if not _LITTLE:
        out.byteswap()
    return meta, out
