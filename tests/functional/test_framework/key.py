"""Keys and signatures for functional tests, in pure Python (standard library
only, so slow but fine for a handful of signatures): secp256k1 ECDSA with
RFC 6979 nonces and low S (what Core's signer produces), BIP340 Schnorr,
BIP341 key-path tweaks, and the three signature hashes (legacy, BIP143,
BIP341) for SIGHASH_ALL / SIGHASH_DEFAULT. Not constant time: test use only.
"""
import hashlib
import hmac
import struct

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


def _add(a, b):
    if a is None:
        return b
    if b is None:
        return a
    if a[0] == b[0]:
        if (a[1] + b[1]) % P == 0:
            return None
        lam = 3 * a[0] * a[0] * pow(2 * a[1], P - 2, P) % P
    else:
        lam = (b[1] - a[1]) * pow(b[0] - a[0], P - 2, P) % P
    x = (lam * lam - a[0] - b[0]) % P
    return (x, (lam * (a[0] - x) - a[1]) % P)


def point_mul(k, pt=G):
    r = None
    while k:
        if k & 1:
            r = _add(r, pt)
        pt = _add(pt, pt)
        k >>= 1
    return r


def tagged_hash(tag, data):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def sha256(b):
    return hashlib.sha256(b).digest()


def sha256d(b):
    return sha256(sha256(b))


