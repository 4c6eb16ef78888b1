#include "capf/channel.h"

namespace opencapf::capf {

MessageChannel::MessageChannel(TlsStream& stream, std::size_t max_body)
    : stream_(stream), max_body_(max_body), deadline_(stream) {}

asio::awaitable<Result<Message>> MessageChannel::Read(std::chrono::steady_clock::duration timeout,
                                                      std::string_view waiting_for) {
  const std::string what(waiting_for);
  auto fail = [&](ChannelFailure kind, const asio::error_code& ec) {
    failure_ = deadline_.timed_out() ? ChannelFailure::kTimeout : kind;
    if (deadline_.timed_out()) {
      return Fail(
          "timed out after " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
          " s waiting for " + what);
    }
    if (net::IsPeerClosed(ec)) {
      failure_ = ChannelFailure::kClosed;
      return Fail("the phone closed the connection while we waited for " + what);
    }
    return Fail("reading " + what + ": " + ec.message());
  };

  deadline_.Arm(timeout);
  std::uint8_t header_bytes[kHeaderSize];
  auto [ec, n] = co_await asio::async_read(stream_, asio::buffer(header_bytes), net::kAwaitTuple);
  bytes_read_ += n;
  if (ec) {
    deadline_.Disarm();
    co_return fail(ChannelFailure::kIo, ec);
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
                   std::to_string(max_body_) + " bytes any CAPF message needs");
  }
  Bytes body(header->body_length);
  if (!body.empty()) {
    auto [body_ec, body_n] =
        co_await asio::async_read(stream_, asio::buffer(body), net::kAwaitTuple);
    bytes_read_ += body_n;
    if (body_ec) {
      deadline_.Disarm();
      co_return fail(ChannelFailure::kIo, body_ec);
    }
  }
  deadline_.Disarm();
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
  deadline_.Arm(timeout);
  // One buffer, one SSL_write, one TLS record: phones stall when header and body arrive apart.
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

}  // namespace opencapf::capf
