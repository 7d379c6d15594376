"""Transactions and blocks for tests: (de)serialization, the legacy, BIP143
and BIP341 signature hashes, scripts and addresses (base58check, bech32,
bech32m), and signing of P2PKH, P2WPKH and P2TR key-path inputs."""
import hashlib
import struct
from io import BytesIO

from .ec import ECKey, point_mul, G, schnorr_sign, tagged_hash, taproot_output_key, \
    taproot_tweak_seckey, xonly

COIN = 100_000_000
OP_TRUE = b"\x51"
SIGHASH_DEFAULT = 0
SIGHASH_ALL = 1


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
        return hashlib.new("ripemd160", sha256(b)).digest()
    except ValueError:
        return _ripemd160_py(sha256(b))


# -- serialization primitives --

def ser_compact(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    if n <= 0xffffffff:
        return b"\xfe" + struct.pack("<I", n)
    return b"\xff" + struct.pack("<Q", n)


def deser_compact(f):
    n = f.read(1)[0]
    if n == 0xfd:
        return struct.unpack("<H", f.read(2))[0]
    if n == 0xfe:
        return struct.unpack("<I", f.read(4))[0]
    if n == 0xff:
        return struct.unpack("<Q", f.read(8))[0]
    return n


def ser_bytes(b):
    return ser_compact(len(b)) + b


def deser_bytes(f):
    return f.read(deser_compact(f))


# -- scripts --

def push_data(b):
    n = len(b)
    if n < 0x4c:
        return bytes([n]) + b
    if n <= 0xff:
        return b"\x4c" + bytes([n]) + b
    return b"\x4d" + struct.pack("<H", n) + b


def push_int(n):
    """CScript() << n (Core's push_int64) for n >= -1."""
    if n == 0:
        return b"\x00"
    if n == -1 or 1 <= n <= 16:
        return bytes([0x50 + n])
    neg = n < 0
    n = abs(n)
    out = bytearray()
    while n:
        out.append(n & 0xff)
        n >>= 8
    if out[-1] & 0x80:
        out.append(0x80 if neg else 0)
    elif neg:
        out[-1] |= 0x80
    return bytes([len(out)]) + bytes(out)


def p2pkh_script(pubkey):
    return b"\x76\xa9\x14" + hash160(pubkey) + b"\x88\xac"


def p2wpkh_script(pubkey):
    return b"\x00\x14" + hash160(pubkey)


def p2tr_script(xonly_key):
    return b"\x51\x20" + xonly_key


# -- addresses --

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58_encode(b):
    n = int.from_bytes(b, "big")
    s = ""
    while n:
        n, r = divmod(n, 58)
        s = B58[r] + s
    pad = len(b) - len(b.lstrip(b"\x00"))
    return "1" * pad + s


def base58_decode(s):
    n = 0
    for c in s:
        n = n * 58 + B58.index(c)
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(s) - len(s.lstrip("1"))
    return b"\x00" * pad + body


def base58check_encode(version, payload):
    data = bytes([version]) + payload
    return base58_encode(data + sha256d(data)[:4])


def base58check_decode(s):
    raw = base58_decode(s)
    data, check = raw[:-4], raw[-4:]
    if sha256d(data)[:4] != check:
        raise ValueError("bad checksum")
    return data[0], data[1:]


BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BECH32_CONST = 1
BECH32M_CONST = 0x2bc830a3


def _polymod(values):
    gen = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1ffffff) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((b >> i) & 1) else 0
    return chk


def _hrp_expand(hrp):
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def _convertbits(data, frombits, tobits, pad=True):
    acc, bits, ret = 0, 0, []
    maxv = (1 << tobits) - 1
    for v in data:
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if pad and bits:
        ret.append((acc << (tobits - bits)) & maxv)
    elif not pad and (bits >= frombits or ((acc << (tobits - bits)) & maxv)):
        raise ValueError("bad padding")
    return ret


