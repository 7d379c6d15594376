"""A small, pure-Python secp256k1 for the tests built on messages.py (TestKey):
keys, ECDSA signing (RFC 6979 nonces, low S, DER), BIP340 Schnorr signing
with x-only keys and the BIP341 key-path tweak. Not constant time; tests only."""
import hashlib
import hmac

P = 2**256 - 2**32 - 977
N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
G = (0x79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798,
     0x483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8)


# -- group arithmetic (Jacobian coordinates, None is infinity) --

def _jac_double(p):
    if p is None:
        return None
    x, y, z = p
    if y == 0:
        return None
    ysq = y * y % P
    s = 4 * x * ysq % P
    m = 3 * x * x % P
    nx = (m * m - 2 * s) % P
    ny = (m * (s - nx) - 8 * ysq * ysq) % P
    nz = 2 * y * z % P
    return (nx, ny, nz)


def _jac_add(p, q):
    if p is None:
        return q
    if q is None:
        return p
    x1, y1, z1 = p
    x2, y2, z2 = q
    z1s, z2s = z1 * z1 % P, z2 * z2 % P
    u1, u2 = x1 * z2s % P, x2 * z1s % P
    s1, s2 = y1 * z2s * z2 % P, y2 * z1s * z1 % P
    if u1 == u2:
        if s1 != s2:
            return None
        return _jac_double(p)
    h = (u2 - u1) % P
    r = (s2 - s1) % P
    h2 = h * h % P
    h3 = h * h2 % P
    u1h2 = u1 * h2 % P
    nx = (r * r - h3 - 2 * u1h2) % P
    ny = (r * (u1h2 - nx) - s1 * h3) % P
    nz = h * z1 * z2 % P
    return (nx, ny, nz)


def _to_affine(p):
    if p is None:
        return None
    x, y, z = p
    zi = pow(z, -1, P)
    return (x * zi * zi % P, y * zi * zi * zi % P)


def point_mul(pt, k):
    """k * pt for an affine point pt."""
    r = None
    q = (pt[0], pt[1], 1)
    k %= N
    while k:
        if k & 1:
            r = _jac_add(r, q)
        q = _jac_double(q)
        k >>= 1
    return _to_affine(r)


def point_add(a, b):
    ja = None if a is None else (a[0], a[1], 1)
    jb = None if b is None else (b[0], b[1], 1)
    return _to_affine(_jac_add(ja, jb))


