# An independent TVS server for the tests and bench/capf_bench.sh: Python's ssl module (OpenSSL
# underneath, nothing of opencapf's), one connection at a time, answering the requests recorded in
# ../shared/testdata/tvs.
#
# usage: python3 recorded_tvs.py CERT.pem KEY.pem TESTDATA_TVS_DIR PORTFILE
# Answers the recorded requests (any session id) with the recorded answers, header and body in
# two writes as the recorded server did, echoing the session id. Anything else: closed unanswered.
import socket, ssl, sys
cert, key, tvsdir, portfile = sys.argv[1:5]
def messages(path, direction):
    data = b"".join(bytes.fromhex(line.split()[1]) for line in open(path)
                    if line.startswith(direction + " "))
    return data
pairs = []
for name in ("verify-known.hex", "verify-unknown.hex"):
    path = tvsdir + "/" + name
    pairs.append((messages(path, "phone->tvs"), messages(path, "tvs->phone")))
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(8)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.getsockname()[1]))
import os
os.rename(portfile + ".tmp", portfile)
def read(conn, n):
    out = b""
    while len(out) < n:
        chunk = conn.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return out
while True:
    raw, _ = srv.accept()
    try:
        conn = ctx.wrap_socket(raw, server_side=True)
        header = read(conn, 10)
        request = header + read(conn, int.from_bytes(header[8:10], "big"))
        session = request[4:8]
        for asked, answer in pairs:
            if request[:4] + b"\0\0\0\1" + request[8:] == asked:
                reply = answer[:4] + session + answer[8:]
                conn.sendall(reply[:10])
                conn.sendall(reply[10:])
                break
        conn.close()
    except Exception:
        raw.close()
