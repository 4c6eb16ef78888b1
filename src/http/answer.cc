#include "http/answer.h"

#include <algorithm>

#include "tftp/packet.h"

namespace opencapf::http {

namespace {

int StatusFor(tftp::FileError error) {
  switch (error) {
    case tftp::FileError::kNotFound:
      return 404;
    case tftp::FileError::kAccessViolation:
      return 403;
    case tftp::FileError::kNone:
    case tftp::FileError::kUnavailable:
      break;
  }
  return 503;
}

// Whether If-Range lets the Range apply: only a date equal to the file's (RFC 9110 §13.1.5);
// an entity tag never matches, as this server sends none.
bool IfRangeMatches(const Request& request, std::time_t modified) {
  if (request.Count("if-range") == 0) return true;
  auto value = request.Single("if-range");
  if (!value || modified == 0) return false;
  auto date = ParseHttpDate(*value);
  return date.ok() && *date == modified;
}

// Whether If-Modified-Since says the client's copy is current (RFC 9110 §13.1.3).
bool NotModifiedSince(const Request& request, std::time_t modified) {
  if (modified == 0 || request.Count("if-none-match") > 0) return false;
  auto value = request.Single("if-modified-since");
  if (!value) return false;
  auto date = ParseHttpDate(*value);
  return date.ok() && modified <= *date;
}

}  // namespace

Response AnswerRequest(const Request& request, const tftp::FileSource& files, std::time_t now) {
  const bool head = request.method == "HEAD";
  const bool http10 = request.major == 1 && request.minor == 0;
  const bool close = !request.KeepAlive() || request.HasBody();
  std::string shown = "-";
  auto finish = [&](Response r) {
    r.send_body = r.send_body && !head;
    r.close = r.close || close;
    r.http10 = http10;
    r.name = shown;
    return r;
  };
  auto refuse = [&](int status, const std::string& why) {
    Response r = TextResponse(status, why, now);
    r.note = "reason: " + why;
    return finish(std::move(r));
  };

  auto path = DecodeTargetPath(request.target);
  shown = tftp::Printable(path.ok() ? std::string_view(*path) : request.target);
  if (shown.empty()) shown = "(empty name)";
  if (request.major != 1) {
    Response r =
        refuse(505, "HTTP/" + std::to_string(request.major) + "." + std::to_string(request.minor) +
                        " is not supported; this server speaks HTTP/1.1");
    r.close = true;
    return r;
  }
  if (request.method != "GET" && !head) {
    Response r = refuse(405, "the method " + tftp::Printable(request.method, 32) +
                                 " is not allowed; files are fetched with GET or HEAD");
    r.Add("Allow", "GET, HEAD");
    return r;
  }
  if (!path.ok()) return refuse(400, path.message());
  if (Status st = CheckFileName(*path); !st.ok()) return refuse(403, shown + ": " + st.message());

  tftp::FileLookup lookup = files.Open(*path);
  if (!lookup.ok()) {
    const int status = StatusFor(lookup.error);
    const std::string message =
        lookup.message.empty() ? shown + ": cannot be served" : lookup.message;
    return refuse(status, message);
  }
  const std::uint64_t size = lookup.bytes->size();
  // Never later than the response's own Date (RFC 9110 §8.8.2.1).
  const std::time_t modified = lookup.modified > 0 ? std::min(lookup.modified, now) : 0;

  Response r;
  r.Add("Date", FormatHttpDate(now));
  if (modified > 0) r.Add("Last-Modified", FormatHttpDate(modified));
  if (NotModifiedSince(request, modified)) {
    r.status = 304;
    r.send_body = false;
    return finish(std::move(r));
  }
  r.Add("Accept-Ranges", "bytes");
  r.Add("Content-Type", std::string(ContentTypeFor(*path)));
  r.file = std::move(lookup.bytes);
  r.length = size;

  const std::size_t ranges = request.Count("range");
  if (ranges > 1) {
    r.note = "several Range headers ignored";
  } else if (ranges == 1 && !IfRangeMatches(request, modified)) {
    r.note = "Range ignored: If-Range does not match";
  } else if (ranges == 1) {
    auto specs = ParseRange(*request.Single("range"));
    if (!specs.ok()) {
      r.note = "Range ignored: " + specs.message();
    } else {
      const RangeChoice choice = ChooseRange(*specs, size);
      if (choice.kind == RangeChoice::Kind::kUnsatisfiable) {
        Response unsatisfiable =
            refuse(416, shown + ": the range asked for starts past the end of the file (" +
                            std::to_string(size) + " bytes)");
        unsatisfiable.Add("Content-Range", "bytes */" + std::to_string(size));
        return unsatisfiable;
      }
      if (choice.kind == RangeChoice::Kind::kPart) {
        r.status = 206;
        r.offset = choice.first;
        r.length = choice.last - choice.first + 1;
        const std::string range = std::to_string(choice.first) + "-" + std::to_string(choice.last);
        r.Add("Content-Range", "bytes " + range + "/" + std::to_string(size));
        r.note = "range=" + range + "/" + std::to_string(size);
      } else {
        r.note = "several ranges: the whole file sent";
      }
    }
  }
  r.Add("Content-Length", std::to_string(r.length));
  return finish(std::move(r));
}

}  // namespace opencapf::http
