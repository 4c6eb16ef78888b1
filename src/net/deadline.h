#pragma once

#include <asio/ssl.hpp>

#include <chrono>
#include <cstdint>
#include <memory>

#include "net/asio.h"

namespace opencapf::net {

/// A deadline for one operation at a time on a socket (TCP or UDP): when the deadline passes,
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

/// The same on a TLS stream, armed with a timeout: when it passes, the stream's pending
/// operations are cancelled. Shared by the CAPF and TVS message channels.
class StreamDeadline : public SocketDeadline<asio::ip::tcp::socket> {
 public:
  explicit StreamDeadline(asio::ssl::stream<asio::ip::tcp::socket>& stream)
      : SocketDeadline(stream.next_layer()) {}

  /// Starts the clock for the next operation.
  void Arm(std::chrono::steady_clock::duration timeout) {
    SocketDeadline::Arm(std::chrono::steady_clock::now() + timeout);
  }
};

/// Whether a read or write ended because the peer went away (closed, reset, cut TLS).
inline bool IsPeerClosed(const asio::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::broken_pipe;
}

}  // namespace opencapf::net
