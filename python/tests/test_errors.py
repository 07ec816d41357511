"""Agent error answers become the exception class of their code."""

import unittest

import shardwire
from shardwire.errors import ERROR_CLASSES, ShardwireError, error_from_answer


class Errors(unittest.TestCase):
    def test_each_code_has_its_class(self) -> None:
        for code, cls in ERROR_CLASSES.items():
            e = error_from_answer(409, {"code": code, "message": f"{code}: x", "hint": "h", "details": {"a": 1}})
            self.assertIs(type(e), cls)
            self.assertIsInstance(e, ShardwireError)
            self.assertEqual((e.code, e.status, e.hint, e.details), (code, 409, "h", {"a": 1}))
            self.assertIn("hint: h", str(e))

    def test_names_and_builtins(self) -> None:
        self.assertIs(ERROR_CLASSES["E_TOO_FEW_CONTRIBUTORS"], shardwire.TooFewContributorsError)
        self.assertTrue(issubclass(shardwire.ShardwireTimeoutError, TimeoutError))
        self.assertIs(ERROR_CLASSES["E_BAD_TOKEN"], shardwire.BadTokenError)

    def test_unknown_code_and_malformed_answer(self) -> None:
        e = error_from_answer(400, {"code": "E_FROM_THE_FUTURE", "message": "m"})
        self.assertIs(type(e), ShardwireError)
        self.assertEqual(e.code, "E_FROM_THE_FUTURE")
        self.assertEqual(error_from_answer(502, {}).status, 502)


if __name__ == "__main__":
    unittest.main()
