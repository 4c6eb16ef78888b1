#pragma once

#include <asio/ssl.hpp>

#include <chrono>
#include <cstddef>
#include <tuple>

#include "net/asio.h"
#include "net/deadline.h"

namespace opencapf::net {

using TlsStream = asio::ssl::stream<asio::ip::tcp::socket>;

/// What a read or write of a whole buffer gives: the error, if any, and the bytes moved.
using IoResult = std::tuple<asio::error_code, std::size_t>;

/// The bytes under a FramedChannel: whole-buffer reads and writes, each bounded by a deadline.
/// An interface so that a session can be driven without sockets: TLS in production
/// (TlsChannelStream), an in-memory phone in the session fuzzers.
class ChannelStream {
 public:
  virtual ~ChannelStream() = default;

  /// Reads exactly `buffer.size()` bytes, or fails with how many arrived.
  virtual asio::awaitable<IoResult> ReadExactly(asio::mutable_buffer buffer) = 0;
  /// Writes the whole buffer in one call (for TLS: one record).
  virtual asio::awaitable<IoResult> WriteAll(asio::const_buffer buffer) = 0;

  /// Bounds the next operation: when `timeout` passes, it ends with an error and timed_out()
  /// says why.
  virtual void Arm(std::chrono::steady_clock::duration timeout) = 0;
  /// The operation finished in time.
  virtual void Disarm() = 0;
  /// Whether the last armed operation was cut short by its deadline.
  virtual bool timed_out() const = 0;
};

/// A ChannelStream over an established TLS stream. The reads and writes are Asio's composed
/// operations themselves (no frame of their own), so the interface costs one indirect call.
class TlsChannelStream final : public ChannelStream {
 public:
  explicit TlsChannelStream(TlsStream& stream) : stream_(stream), deadline_(stream) {}

  asio::awaitable<IoResult> ReadExactly(asio::mutable_buffer buffer) override {
    return asio::async_read(stream_, buffer, kAwaitTuple);
  }
  asio::awaitable<IoResult> WriteAll(asio::const_buffer buffer) override {
    return asio::async_write(stream_, buffer, kAwaitTuple);
  }
  void Arm(std::chrono::steady_clock::duration timeout) override { deadline_.Arm(timeout); }
  void Disarm() override { deadline_.Disarm(); }
  bool timed_out() const override { return deadline_.timed_out(); }

 private:
  TlsStream& stream_;
  StreamDeadline deadline_;
};

}  // namespace opencapf::net
