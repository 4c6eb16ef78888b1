// The session fuzzers' stand-in for a phone's TLS connection: a net::ChannelStream that never
// waits. What the server writes goes to the phone at once; when the server wants bytes and none
// are buffered, the phone is asked for its next move (bytes, closing the connection, or letting
// the deadline pass). Every operation completes without suspending, so a session runs on one
// thread in a deterministic order, and without sockets, TLS or timers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "base/bytes.h"
#include "net/channel_stream.h"

namespace opencapf::fuzzing {

/// The phone's side of a ScriptedStream.
class ScriptedPhone {
 public:
  enum class Move { kSend, kClose, kStall };

  virtual ~ScriptedPhone() = default;
  /// The server wrote `bytes` (one message in one write, as FramedChannel does).
  virtual void Receive(ByteView bytes) = 0;
  /// The server waits for bytes: append them to `out` and return kSend, or end the wait.
  virtual Move Next(Bytes& out) = 0;
};

class ScriptedStream final : public net::ChannelStream {
 public:
  explicit ScriptedStream(ScriptedPhone& phone) : phone_(phone) {}

  asio::awaitable<net::IoResult> ReadExactly(asio::mutable_buffer buffer) override {
    auto* out = static_cast<std::uint8_t*>(buffer.data());
    std::size_t copied = 0;
    for (;;) {
      const std::size_t n = std::min(buffer.size() - copied, inbound_.size() - consumed_);
      if (n > 0) std::memcpy(out + copied, inbound_.data() + consumed_, n);
      copied += n;
      consumed_ += n;
      bytes_read_ += n;
      if (copied == buffer.size()) co_return net::IoResult{asio::error_code(), copied};
      if (closed_) co_return net::IoResult{asio::error::eof, copied};
      inbound_.erase(inbound_.begin(), inbound_.begin() + static_cast<std::ptrdiff_t>(consumed_));
      consumed_ = 0;
      switch (phone_.Next(inbound_)) {
        case ScriptedPhone::Move::kSend:
          break;
        case ScriptedPhone::Move::kClose:
          closed_ = true;
          break;
        case ScriptedPhone::Move::kStall:
          // What the TLS stream's deadline does: cancels the read and says it timed out.
          timed_out_ = true;
          co_return net::IoResult{asio::error::operation_aborted, copied};
      }
    }
  }

  asio::awaitable<net::IoResult> WriteAll(asio::const_buffer buffer) override {
    if (closed_) co_return net::IoResult{asio::error::broken_pipe, 0};
    phone_.Receive(ByteView(static_cast<const std::uint8_t*>(buffer.data()), buffer.size()));
    co_return net::IoResult{asio::error_code(), buffer.size()};
  }

  /// Bytes the server has read so far: where in what the phone sent its next read starts.
  std::size_t bytes_read() const { return bytes_read_; }

  void Arm(std::chrono::steady_clock::duration) override { timed_out_ = false; }
  void Disarm() override {}
  bool timed_out() const override { return timed_out_; }

 private:
  ScriptedPhone& phone_;
  Bytes inbound_;
  std::size_t consumed_ = 0;
  std::size_t bytes_read_ = 0;
  bool closed_ = false;
  bool timed_out_ = false;
};

}  // namespace opencapf::fuzzing
