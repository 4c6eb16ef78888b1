#include "tvs/channel.h"

namespace opencapf::tvs {

MessageChannel::MessageChannel(TlsStream& stream, std::string peer, std::size_t max_body,
                               std::size_t max_bytes)
    : stream_(stream),
      peer_(std::move(peer)),
      max_body_(max_body),
      max_bytes_(max_bytes),
      deadline_(stream) {}

asio::awaitable<Result<Message>> MessageChannel::Read(std::chrono::steady_clock::duration timeout,
                                                      std::string_view waiting_for) {
  const std::string what(waiting_for);
  // `partial`: bytes of this message already read when it failed.
  auto fail = [&](const asio::error_code& ec, std::size_t partial) {
    if (deadline_.timed_out()) {
      failure_ = ChannelFailure::kTimeout;
      return Fail(
          "timed out after " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
          " s waiting for " + what + " (" + std::to_string(partial) + " bytes of it received)");
    }
    if (net::IsPeerClosed(ec)) {
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
  deadline_.Arm(timeout);
  std::uint8_t header_bytes[kHeaderSize];
  auto [ec, n] = co_await asio::async_read(stream_, asio::buffer(header_bytes), net::kAwaitTuple);
  bytes_read_ += n;
  if (ec) {
    deadline_.Disarm();
    co_return fail(ec, n);
  }
  auto header = DecodeHeader(ByteView(header_bytes, kHeaderSize));
  if (!header.ok()) {
    deadline_.Disarm();
    failure_ = ChannelFailure::kMalformed;
    co_return Fail("malformed message while waiting for " + what + ": " + header.message());
  }
  if (header->body_length > max_body_) {
    deadline_.Disarm();
    failure_ = ChannelFailure::kMalformed;
    co_return Fail(CommandName(header->command) + " declares a " +
                   std::to_string(header->body_length) + "-byte body, more than the " +
                   std::to_string(max_body_) + " bytes any TVS message needs");
  }
  if (bytes_read_ + header->body_length > max_bytes_) {
    deadline_.Disarm();
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
      deadline_.Disarm();
      co_return fail(body_ec, kHeaderSize + body_n);
    }
  }
  deadline_.Disarm();
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
  deadline_.Arm(timeout);
  // One buffer, one SSL_write, one TLS record: header and body never arrive apart.
  auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(*bytes), net::kAwaitTuple);
  deadline_.Disarm();
  (void)n;
  if (ec) {
    failure_ = deadline_.timed_out()   ? ChannelFailure::kTimeout
               : net::IsPeerClosed(ec) ? ChannelFailure::kClosed
                                       : ChannelFailure::kIo;
    co_return Fail("sending " + CommandName(message.command) + ": " +
                   (deadline_.timed_out() ? std::string("timed out") : ec.message()));
  }
  failure_ = ChannelFailure::kNone;
  co_return Status::Ok();
}

}  // namespace opencapf::tvs
