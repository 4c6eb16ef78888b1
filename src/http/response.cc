#include "http/response.h"

#include "http/request.h"

namespace opencapf::http {

void Response::Add(std::string header_name, std::string value) {
  headers.emplace_back(std::move(header_name), std::move(value));
}

std::uint64_t Response::body_size() const {
  if (!send_body) return 0;
  return file ? length : text.size();
}

ByteView Response::body() const {
  if (!send_body) return {};
  if (file) return ByteView(file->data() + offset, static_cast<std::size_t>(length));
  return ByteView(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

std::string FormatHead(const Response& response) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " ";
  out += ReasonPhrase(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (response.close) {
    out += "Connection: close\r\n";
  } else if (response.http10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  return out;
}

std::string_view ContentTypeFor(std::string_view name) {
  constexpr std::string_view kXml = ".xml";
  if (name.size() >= kXml.size()) {
    std::string_view tail = name.substr(name.size() - kXml.size());
    bool xml = true;
    for (std::size_t i = 0; i < kXml.size(); ++i) {
      const char c =
          tail[i] >= 'A' && tail[i] <= 'Z' ? static_cast<char>(tail[i] - 'A' + 'a') : tail[i];
      xml = xml && c == kXml[i];
    }
    if (xml) return "text/xml";
  }
  return "application/octet-stream";
}

Response TextResponse(int status, const std::string& message, std::time_t now) {
  Response r;
  r.status = status;
  r.text = message + "\n";
  r.Add("Date", FormatHttpDate(now));
  r.Add("Content-Type", "text/plain; charset=utf-8");
  r.Add("Content-Length", std::to_string(r.text.size()));
  return r;
}

}  // namespace opencapf::http
