#include "tvs/channel.h"

namespace opencapf::tvs {

MessageChannel::MessageChannel(TlsStream& stream, std::string peer, std::size_t max_body,
                               std::size_t max_bytes)
    : stream_(stream),
      peer_(std::move(peer)),
      max_body_(max_body),
      max_bytes_(max_bytes),
      timer_(stream.get_executor()) {}

MessageChannel::~MessageChannel() {
  deadline_->alive = false;
  timer_.cancel();
}

// The timer cancels the socket's pending operations when the deadline passes; a generation
// number keeps a late timer from cutting short the next operation.
void MessageChannel::Arm(std::chrono::steady_clock::duration timeout) {
  const std::uint64_t generation = ++deadline_->generation;
  deadline_->timed_out = false;
  timer_.expires_after(timeout);
  timer_.async_wait(
      [deadline = deadline_, stream = &stream_, generation](const asio::error_code& ec) {
        if (ec || !deadline->alive || generation != deadline->generation) return;
        deadline->timed_out = true;
        asio::error_code ignored;
        stream->lowest_layer().cancel(ignored);
      });
}

void MessageChannel::Disarm() {
  ++deadline_->generation;
  timer_.cancel();
}

namespace {
bool IsClosed(const asio::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::ssl::error::stream_truncated || ec == asio::error::broken_pipe;
}
}  // namespace

asio::awaitable<Result<Message>> MessageChannel::Read(std::chrono::steady_clock::duration timeout,
                                                      std::string_view waiting_for) {
  const std::string what(waiting_for);
  // `partial`: bytes of this message already read when it failed.
  auto fail = [&](const asio::error_code& ec, std::size_t partial) {
    if (deadline_->timed_out) {
      failure_ = ChannelFailure::kTimeout;
      return Fail(
          "timed out after " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
          " s waiting for " + what + " (" + std::to_string(partial) + " bytes of it received)");
    }
    if (IsClosed(ec)) {
      failure_ = partial == 0 ? ChannelFailure::kClosed : ChannelFailure::kTruncated;
      return Fail(peer_ + " closed the connection " +
                  (partial == 0 ? "while we waited for " + what
                                : "after " + std::to_string(partial) + " bytes of " + what));
    }
    failure_ = ChannelFailure::kIo;
    return Fail("reading " + what + ": " + ec.message());
  };

  if (bytes_read_ + kHeaderSize > max_bytes_) {
    failure_ = ChannelFailure::kBudget;
    co_return Fail(peer_ + " has sent " + std::to_string(bytes_read_) +
                   " bytes on this connection, the most one connection may send");
  }
  Arm(timeout);
  std::uint8_t header_bytes[kHeaderSize];
  auto [ec, n] = co_await asio::async_read(stream_, asio::buffer(header_bytes), net::kAwaitTuple);
  bytes_read_ += n;
  if (ec) {
    Disarm();
    co_return fail(ec, n);
  }
  auto header = DecodeHeader(ByteView(header_bytes, kHeaderSize));
  if (!header.ok()) {
    Disarm();
    failure_ = ChannelFailure::kMalformed;
    co_return Fail("malformed message while waiting for " + what + ": " + header.message());
  }
  if (header->body_length > max_body_) {
    Disarm();
    failure_ = ChannelFailure::kMalformed;
    co_return Fail(CommandName(header->command) + " declares a " +
                   std::to_string(header->body_length) + "-byte body, more than the " +
                   std::to_string(max_body_) + " bytes any TVS message needs");
  }
  if (bytes_read_ + header->body_length > max_bytes_) {
    Disarm();
    failure_ = ChannelFailure::kBudget;
    co_return Fail(CommandName(header->command) + " of " + std::to_string(header->body_length) +
                   " bytes would take this connection past its budget of " +
                   std::to_string(max_bytes_) + " bytes (" + std::to_string(bytes_read_) +
                   " read so far)");
  }
  Bytes body(header->body_length);
  if (!body.empty()) {
    auto [body_ec, body_n] =
        co_await asio::async_read(stream_, asio::buffer(body), net::kAwaitTuple);
    bytes_read_ += body_n;
    if (body_ec) {
      Disarm();
      co_return fail(body_ec, kHeaderSize + body_n);
    }
  }
  Disarm();
  auto message = DecodeBody(*header, body);
  if (!message.ok()) {
    failure_ = ChannelFailure::kMalformed;
    co_return Fail("malformed " + message.message());
  }
  failure_ = ChannelFailure::kNone;
  co_return std::move(*message);
}

asio::awaitable<Status> MessageChannel::Write(const Message& message,
                                              std::chrono::steady_clock::duration timeout) {
  auto bytes = Encode(message);
  if (!bytes.ok()) {
    failure_ = ChannelFailure::kMalformed;
    co_return bytes.error();
  }
  Arm(timeout);
  // One buffer, one SSL_write, one TLS record: header and body never arrive apart.
  auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(*bytes), net::kAwaitTuple);
  Disarm();
  (void)n;
  if (ec) {
    failure_ = deadline_->timed_out ? ChannelFailure::kTimeout
               : IsClosed(ec)       ? ChannelFailure::kClosed
                                    : ChannelFailure::kIo;
    co_return Fail("sending " + CommandName(message.command) + ": " +
                   (deadline_->timed_out ? std::string("timed out") : ec.message()));
  }
  failure_ = ChannelFailure::kNone;
  co_return Status::Ok();
}

}  // namespace opencapf::tvs
