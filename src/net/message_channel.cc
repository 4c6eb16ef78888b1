#include "net/message_channel.h"

namespace opencapf::net {

FramedChannel::FramedChannel(const framed::Protocol& protocol, ChannelStream& stream,
                             std::string peer, Limits limits)
    : protocol_(protocol), stream_(stream), peer_(std::move(peer)), limits_(limits) {}

FramedChannel::FramedChannel(const framed::Protocol& protocol, TlsStream& stream, std::string peer,
                             Limits limits)
    : protocol_(protocol),
      tls_(std::in_place, stream),
      stream_(*tls_),
      peer_(std::move(peer)),
      limits_(limits) {}

asio::awaitable<Result<framed::RawMessage>> FramedChannel::Read(
    std::chrono::steady_clock::duration timeout, std::string_view waiting_for) {
  const std::string what(waiting_for);
  const std::string protocol(protocol_.name);
  // `partial`: bytes of this message already read when it failed.
  auto fail = [&](const asio::error_code& ec, std::size_t partial) {
    stream_.Disarm();
    if (stream_.timed_out()) {
      failure_ = ChannelFailure::kTimeout;
      return Fail(
          "timed out after " +
          std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
          " s waiting for " + what + " (" + std::to_string(partial) + " bytes of it received)");
    }
    if (IsPeerClosed(ec)) {
      failure_ = partial == 0 ? ChannelFailure::kClosed : ChannelFailure::kTruncated;
      return Fail(peer_ + " closed the connection " +
                  (partial == 0 ? "while we waited for " + what
                                : "after " + std::to_string(partial) + " bytes of " + what));
    }
    failure_ = ChannelFailure::kIo;
    return Fail("reading " + what + ": " + ec.message());
  };
  auto refuse = [&](ChannelFailure kind, std::string message) {
    stream_.Disarm();
    failure_ = kind;
    return Fail(std::move(message));
  };

  const std::size_t header_size = protocol_.header_size;
  if (bytes_read_ + header_size > limits_.max_bytes) {
    co_return refuse(ChannelFailure::kBudget,
                     peer_ + " has sent " + std::to_string(bytes_read_) +
                         " bytes on this connection, the most one connection may send");
  }
  if (header_size > framed::kMaxHeaderSize) {
    co_return refuse(ChannelFailure::kMalformed,
                     protocol + " declares a " + std::to_string(header_size) +
                         "-byte header; a framed protocol's is at most " +
                         std::to_string(framed::kMaxHeaderSize));
  }
  stream_.Arm(timeout);
  std::uint8_t header_bytes[framed::kMaxHeaderSize];
  auto [ec, n] = co_await stream_.ReadExactly(asio::buffer(header_bytes, header_size));
  bytes_read_ += n;
  if (ec) co_return fail(ec, n);
  auto header = framed::DecodeRawHeader(protocol_, ByteView(header_bytes, header_size));
  if (!header.ok()) {
    co_return refuse(ChannelFailure::kMalformed,
                     "malformed message while waiting for " + what + ": " + header.message());
  }
  const std::string command = framed::CommandName(protocol_, header->command);
  if (header->body_length > limits_.max_body) {
    co_return refuse(ChannelFailure::kMalformed,
                     command + " declares a " + std::to_string(header->body_length) +
                         "-byte body, more than the " + std::to_string(limits_.max_body) +
                         " bytes any " + protocol + " message needs");
  }
  if (bytes_read_ + header->body_length > limits_.max_bytes) {
    co_return refuse(ChannelFailure::kBudget,
                     command + " of " + std::to_string(header->body_length) +
                         " bytes would take this connection past its budget of " +
                         std::to_string(limits_.max_bytes) + " bytes (" +
                         std::to_string(bytes_read_) + " read so far)");
  }
  Bytes body(header->body_length);
  if (!body.empty()) {
    auto [body_ec, body_n] = co_await stream_.ReadExactly(asio::buffer(body));
    bytes_read_ += body_n;
    if (body_ec) co_return fail(body_ec, header_size + body_n);
  }
  stream_.Disarm();
  auto elements = framed::DecodeElements(protocol_, *header, body);
  if (!elements.ok()) {
    failure_ = ChannelFailure::kMalformed;
    co_return Fail("malformed " + elements.message());
  }
  failure_ = ChannelFailure::kNone;
  co_return framed::RawMessage{header->command, header->session_id, std::move(*elements)};
}

asio::awaitable<Status> FramedChannel::Write(Result<Bytes> encoded, std::uint8_t command,
                                             std::chrono::steady_clock::duration timeout) {
  if (!encoded.ok()) {
    failure_ = ChannelFailure::kMalformed;
    co_return encoded.error();
  }
  stream_.Arm(timeout);
  // One buffer, one SSL_write, one TLS record: phones stall when header and body arrive apart.
  auto [ec, n] = co_await stream_.WriteAll(asio::buffer(*encoded));
  stream_.Disarm();
  (void)n;
  if (ec) {
    failure_ = stream_.timed_out() ? ChannelFailure::kTimeout
               : IsPeerClosed(ec)  ? ChannelFailure::kClosed
                                   : ChannelFailure::kIo;
    co_return Fail("sending " + framed::CommandName(protocol_, command) + ": " +
                   (stream_.timed_out() ? std::string("timed out") : ec.message()));
  }
  failure_ = ChannelFailure::kNone;
  co_return Status::Ok();
}

}  // namespace opencapf::net
