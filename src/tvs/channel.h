#pragma once

#include <asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "net/asio.h"
#include "net/deadline.h"
#include "tvs/message.h"

namespace opencapf::tvs {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

/// Why a read or write ended without a message, so a session can say what happened.
enum class ChannelFailure {
  kNone,
  kTimeout,    ///< the deadline passed
  kClosed,     ///< the peer closed the connection between messages
  kTruncated,  ///< the peer closed the connection in the middle of a message
  kMalformed,  ///< the bytes are not a TVS message, or one larger than we accept
  kBudget,     ///< the connection has sent more than its byte budget
  kIo,         ///< any other socket or TLS error
};

/// Reads and writes whole TVS messages on a TLS stream, each read bounded by a deadline. The
/// header is read first and checked before the body it declares is read, so a peer can never
/// make us wait for or buffer more than `max_body` bytes, nor read more than `max_bytes` over
/// the connection's life.
class MessageChannel {
 public:
  /// `peer` names the other side in errors ("the phone", "the server").
  MessageChannel(TlsStream& stream, std::string peer, std::size_t max_body = 16384,
                 std::size_t max_bytes = std::numeric_limits<std::size_t>::max());

  /// Reads one message; `waiting_for` names it in errors ("a VERIFY_REQUEST"). The timeout
  /// covers the whole message, header and body.
  asio::awaitable<Result<Message>> Read(std::chrono::steady_clock::duration timeout,
                                        std::string_view waiting_for);
  /// Writes one message in a single TLS record.
  asio::awaitable<Status> Write(const Message& message,
                                std::chrono::steady_clock::duration timeout);

  /// What ended the last failed Read or Write.
  ChannelFailure last_failure() const { return failure_; }
  std::size_t bytes_read() const { return bytes_read_; }

 private:
  /// What the deadline's handler reads: shared, so a handler already queued when the channel
  /// goes away finds `alive` false instead of a destroyed channel.

  TlsStream& stream_;
  std::string peer_;
  std::size_t max_body_;
  std::size_t max_bytes_;
  net::StreamDeadline deadline_;
  ChannelFailure failure_ = ChannelFailure::kNone;
  std::size_t bytes_read_ = 0;
};

}  // namespace opencapf::tvs
