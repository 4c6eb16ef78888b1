#pragma once

#include <asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "base/framed.h"
#include "base/result.h"
#include "net/asio.h"
#include "net/channel_stream.h"

namespace opencapf::net {

/// Why a read or write ended without a message, so a session can say what happened.
enum class ChannelFailure {
  kNone,
  kTimeout,    ///< the deadline passed
  kClosed,     ///< the peer closed the connection between messages
  kTruncated,  ///< the peer closed the connection in the middle of a message
  kMalformed,  ///< the bytes are not a message of the protocol, or one larger than we accept
  kBudget,     ///< the connection has sent more than its byte budget
  kIo,         ///< any other socket or TLS error
};

/// Reads and writes whole framed messages (base/framed.h) on a stream, each read bounded by
/// a deadline. The header is read first and checked before the body it declares is read, so a
/// peer can never make us wait for or buffer more than `max_body` bytes, nor read more than
/// `max_bytes` over the connection's life. Each message is written as one TLS record.
class FramedChannel {
 public:
  struct Limits {
    std::size_t max_body = 16384;
    std::size_t max_bytes = std::numeric_limits<std::size_t>::max();
  };

  /// `peer` names the other side in errors ("the phone", "the server").
  FramedChannel(const framed::Protocol& protocol, ChannelStream& stream, std::string peer,
                Limits limits);
  /// The same on a TLS stream.
  FramedChannel(const framed::Protocol& protocol, TlsStream& stream, std::string peer,
                Limits limits);
  FramedChannel(const FramedChannel&) = delete;
  FramedChannel& operator=(const FramedChannel&) = delete;

  /// Reads one message; `waiting_for` names it in errors ("AUTH_RESPONSE"). The timeout covers
  /// the whole message, header and body.
  asio::awaitable<Result<framed::RawMessage>> Read(std::chrono::steady_clock::duration timeout,
                                                   std::string_view waiting_for);
  /// Writes one encoded message in a single TLS record.
  asio::awaitable<Status> Write(Result<Bytes> encoded, std::uint8_t command,
                                std::chrono::steady_clock::duration timeout);

  /// What ended the last failed Read or Write.
  ChannelFailure last_failure() const { return failure_; }
  std::size_t bytes_read() const { return bytes_read_; }

 private:
  const framed::Protocol& protocol_;
  std::optional<TlsChannelStream> tls_;  // set when constructed on a TLS stream
  ChannelStream& stream_;
  std::string peer_;
  Limits limits_;
  ChannelFailure failure_ = ChannelFailure::kNone;
  std::size_t bytes_read_ = 0;
};

/// A FramedChannel that speaks one protocol's typed messages (capf::Message, tvs::Message).
template <framed::FramedProtocol P>
class MessageChannel {
 public:
  using Message = framed::Message<P>;

  explicit MessageChannel(TlsStream& stream, std::string peer = "the phone",
                          FramedChannel::Limits limits = {})
      : channel_(P::kWire, stream, std::move(peer), limits) {}
  explicit MessageChannel(ChannelStream& stream, std::string peer = "the phone",
                          FramedChannel::Limits limits = {})
      : channel_(P::kWire, stream, std::move(peer), limits) {}

  asio::awaitable<Result<Message>> Read(std::chrono::steady_clock::duration timeout,
                                        std::string_view waiting_for) {
    auto raw = co_await channel_.Read(timeout, waiting_for);
    if (!raw.ok()) co_return raw.error();
    co_return Message{static_cast<typename P::Command>(raw->command), raw->session_id,
                      std::move(raw->elements)};
  }
  asio::awaitable<Status> Write(const Message& message,
                                std::chrono::steady_clock::duration timeout) {
    co_return co_await channel_.Write(framed::Encode(message),
                                      static_cast<std::uint8_t>(message.command), timeout);
  }

  ChannelFailure last_failure() const { return channel_.last_failure(); }
  std::size_t bytes_read() const { return channel_.bytes_read(); }

 private:
  FramedChannel channel_;
};

}  // namespace opencapf::net
