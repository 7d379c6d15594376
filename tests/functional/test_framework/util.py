"""Helpers shared by functional tests: assertions, waiting, free ports."""
import socket
import time


class AssertionFailed(AssertionError):
    pass


def assert_equal(a, b, msg=""):
    if a != b:
        raise AssertionFailed(f"{a!r} != {b!r} {msg}".rstrip())


def assert_greater_than(a, b):
    if not a > b:
        raise AssertionFailed(f"{a!r} <= {b!r}")


def assert_in(needle, haystack):
    if needle not in haystack:
        raise AssertionFailed(f"{needle!r} not in {haystack!r}")


def assert_raises_rpc_error(code, message, fn, *args, **kwargs):
    """Calls fn and checks that it raises JSONRPCException with this code
    (None: any) and a message containing `message` (None: any)."""
    from .authproxy import JSONRPCException
    try:
        fn(*args, **kwargs)
    except JSONRPCException as e:
        if code is not None and e.error.get("code") != code:
            raise AssertionFailed(f"expected error code {code}, got {e.error}")
        if message is not None and message not in e.error.get("message", ""):
            raise AssertionFailed(f"expected message {message!r}, got {e.error}")
        return e
    raise AssertionFailed("no JSONRPCException raised")


def wait_until(predicate, timeout=30, interval=0.05, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionFailed(f"timed out after {timeout}s waiting for {what}")


def get_free_port():
    """A TCP port free on 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vectors_dir():
    """Bitcoin Core's reference data: $BLVM_VECTORS_DIR (set by CMake), else
    <source>/../shared/vectors."""
    import os
    d = os.environ.get("BLVM_VECTORS_DIR")
    if d and os.path.isdir(d):
        return d
    src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    return os.path.join(os.path.dirname(src), "shared", "vectors")
