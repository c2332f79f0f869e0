"""Anonymous answers that only ever exist as a team's total: secure aggregation over a shared folder.

Pure functions over bytes and ints, no file IO (docs/aggregation.md is the
design; the storage layer publishes and reads what these make):

- shamir.py       Shamir sharing over GF(2^255 − 19)
- primitives.py   X25519, XChaCha20-Poly1305, the ChaCha20 PRG, BLAKE2b (libsodium)
- wire.py         reading payloads back, checked
- layout.py       a contribution's sections and lanes, and the k rule of each
- dcnet.py        free text in random slots, collisions caught by checksums
- keys.py         share keys, and day keys published ahead with their seeds' shares
- contribution.py a member's masked contribution for a day
- unmask.py       the day's list, the shares members reveal, opening a day or a pooled week
"""