def segwit_address(hrp, version, program):
    """BIP173 (version 0, bech32) / BIP350 (version 1+, bech32m) address."""
    const = BECH32_CONST if version == 0 else BECH32M_CONST
    data = [version] + _convertbits(program, 8, 5)
    values = _hrp_expand(hrp) + data
    pm = _polymod(values + [0] * 6) ^ const
    checksum = [(pm >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in data + checksum)


def decode_segwit_address(hrp, addr):
    """(version, program) of a segwit address, ValueError if invalid."""
    addr_l = addr.lower()
    if addr_l != addr and addr.upper() != addr:
        raise ValueError("mixed case")
    pos = addr_l.rfind("1")
    if addr_l[:pos] != hrp:
        raise ValueError("wrong hrp")
    data = [BECH32_CHARSET.index(c) for c in addr_l[pos + 1:]]
    const = _polymod(_hrp_expand(hrp) + data)
    version = data[0]
    if const != (BECH32_CONST if version == 0 else BECH32M_CONST):
        raise ValueError("bad checksum")
    prog = bytes(_convertbits(data[1:-6], 5, 8, False))
    return version, prog


REGTEST_HRP = "bcrt"
REGTEST_P2PKH_VERSION = 111


# -- transactions --

class TxIn:
    def __init__(self, txid="00" * 32, n=0, script_sig=b"", sequence=0xffffffff):
        self.txid = txid          # hex as displayed (big-endian)
        self.n = n
        self.script_sig = script_sig
        self.sequence = sequence
        self.witness = []

    def outpoint(self):
        return bytes.fromhex(self.txid)[::-1] + struct.pack("<I", self.n)


class TxOut:
    def __init__(self, value=0, script=b""):
        self.value = value
        self.script = script

    def serialize(self):
        return struct.pack("<q", self.value) + ser_bytes(self.script)


class Tx:
    def __init__(self, version=2, locktime=0):
        self.version = version
        self.vin = []
        self.vout = []
        self.locktime = locktime

    def has_witness(self):
        return any(i.witness for i in self.vin)

    def serialize(self, with_witness=True):
        wit = with_witness and self.has_witness()
        r = struct.pack("<i", self.version)
        if wit:
            r += b"\x00\x01"
        r += ser_compact(len(self.vin))
        for i in self.vin:
            r += i.outpoint() + ser_bytes(i.script_sig) + struct.pack("<I", i.sequence)
        r += ser_compact(len(self.vout))
        for o in self.vout:
            r += o.serialize()
        if wit:
            for i in self.vin:
                r += ser_compact(len(i.witness)) + b"".join(ser_bytes(w) for w in i.witness)
        return r + struct.pack("<I", self.locktime)

    @classmethod
    def deserialize(cls, f):
        if isinstance(f, (bytes, bytearray)):
            f = BytesIO(f)
        tx = cls()
        tx.version = struct.unpack("<i", f.read(4))[0]
        n = deser_compact(f)
        flags = 0
        if n == 0:
            flags = f.read(1)[0]
            n = deser_compact(f)
        for _ in range(n):
            txid = f.read(32)[::-1].hex()
            idx = struct.unpack("<I", f.read(4))[0]
            ss = deser_bytes(f)
            seq = struct.unpack("<I", f.read(4))[0]
            tx.vin.append(TxIn(txid, idx, ss, seq))
        for _ in range(deser_compact(f)):
            v = struct.unpack("<q", f.read(8))[0]
            tx.vout.append(TxOut(v, deser_bytes(f)))
        if flags & 1:
            for i in tx.vin:
                i.witness = [deser_bytes(f) for _ in range(deser_compact(f))]
        tx.locktime = struct.unpack("<I", f.read(4))[0]
        return tx

    @classmethod
    def from_hex(cls, h):
        return cls.deserialize(bytes.fromhex(h))

    def txid(self):
        return sha256d(self.serialize(False))[::-1].hex()

    def wtxid(self):
        return sha256d(self.serialize(True))[::-1].hex()

    def hex(self):
        return self.serialize().hex()

    def vsize(self):
        base = len(self.serialize(False))
        total = len(self.serialize(True))
        return (base * 3 + total + 3) // 4


# -- signature hashes --

def legacy_sighash(tx, index, script_code, hashtype=SIGHASH_ALL):
    """Core's SignatureHash for SIGHASH_ALL without OP_CODESEPARATOR."""
    assert hashtype == SIGHASH_ALL
    r = struct.pack("<i", tx.version) + ser_compact(len(tx.vin))
    for j, i in enumerate(tx.vin):
        ss = script_code if j == index else b""
        r += i.outpoint() + ser_bytes(ss) + struct.pack("<I", i.sequence)
    r += ser_compact(len(tx.vout)) + b"".join(o.serialize() for o in tx.vout)
    r += struct.pack("<I", tx.locktime) + struct.pack("<I", hashtype)
    return sha256d(r)


def bip143_sighash(tx, index, script_code, amount, hashtype=SIGHASH_ALL):
    """BIP143 segwit v0 signature hash (SIGHASH_ALL)."""
    assert hashtype == SIGHASH_ALL
    hash_prevouts = sha256d(b"".join(i.outpoint() for i in tx.vin))
    hash_sequence = sha256d(b"".join(struct.pack("<I", i.sequence) for i in tx.vin))
    hash_outputs = sha256d(b"".join(o.serialize() for o in tx.vout))
    i = tx.vin[index]
    r = (struct.pack("<i", tx.version) + hash_prevouts + hash_sequence + i.outpoint() +
         ser_bytes(script_code) + struct.pack("<q", amount) + struct.pack("<I", i.sequence) +
         hash_outputs + struct.pack("<I", tx.locktime) + struct.pack("<I", hashtype))
    return sha256d(r)


def bip341_sighash(tx, index, spent_outputs, hashtype=SIGHASH_DEFAULT):
    """BIP341 key-path signature hash for SIGHASH_DEFAULT/ALL, no annex.
    spent_outputs: a TxOut per input."""
    assert hashtype in (SIGHASH_DEFAULT, SIGHASH_ALL)
    sha_prevouts = sha256(b"".join(i.outpoint() for i in tx.vin))
    sha_amounts = sha256(b"".join(struct.pack("<q", o.value) for o in spent_outputs))
    sha_spks = sha256(b"".join(ser_bytes(o.script) for o in spent_outputs))
    sha_sequences = sha256(b"".join(struct.pack("<I", i.sequence) for i in tx.vin))
    sha_outputs = sha256(b"".join(o.serialize() for o in tx.vout))
    msg = (b"\x00" + bytes([hashtype]) + struct.pack("<i", tx.version) +
           struct.pack("<I", tx.locktime) + sha_prevouts + sha_amounts + sha_spks +
           sha_sequences + sha_outputs + b"\x00" + struct.pack("<I", index))
    return tagged_hash("TapSighash", msg)


# -- wallets for tests: one key, three output types --

class TestKey:
    """A key with its P2PKH, P2WPKH and P2TR (key path, no script tree)
    scripts and regtest addresses, and signing of inputs that spend them."""

    def __init__(self, seed):
        """seed: bytes to derive the key from, or the secret key as an int."""
        self.key = ECKey(seed) if isinstance(seed, int) else ECKey.from_seed(seed)
        self.pubkey = self.key.pubkey()
        self.output_key = taproot_output_key(self.key.point)
        self.tweaked_secret = taproot_tweak_seckey(self.key.secret)
        assert xonly(point_mul(G, self.tweaked_secret)) == self.output_key

    def script(self, kind):
        return {"p2pkh": p2pkh_script(self.pubkey), "p2wpkh": p2wpkh_script(self.pubkey),
                "p2tr": p2tr_script(self.output_key)}[kind]

    def address(self, kind):
        if kind == "p2pkh":
            return base58check_encode(REGTEST_P2PKH_VERSION, hash160(self.pubkey))
        if kind == "p2wpkh":
            return segwit_address(REGTEST_HRP, 0, hash160(self.pubkey))
        return segwit_address(REGTEST_HRP, 1, self.output_key)

    def sign_input(self, tx, index, kind, spent_outputs):
        """Fills scriptSig/witness of input index (spent_outputs: TxOut per input)."""
        spent = spent_outputs[index]
        if kind == "p2pkh":
            h = legacy_sighash(tx, index, spent.script)
            sig = self.key.sign_ecdsa(h) + bytes([SIGHASH_ALL])
            tx.vin[index].script_sig = push_data(sig) + push_data(self.pubkey)
        elif kind == "p2wpkh":
            code = p2pkh_script(self.pubkey)
            h = bip143_sighash(tx, index, code, spent.value)
            tx.vin[index].witness = [self.key.sign_ecdsa(h) + bytes([SIGHASH_ALL]), self.pubkey]
        elif kind == "p2tr":
            h = bip341_sighash(tx, index, spent_outputs)
            tx.vin[index].witness = [schnorr_sign(self.tweaked_secret, h)]
        else:
            raise ValueError(kind)


# -- blocks --

def merkle_root(hashes):
    level = list(hashes)
    if not level:
        return b"\x00" * 32
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


WITNESS_COMMITMENT_HEADER = bytes.fromhex("aa21a9ed")


def witness_commitment_script(txs):
    """BIP141 commitment output script over txs (the transactions after the
    coinbase, whose wtxid counts as zero), with the all-zero witness
    reserved value."""
    wtxids = [b"\x00" * 32] + [bytes.fromhex(t.wtxid())[::-1] for t in txs]
    commit = sha256d(merkle_root(wtxids) + b"\x00" * 32)
    return b"\x6a\x24" + WITNESS_COMMITMENT_HEADER + commit


class Block:
    def __init__(self, version=0x20000000, prev="00" * 32, time=0, bits=0x207fffff, txs=None):
        self.version, self.prev, self.time, self.bits = version, prev, time, bits
        self.nonce = 0
        self.txs = txs or []
        self.merkle = b"\x00" * 32

    def update_merkle(self):
        self.merkle = merkle_root([bytes.fromhex(t.txid())[::-1] for t in self.txs])

    def header(self):
        return (struct.pack("<i", self.version) + bytes.fromhex(self.prev)[::-1] + self.merkle +
                struct.pack("<III", self.time, self.bits, self.nonce))

    def hash(self):
        return sha256d(self.header())[::-1].hex()

    def target(self):
        return (self.bits & 0xffffff) << (8 * ((self.bits >> 24) - 3))

    def solve(self):
        t = self.target()
        while int(self.hash(), 16) > t:
            self.nonce += 1

    def serialize(self):
        return self.header() + ser_compact(len(self.txs)) + b"".join(
            t.serialize() for t in self.txs)

    def hex(self):
        return self.serialize().hex()

    @classmethod
    def deserialize(cls, f):
        if isinstance(f, (bytes, bytearray)):
            f = BytesIO(f)
        b = cls()
        b.version = struct.unpack("<i", f.read(4))[0]
        b.prev = f.read(32)[::-1].hex()
        b.merkle = f.read(32)
        b.time, b.bits, b.nonce = struct.unpack("<III", f.read(12))
        b.txs = [Tx.deserialize(f) for _ in range(deser_compact(f))]
        return b

    @classmethod
    def from_hex(cls, h):
        return cls.deserialize(bytes.fromhex(h))


def create_coinbase(height, script_out, value, witness_commitment=True, txs=()):
    """Core-style coinbase: BIP34 height push then OP_0, one output, and the
    BIP141 witness commitment over txs (the other transactions)."""
    cb = Tx()
    cb.vin = [TxIn("00" * 32, 0xffffffff, push_int(height) + b"\x00", 0xffffffff)]
    cb.vout = [TxOut(value, script_out)]
    if witness_commitment:
        cb.vout.append(TxOut(0, witness_commitment_script(txs)))
        cb.vin[0].witness = [b"\x00" * 32]
    return cb


def build_block(node, txs=(), script_out=b"\x51", value=None, time=None, prev=None,
                height=None, fees=0):
    """A solved block on node's tip (or on prev/height) with these
    transactions; coinbase value defaults to subsidy + fees."""
    if prev is None:
        prev = node.getbestblockhash()
    hdr = node.getblockheader(prev)
    if height is None:
        height = hdr["height"] + 1
    if value is None:
        value = (50 * COIN >> (height // 150)) + fees
    cb = create_coinbase(height, script_out, value, True, txs)
    b = Block(0x20000000, prev, time if time is not None else hdr["time"] + 1, 0x207fffff,
              [cb] + list(txs))
    b.update_merkle()
    b.solve()
    return b


def block_from_template(tmpl, script=OP_TRUE, value=None, witness=True, extra_txs=(), fees=0):
    """The solved block a pool would build from getblocktemplate: coinbase
    with the BIP34 height, the template's value (plus the fees of
    extra_txs), and the witness commitment over extra_txs when the template
    asks for one; witness=False leaves out the coinbase's witness reserved
    value."""
    if tmpl["transactions"]:
        raise AssertionError(f"unexpected template transactions {tmpl['transactions']}")
    value = (tmpl["coinbasevalue"] if value is None else value) + fees
    commit = "default_witness_commitment" in tmpl
    cb = create_coinbase(tmpl["height"], script, value, commit, extra_txs)
    if commit:
        if not extra_txs:
            assert cb.vout[1].script.hex() == tmpl["default_witness_commitment"]
        if not witness:
            cb.vin[0].witness = []
    b = Block(tmpl["version"], tmpl["previousblockhash"], tmpl["curtime"], int(tmpl["bits"], 16),
              [cb] + list(extra_txs))
    b.update_merkle()
    b.solve()
    return b
