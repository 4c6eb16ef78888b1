// What the server answers, decided without sockets: a parsed request against a file source.
#include "http/answer.h"

#include <gtest/gtest.h>

namespace opencapf::http {
namespace {

using Kind = tftp::FileError;

constexpr std::time_t kNow = 1700000000;       // Tue, 14 Nov 2023 22:13:20 GMT
constexpr std::time_t kModified = 1699999000;  // Tue, 14 Nov 2023 21:56:40 GMT

// A source with one file of known time, and refusals of each kind.
class FakeFiles final : public tftp::FileSource {
 public:
  tftp::FileLookup Open(std::string_view name) const override {
    auto found = [&](std::time_t time, bool empty = false) {
      return tftp::FileLookup::Found(std::make_shared<const Bytes>(empty ? Bytes{} : bytes), time);
    };
    if (name == "ITLFile.tlv" || name == "SEP001122334455.cnf.xml") return found(modified);
    if (name == "future.bin") return found(kNow + 100);
    if (name == "timeless.bin") return found(0);
    if (name == "empty.bin") return found(modified, true);
    if (name == "locked") {
      return tftp::FileLookup::Refused(Kind::kAccessViolation, "locked: permission denied");
    }
    if (name == "big") {
      return tftp::FileLookup::Refused(
          Kind::kUnavailable, "big: larger than the 10-byte limit for files served over TFTP");
    }
    return tftp::FileLookup::Refused(Kind::kNotFound, std::string(name) + ": no such file");
  }
  Bytes bytes = BytesOf("0123456789");
  std::time_t modified = kModified;
};

Request Get(const std::string& target, std::vector<Header> extra = {},
            const std::string& method = "GET") {
  Request r;
  r.method = method;
  r.target = target;
  r.headers.push_back({"host", "10.0.0.1:6970"});
  for (auto& h : extra) r.headers.push_back(std::move(h));
  return r;
}

std::string HeaderOf(const Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "(none)";
}

// What the server sends after the head.
std::string Body(const Response& r) {
  const ByteView body = r.body();
  EXPECT_EQ(body.size(), r.body_size());
  return std::string(body.begin(), body.end());
}

TEST(HttpAnswer, GetSendsTheFileWithItsHeaders) {
  FakeFiles files;
  Response r = AnswerRequest(Get("/ITLFile.tlv"), files, kNow);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r), "0123456789");
  EXPECT_EQ(r.body_size(), 10u);
  EXPECT_EQ(HeaderOf(r, "Content-Length"), "10");
  EXPECT_EQ(HeaderOf(r, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(HeaderOf(r, "Last-Modified"), "Tue, 14 Nov 2023 21:56:40 GMT");
  EXPECT_EQ(HeaderOf(r, "Date"), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(HeaderOf(r, "Accept-Ranges"), "bytes");
  EXPECT_FALSE(r.close);
  EXPECT_EQ(r.name, "ITLFile.tlv");
  EXPECT_EQ(FormatHead(r),
            "HTTP/1.1 200 OK\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
            "Last-Modified: Tue, 14 Nov 2023 21:56:40 GMT\r\n"
            "Accept-Ranges: bytes\r\n"
            "Content-Type: application/octet-stream\r\n"
            "Content-Length: 10\r\n"
            "\r\n");
  EXPECT_EQ(HeaderOf(AnswerRequest(Get("/SEP001122334455.cnf.xml"), files, kNow), "Content-Type"),
            "text/xml");
}

TEST(HttpAnswer, HeadSendsTheSameHeadWithoutTheBody) {
  FakeFiles files;
  Response r = AnswerRequest(Get("/ITLFile.tlv", {}, "HEAD"), files, kNow);
  EXPECT_EQ(r.status, 200);
  EXPECT_FALSE(r.send_body);
  EXPECT_EQ(r.body_size(), 0u);
  EXPECT_EQ(HeaderOf(r, "Content-Length"), "10") << "what GET would send";
  Response missing = AnswerRequest(Get("/nope", {}, "HEAD"), files, kNow);
  EXPECT_EQ(missing.status, 404);
  EXPECT_FALSE(missing.send_body);
}

TEST(HttpAnswer, LastModifiedIsNeverLaterThanNowNorInventedWhenUnknown) {
  FakeFiles files;
  EXPECT_EQ(HeaderOf(AnswerRequest(Get("/future.bin"), files, kNow), "Last-Modified"),
            FormatHttpDate(kNow));
  Response timeless = AnswerRequest(Get("/timeless.bin"), files, kNow);
  EXPECT_EQ(HeaderOf(timeless, "Last-Modified"), "(none)");
  // With no time, If-Modified-Since cannot say the copy is current.
  Response conditional = AnswerRequest(
      Get("/timeless.bin", {{"if-modified-since", FormatHttpDate(kNow)}}), files, kNow);
  EXPECT_EQ(conditional.status, 200);
}

TEST(HttpAnswer, IfModifiedSince) {
  FakeFiles files;
  auto with = [&](std::vector<Header> headers, const std::string& method = "GET") {
    return AnswerRequest(Get("/ITLFile.tlv", std::move(headers), method), files, kNow);
  };
  Response same = with({{"if-modified-since", "Tue, 14 Nov 2023 21:56:40 GMT"}});
  EXPECT_EQ(same.status, 304);
  EXPECT_FALSE(same.send_body);
  EXPECT_EQ(HeaderOf(same, "Content-Length"), "(none)");
  EXPECT_EQ(HeaderOf(same, "Last-Modified"), "Tue, 14 Nov 2023 21:56:40 GMT");
  EXPECT_EQ(FormatHead(same).rfind("HTTP/1.1 304 Not Modified\r\n", 0), 0u);
  EXPECT_EQ(with({{"if-modified-since", "Tue, 14 Nov 2023 22:00:00 GMT"}}).status, 304);
  EXPECT_EQ(with({{"if-modified-since", "Tuesday, 14-Nov-23 22:00:00 GMT"}}).status, 304);
  EXPECT_EQ(with({{"if-modified-since", "Tue, 14 Nov 2023 21:56:39 GMT"}}).status, 200)
      << "changed a second after the client's copy";
  EXPECT_EQ(with({{"if-modified-since", "garbage"}}).status, 200) << "an invalid date is ignored";
  EXPECT_EQ(with({{"if-modified-since", "Tue, 14 Nov 2023 22:00:00 GMT"},
                  {"if-modified-since", "Tue, 14 Nov 2023 22:00:00 GMT"}})
                .status,
            200)
      << "a repeated one is ignored";
  EXPECT_EQ(
      with({{"if-modified-since", "Tue, 14 Nov 2023 22:00:00 GMT"}, {"if-none-match", "\"x\""}})
          .status,
      200)
      << "If-None-Match wins, and no entity tag matches";
  EXPECT_EQ(with({{"if-modified-since", "Tue, 14 Nov 2023 22:00:00 GMT"}}, "HEAD").status, 304);
}

TEST(HttpAnswer, RangesGivePartsOr416) {
  FakeFiles files;
  auto ranged = [&](const std::string& range, std::vector<Header> more = {}) {
    std::vector<Header> headers = {{"range", range}};
    for (auto& h : more) headers.push_back(std::move(h));
    return AnswerRequest(Get("/ITLFile.tlv", std::move(headers)), files, kNow);
  };
  Response part = ranged("bytes=2-5");
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(Body(part), "2345");
  EXPECT_EQ(HeaderOf(part, "Content-Range"), "bytes 2-5/10");
  EXPECT_EQ(HeaderOf(part, "Content-Length"), "4");
  EXPECT_EQ(part.note, "range=2-5/10");
  EXPECT_EQ(FormatHead(part).rfind("HTTP/1.1 206 Partial Content\r\n", 0), 0u);
  EXPECT_EQ(Body(ranged("bytes=7-")), "789");
  EXPECT_EQ(Body(ranged("bytes=-3")), "789");
  EXPECT_EQ(Body(ranged("bytes=5-100")), "56789");

  Response unsatisfiable = ranged("bytes=10-");
  EXPECT_EQ(unsatisfiable.status, 416);
  EXPECT_EQ(HeaderOf(unsatisfiable, "Content-Range"), "bytes */10");
  EXPECT_FALSE(unsatisfiable.file);
  EXPECT_NE(unsatisfiable.text.find("starts past the end"), std::string::npos);

  Response several = ranged("bytes=0-1,4-5");
  EXPECT_EQ(several.status, 200);
  EXPECT_EQ(Body(several), "0123456789");
  Response bad = ranged("bytes=5-1");
  EXPECT_EQ(bad.status, 200) << "a Range that does not parse is ignored";
  EXPECT_NE(bad.note.find("Range ignored: range '5-1' ends before it begins"), std::string::npos)
      << bad.note;
  EXPECT_EQ(ranged("lines=1-2").status, 200);
  EXPECT_EQ(ranged("bytes=0-1", {{"range", "bytes=2-3"}}).status, 200);

  EXPECT_EQ(ranged("bytes=0-1", {{"if-range", "Tue, 14 Nov 2023 21:56:40 GMT"}}).status, 206);
  EXPECT_EQ(ranged("bytes=0-1", {{"if-range", "Tue, 14 Nov 2023 21:56:41 GMT"}}).status, 200)
      << "the client's part is of another version";
  EXPECT_EQ(ranged("bytes=0-1", {{"if-range", "\"etag\""}}).status, 200);

  Response empty = AnswerRequest(Get("/empty.bin", {{"range", "bytes=0-"}}), files, kNow);
  EXPECT_EQ(empty.status, 416);
  EXPECT_EQ(HeaderOf(empty, "Content-Range"), "bytes */0");
  Response head = AnswerRequest(Get("/ITLFile.tlv", {{"range", "bytes=0-3"}}, "HEAD"), files, kNow);
  EXPECT_EQ(head.status, 206);
  EXPECT_FALSE(head.send_body);
  EXPECT_EQ(HeaderOf(head, "Content-Length"), "4");
}

TEST(HttpAnswer, RefusalsCarryTheirStatusAndAShortText) {
  FakeFiles files;
  struct Case {
    std::string target;
    int status;
    std::string text;
  };
  const std::vector<Case> cases = {
      {"/nope", 404, "nope: no such file\n"},
      {"/locked", 403, "locked: permission denied\n"},
      {"/big", 503, "big: larger than the 10-byte limit for files served over TFTP\n"},
      {"/../etc/passwd", 403,
       "../etc/passwd: a '..' component is refused; names stay inside the TFTP root\n"},
      {"/%2e%2e/x", 403, "../x: a '..' component is refused; names stay inside the TFTP root\n"},
      {"//etc/passwd", 403,
       "/etc/passwd: absolute paths are refused; ask for a name relative to the TFTP root\n"},
      {"/a%00", 403, "a\\x00: a file name cannot contain a NUL byte\n"},
      {"/", 403, "(empty name): an empty name names no file\n"},
      {"/a%zz", 400,
       "the target '/a%zz' has a '%' at byte 2 that is not followed by two hex digits\n"},
      {"*", 400, "the target '*' names no file (it is for OPTIONS)\n"},
  };
  for (const Case& c : cases) {
    Response r = AnswerRequest(Get(c.target), files, kNow);
    EXPECT_EQ(r.status, c.status) << c.target;
    EXPECT_EQ(r.text, c.text) << c.target;
    EXPECT_EQ(HeaderOf(r, "Content-Type"), "text/plain; charset=utf-8");
    EXPECT_EQ(HeaderOf(r, "Content-Length"), std::to_string(c.text.size()));
    EXPECT_FALSE(r.file);
    EXPECT_EQ(r.note, "reason: " + c.text.substr(0, c.text.size() - 1));
    EXPECT_FALSE(r.close) << "a refusal keeps the connection: the next file may be there";
  }
}

TEST(HttpAnswer, OnlyGetAndHeadAndOnlyHttp1) {
  FakeFiles files;
  for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "get", "BREW"}) {
    Response r = AnswerRequest(Get("/ITLFile.tlv", {}, method), files, kNow);
    EXPECT_EQ(r.status, 405) << method;
    EXPECT_EQ(HeaderOf(r, "Allow"), "GET, HEAD");
    EXPECT_NE(r.text.find("files are fetched with GET or HEAD"), std::string::npos);
  }
  Request two = Get("/ITLFile.tlv");
  two.major = 2;
  two.minor = 0;
  Response r = AnswerRequest(two, files, kNow);
  EXPECT_EQ(r.status, 505);
  EXPECT_TRUE(r.close);
  EXPECT_EQ(FormatHead(r).rfind("HTTP/1.1 505 HTTP Version Not Supported\r\n", 0), 0u);
}

TEST(HttpAnswer, ConnectionHandling) {
  FakeFiles files;
  Response closing = AnswerRequest(Get("/ITLFile.tlv", {{"connection", "close"}}), files, kNow);
  EXPECT_TRUE(closing.close);
  EXPECT_NE(FormatHead(closing).find("\r\nConnection: close\r\n"), std::string::npos);

  Request old = Get("/ITLFile.tlv");
  old.minor = 0;
  EXPECT_TRUE(AnswerRequest(old, files, kNow).close) << "HTTP/1.0 without keep-alive";
  old.headers.push_back({"connection", "keep-alive"});
  Response kept = AnswerRequest(old, files, kNow);
  EXPECT_FALSE(kept.close);
  EXPECT_NE(FormatHead(kept).find("\r\nConnection: keep-alive\r\n"), std::string::npos);

  Request with_body = Get("/ITLFile.tlv", {}, "POST");
  with_body.content_length = 5;
  EXPECT_TRUE(AnswerRequest(with_body, files, kNow).close) << "the body is never read";
  Request get_body = Get("/ITLFile.tlv");
  get_body.transfer_encoding = true;
  Response served = AnswerRequest(get_body, files, kNow);
  EXPECT_EQ(served.status, 200);
  EXPECT_TRUE(served.close);
}

TEST(HttpResponse, ReasonPhrasesAndContentTypes) {
  EXPECT_EQ(ReasonPhrase(404), "Not Found");
  EXPECT_EQ(ReasonPhrase(408), "Request Timeout");
  EXPECT_EQ(ReasonPhrase(416), "Range Not Satisfiable");
  EXPECT_EQ(ReasonPhrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(ReasonPhrase(503), "Service Unavailable");
  EXPECT_EQ(ReasonPhrase(299), "Unknown");
  EXPECT_EQ(ContentTypeFor("SEP001122334455.cnf.xml"), "text/xml");
  EXPECT_EQ(ContentTypeFor("XMLDefault.CNF.XML"), "text/xml");
  EXPECT_EQ(ContentTypeFor("SEP001122334455.cnf.xml.sgn"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("ITLFile.tlv"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("xml"), "application/octet-stream");
  Response text = TextResponse(503, "busy", kNow);
  text.close = true;
  text.Add("Retry-After", "1");
  EXPECT_EQ(FormatHead(text),
            "HTTP/1.1 503 Service Unavailable\r\n"
            "Date: Tue, 14 Nov 2023 22:13:20 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 5\r\n"
            "Retry-After: 1\r\n"
            "Connection: close\r\n"
            "\r\n");
  EXPECT_EQ(text.text, "busy\n");
}

}  // namespace
}  // namespace opencapf::http
