# freeport SOCK_STREAM|SOCK_DGRAM: a free port on 127.0.0.1 for a test's server to listen on.
freeport() {
  python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, getattr(socket, sys.argv[1]))
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "${1:-SOCK_STREAM}"
}
