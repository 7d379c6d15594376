"""MuHash3072 in plain Python (as Bitcoin Core's test_framework/crypto/
muhash.py): an implementation independent of blvm's C code, used to check
gettxoutsetinfo's "muhash"."""
import hashlib
import struct

MODULUS = 2**3072 - 1103717


def _rotl32(v, bits):
    return ((v << bits) & 0xffffffff) | (v >> (32 - bits))


def _quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xffffffff
    s[d] = _rotl32(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xffffffff
    s[b] = _rotl32(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xffffffff
    s[d] = _rotl32(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xffffffff
    s[b] = _rotl32(s[b] ^ s[c], 7)


def chacha20_block(key, nonce, counter):
    """RFC 8439 block function: 32-byte key, 12-byte nonce, 32-bit counter."""
    init = [0x61707865, 0x3320646e, 0x79622d32, 0x6b206574]
    init += list(struct.unpack("<8I", key)) + [counter] + list(struct.unpack("<3I", nonce))
    s = list(init)
    for _ in range(10):
        _quarter(s, 0, 4, 8, 12)
        _quarter(s, 1, 5, 9, 13)
        _quarter(s, 2, 6, 10, 14)
        _quarter(s, 3, 7, 11, 15)
        _quarter(s, 0, 5, 10, 15)
        _quarter(s, 1, 6, 11, 12)
        _quarter(s, 2, 7, 8, 13)
        _quarter(s, 3, 4, 9, 14)
    return struct.pack("<16I", *[(s[i] + init[i]) & 0xffffffff for i in range(16)])


def data_to_num3072(data):
    key = hashlib.sha256(data).digest()
    stream = b"".join(chacha20_block(key, bytes(12), i) for i in range(6))
    return int.from_bytes(stream, "little")


class MuHash3072:
    def __init__(self):
        self.numerator = 1
        self.denominator = 1

    def insert(self, data):
        self.numerator = (self.numerator * data_to_num3072(data)) % MODULUS

    def remove(self, data):
        self.denominator = (self.denominator * data_to_num3072(data)) % MODULUS

    def digest(self):
        val = (self.numerator * pow(self.denominator, -1, MODULUS)) % MODULUS
        return hashlib.sha256(val.to_bytes(384, "little")).digest()
