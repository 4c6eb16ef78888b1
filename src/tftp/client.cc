// The TFTP client: one read request, the server's answers on a transfer ID of its own, an ACK
// for each block, and the last packet resent whenever the server goes quiet.
#include "tftp/client.h"

#include "net/deadline.h"

#include <algorithm>
#include <memory>
#include <optional>

namespace opencapf::tftp {

using asio::ip::udp;
using SteadyClock = std::chrono::steady_clock;

std::string_view FetchFailureName(FetchFailure failure) {
  switch (failure) {
    case FetchFailure::kNone:
      return "ok";
    case FetchFailure::kResolve:
      return "host name does not resolve";
    case FetchFailure::kNotFound:
      return "not found";
    case FetchFailure::kRefused:
      return "refused";
    case FetchFailure::kTimeout:
      return "timeout";
    case FetchFailure::kTooLarge:
      return "too large";
    case FetchFailure::kProtocol:
      return "protocol error";
    case FetchFailure::kIo:
      return "socket error";
  }
  return "unknown";
}

namespace {

std::string Show(const udp::endpoint& endpoint) {
  const auto address = endpoint.address();
  return (address.is_v6() ? "[" + address.to_string() + "]" : address.to_string()) + ":" +
         std::to_string(endpoint.port());
}

std::optional<std::uint64_t> Number(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

/// One download, on one strand: everything below runs there, the timer's handler included.
class Download {
 public:
  Download(asio::any_io_executor executor, std::string host, std::uint16_t port,
           std::string filename, ClientOptions options)
      : executor_(executor),
        socket_(executor),
        host_(std::move(host)),
        port_(port),
        filename_(std::move(filename)),
        options_(options),
        buffer_(std::size_t{kMaxBlockSize} + 4) {}

  Download(const Download&) = delete;
  Download& operator=(const Download&) = delete;

  asio::awaitable<FetchResult> Run();

 private:
  struct Received {
    enum Kind { kPacket, kTimeout, kIo } kind = kTimeout;
    std::size_t size = 0;
    std::string error;
  };

  asio::awaitable<Received> Receive(SteadyClock::time_point deadline);
  asio::awaitable<void> Send(const Bytes& packet, const udp::endpoint& to);
  asio::awaitable<void> SendError(ErrorCode code, const std::string& text, const udp::endpoint& to);
  FetchResult Failed(FetchFailure failure, const std::string& why) {
    result_.failure = failure;
    result_.message = where_ + ": " + filename_ + ": " + why;
    result_.data.clear();
    return std::move(result_);
  }

  asio::any_io_executor executor_;
  udp::socket socket_;
  net::SocketDeadline<udp::socket> deadline_{socket_};
  std::string host_;
  std::uint16_t port_;
  std::string filename_;
  ClientOptions options_;
  Bytes buffer_;
  udp::endpoint from_;
  std::string where_;
  FetchResult result_;
};

asio::awaitable<Download::Received> Download::Receive(SteadyClock::time_point deadline) {
  deadline_.Arm(deadline);
  auto buffer = asio::buffer(buffer_);
  auto [ec, n] = co_await socket_.async_receive_from(buffer, from_, net::kAwaitTuple);
  deadline_.Disarm();
  if (ec) {
    if (deadline_.timed_out()) co_return Received{Received::kTimeout, 0, {}};
    co_return Received{Received::kIo, 0, ec.message()};
  }
  co_return Received{Received::kPacket, n, {}};
}

asio::awaitable<void> Download::Send(const Bytes& packet, const udp::endpoint& to) {
  auto buffer = asio::buffer(packet);
  // A failed send is a lost packet: the retransmission timeout deals with it.
  auto [ec, n] = co_await socket_.async_send_to(buffer, to, net::kAwaitTuple);
  (void)ec;
  (void)n;
}

asio::awaitable<void> Download::SendError(ErrorCode code, const std::string& text,
                                          const udp::endpoint& to) {
  const Bytes packet = EncodeError(code, text);
  co_await Send(packet, to);
}

asio::awaitable<FetchResult> Download::Run() {
  const std::string service = std::to_string(port_);
  where_ = host_ + ":" + service;
  udp::resolver resolver(executor_);
  auto [rec, endpoints] = co_await resolver.async_resolve(host_, service, net::kAwaitTuple);
  if (rec || endpoints.empty()) {
    co_return Failed(FetchFailure::kResolve, "cannot resolve host name '" + host_ +
                                                 "': " + (rec ? rec.message() : "no address"));
  }
  const udp::endpoint server = endpoints.begin()->endpoint();
  where_ = Show(server);
  asio::error_code ec;
  socket_.open(server.protocol(), ec);
  if (!ec) socket_.bind(udp::endpoint(server.protocol(), 0), ec);
  if (ec) co_return Failed(FetchFailure::kIo, "opening a UDP socket: " + ec.message());

  Request request;
  request.filename = filename_;
  request.mode = Mode::kOctet;
  if (options_.blksize != 0) {
    request.options.push_back({"blksize", std::to_string(options_.blksize)});
  }
  if (options_.tsize) request.options.push_back({"tsize", "0"});
  bool options_sent = !request.options.empty();

  const auto end_by = SteadyClock::now() + options_.max_time;
  std::optional<udp::endpoint> tid;  // the server's transfer ID, from its first answer
  Bytes last_sent = EncodeRequest(request);
  udp::endpoint last_to = server;
  std::uint16_t blksize = kDefaultBlockSize;
  bool oack_seen = false;
  std::uint64_t expected = 1;  // the next block, counted without rollover
  int timeouts = 0;
  co_await Send(last_sent, last_to);

  while (true) {
    const auto now = SteadyClock::now();
    if (now >= end_by) {
      co_return Failed(FetchFailure::kTimeout, "the download took longer than " +
                                                   std::to_string(options_.max_time.count()) +
                                                   " s; gave up");
    }
    const auto deadline = std::min(now + options_.retransmit_timeout, end_by);
    Received got = co_await Receive(deadline);
    if (got.kind == Received::kIo) co_return Failed(FetchFailure::kIo, "receiving: " + got.error);
    if (got.kind == Received::kTimeout) {
      if (++timeouts > options_.max_retries) {
        co_return Failed(
            FetchFailure::kTimeout,
            std::string("no answer") +
                (tid ? " after block " + std::to_string(expected - 1) : " to the read request") +
                " in " + std::to_string(options_.max_retries + 1) + " tries, " +
                std::to_string(options_.retransmit_timeout.count()) +
                " ms apart (is a TFTP server listening there?)");
      }
      ++result_.retransmissions;
      co_await Send(last_sent, last_to);
      continue;
    }
    const ByteView datagram(buffer_.data(), got.size);
    const bool is_error =
        got.size >= 2 && buffer_[0] == 0 && buffer_[1] == static_cast<std::uint8_t>(Opcode::kError);
    if (!tid) {
      // The first answer must come from the server's address; its port is the transfer ID.
      if (from_.address() != server.address()) continue;
      tid = from_;
      last_to = from_;
      result_.server = Show(from_);
    } else if (from_ != *tid) {
      // RFC 1350: another transfer ID gets ERROR 5 and leaves this transfer alone; an ERROR
      // is never answered.
      if (!is_error) {
        const udp::endpoint stray = from_;
        co_await SendError(ErrorCode::kUnknownTransferId, "unknown transfer ID", stray);
      }
      continue;
    }
    auto packet = DecodePacket(datagram);
    if (!packet.ok()) {
      co_await SendError(ErrorCode::kIllegalOperation, "malformed packet", *tid);
      co_return Failed(FetchFailure::kProtocol,
                       "the server sent a malformed packet: " + packet.message());
    }
    if (auto* error = std::get_if<ErrorPacket>(&*packet)) {
      const std::string text = "ERROR " + std::to_string(static_cast<int>(error->code)) + " '" +
                               Printable(error->message) + "'";
      if (error->code == ErrorCode::kFileNotFound) {
        co_return Failed(FetchFailure::kNotFound, text + " (the server does not have this file)");
      }
      if (error->code == ErrorCode::kOptionRefused && options_sent && expected == 1 && !oack_seen) {
        // RFC 2347: the server refused the options; ask again without them.
        request.options.clear();
        options_sent = false;
        tid.reset();
        last_sent = EncodeRequest(request);
        last_to = server;
        timeouts = 0;
        co_await Send(last_sent, last_to);
        continue;
      }
      co_return Failed(FetchFailure::kRefused, text);
    }
    if (auto* oack = std::get_if<OptionAckPacket>(&*packet)) {
      if (!options_sent || expected != 1) {
        if (oack_seen && expected == 1) {
          co_await Send(last_sent, last_to);  // our ACK 0 was lost: the OACK came again
          continue;
        }
        co_await SendError(ErrorCode::kIllegalOperation, "unexpected OACK", *tid);
        co_return Failed(FetchFailure::kProtocol, "the server sent an OACK where none was due");
      }
      for (const Option& option : oack->options) {
        if (option.name == "blksize") {
          auto value = Number(option.value);
          if (!value || *value < kMinBlockSize || *value > options_.blksize) {
            co_await SendError(ErrorCode::kOptionRefused, "blksize out of range", *tid);
            co_return Failed(FetchFailure::kProtocol, "the server's OACK has blksize '" +
                                                          Printable(option.value) + "', not 8.." +
                                                          std::to_string(options_.blksize));
          }
          blksize = static_cast<std::uint16_t>(*value);
        } else if (option.name == "tsize") {
          auto value = Number(option.value);
          if (value && *value > options_.max_size) {
            co_await SendError(ErrorCode::kOptionRefused, "file too large", *tid);
            co_return Failed(FetchFailure::kTooLarge,
                             "the file is " + std::to_string(*value) + " bytes, over the " +
                                 std::to_string(options_.max_size) + "-byte limit");
          }
        }
      }
      result_.oack = oack->options;
      oack_seen = true;
      last_sent = EncodeAck(0);
      timeouts = 0;
      co_await Send(last_sent, last_to);
      continue;
    }
    if (auto* data = std::get_if<DataPacket>(&*packet)) {
      const auto want = static_cast<std::uint16_t>(expected & 0xffff);
      const auto previous = static_cast<std::uint16_t>((expected - 1) & 0xffff);
      if (data->block == previous && expected > 1) {
        co_await Send(last_sent, last_to);  // our ACK was lost: the block came again
        continue;
      }
      if (data->block != want) continue;  // stale or from the future: the timer resends
      if (expected == 1 && !oack_seen) blksize = kDefaultBlockSize;  // options ignored
      if (data->payload.size() > blksize) {
        co_await SendError(ErrorCode::kIllegalOperation, "block larger than blksize", *tid);
        co_return Failed(FetchFailure::kProtocol,
                         "block " + std::to_string(expected) + " carries " +
                             std::to_string(data->payload.size()) + " bytes, over the block size " +
                             std::to_string(blksize));
      }
      if (result_.data.size() + data->payload.size() > options_.max_size) {
        co_await SendError(ErrorCode::kDiskFull, "file too large", *tid);
        co_return Failed(
            FetchFailure::kTooLarge,
            "the file runs past the " + std::to_string(options_.max_size) + "-byte limit");
      }
      result_.data.insert(result_.data.end(), data->payload.begin(), data->payload.end());
      last_sent = EncodeAck(data->block);
      timeouts = 0;
      co_await Send(last_sent, last_to);
      if (data->payload.size() < blksize) {
        result_.blksize = blksize;
        result_.failure = FetchFailure::kNone;
        co_return std::move(result_);
      }
      ++expected;
      continue;
    }
    co_await SendError(ErrorCode::kIllegalOperation, "unexpected packet", *tid);
    co_return Failed(FetchFailure::kProtocol,
                     "the server sent " +
                         OpcodeName(static_cast<std::uint16_t>((buffer_[0] << 8) | buffer_[1])) +
                         " during a read transfer");
  }
}

asio::awaitable<FetchResult> RunDownload(asio::any_io_executor executor, std::string host,
                                         std::uint16_t port, std::string filename,
                                         ClientOptions options) {
  Download download(executor, std::move(host), port, std::move(filename), options);
  co_return co_await download.Run();
}

}  // namespace

asio::awaitable<FetchResult> Fetch(asio::any_io_executor executor, std::string host,
                                   std::uint16_t port, std::string filename,
                                   ClientOptions options) {
  asio::any_io_executor strand = asio::make_strand(executor);
  auto task = asio::co_spawn(
      strand, RunDownload(strand, std::move(host), port, std::move(filename), options),
      asio::use_awaitable);
  co_return co_await std::move(task);
}

FetchResult FetchBlocking(const std::string& host, std::uint16_t port, const std::string& filename,
                          const ClientOptions& options) {
  asio::io_context io;
  std::optional<FetchResult> result;
  asio::co_spawn(io, Fetch(io.get_executor(), host, port, filename, options),
                 [&](std::exception_ptr error, FetchResult r) {
                   if (error) {
                     r = FetchResult{};
                     r.failure = FetchFailure::kIo;
                     r.message = host + ":" + std::to_string(port) + ": " + filename +
                                 ": the download stopped unexpectedly";
                   }
                   result = std::move(r);
                 });
  io.run();
  if (!result) {
    FetchResult r;
    r.failure = FetchFailure::kIo;
    r.message = host + ":" + std::to_string(port) + ": " + filename + ": the download never ended";
    return r;
  }
  return std::move(*result);
}

}  // namespace opencapf::tftp
