#!/usr/bin/env python3
"""pcapng-mutate.py PROB SEED IN OUT — editcap -E for pcapng files editcap
cannot rewrite.

editcap 4.0 refuses to write a pcapng file that holds a Decryption Secrets
Block ("can't be written as a pcapng file"), yet those captures (TLS with
their keys) are the ones whose decrypted payload reaches the deepest
dissectors. This mutates the packet data of Enhanced (and obsolete) Packet
Blocks the way editcap -E does (per byte, with probability PROB: flip a bit,
random byte, alphanumeric byte, "%s", 0xAA run) and copies every other block,
secrets included, unchanged. Deterministic for a given SEED.
SPDX-License-Identifier: GPL-2.0-or-later
"""
import random
import struct
import sys

ALNUM = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# editcap.c weights: bit 5, byte 5, alnum 5, format string 2, 0xAA run 1.
WEIGHTS = [("bit", 5), ("byte", 5), ("alnum", 5), ("fmt", 2), ("aa", 1)]
TOTAL = sum(w for _, w in WEIGHTS)


def mutate(data: bytearray, prob: float, rng: random.Random) -> None:
    n = len(data)
    for i in range(n):
        if rng.random() >= prob:
            continue
        r = rng.randrange(TOTAL)
        for kind, w in WEIGHTS:
            if r < w:
                break
            r -= w
        if kind == "bit":
            data[i] ^= 1 << rng.randrange(8)
        elif kind == "byte":
            data[i] = rng.randrange(256)
        elif kind == "alnum":
            data[i] = ALNUM[rng.randrange(len(ALNUM))]
        elif kind == "fmt" and i < n - 2:
            data[i:i + 2] = b"%s"
        elif kind == "aa" and i < n - 2:
            k = min(rng.randrange(1, 17), n - i)
            data[i:i + k] = b"\xaa" * k


def main() -> int:
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        return 2
    prob, seed, src, dst = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rng = random.Random(seed)
    raw = open(src, "rb").read()
    out = bytearray()
    off = 0
    endian = "<"
    while off + 12 <= len(raw):
        btype = struct.unpack_from(endian + "I", raw, off)[0]
        if btype == 0x0A0D0D0A:  # section header: byte order from its magic
            magic = raw[off + 8:off + 12]
            endian = "<" if magic == b"\x4d\x3c\x2b\x1a" else ">"
        blen = struct.unpack_from(endian + "I", raw, off + 4)[0]
        if blen < 12 or off + blen > len(raw):
            out += raw[off:]  # damaged tail: copy as is
            off = len(raw)
            break
        block = bytearray(raw[off:off + blen])
        if btype in (6, 2):  # EPB / obsolete PB: data after a 20-byte body header
            caplen = struct.unpack_from(endian + "I", block, 20)[0]
            start = 28
            if start + caplen <= blen - 4:
                data = bytearray(block[start:start + caplen])
                mutate(data, prob, rng)
                block[start:start + caplen] = data
        out += block
        off += blen
    out += raw[off:]
    with open(dst, "wb") as f:
        f.write(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