def _ripemd160_py(data):
    """RIPEMD-160 for Pythons whose OpenSSL lacks it."""
    r1 = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 7, 4, 13, 1, 10, 6, 15, 3, 12, 0,
          9, 5, 2, 14, 11, 8, 3, 10, 14, 4, 9, 15, 8, 1, 2, 7, 0, 6, 13, 11, 5, 12, 1, 9, 11, 10,
          0, 8, 12, 4, 13, 3, 7, 15, 14, 5, 6, 2, 4, 0, 5, 9, 7, 12, 2, 10, 14, 1, 3, 8, 11, 6,
          15, 13]
    r2 = [5, 14, 7, 0, 9, 2, 11, 4, 13, 6, 15, 8, 1, 10, 3, 12, 6, 11, 3, 7, 0, 13, 5, 10, 14,
          15, 8, 12, 4, 9, 1, 2, 15, 5, 1, 3, 7, 14, 6, 9, 11, 8, 12, 2, 10, 0, 4, 13, 8, 6, 4, 1,
          3, 11, 15, 0, 5, 12, 2, 13, 9, 7, 10, 14, 12, 15, 10, 4, 1, 5, 8, 7, 6, 2, 13, 14, 0,
          3, 9, 11]
    s1 = [11, 14, 15, 12, 5, 8, 7, 9, 11, 13, 14, 15, 6, 7, 9, 8, 7, 6, 8, 13, 11, 9, 7, 15, 7,
          12, 15, 9, 11, 7, 13, 12, 11, 13, 6, 7, 14, 9, 13, 15, 14, 8, 13, 6, 5, 12, 7, 5, 11,
          12, 14, 15, 14, 15, 9, 8, 9, 14, 5, 6, 8, 6, 5, 12, 9, 15, 5, 11, 6, 8, 13, 12, 5, 12,
          13, 14, 11, 8, 5, 6]
    s2 = [8, 9, 9, 11, 13, 15, 15, 5, 7, 7, 8, 11, 14, 14, 12, 6, 9, 13, 15, 7, 12, 8, 9, 11, 7,
          7, 12, 7, 6, 15, 13, 11, 9, 7, 15, 11, 8, 6, 6, 14, 12, 13, 5, 14, 13, 13, 7, 5, 15, 5,
          8, 11, 14, 14, 6, 14, 6, 9, 12, 9, 12, 5, 15, 8, 8, 5, 12, 9, 12, 5, 14, 6, 8, 13, 6,
          5, 15, 13, 11, 11]
    k1 = [0, 0x5A827999, 0x6ED9EBA1, 0x8F1BBCDC, 0xA953FD4E]
    k2 = [0x50A28BE6, 0x5C4DD124, 0x6D703EF3, 0x7A6D76E9, 0]
    M = 0xffffffff

    def f(j, x, y, z):
        if j < 16:
            return x ^ y ^ z
        if j < 32:
            return (x & y) | (~x & M & z)
        if j < 48:
            return (x | (~y & M)) ^ z
        if j < 64:
            return (x & z) | (y & ~z & M)
        return x ^ (y | (~z & M))

    def rol(x, n):
        return ((x << n) | (x >> (32 - n))) & M

    h = [0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0]
    msg = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack("<Q", 8 * len(data))
    for off in range(0, len(msg), 64):
        x = struct.unpack("<16I", msg[off:off + 64])
        al, bl, cl, dl, el = h
        ar, br, cr, dr, er = h
        for j in range(80):
            t = rol((al + f(j, bl, cl, dl) + x[r1[j]] + k1[j // 16]) & M, s1[j]) + el
            al, el, dl, cl, bl = el, dl, rol(cl, 10), bl, t & M
            t = rol((ar + f(79 - j, br, cr, dr) + x[r2[j]] + k2[j // 16]) & M, s2[j]) + er
            ar, er, dr, cr, br = er, dr, rol(cr, 10), br, t & M
        t = (h[1] + cl + dr) & M
        h[1] = (h[2] + dl + er) & M
        h[2] = (h[3] + el + ar) & M
        h[3] = (h[4] + al + br) & M
        h[4] = (h[0] + bl + cr) & M
        h[0] = t
    return struct.pack("<5I", *h)


def hash160(b):
    try:
        r = hashlib.new("ripemd160", sha256(b)).digest()
    except ValueError:
        r = _ripemd160_py(sha256(b))
    return r


class Key:
    def __init__(self, secret):
        assert 0 < secret < N
        self.d = secret
        self.point = point_mul(secret)

    def pubkey(self):
        """Compressed SEC1 public key."""
        x, y = self.point
        return bytes([2 + (y & 1)]) + x.to_bytes(32, "big")

    def xonly(self):
        return self.point[0].to_bytes(32, "big")

    def sign_ecdsa(self, msg32):
        """DER signature with an RFC 6979 nonce and low S (BIP62/BIP146)."""
        x = self.d.to_bytes(32, "big")
        v, k = b"\x01" * 32, b"\x00" * 32
        k = hmac.new(k, v + b"\x00" + x + msg32, hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()
        k = hmac.new(k, v + b"\x01" + x + msg32, hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()
        z = int.from_bytes(msg32, "big")
        while True:
            v = hmac.new(k, v, hashlib.sha256).digest()
            nonce = int.from_bytes(v, "big")
            if 0 < nonce < N:
                r = point_mul(nonce)[0] % N
                s = pow(nonce, N - 2, N) * (z + r * self.d) % N
                if r and s:
                    break
            k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
            v = hmac.new(k, v, hashlib.sha256).digest()
        if s > N // 2:
            s = N - s

        def der_int(i):
            b = i.to_bytes(32, "big").lstrip(b"\x00")
            if b[0] & 0x80:
                b = b"\x00" + b
            return b"\x02" + bytes([len(b)]) + b

        body = der_int(r) + der_int(s)
        return b"\x30" + bytes([len(body)]) + body


def schnorr_sign(secret, msg32, aux=b"\x00" * 32):
    """BIP340 signature with secret key `secret` (an int)."""
    pt = point_mul(secret)
    d = secret if pt[1] % 2 == 0 else N - secret
    t = (d ^ int.from_bytes(tagged_hash("BIP0340/aux", aux), "big")).to_bytes(32, "big")
    px = pt[0].to_bytes(32, "big")
    k0 = int.from_bytes(tagged_hash("BIP0340/nonce", t + px + msg32), "big") % N
    assert k0
    rp = point_mul(k0)
    k = k0 if rp[1] % 2 == 0 else N - k0
    rx = rp[0].to_bytes(32, "big")
    e = int.from_bytes(tagged_hash("BIP0340/challenge", rx + px + msg32), "big") % N
    return rx + ((k + e * d) % N).to_bytes(32, "big")


def taproot_tweak(key):
    """BIP341 key-path output with no script tree: (output x-only key,
    tweaked secret for signing)."""
    pt = key.point
    d = key.d if pt[1] % 2 == 0 else N - key.d
    t = int.from_bytes(tagged_hash("TapTweak", key.xonly()), "big")
    assert t < N
    q = point_mul((d + t) % N)
    return q[0].to_bytes(32, "big"), (d + t) % N


# ---- signature hashes (transactions as in mining tests: see Tx there) ----

def _ser_script(s):
    return _compact(len(s)) + s


def _compact(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


def _outpoint(txid_hex, n):
    return bytes.fromhex(txid_hex)[::-1] + struct.pack("<I", n)


def _outputs(tx):
    return b"".join(struct.pack("<q", v) + _ser_script(s) for v, s in tx.vout)


def sighash_legacy(tx, i, script_code, hashtype=1):
    """Core's SignatureHash for SIGVERSION_BASE, SIGHASH_ALL."""
    r = struct.pack("<I", tx.version) + _compact(len(tx.vin))
    for j, (txid, n, _, seq) in enumerate(tx.vin):
        r += _outpoint(txid, n) + _ser_script(script_code if j == i else b"") + struct.pack("<I", seq)
    r += _compact(len(tx.vout)) + _outputs(tx) + struct.pack("<I", tx.locktime)
    return sha256d(r + struct.pack("<I", hashtype))


def sighash_bip143(tx, i, script_code, amount, hashtype=1):
    prevouts = b"".join(_outpoint(t, n) for t, n, _, _ in tx.vin)
    seqs = b"".join(struct.pack("<I", s) for _, _, _, s in tx.vin)
    txid, n, _, seq = tx.vin[i]
    r = (struct.pack("<I", tx.version) + sha256d(prevouts) + sha256d(seqs) + _outpoint(txid, n) +
         _ser_script(script_code) + struct.pack("<q", amount) + struct.pack("<I", seq) +
         sha256d(_outputs(tx)) + struct.pack("<I", tx.locktime) + struct.pack("<I", hashtype))
    return sha256d(r)


def sighash_taproot(tx, i, spent, hashtype=0):
    """BIP341 key-path signature hash; spent: [(amount, scriptPubKey)] per input."""
    prevouts = b"".join(_outpoint(t, n) for t, n, _, _ in tx.vin)
    amounts = b"".join(struct.pack("<q", v) for v, _ in spent)
    spks = b"".join(_ser_script(s) for _, s in spent)
    seqs = b"".join(struct.pack("<I", s) for _, _, _, s in tx.vin)
    msg = (b"\x00" + bytes([hashtype]) + struct.pack("<I", tx.version) +
           struct.pack("<I", tx.locktime) + sha256(prevouts) + sha256(amounts) + sha256(spks) +
           sha256(seqs) + sha256(_outputs(tx)) + b"\x00" + struct.pack("<I", i))
    return tagged_hash("TapSighash", msg)
