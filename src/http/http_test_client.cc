#include "http/http_test_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>


namespace opencapf::http::testing {

namespace {

std::string LowerCopy(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

int MillisLeft(std::chrono::steady_clock::time_point until) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      until - std::chrono::steady_clock::now());
  return left.count() < 0 ? 0 : static_cast<int>(left.count());
}

}  // namespace

std::string RawResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return "";
}

bool RawResponse::Has(std::string_view name) const {
  for (const auto& h : headers) {
    if (h.first == name) return true;
  }
  return false;
}

RawClient::RawClient(std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
    ::close(fd_);
    fd_ = -1;
    return;
  }
  int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

RawClient::~RawClient() { Close(); }

void RawClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool RawClient::Send(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

bool RawClient::Readable(std::chrono::milliseconds timeout) {
  if (!buffered_.empty()) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) > 0;
}

bool RawClient::Fill(std::chrono::steady_clock::time_point until) {
  if (ended_) return false;
  pollfd p{fd_, POLLIN, 0};
  const int ready = ::poll(&p, 1, MillisLeft(until));
  if (ready <= 0) return false;
  char chunk[65536];
  const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n < 0) {
    if (errno == EINTR || errno == EAGAIN) return true;
    reset_ = errno == ECONNRESET;
    ended_ = true;
    return false;
  }
  if (n == 0) {
    ended_ = true;
    return false;
  }
  buffered_.append(chunk, static_cast<std::size_t>(n));
  return true;
}

std::optional<RawResponse> RawClient::ReadResponse(std::chrono::milliseconds timeout,
                                                   bool head_only) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  std::size_t end;
  while ((end = buffered_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill(until)) return std::nullopt;
  }
  const std::string head = buffered_.substr(0, end + 2);
  buffered_.erase(0, end + 4);
  RawResponse r;
  std::istringstream lines(head);
  std::string line;
  if (!std::getline(lines, line) || line.rfind("HTTP/1.1 ", 0) != 0 || line.size() < 12) {
    return std::nullopt;
  }
  r.status = std::atoi(line.substr(9, 3).c_str());
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) return std::nullopt;
    std::string value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    r.headers.emplace_back(LowerCopy(line.substr(0, colon)), value);
  }
  if (head_only || r.status == 304) return r;
  const std::size_t length = std::strtoull(r.Header("content-length").c_str(), nullptr, 10);
  while (buffered_.size() < length) {
    if (!Fill(until)) return std::nullopt;
  }
  r.body = buffered_.substr(0, length);
  buffered_.erase(0, length);
  return r;
}

Ending RawClient::WaitForEnd(std::chrono::milliseconds timeout, std::uint64_t* discarded) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  std::uint64_t read = buffered_.size();
  buffered_.clear();
  while (!ended_ && std::chrono::steady_clock::now() < until) {
    if (Fill(until)) {
      read += buffered_.size();
      buffered_.clear();
    }
  }
  if (discarded) *discarded = read;
  if (!ended_) return Ending::kStillOpen;
  return reset_ ? Ending::kReset : Ending::kClosed;
}

std::string FileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace opencapf::http::testing
