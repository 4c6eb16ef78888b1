#pragma once

#include <asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/result.h"
#include "capf/message.h"
#include "net/asio.h"
#include "net/deadline.h"

namespace opencapf::capf {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

/// Why a read or write ended without a message, so a session can say what happened.
enum class ChannelFailure { kNone, kTimeout, kClosed, kMalformed, kIo };

/// Reads and writes whole CAPF messages on a TLS stream, each read bounded by a deadline. The
/// header is read first and checked before the body it declares is read, so a peer can never
/// make us wait for or buffer more than `max_body` bytes.
class MessageChannel {
 public:
  MessageChannel(TlsStream& stream, std::size_t max_body = 16384);

  /// Reads one message; `waiting_for` names it in the error ("AUTH_RESPONSE").
  asio::awaitable<Result<Message>> Read(std::chrono::steady_clock::duration timeout,
                                        std::string_view waiting_for);
  /// Writes one message in a single TLS record.
  asio::awaitable<Status> Write(const Message& message,
                                std::chrono::steady_clock::duration timeout);

  /// What ended the last failed Read or Write.
  ChannelFailure last_failure() const { return failure_; }
  std::size_t bytes_read() const { return bytes_read_; }

 private:
  TlsStream& stream_;
  std::size_t max_body_;
  net::StreamDeadline deadline_;
  ChannelFailure failure_ = ChannelFailure::kNone;
  std::size_t bytes_read_ = 0;
};

}  // namespace opencapf::capf
