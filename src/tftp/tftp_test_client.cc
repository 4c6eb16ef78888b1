#include "tftp/tftp_test_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <sstream>
#include <stdexcept>


namespace opencapf::tftp::testing {

RawSocket::RawSocket() {
  fd_ = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    throw std::runtime_error(std::string("bind: ") + std::strerror(errno));
  }
  socklen_t len = sizeof(addr);
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
}

RawSocket::~RawSocket() {
  if (fd_ >= 0) ::close(fd_);
}

void RawSocket::SendTo(std::uint16_t port, const Bytes& datagram) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<sockaddr*>(&addr),
               sizeof(addr)) < 0) {
    throw std::runtime_error(std::string("sendto: ") + std::strerror(errno));
  }
}

std::optional<Bytes> RawSocket::Receive(std::chrono::milliseconds timeout,
                                        std::uint16_t* from_port) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<long long>(left.count(), 0)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    Bytes buffer(70000);
    sockaddr_in from{};
    socklen_t len = sizeof(from);
    const ssize_t n =
        ::recvfrom(fd_, buffer.data(), buffer.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    buffer.resize(static_cast<std::size_t>(n));
    if (from_port) *from_port = ntohs(from.sin_port);
    return buffer;
  }
}

std::optional<Packet> RawSocket::ReceivePacket(std::chrono::milliseconds timeout,
                                               std::uint16_t* from_port) {
  auto bytes = Receive(timeout, from_port);
  if (!bytes) return std::nullopt;
  auto packet = DecodePacket(*bytes);
  if (!packet.ok()) return std::nullopt;
  return std::move(*packet);
}

DownloadResult Download(std::uint16_t port, const std::string& name,
                        const DownloadOptions& options) {
  DownloadResult result;
  RawSocket socket;
  Request request;
  request.filename = name;
  request.mode = options.mode;
  request.options = options.options;
  socket.SendTo(port, EncodeRequest(request));

  std::size_t blksize = kDefaultBlockSize;
  std::uint64_t windowsize = 1;
  std::optional<std::uint16_t> server_port;
  std::uint64_t received = 0;   // blocks received in order
  std::uint64_t since_ack = 0;  // of them, since the last ACK we sent
  std::optional<std::uint16_t> last_ack;
  bool gap_acked = false;
  int timeouts = 0;
  int oacks = 0;
  std::map<std::uint16_t, int> seen;

  auto ack = [&](std::uint16_t block) {
    if (options.before_ack) options.before_ack(received);
    socket.SendTo(*server_port, EncodeAck(block));
    last_ack = block;
    since_ack = 0;
  };

  while (true) {
    std::uint16_t from = 0;
    auto bytes = socket.Receive(options.timeout, &from);
    if (!bytes) {
      if (++timeouts > options.max_timeouts) {
        result.failure = "no packet from the server after " + std::to_string(timeouts) +
                         " timeouts (" + std::to_string(received) + " blocks received)";
        return result;
      }
      if (server_port && last_ack) socket.SendTo(*server_port, EncodeAck(*last_ack));
      continue;
    }
    if (server_port && from != *server_port) continue;  // not our transfer
    auto packet = DecodePacket(*bytes);
    if (!packet.ok()) {
      result.failure = "undecodable packet from the server: " + packet.message();
      return result;
    }
    if (auto* error = std::get_if<ErrorPacket>(&*packet)) {
      result.error = *error;
      return result;
    }
    if (auto* oack = std::get_if<OptionAckPacket>(&*packet)) {
      if (received > 0) continue;
      if (options.drop_oack && options.drop_oack(oacks++)) continue;
      timeouts = 0;
      server_port = from;
      result.oack = oack->options;
      for (const Option& o : oack->options) {
        if (o.name == "blksize") blksize = std::stoul(o.value);
        if (o.name == "windowsize") windowsize = std::stoul(o.value);
      }
      ack(0);
      continue;
    }
    auto* data = std::get_if<DataPacket>(&*packet);
    if (data == nullptr) {
      result.failure = "the server sent neither DATA, OACK nor ERROR";
      return result;
    }
    if (!server_port) server_port = from;
    ++result.data_packets;
    if (options.drop && options.drop(data->block, seen[data->block]++)) continue;
    timeouts = 0;
    const auto expected = static_cast<std::uint16_t>((received + 1) & 0xffff);
    if (data->block != expected) {
      // A block ahead of the next one means one before it was lost: say where we are, once
      // (RFC 7440). A block already received is a retransmission: ignore it.
      const auto ahead = static_cast<std::uint16_t>(data->block - expected);
      if (ahead < 0x8000 && !gap_acked) {
        gap_acked = true;
        ack(static_cast<std::uint16_t>(received & 0xffff));
      }
      continue;
    }
    gap_acked = false;
    ++received;
    ++since_ack;
    result.data.insert(result.data.end(), data->payload.begin(), data->payload.end());
    if (data->payload.size() > blksize) {
      result.failure = "DATA " + std::to_string(data->block) + " carries " +
                       std::to_string(data->payload.size()) + " bytes, more than blksize " +
                       std::to_string(blksize);
      return result;
    }
    const bool last = data->payload.size() < blksize;
    if (last || since_ack == windowsize) ack(data->block);
    if (last) {
      result.blocks = received;
      result.complete = true;
      return result;
    }
  }
}

}  // namespace opencapf::tftp::testing
