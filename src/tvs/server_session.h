#pragma once

#include <asio.hpp>

#include <chrono>
#include <cstddef>
#include <string>

#include "net/message_channel.h"
#include "tvs/trust.h"

namespace opencapf::tvs {

/// What one connection may take.
struct SessionLimits {
  /// Bounds each request, from its first byte (or the wait for it) to its last.
  std::chrono::seconds message_timeout{30};
  /// The largest request body accepted (a phone's certificate is a few kilobytes).
  std::size_t max_message_body = 16384;
  /// Bytes a connection may send over its life, however many requests it makes.
  std::size_t max_session_bytes = 1 << 20;
};

/// How a connection ended, for the server's log.
struct SessionReport {
  int requests = 0;    ///< requests answered
  bool clean = false;  ///< the phone closed the connection, or went idle, between requests
  std::string reason;  ///< how it ended, in words
  std::chrono::milliseconds duration{0};
};

/// Serves one phone on an established stream (TLS, or the fuzzers' in-memory phone): answers each
/// VERIFY_REQUEST (or QUERY_REQUEST) from the trust store until the phone closes the connection,
/// echoing its session id, one response (one TLS record) per request and one log line per request.
/// Never throws for anything the phone sends: a malformed, oversized or late message ends the
/// connection with a reason.
class TvsServerSession {
 public:
  TvsServerSession(net::ChannelStream& stream, TrustCache& trust, const SessionLimits& limits,
                   std::string peer);

  asio::awaitable<SessionReport> Run();

 private:
  net::MessageChannel<Framing> channel_;
  TrustCache& trust_;
  SessionLimits limits_;
  std::string peer_;
};

}  // namespace opencapf::tvs
