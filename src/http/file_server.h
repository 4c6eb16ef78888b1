#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "base/result.h"
#include "net/asio.h"
#include "tftp/file_source.h"

namespace opencapf::http {

/// How the HTTP provisioning server listens and what it allows. The defaults are sized for a
/// branch where 200 phones boot together behind one NAT address and must all get their files.
struct HttpSettings {
  std::string address = "0.0.0.0";
  std::uint16_t port = 6970;  ///< 0: any free port (tests)
  /// Connections open at once, over all clients. Beyond it the server stops accepting: new
  /// connections wait in the kernel's listen queue until one closes, and are never reset.
  int max_connections = 1024;
  /// Connections open at once from one IP address. Beyond it a connection's request is
  /// answered `503 Service Unavailable` with `Retry-After: 1`, and the connection is closed
  /// cleanly (the phone falls back to TFTP or asks again).
  int max_connections_per_client = 256;
  /// The request line and headers; a larger head is answered 431 and the connection closed.
  std::size_t max_head_size = 8192;
  /// A request head must arrive whole within this time (for the first request of a connection,
  /// from the accept; for a later one, from its first byte), or it is answered 408 and the
  /// connection closed: a client trickling bytes holds a connection this long at most.
  std::chrono::milliseconds head_timeout{10000};
  /// A kept-alive connection with no request started for this long is closed.
  std::chrono::milliseconds idle_timeout{15000};
  /// No response takes longer to send than this, however slowly the client reads.
  std::chrono::milliseconds max_response_time{600000};
  /// Bodies are written this many bytes at a time, straight from the file's snapshot.
  std::size_t write_chunk = 64 * 1024;
};

/// Counters since the server was made, for metrics.
struct HttpStats {
  std::uint64_t connections_accepted = 0;
  /// Requests answered 503 because their address was over max_connections_per_client.
  std::uint64_t connections_refused = 0;
  std::uint64_t responses = 0;      ///< responses sent or started, whatever their status
  std::uint64_t files_sent = 0;     ///< 200 and 206 responses with a body sent whole
  std::uint64_t not_modified = 0;   ///< 304 responses
  std::uint64_t client_errors = 0;  ///< 4xx responses
  std::uint64_t server_errors = 0;  ///< 5xx responses
  /// Request heads that did not arrive in time (408) and responses cut at max_response_time.
  std::uint64_t timeouts = 0;
  std::uint64_t bytes_sent = 0;  ///< body bytes written (heads not counted)
  int active_connections = 0;
};

/// Serves the files of a tftp::FileSource over HTTP/1.1 (and 1.0), as current Cisco phones ask
/// for them first on TCP 6970 (`GET /NAME`) before falling back to TFTP: the same names, root,
/// snapshots and refusals as the TFTP server, GET and HEAD with keep-alive, conditional
/// requests and byte ranges (see AnswerRequest for every answer).
///
/// A coroutine per connection, on a strand of its own, on the io_context shared with the rest
/// of the server. Every request gets one access-log line (client address:port, method, name,
/// status, body bytes sent, milliseconds, and the reason of a refusal). Limits: connections
/// overall and per address (see HttpSettings for what happens beyond them), the head's size
/// (431) and deadline (408), the keep-alive idle time and the time per response. Whenever the
/// server closes a connection it has answered, it shuts down its side and reads what the
/// client still sends for a moment before closing, so that unread request bytes never turn the
/// close into a reset that would destroy the answer (RFC 9112 §9.6). Request bodies are never
/// read: a request with one is answered and the connection closed. Accepted sockets have
/// TCP_NODELAY: a response's last segment is never held back waiting for an ACK.
class FileServer {
 public:
  FileServer(asio::io_context& io, std::shared_ptr<const tftp::FileSource> files,
             HttpSettings settings);
  /// Stops listening; connections in flight finish on the io_context.
  ~FileServer();
  FileServer(const FileServer&) = delete;
  FileServer& operator=(const FileServer&) = delete;

  /// Checks the settings and binds the listening socket; fails with the address:port and why
  /// (address in use, permission to bind a port below 1024, bad settings).
  Status Listen();
  /// Starts accepting connections on the io_context's threads.
  void Start();
  /// Stops accepting; a connection in flight closes after the response it is sending, an idle
  /// one at its idle timeout.
  void Stop();
  /// The bound port (useful when asked for port 0); 0 before Listen.
  std::uint16_t port() const { return port_; }
  /// The counters as they are now.
  HttpStats stats() const;
  /// True while it accepts connections.
  bool listening() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
  std::uint16_t port_ = 0;
};

}  // namespace opencapf::http
