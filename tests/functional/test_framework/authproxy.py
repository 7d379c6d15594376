"""JSON-RPC client over HTTP with Basic auth (like Core's authproxy)."""
import base64
import decimal
import http.client
import json


class JSONRPCException(Exception):
    def __init__(self, error, http_status=None):
        super().__init__(f"{error.get('message')} ({error.get('code')})")
        self.error = error
        self.http_status = http_status


class HTTPResult:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body, parse_float=decimal.Decimal)


class AuthServiceProxy:
    """proxy.method(*args) or proxy.method(name=value) calls `method`.
    Results are decoded with Decimal for non-integers, as in Core's tests."""

    def __init__(self, host, port, user, password, timeout=60, path="/"):
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.timeout = timeout
        self.path = path
        self._id = 0

    def auth_header(self, user=None, password=None):
        u = self.user if user is None else user
        p = self.password if password is None else password
        token = base64.b64encode(f"{u}:{p}".encode()).decode()
        return "Basic " + token

    def post(self, body, auth=True, headers=None, method="POST", path=None):
        """Raw request: returns HTTPResult whatever the status."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        h = {"Content-Type": "application/json"}
        if auth is True:
            h["Authorization"] = self.auth_header()
        elif isinstance(auth, str):
            h["Authorization"] = auth
        if headers:
            h.update(headers)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        try:
            conn.request(method, path or self.path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read().decode("utf-8", "replace")
            return HTTPResult(r.status, dict(r.getheaders()), data)
        finally:
            conn.close()

    def call(self, method, *args, **kwargs):
        if args and kwargs:
            raise ValueError("use positional or named parameters, not both")
        self._id += 1
        req = {"version": "1.1", "method": method,
               "params": kwargs if kwargs else list(args), "id": self._id}
        r = self.post(json.dumps(req, default=_json_default))
        if r.status == 401:
            raise JSONRPCException({"code": -342, "message": "HTTP 401 Unauthorized"}, 401)
        if not r.body:
            raise JSONRPCException({"code": -342, "message": f"empty reply, HTTP {r.status}"},
                                   r.status)
        reply = r.json()
        if reply.get("error") is not None:
            raise JSONRPCException(reply["error"], r.status)
        if "result" not in reply:
            raise JSONRPCException({"code": -343, "message": "missing JSON-RPC result"}, r.status)
        return reply["result"]

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return lambda *a, **k: self.call(name, *a, **k)


def _json_default(o):
    if isinstance(o, decimal.Decimal):
        return float(o)
    raise TypeError(repr(o))
