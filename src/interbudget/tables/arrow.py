"""Arrow arrays to numpy and back through their buffers, and the distinct values of a dictionary column.

pyarrow's own conversions (`Array.to_numpy`, `pa.array`, `pa.scalar`, any
compute call given a Python scalar) ask once per process whether pandas can
be imported, and `pa.array` of a numpy array imports numpy.ma: together
about half a second that reading a dataset does not need. These helpers read
and build fixed-width and boolean arrays straight from their buffers, so the
common path of `load_dataset` (a typed CSV read, tables/__init__.py) touches
neither; anything else goes through pyarrow as before.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa


def _view(arr: pa.Array) -> np.ndarray:
    """A numpy view of a null-free fixed-width or boolean array (a fresh array for booleans), else pyarrow's own."""
    t = arr.type
    n = len(arr)
    if arr.null_count == 0 and (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_boolean(t)):
        buf = arr.buffers()[1]
        if pa.types.is_boolean(t):
            if n == 0 or buf is None:
                return np.zeros(n, dtype=bool)
            bits = np.unpackbits(np.frombuffer(buf, np.uint8), count=arr.offset + n, bitorder="little")
            return bits[arr.offset:].view(bool)
        dtype = np.dtype(t.to_pandas_dtype())
        if n == 0 or buf is None:
            return np.zeros(n, dtype=dtype)
        return np.frombuffer(buf, dtype=dtype, count=n, offset=arr.offset * dtype.itemsize)
    return arr.to_numpy(zero_copy_only=False)


def to_np(arr: pa.Array | pa.ChunkedArray, dtype, copy: bool = False) -> np.ndarray:
    """A numpy view (zero-copy where Arrow allows; then read-only) or a writable copy."""
    if isinstance(arr, pa.ChunkedArray):  # chunk by chunk: ChunkedArray.to_numpy goes through pandas (0.5 s to import)
        if arr.num_chunks == 1:
            arr = arr.chunk(0)
        else:
            parts = [_view(c) for c in arr.chunks]
            return np.asarray(np.concatenate(parts), dtype=dtype) if parts else np.zeros(0, dtype=dtype)
    out = _view(arr)
    return np.array(out, dtype=dtype) if copy else np.asarray(out, dtype=dtype)


def valid(arr: pa.Array) -> np.ndarray:
    """Which entries of an array are not null (from its validity bitmap)."""
    n = len(arr)
    if arr.null_count == 0:
        return np.ones(n, dtype=bool)
    if arr.null_count == n:
        return np.zeros(n, dtype=bool)
    bits = np.unpackbits(np.frombuffer(arr.buffers()[0], np.uint8), count=arr.offset + n, bitorder="little")
    return bits[arr.offset:].view(bool)


def filled(arr: pa.Array, fill, dtype) -> np.ndarray:
    """The values of a fixed-width array with nulls replaced by `fill` (a writable numpy array)."""
    if arr.null_count == 0:
        return to_np(arr, dtype, copy=True)
    ok = valid(arr)
    buf = arr.buffers()[1]
    raw_dtype = np.dtype(arr.type.to_pandas_dtype())
    raw = np.frombuffer(buf, dtype=raw_dtype, count=len(arr), offset=arr.offset * raw_dtype.itemsize)
    return np.where(ok, raw, fill).astype(dtype, copy=False)


def indices(arr: pa.DictionaryArray) -> np.ndarray:
    """A null-free dictionary array's indices as numpy."""
    return to_np(arr.indices, arr.indices.type.to_pandas_dtype())


def untrimmed(dictionary: pa.Array) -> bool:
    """Whether some value of a string array may change when trimmed (Arrow's utf8_trim_whitespace): conservatively,
    a value that starts or ends with a byte outside printable ASCII other than the space. The rest are the same
    trimmed or not, under Python's and Arrow's idea of white space alike."""
    n = len(dictionary)
    if n == 0:
        return False
    if dictionary.null_count or not pa.types.is_string(dictionary.type):
        return True
    offs = np.frombuffer(dictionary.buffers()[1], np.int32, count=n + 1, offset=dictionary.offset * 4)
    data = dictionary.buffers()[2]
    if data is None or offs[-1] == offs[0]:
        return False
    b = np.frombuffer(data, np.uint8)
    start, end = offs[:-1], offs[1:]
    some = end > start
    first, last = b[start[some]], b[end[some] - 1]
    return bool(((first <= 0x20) | (first >= 0x7F) | (last <= 0x20) | (last >= 0x7F)).any())


def from_bools(mask: np.ndarray) -> pa.Array:
    """An Arrow boolean array of a numpy one, bit-packed here (`pa.array` of numpy imports numpy.ma)."""
    bits = np.packbits(np.asarray(mask, dtype=bool), bitorder="little")
    return pa.Array.from_buffers(pa.bool_(), int(mask.size), [None, pa.py_buffer(bits)])


def from_np(values: np.ndarray) -> pa.Array:
    """An Arrow array of a fixed-width numpy array, sharing its memory (`pa.array` of numpy imports numpy.ma)."""
    values = np.ascontiguousarray(values)
    if values.dtype == bool:
        return from_bools(values)
    return pa.Array.from_buffers(pa.from_numpy_dtype(values.dtype), int(values.size), [None, pa.py_buffer(values)])
