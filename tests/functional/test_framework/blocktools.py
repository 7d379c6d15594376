"""Transactions and blocks built by tests (Core's test_framework/blocktools
and messages, reduced): serialization, txids, merkle roots, BIP34 coinbase
heights, witness commitments, and blocks made from getblocktemplate."""
import hashlib
import struct

OP_TRUE = "51"
COIN = 100_000_000


def sha256d(b):
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def compact(n):
    if n < 0xfd:
        return bytes([n])
    if n <= 0xffff:
        return b"\xfd" + struct.pack("<H", n)
    return b"\xfe" + struct.pack("<I", n)


def push_int(n):
    """CScript() << n (Core's push_int64) for n >= 0."""
    if n == 0:
        return b"\x00"
    if 1 <= n <= 16:
        return bytes([0x50 + n])
    out = bytearray()
    while n:
        out.append(n & 0xff)
        n >>= 8
    if out[-1] & 0x80:
        out.append(0)
    return bytes([len(out)]) + bytes(out)


class Tx:
    def __init__(self, version=2, locktime=0):
        self.version = version
        self.vin = []   # (txid hex as shown, n, scriptSig bytes, sequence)
        self.vout = []  # (value, script bytes)
        self.wit = []   # per input: list of items
        self.locktime = locktime

    def serialize(self, with_witness=True):
        has_wit = with_witness and any(self.wit)
        r = struct.pack("<I", self.version)
        if has_wit:
            r += b"\x00\x01"
        r += compact(len(self.vin))
        for txid, n, ss, seq in self.vin:
            r += bytes.fromhex(txid)[::-1] + struct.pack("<I", n) + compact(len(ss)) + ss
            r += struct.pack("<I", seq)
        r += compact(len(self.vout))
        for value, spk in self.vout:
            r += struct.pack("<q", value) + compact(len(spk)) + spk
        if has_wit:
            for i in range(len(self.vin)):
                items = self.wit[i] if i < len(self.wit) else []
                r += compact(len(items))
                for it in items:
                    r += compact(len(it)) + it
        return r + struct.pack("<I", self.locktime)

    def txid(self):
        return sha256d(self.serialize(False))[::-1].hex()

    def hex(self):
        return self.serialize().hex()


def merkle_root(hashes):
    level = list(hashes)
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


class Block:
    def __init__(self, version, prev, time, bits, txs):
        self.version, self.prev, self.time, self.bits = version, prev, time, bits
        self.nonce = 0
        self.txs = txs
        self.merkle = merkle_root([bytes.fromhex(t.txid())[::-1] for t in txs])

    def header(self):
        return (struct.pack("<i", self.version) + bytes.fromhex(self.prev)[::-1] + self.merkle +
                struct.pack("<III", self.time, int(self.bits, 16), self.nonce))

    def hash(self):
        return sha256d(self.header())[::-1].hex()

    def solve(self):
        target = int(self.bits[2:], 16) << (8 * (int(self.bits[:2], 16) - 3))
        while int(self.hash(), 16) > target:
            self.nonce += 1

    def hex(self):
        return (self.header() + compact(len(self.txs)) +
                b"".join(t.serialize() for t in self.txs)).hex()


def wtxid(tx):
    return sha256d(tx.serialize(True))[::-1].hex()


def witness_commitment(txs):
    """BIP141 commitment script for a block's transactions (the coinbase's
    wtxid counts as zero) with the all-zero witness reserved value."""
    leaves = [b"\x00" * 32] + [bytes.fromhex(wtxid(t))[::-1] for t in txs[1:]]
    return b"\x6a\x24\xaa\x21\xa9\xed" + sha256d(merkle_root(leaves) + b"\x00" * 32)


def block_from_template(tmpl, script=bytes.fromhex(OP_TRUE), value=None, witness=True,
                        extra_txs=(), fees=0):
    """The block a pool would build from getblocktemplate: coinbase with the
    BIP34 height, the template's value (plus the fees of extra_txs) and a
    witness commitment over the transactions."""
    cb = Tx()
    cb.vin = [("00" * 32, 0xffffffff, push_int(tmpl["height"]) + b"\x00", 0xffffffff)]
    cb.vout = [((tmpl["coinbasevalue"] if value is None else value) + fees, script)]
    txs = [cb]
    for t in tmpl["transactions"]:
        raise AssertionError(f"unexpected template transaction {t}")
    txs += list(extra_txs)
    if "default_witness_commitment" in tmpl:
        commit = witness_commitment(txs)
        if not extra_txs:
            assert commit.hex() == tmpl["default_witness_commitment"]
        cb.vout.append((0, commit))
        if witness:
            cb.wit = [[b"\x00" * 32]]
    b = Block(tmpl["version"], tmpl["previousblockhash"], tmpl["curtime"], tmpl["bits"], txs)
    b.solve()
    return b


