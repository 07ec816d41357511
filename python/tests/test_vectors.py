"""Vectors to bytes and envelopes back, with and without numpy (no agent needed)."""

import array
import json
import struct
import unittest
from unittest import mock

import numpy as np

from shardwire import _vectors
from shardwire._vectors import open_envelope, vector_payload
from shardwire.errors import BadPayloadError, BadVectorError


def envelope(meta: dict, data: np.ndarray) -> bytearray:
    j = json.dumps(meta).encode()
    head = b"SWE1" + struct.pack("<I", len(j)) + j
    head += b"\0" * (-len(head) % 8)
    return bytearray(head + data.astype("<f8").tobytes())


class VectorPayload(unittest.TestCase):
    def test_float32_and_float64_go_without_copy(self) -> None:
        for dtype, name in ((np.float32, "float32"), (np.float64, "float64")):
            a = np.arange(12, dtype=dtype).reshape(3, 4)
            payload, got, shape = vector_payload(a)
            self.assertEqual((got, shape), (name, (3, 4)))
            self.assertEqual(payload.nbytes, a.nbytes)
            self.assertTrue(np.shares_memory(np.frombuffer(payload, dtype=dtype), a), "no copy")

    def test_other_arrays_become_little_endian_float64_values(self) -> None:
        inputs = (
            np.arange(5, dtype=np.int32), np.arange(5, dtype=">f8"),
            np.arange(10.0)[::2], np.float16([1, 2, 3, 4, 5]),
        )
        for a in inputs:
            payload, name, shape = vector_payload(a)
            expected = "float64" if a.dtype.itemsize != 4 or a.dtype.kind != "f" else "float32"
            self.assertEqual(name, expected)
            self.assertEqual(shape, (5,))
            sent = np.frombuffer(payload, dtype="<f8" if name == "float64" else "<f4")
            np.testing.assert_array_equal(sent, a.astype(np.float64))
        payload, name, shape = vector_payload(np.array(2.5))
        self.assertEqual((name, shape, np.frombuffer(payload, "<f8").tolist()), ("float64", (), [2.5]))

    def test_standard_library_inputs(self) -> None:
        cases = ((array.array("f", [1, 2]), "float32"), (array.array("d", [1, 2]), "float64"), ([1, 2.5], "float64"))
        for v, name in cases:
            payload, got, shape = vector_payload(v)
            self.assertEqual((got, shape), (name, (2,)))
        payload, got, shape = vector_payload(memoryview(array.array("d", [1, 2, 3])))
        self.assertEqual((got, shape, payload.nbytes), ("float64", (3,), 24))

    def test_refused(self) -> None:
        for bad in ("abc", b"\x00" * 8, {"a": 1}, np.array(["x"]), np.array([1 + 2j]), [1, "a"], object()):
            with self.assertRaises(BadVectorError, msg=repr(bad)) as cm:
                vector_payload(bad)
            self.assertEqual(cm.exception.code, "E_BAD_VECTOR")


class Envelope(unittest.TestCase):
    def test_reads_meta_and_maps_data(self) -> None:
        for memo in ("", "r", "r-12345", "x" * 13):
            data = np.linspace(-1, 1, 7)
            body = envelope({"memo": memo, "shape": [7]}, data)
            meta, got = open_envelope(body)
            self.assertEqual(meta["memo"], memo)
            np.testing.assert_array_equal(got, data)
            self.assertTrue(np.shares_memory(got, np.frombuffer(body, dtype=np.uint8)), "mapped, not copied")

    def test_without_numpy(self) -> None:
        body = envelope({"memo": "m", "shape": [3]}, np.array([1.0, -2.0, 0.5]))
        with mock.patch.object(_vectors, "_np", None):
            meta, got = open_envelope(body)
            self.assertIsInstance(got, array.array)
            self.assertEqual(list(got), [1.0, -2.0, 0.5])
            payload, name, shape = vector_payload(array.array("d", [1.0]))
            self.assertEqual(name, "float64")

    def test_not_an_envelope(self) -> None:
        with self.assertRaises(BadPayloadError):
            open_envelope(bytearray(b"{}"))


if __name__ == "__main__":
    unittest.main()
