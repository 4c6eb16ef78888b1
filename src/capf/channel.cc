#include "capf/channel.h"

namespace opencapf::capf {

MessageChannel::MessageChannel(TlsStream& stream, std::size_t max_body)
    : stream_(stream), max_body_(max_body), timer_(stream.get_executor()) {}

MessageChannel::~MessageChannel() {
  deadline_->alive = false;
  timer_.cancel();
}

// The timer closes the socket's pending operations when the deadline passes; a generation
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
  auto fail = [&](ChannelFailure kind, const asio::error_code& ec) {
    failure_ = deadline_->timed_out ? ChannelFailure::kTimeout : kind;
    if (deadline_->timed_out) {
      return Fail(
          "timed out after " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
          " s waiting for " + what);
    }
    if (IsClosed(ec)) {
      failure_ = ChannelFailure::kClosed;
      return Fail("the phone closed the connection while we waited for " + what);
    }
    return Fail("reading " + what + ": " + ec.message());
  };

  Arm(timeout);
  std::uint8_t header_bytes[kHeaderSize];
  auto [ec, n] = co_await asio::async_read(stream_, asio::buffer(header_bytes), net::kAwaitTuple);
  bytes_read_ += n;
  if (ec) {
    Disarm();
    co_return fail(ChannelFailure::kIo, ec);
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
                   std::to_string(max_body_) + " bytes any CAPF message needs");
  }
  Bytes body(header->body_length);
  if (!body.empty()) {
    auto [body_ec, body_n] =
        co_await asio::async_read(stream_, asio::buffer(body), net::kAwaitTuple);
    bytes_read_ += body_n;
    if (body_ec) {
      Disarm();
      co_return fail(ChannelFailure::kIo, body_ec);
    }
  }
  Disarm();
  auto message = DecodeBody(*header, body);
  if (!message.ok()) {
    failure_ = ChannelFailure::kMalformed;
    co_return Fail("malformed " + CommandName(header->command) + ": " + message.message());
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
  // One buffer, one SSL_write, one TLS record: phones stall when header and body arrive apart.
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

}  // namespace opencapf::capf
