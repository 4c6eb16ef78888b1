#pragma once

#include <asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

#include "net/asio.h"

namespace opencapf::net {

/// A deadline for one operation at a time on a TLS stream: when it passes, the stream's pending
/// operations are cancelled and timed_out() says why they ended. Shared by the CAPF and TVS
/// message channels.
class StreamDeadline {
 public:
  explicit StreamDeadline(asio::ssl::stream<asio::ip::tcp::socket>& stream)
      : stream_(stream), timer_(stream.get_executor()) {}
  ~StreamDeadline() {
    state_->alive = false;
    timer_.cancel();
  }
  StreamDeadline(const StreamDeadline&) = delete;
  StreamDeadline& operator=(const StreamDeadline&) = delete;

  /// Starts the clock for the next operation.
  void Arm(std::chrono::steady_clock::duration timeout) {
    const std::uint64_t generation = ++state_->generation;
    state_->timed_out = false;
    timer_.expires_after(timeout);
    // The handler may already be queued when this object dies: it checks `alive` first, and a
    // generation number keeps a late timer from cutting short the next operation.
    timer_.async_wait([state = state_, stream = &stream_, generation](const asio::error_code& ec) {
      if (ec || !state->alive || generation != state->generation) return;
      state->timed_out = true;
      asio::error_code ignored;
      stream->lowest_layer().cancel(ignored);
    });
  }
  /// The operation finished in time.
  void Disarm() {
    ++state_->generation;
    timer_.cancel();
  }
  /// Whether the last armed operation was cut short by the deadline.
  bool timed_out() const { return state_->timed_out; }

 private:
  struct State {
    std::uint64_t generation = 0;
    bool timed_out = false;
    bool alive = true;
  };
  asio::ssl::stream<asio::ip::tcp::socket>& stream_;
  asio::steady_timer timer_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

/// The same for a plain socket (TCP or UDP), one operation at a time: when the deadline passes,
/// the socket's pending operations are cancelled — the socket stays open, so an answer (an
/// ERROR, a 408) can still be sent — and timed_out() says why they ended. Shared by the TFTP
/// server and client and the HTTP server. Declare it after the socket it watches.
template <typename Socket>
class SocketDeadline {
 public:
  explicit SocketDeadline(Socket& socket) : timer_(socket.get_executor()) {
    state_->socket = &socket;
  }
  ~SocketDeadline() {
    state_->socket = nullptr;
    timer_.cancel();
  }
  SocketDeadline(const SocketDeadline&) = delete;
  SocketDeadline& operator=(const SocketDeadline&) = delete;

  /// Starts the clock for the next operation.
  void Arm(std::chrono::steady_clock::time_point deadline) {
    const std::uint64_t generation = ++state_->generation;
    state_->timed_out = false;
    timer_.expires_at(deadline);
    // The handler may run after the owner has ended (a receive and the timer can complete
    // together): it checks the socket is still there, and the generation keeps a late timer
    // from cutting short the next operation.
    timer_.async_wait([state = state_, generation](const asio::error_code& ec) {
      if (ec || generation != state->generation || state->socket == nullptr) return;
      state->timed_out = true;
      asio::error_code ignored;
      state->socket->cancel(ignored);
    });
  }
  /// The operation finished in time.
  void Disarm() {
    ++state_->generation;
    timer_.cancel();
  }
  /// Whether the last armed operation was cut short by the deadline.
  bool timed_out() const { return state_->timed_out; }

 private:
  struct State {
    std::uint64_t generation = 0;
    bool timed_out = false;
    Socket* socket = nullptr;  // null once the owner is gone
  };
  asio::steady_timer timer_;
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

/// Whether a read or write ended because the peer went away (closed, reset, cut TLS).
inline bool IsPeerClosed(const asio::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::broken_pipe;
}

}  // namespace opencapf::net