def lift_x(x):
    """BIP340 lift_x: the point with this x and an even y, or None."""
    if x >= P:
        return None
    ysq = (pow(x, 3, P) + 7) % P
    y = pow(ysq, (P + 1) // 4, P)
    if y * y % P != ysq:
        return None
    return (x, y if y % 2 == 0 else P - y)


def tagged_hash(tag, data):
    t = hashlib.sha256(tag.encode()).digest()
    return hashlib.sha256(t + t + data).digest()


def _int(b):
    return int.from_bytes(b, "big")


def _bytes(i):
    return i.to_bytes(32, "big")


# -- ECDSA --

def _rfc6979_nonce(d, h32, extra=b""):
    """RFC 6979 section 3.2 with HMAC-SHA256 (as libsecp256k1's default)."""
    x = _bytes(d)
    v = b"\x01" * 32
    k = b"\x00" * 32
    k = hmac.new(k, v + b"\x00" + x + h32 + extra, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    k = hmac.new(k, v + b"\x01" + x + h32 + extra, hashlib.sha256).digest()
    v = hmac.new(k, v, hashlib.sha256).digest()
    while True:
        v = hmac.new(k, v, hashlib.sha256).digest()
        t = _int(v)
        if 1 <= t < N:
            return t
        k = hmac.new(k, v + b"\x00", hashlib.sha256).digest()
        v = hmac.new(k, v, hashlib.sha256).digest()


def _der_int(i):
    b = i.to_bytes((i.bit_length() + 7) // 8 or 1, "big")
    if b[0] & 0x80:
        b = b"\x00" + b
    return b"\x02" + bytes([len(b)]) + b


def der_encode(r, s):
    body = _der_int(r) + _der_int(s)
    return b"\x30" + bytes([len(body)]) + body


def der_decode(sig):
    """(r, s) of a strict DER signature (no hash type byte)."""
    assert sig[0] == 0x30 and sig[1] == len(sig) - 2
    assert sig[2] == 2
    rlen = sig[3]
    r = _int(sig[4:4 + rlen])
    assert sig[4 + rlen] == 2
    slen = sig[5 + rlen]
    s = _int(sig[6 + rlen:6 + rlen + slen])
    return r, s


def ecdsa_verify(pubkey_point, h32, r, s):
    if not (1 <= r < N and 1 <= s < N):
        return False
    z = _int(h32)
    w = pow(s, -1, N)
    pt = point_add(point_mul(G, z * w % N), point_mul(pubkey_point, r * w % N))
    return pt is not None and pt[0] % N == r


class ECKey:
    """A private key: ECDSA signing and the serialized public key."""

    def __init__(self, secret, compressed=True):
        if isinstance(secret, (bytes, bytearray)):
            secret = _int(secret)
        assert 1 <= secret < N
        self.secret = secret
        self.compressed = compressed
        self.point = point_mul(G, secret)

    @classmethod
    def from_seed(cls, seed, compressed=True):
        """A deterministic key from any bytes (sha256 of them)."""
        return cls(_int(hashlib.sha256(seed).digest()) % (N - 1) + 1, compressed)

    def pubkey(self):
        x, y = self.point
        if self.compressed:
            return bytes([2 + (y & 1)]) + _bytes(x)
        return b"\x04" + _bytes(x) + _bytes(y)

    def sign_ecdsa(self, h32, low_s=True):
        """DER signature of a 32-byte hash (RFC 6979 nonce, low S)."""
        z = _int(h32)
        k = _rfc6979_nonce(self.secret, h32)
        while True:
            R = point_mul(G, k)
            r = R[0] % N
            s = pow(k, -1, N) * (z + r * self.secret) % N
            if r and s:
                break
            k = (k + 1) % N  # never happens in practice
        if low_s and s > N // 2:
            s = N - s
        return der_encode(r, s)


# -- BIP340 / BIP341 --

def xonly(point):
    return _bytes(point[0])


def schnorr_sign(secret, msg32, aux=b"\x00" * 32):
    """BIP340 signature of msg32 by the secret key (an int)."""
    d0 = secret % N
    assert d0 != 0
    Pt = point_mul(G, d0)
    d = d0 if Pt[1] % 2 == 0 else N - d0
    t = (d ^ _int(tagged_hash("BIP0340/aux", aux))).to_bytes(32, "big")
    k0 = _int(tagged_hash("BIP0340/nonce", t + xonly(Pt) + msg32)) % N
    assert k0 != 0
    R = point_mul(G, k0)
    k = k0 if R[1] % 2 == 0 else N - k0
    e = _int(tagged_hash("BIP0340/challenge", xonly(R) + xonly(Pt) + msg32)) % N
    return xonly(R) + _bytes((k + e * d) % N)


def schnorr_verify(pub32, msg32, sig):
    Pt = lift_x(_int(pub32))
    if Pt is None or len(sig) != 64:
        return False
    r, s = _int(sig[:32]), _int(sig[32:])
    if r >= P or s >= N:
        return False
    e = _int(tagged_hash("BIP0340/challenge", sig[:32] + pub32 + msg32)) % N
    R = point_add(point_mul(G, s), point_mul(Pt, N - e))
    return R is not None and R[1] % 2 == 0 and R[0] == r


def taproot_tweak_seckey(secret, merkle_root=b""):
    """BIP341 taproot_tweak_seckey: the secret key of the output key
    Q = P + hash_TapTweak(P || merkle_root) G (key-path spending)."""
    Pt = point_mul(G, secret)
    d = secret if Pt[1] % 2 == 0 else N - secret
    t = _int(tagged_hash("TapTweak", xonly(Pt) + merkle_root))
    assert t < N
    return (d + t) % N


def taproot_output_key(internal_point, merkle_root=b""):
    """BIP341 taproot_tweak_pubkey: the x-only output key (32 bytes)."""
    Pt = lift_x(internal_point[0])
    t = _int(tagged_hash("TapTweak", xonly(Pt) + merkle_root))
    Q = point_add(Pt, point_mul(G, t))
    return xonly(Q)
