"""Shamir secret sharing over the prime field of 2^255 − 19: split a secret, rebuild it from t shares.

A member's self-masks and day-key seeds are shared among the team so the
day can be opened without them (Bonawitz et al., CCS 2017): any t shares
rebuild the secret, and t − 1 say nothing about it, because a random
polynomial of degree t − 1 through the secret takes every value at the
t − 1 points a coalition holds equally often.

Shares are *linear*: the sum of members' shares at the same point is a share
of the sum of their secrets. The day's total self-mask is rebuilt from one
such sum per revealing member, and a week's from the sum over its days, so
no single member's mask (or a single day's, when days are pooled) is ever
rebuilt. That needs every secret shared at the same point for the same
member: `x_of` derives it from the member's name.

The field is GF(p) for p = 2^255 − 19, large enough that a uniform element
is a 254-bit key seed and small enough that an element is 32 bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache

PRIME = 2**255 - 19
"""The field's order: every self-mask, seed and share is an integer from 0 to PRIME − 1."""
ELEMENT_BYTES = 32
"""An element written out: 32 bytes, little-endian."""

Random = Callable[[int], bytes]
"""Where randomness comes from: os.urandom in use, a seeded stream in tests."""


def element(data: bytes) -> int:
    """A uniform field element from at least 64 uniform bytes (the bias of reducing 512 bits is 2^-257)."""
    if len(data) < 64:
        raise ValueError("a field element needs 64 uniform bytes")
    return int.from_bytes(data[:64], "little") % PRIME


def random_element(rand: Random) -> int:
    """A fresh uniform field element."""
    return element(rand(64))


def to_bytes(value: int) -> bytes:
    """A field element as its 32 bytes."""
    return value.to_bytes(ELEMENT_BYTES, "little")


def from_bytes(data: bytes) -> int:
    """A field element back from its 32 bytes (ValueError for any other length or a value ≥ PRIME)."""
    if len(data) != ELEMENT_BYTES:
        raise ValueError("a field element is 32 bytes")
    value = int.from_bytes(data, "little")
    if value >= PRIME:
        raise ValueError("not a field element")
    return value


@lru_cache(maxsize=1024)
def x_of(member: str) -> int:
    """The point at which `member` holds every share: the same for every secret, so shares add up.

    A hash of the member's name (folded), never 0 (the secret sits at 0).
    """
    digest = hashlib.blake2b(member.casefold().encode(), digest_size=64, person=b"huddle-shamir-x").digest()
    return 1 + int.from_bytes(digest, "little") % (PRIME - 1)


def split(secret: int, t: int, members: Iterable[str], rand: Random) -> dict[str, int]:
    """Each member's share of `secret`: any `t` of them rebuild it, fewer say nothing about it.

    The shares are the values at each member's point of a polynomial of
    degree t − 1 whose constant term is the secret and whose other
    coefficients are uniform.
    """
    names = sorted(set(members))
    if not 1 <= t <= len(names):
        raise ValueError(f"a threshold of {t} needs from 1 to {len(names)} holders")
    if not 0 <= secret < PRIME:
        raise ValueError("the secret must be a field element")
    coefficients = [secret] + [random_element(rand) for _ in range(t - 1)]
    return {name: evaluate(coefficients, x_of(name)) for name in names}


def evaluate(coefficients: Sequence[int], x: int) -> int:
    """The polynomial with these coefficients (constant term first) at `x` (Horner's rule)."""
    value = 0
    for c in reversed(coefficients):
        value = (value * x + c) % PRIME
    return value


@lru_cache(maxsize=64)
def lagrange_at_zero(xs: tuple[int, ...]) -> tuple[int, ...]:
    """The weights that turn the values at `xs` (distinct, non-zero) into the polynomial's value at 0.

    They depend only on the points, so a reader computes them once for the
    members revealing (the same t for most secrets of a day) and applies
    them to every secret those members reveal; one inversion serves them
    all (Montgomery's trick).
    """
    if len(set(xs)) != len(xs) or 0 in xs:
        raise ValueError("points must be distinct and non-zero")
    product = 1
    for x in xs:
        product = product * x % PRIME
    denominators = []
    for i, xi in enumerate(xs):
        d = xi
        for j, xj in enumerate(xs):
            if i != j:
                d = d * (xj - xi) % PRIME
        denominators.append(d)
    inverses = _invert_all(denominators)
    return tuple(product * inv % PRIME for inv in inverses)


def _invert_all(values: Sequence[int]) -> list[int]:
    """The inverses of non-zero field elements with one modular inversion (Montgomery's trick)."""
    prefix = [1]
    for v in values:
        prefix.append(prefix[-1] * v % PRIME)
    inverse = pow(prefix[-1], -1, PRIME)
    out = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = inverse * prefix[i] % PRIME
        inverse = inverse * values[i] % PRIME
    return out


def combine(weights: Sequence[int], values: Sequence[int]) -> int:
    """The secret from the shares at the points the weights were made for."""
    return sum(w * v for w, v in zip(weights, values, strict=True)) % PRIME


def recover(shares: Mapping[str, int], t: int) -> int:
    """The secret from at least `t` members' shares (the first t by name are used).

    Fewer than t is an error, not a guess: t − 1 shares fit every secret.
    Which t are used is fixed (by name) so every reader rebuilds from the
    same ones.
    """
    if len(shares) < t:
        raise ValueError(f"{len(shares)} shares, {t} needed")
    names = sorted(shares)[:t]
    return combine(lagrange_at_zero(tuple(x_of(n) for n in names)), [shares[n] for n in names])
