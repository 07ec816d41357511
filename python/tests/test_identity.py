"""roster_hash: the same value as the TypeScript SDK's rosterHash() (known answer made with it)."""

import base64
import unittest

import shardwire
from shardwire import PublicIdentity, roster_hash

# rosterHash() of src/crypto/hash.ts over these three members (ids sorted as UTF-16: Alpha < alpha < zeta)
KNOWN = "8b708af0b3c94a8e0a710905a770db3567182081e497c4a731891525e9f9c969"


class RosterHash(unittest.TestCase):
    def members(self) -> list:
        return [
            PublicIdentity("zeta", base64.b64encode(bytes([1]) * 32).decode()),
            PublicIdentity("Alpha", base64.b64encode(bytes(i * 8 + 3 for i in range(32))).decode()),
            PublicIdentity("alpha", base64.urlsafe_b64encode(bytes([255]) * 32).decode().rstrip("=")),
        ]

    def test_known_answer_in_any_order_and_key_spelling(self) -> None:
        self.assertEqual(roster_hash(self.members()), KNOWN)
        self.assertEqual(roster_hash(reversed(self.members())), KNOWN)

    def test_bad_rosters_are_refused(self) -> None:
        m = self.members()
        with self.assertRaises(shardwire.BadArgumentError):
            roster_hash(m + [m[0]])
        with self.assertRaises(shardwire.BadArgumentError):
            roster_hash([PublicIdentity("x", base64.b64encode(bytes(31)).decode())])
        with self.assertRaises(shardwire.BadArgumentError):
            roster_hash([PublicIdentity("x", "not base64!")])


if __name__ == "__main__":
    unittest.main()
