#include "http/request.h"

#include <gtest/gtest.h>

#include <limits>

namespace opencapf::http {
namespace {

TEST(HttpRequest, ParsesAPhonesGet) {
  const std::string head =
      "GET /SEP001122334455.cnf.xml HTTP/1.1\r\n"
      "Host: 10.0.0.1:6970\r\n"
      "User-Agent: Cisco-CP8845/14.2\r\n"
      "Accept: */*\r\n"
      "\r\n";
  ASSERT_EQ(FindHeadEnd(head), head.size());
  auto request = ParseRequestHead(head);
  ASSERT_TRUE(request.ok()) << request.message();
  EXPECT_EQ(request->method, "GET");
  EXPECT_EQ(request->target, "/SEP001122334455.cnf.xml");
  EXPECT_EQ(request->major, 1);
  EXPECT_EQ(request->minor, 1);
  ASSERT_EQ(request->headers.size(), 3u);
  EXPECT_EQ(request->headers[0], (Header{"host", "10.0.0.1:6970"}));
  EXPECT_EQ(request->headers[1], (Header{"user-agent", "Cisco-CP8845/14.2"}));
  EXPECT_EQ(request->Single("HOST"), "10.0.0.1:6970");
  EXPECT_EQ(request->Single("user-AGENT"), "Cisco-CP8845/14.2");
  EXPECT_FALSE(request->Single("range"));
  EXPECT_TRUE(request->KeepAlive());
  EXPECT_FALSE(request->HasBody());
  EXPECT_FALSE(request->content_length);
}

TEST(HttpRequest, HeaderNamesAreCaseInsensitiveAndValuesTrimmed) {
  auto request = ParseRequestHead(
      "HEAD /a HTTP/1.1\r\nHOST:x\r\nX-Thing: \t spaced value \t\r\nX-Obs: caf\xc3\xa9\r\n\r\n");
  ASSERT_TRUE(request.ok()) << request.message();
  EXPECT_EQ(request->method, "HEAD");
  EXPECT_EQ(request->Single("host"), "x");
  EXPECT_EQ(request->Single("x-thing"), "spaced value");
  EXPECT_EQ(request->Single("x-obs"), "caf\xc3\xa9") << "obs-text stays allowed in values";
}

TEST(HttpRequest, RepeatedHeadersAreKeptAndSingleIgnoresThem) {
  auto request = ParseRequestHead(
      "GET /a HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\r\nrange: bytes=2-3\r\nAccept: a\r\n\r\n");
  ASSERT_TRUE(request.ok()) << request.message();
  EXPECT_EQ(request->Count("Range"), 2u);
  EXPECT_FALSE(request->Single("range")) << "a header that may appear once, sent twice";
  EXPECT_EQ(request->Single("accept"), "a");
}

TEST(HttpRequest, EmptyLinesBeforeTheRequestLineAreSkipped) {
  const std::string head = "\r\n\r\nGET /a HTTP/1.0\r\n\r\n";
  EXPECT_EQ(FindHeadEnd(head), head.size());
  auto request = ParseRequestHead(head);
  ASSERT_TRUE(request.ok()) << request.message();
  EXPECT_EQ(request->target, "/a");
  EXPECT_EQ(request->minor, 0);
  EXPECT_FALSE(request->KeepAlive()) << "HTTP/1.0 closes unless asked";
}

TEST(HttpRequest, FindHeadEndWaitsForTheBlankLine) {
  EXPECT_EQ(FindHeadEnd(""), std::string::npos);
  EXPECT_EQ(FindHeadEnd("\r\n"), std::string::npos);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\n"), std::string::npos);
  EXPECT_EQ(FindHeadEnd("GET / HTTP/1.1\r\nHost: x\r\n\r"), std::string::npos);
  const std::string one = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n";
  EXPECT_EQ(FindHeadEnd(one + "GET /b HTTP/1.1\r\n"), one.size()) << "a pipelined next request";
  // Bare LFs end a head here, so that ParseRequestHead refuses it at once.
  const std::string bare = "GET / HTTP/1.1\nHost: x\n\n";
  EXPECT_EQ(FindHeadEnd(bare), bare.size());
}

TEST(HttpRequest, ConnectionDecidesKeepAlive) {
  struct Case {
    std::string version;
    std::string connection;  // "" for none
    bool keep_alive;
  };
  const std::vector<Case> cases = {
      {"HTTP/1.1", "", true},           {"HTTP/1.1", "close", false},
      {"HTTP/1.1", "Close", false},     {"HTTP/1.1", "keep-alive, close", false},
      {"HTTP/1.1", "keep-alive", true}, {"HTTP/1.0", "", false},
      {"HTTP/1.0", "Keep-Alive", true}, {"HTTP/1.0", "te, keep-alive", true},
  };
  for (const Case& c : cases) {
    std::string head = "GET /a " + c.version + "\r\nHost: x\r\n";
    if (!c.connection.empty()) head += "Connection: " + c.connection + "\r\n";
    head += "\r\n";
    auto request = ParseRequestHead(head);
    ASSERT_TRUE(request.ok()) << request.message();
    EXPECT_EQ(request->KeepAlive(), c.keep_alive) << c.version << " " << c.connection;
  }
}

TEST(HttpRequest, BodiesAreNoticed) {
  auto with_length = ParseRequestHead("POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 12\r\n\r\n");
  ASSERT_TRUE(with_length.ok()) << with_length.message();
  EXPECT_EQ(with_length->content_length, 12u);
  EXPECT_TRUE(with_length->HasBody());
  auto zero = ParseRequestHead("GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(zero.ok());
  EXPECT_FALSE(zero->HasBody());
  auto same_twice = ParseRequestHead(
      "GET /a HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\n\r\n");
  ASSERT_TRUE(same_twice.ok()) << same_twice.message();
  EXPECT_EQ(same_twice->content_length, 5u);
  auto chunked =
      ParseRequestHead("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  ASSERT_TRUE(chunked.ok());
  EXPECT_TRUE(chunked->HasBody());
}

TEST(HttpRequest, MalformedHeadsAreRefusedSayingWhatIsWrong) {
  struct Case {
    std::string head;
    std::string expected;
  };
  const std::string host = "Host: x\r\n";
  const std::vector<Case> cases = {
      {"", "the request head is empty"},
      {"\r\n\r\n", "the request head is empty"},
      {"GET /a HTTP/1.1", "line 1 does not end in CRLF"},
      {"GET /a HTTP/1.1\r\nHost: x", "line 2 does not end in CRLF"},
      {"GET /a HTTP/1.1\r\nHost: x\r\n", "does not end with an empty line"},
      {"GET /a HTTP/1.1\nHost: x\n\n", "line 1 ends in a bare LF"},
      {"GET /a HTTP/1.1\r\nHost: x\n\r\n", "line 2 ends in a bare LF"},
      {"GET /a HTTP/1.1\r\nHost: x\r\n\n", "line 3 ends in a bare LF"},
      {"GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n", "line 1 holds a bare CR"},
      {std::string("GET /a HTTP/1.1\r\nX: a") + '\0' + "b\r\n" + host + "\r\n",
       "line 2 holds a NUL byte"},
      {"GET\r\n\r\n", "no space after the method"},
      {"GET /a\r\n\r\n", "no space before the version"},
      {"GET  /a HTTP/1.1\r\n" + host + "\r\n", "the target is empty"},
      {"GET /a  HTTP/1.1\r\n" + host + "\r\n", "version ' HTTP/1.1' is not HTTP/<digit>.<digit>"},
      {"G(T /a HTTP/1.1\r\n" + host + "\r\n", "method 'G(T' is not a token"},
      {" GET /a HTTP/1.1\r\n" + host + "\r\n", "method '' is not a token"},
      {"GET /a\tb HTTP/1.1\r\n" + host + "\r\n", "byte 2 of the target is \\x09"},
      {"GET /caf\xc3\xa9 HTTP/1.1\r\n" + host + "\r\n", "byte 4 of the target is \\xc3"},
      {"GET /a http/1.1\r\n" + host + "\r\n", "version 'http/1.1'"},
      {"GET /a HTTP/1\r\n" + host + "\r\n", "version 'HTTP/1' is not"},
      {"GET /a HTTP/1.10\r\n" + host + "\r\n", "version 'HTTP/1.10' is not"},
      {"GET /a HTTP/x.1\r\n" + host + "\r\n", "is not HTTP/<digit>.<digit>"},
      {"GET /a HTTP/1.1\r\n\r\n", "must have a Host header"},
      {"GET /a HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", "more than one Host header"},
      {"GET /a HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", "header line 3 starts with whitespace"},
      {"GET /a HTTP/1.1\r\nHost x\r\n\r\n", "header line 2 has no ':'"},
      {"GET /a HTTP/1.1\r\nHost : x\r\n\r\n", "whitespace between the field name 'Host'"},
      {"GET /a HTTP/1.1\r\n: x\r\n\r\n", "field name '' is not a token"},
      {"GET /a HTTP/1.1\r\nHo(st: x\r\n\r\n", "field name 'Ho(st' is not a token"},
      {"GET /a HTTP/1.1\r\nHost: x\x01y\r\n\r\n", "holds the control character \\x01"},
      {"GET /a HTTP/1.1\r\nHost: x\x7f\r\n\r\n", "holds the control character \\x7f"},
      {"GET /a HTTP/1.1\r\n" + host + "Content-Length: 1x\r\n\r\n", "Content-Length '1x'"},
      {"GET /a HTTP/1.1\r\n" + host + "Content-Length: -1\r\n\r\n", "Content-Length '-1'"},
      {"GET /a HTTP/1.1\r\n" + host + "Content-Length: 99999999999999999999\r\n\r\n",
       "is not a number of bytes"},
      {"GET /a HTTP/1.1\r\n" + host + "Content-Length:\r\n\r\n", "Content-Length is empty"},
      {"GET /a HTTP/1.1\r\n" + host + "Content-Length: 1\r\nContent-Length: 2\r\n\r\n",
       "twice with different values"},
      {"GET /a HTTP/1.1\r\n" + host + "Content-Length: 1, 2\r\n\r\n",
       "twice with different values"},
      {"POST /a HTTP/1.1\r\n" + host + "Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
       "Content-Length and Transfer-Encoding together"},
      {"GET /a HTTP/1.1\r\n" + host + "\r\nGET /b HTTP/1.1\r\n\r\n",
       "goes on for 19 bytes after the empty line"},
  };
  for (const Case& c : cases) {
    auto request = ParseRequestHead(c.head);
    ASSERT_FALSE(request.ok()) << c.head;
    EXPECT_NE(request.message().find(c.expected), std::string::npos)
        << "head: " << c.head << "\nmessage: " << request.message();
  }
}

TEST(HttpRequest, LimitsAreChecked) {
  RequestLimits limits;
  limits.max_head_size = 64;
  limits.max_headers = 2;
  const std::string big = "GET /a HTTP/1.1\r\nHost: x\r\nX: " + std::string(40, 'a') + "\r\n\r\n";
  auto too_big = ParseRequestHead(big, limits);
  ASSERT_FALSE(too_big.ok());
  EXPECT_NE(too_big.message().find("over the 64-byte limit"), std::string::npos)
      << too_big.message();
  auto too_many = ParseRequestHead("GET /a HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n", limits);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.message().find("more than 2 header lines"), std::string::npos);
  EXPECT_TRUE(ParseRequestHead("GET /a HTTP/1.1\r\nHost: x\r\nA: 1\r\n\r\n", limits).ok());
}

TEST(HttpRequest, OtherVersionsParseForTheServerToRefuse) {
  auto two = ParseRequestHead("GET /a HTTP/2.0\r\n\r\n");
  ASSERT_TRUE(two.ok()) << two.message();
  EXPECT_EQ(two->major, 2);
  EXPECT_FALSE(two->KeepAlive());
  auto later = ParseRequestHead("GET /a HTTP/1.2\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(later.ok()) << "a later 1.x is answered as 1.1 (RFC 9110 §2.5)";
  EXPECT_TRUE(later->KeepAlive());
}

TEST(HttpTarget, OriginAndAbsoluteFormsNameTheFile) {
  struct Case {
    std::string target;
    std::string name;
  };
  const std::vector<Case> cases = {
      {"/ITLFile.tlv", "ITLFile.tlv"},
      {"/SEP001122334455.cnf.xml?x=1", "SEP001122334455.cnf.xml"},
      {"/a#frag", "a"},
      {"/sub/dir/file", "sub/dir/file"},
      {"/with%20space", "with space"},
      {"/%41%62c", "Abc"},
      {"/a%2fb", "a/b"},
      {"/a%3Fb?q", "a?b"},
      {"http://10.0.0.1:6970/ITLFile.tlv", "ITLFile.tlv"},
      {"HTTP://host/sub/x?y", "sub/x"},
      {"/./a", "./a"},
  };
  for (const Case& c : cases) {
    auto name = FileNameFromTarget(c.target);
    ASSERT_TRUE(name.ok()) << c.target << ": " << name.message();
    EXPECT_EQ(*name, c.name) << c.target;
  }
}

TEST(HttpTarget, BadTargetsAndNamesOutsideTheRootAreRefused) {
  struct Case {
    std::string target;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"*", "'*' names no file"},
      {"a", "neither a path starting with '/' nor an http:// URL"},
      {"https://host/a", "neither a path"},
      {"host:6970", "neither a path"},
      {"/a%", "'%' at byte 2 that is not followed by two hex digits"},
      {"/a%4", "'%' at byte 2"},
      {"/a%zz", "'%' at byte 2"},
      {"/%g0", "'%' at byte 1"},
      {"/", "an empty name"},
      {"/?x", "an empty name"},
      {"http://host", "an empty name"},
      {"http://host?x=/a", "an empty name"},
      {"/..", "'..' component"},
      {"/../etc/passwd", "'..' component"},
      {"/sub/../../x", "'..' component"},
      {"/%2e%2e/etc/passwd", "'..' component"},
      {"/%2E%2E%2Fetc%2Fpasswd", "'..' component"},
      {"/sub%2f..%2f..%2fx", "'..' component"},
      {"http://host/../x", "'..' component"},
      {"//etc/passwd", "absolute paths are refused"},
      {"/%2fetc/passwd", "absolute paths are refused"},
      {"http://host//etc/passwd", "absolute paths are refused"},
      {"/a%00b", "NUL byte"},
      {"/%00", "NUL byte"},
      {"/a%0ab", "control characters"},
      {"/a%7f", "control characters"},
      {"/..\\..\\etc\\passwd", "backslash"},
      {"/sub%5c..%5cx", "backslash"},
  };
  for (const Case& c : cases) {
    auto name = FileNameFromTarget(c.target);
    ASSERT_FALSE(name.ok()) << c.target << " gave " << (name.ok() ? *name : "");
    EXPECT_NE(name.message().find(c.expected), std::string::npos)
        << c.target << ": " << name.message();
  }
  // The decoding and the refusal are separate steps: the server answers them 400 and 403.
  EXPECT_FALSE(DecodeTargetPath("/a%zz").ok());
  auto dots = DecodeTargetPath("/%2e%2e/x");
  ASSERT_TRUE(dots.ok());
  EXPECT_EQ(*dots, "../x");
  EXPECT_FALSE(CheckFileName(*dots).ok());
  auto nul = DecodeTargetPath("/a%00");
  ASSERT_TRUE(nul.ok());
  EXPECT_EQ(*nul, std::string("a\0", 2));
  EXPECT_FALSE(CheckFileName(*nul).ok());
  EXPECT_TRUE(CheckFileName("a..b/..c/d..").ok()) << "only a whole '..' component leaves";
}

TEST(HttpRange, ParsesTheThreeForms) {
  auto one = ParseRange("bytes=0-499");
  ASSERT_TRUE(one.ok()) << one.message();
  EXPECT_EQ(*one, (std::vector<RangeSpec>{{0, 499}}));
  auto open = ParseRange("bytes=9500-");
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(*open, (std::vector<RangeSpec>{{9500, std::nullopt}}));
  auto suffix = ParseRange("bytes=-500");
  ASSERT_TRUE(suffix.ok());
  EXPECT_EQ(*suffix, (std::vector<RangeSpec>{{std::nullopt, 500}}));
  auto several = ParseRange("Bytes=0-0, -1 ,, 5-");
  ASSERT_TRUE(several.ok()) << several.message();
  EXPECT_EQ(*several, (std::vector<RangeSpec>{{0, 0}, {std::nullopt, 1}, {5, std::nullopt}}));
  auto huge = ParseRange("bytes=18446744073709551615-");
  ASSERT_TRUE(huge.ok()) << "the largest 64-bit number still parses";
}

TEST(HttpRange, BadRangesAreRefusedSayingWhy) {
  struct Case {
    std::string value;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"", "no '=' after its unit"},
      {"bytes", "no '=' after its unit"},
      {"items=0-1", "unit 'items' is not bytes"},
      {"bytes =0-1", "unit 'bytes ' is not bytes"},
      {"bytes=", "asks for no range"},
      {"bytes=,", "asks for no range"},
      {"bytes=5", "has no '-'"},
      {"bytes=-", "gives neither end"},
      {"bytes=a-5", "does not start with a number"},
      {"bytes=+1-5", "does not start with a number"},
      {"bytes=1-b", "does not end with a number"},
      {"bytes=1-2-3", "does not end with a number"},
      {"bytes=--5", "does not end with a number"},
      {"bytes=1 -5", "does not start with a number"},
      {"bytes=5-4", "ends before it begins"},
      {"bytes=18446744073709551616-", "does not start with a number"},
      {"bytes=-18446744073709551616", "does not end with a number"},
  };
  for (const Case& c : cases) {
    auto ranges = ParseRange(c.value);
    ASSERT_FALSE(ranges.ok()) << c.value;
    EXPECT_NE(ranges.message().find(c.expected), std::string::npos)
        << c.value << ": " << ranges.message();
  }
  std::string many = "bytes=0-0";
  for (int i = 0; i < 100; ++i) many += ",0-0";
  auto too_many = ParseRange(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_NE(too_many.message().find("101 ranges, more than 100"), std::string::npos);
}

TEST(HttpRange, ChooseRangeClampsToTheFile) {
  using Kind = RangeChoice::Kind;
  auto choose = [](const std::string& value, std::uint64_t size) {
    auto ranges = ParseRange(value);
    EXPECT_TRUE(ranges.ok()) << value;
    return ChooseRange(ranges.ok() ? *ranges : std::vector<RangeSpec>{}, size);
  };
  EXPECT_EQ(choose("bytes=0-499", 10000), (RangeChoice{Kind::kPart, 0, 499}));
  EXPECT_EQ(choose("bytes=500-999999", 10000), (RangeChoice{Kind::kPart, 500, 9999}));
  EXPECT_EQ(choose("bytes=9999-", 10000), (RangeChoice{Kind::kPart, 9999, 9999}));
  EXPECT_EQ(choose("bytes=-500", 10000), (RangeChoice{Kind::kPart, 9500, 9999}));
  EXPECT_EQ(choose("bytes=-20000", 10000), (RangeChoice{Kind::kPart, 0, 9999}));
  EXPECT_EQ(choose("bytes=0-", 10000), (RangeChoice{Kind::kPart, 0, 9999}));
  EXPECT_EQ(choose("bytes=10000-", 10000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(choose("bytes=10000-20000", 10000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(choose("bytes=-0", 10000).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(choose("bytes=0-", 0).kind, Kind::kUnsatisfiable) << "an empty file has no bytes";
  EXPECT_EQ(choose("bytes=-5", 0).kind, Kind::kUnsatisfiable);
  EXPECT_EQ(choose("bytes=0-1,5-9", 10000).kind, Kind::kWhole);
  EXPECT_EQ(choose("bytes=20000-,30000-", 10000).kind, Kind::kWhole)
      << "several ranges: the whole file, which RFC 9110 allows";
  EXPECT_EQ(ChooseRange({}, 10).kind, Kind::kWhole);
}

TEST(HttpDate, FormatsImfFixdate) {
  EXPECT_EQ(FormatHttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  EXPECT_EQ(FormatHttpDate(0), "Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(951782400), "Tue, 29 Feb 2000 00:00:00 GMT");
  EXPECT_EQ(FormatHttpDate(1700000000), "Tue, 14 Nov 2023 22:13:20 GMT");
  EXPECT_EQ(FormatHttpDate(-5), "Thu, 01 Jan 1970 00:00:00 GMT") << "clamped";
  EXPECT_EQ(FormatHttpDate(std::numeric_limits<std::time_t>::max()),
            "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST(HttpDate, ParsesAllThreeForms) {
  for (const char* text : {"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
                           "Sun Nov  6 08:49:37 1994", "Sun Nov 06 08:49:37 1994"}) {
    auto t = ParseHttpDate(text);
    ASSERT_TRUE(t.ok()) << text << ": " << t.message();
    EXPECT_EQ(*t, 784111777) << text;
  }
  auto y2k = ParseHttpDate("Thursday, 01-Jan-15 00:00:00 GMT");
  ASSERT_TRUE(y2k.ok());
  EXPECT_EQ(*y2k, 1420070400) << "a two-digit year below 70 is 20xx";
  for (std::time_t t :
       {std::time_t{0}, std::time_t{951782400}, std::time_t{1700000000}, std::time_t{4102444799}}) {
    auto back = ParseHttpDate(FormatHttpDate(t));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t);
  }
}

TEST(HttpDate, RefusesWhatIsNotAnHttpDate) {
  for (const char* text : {
           "",
           "yesterday",
           "Sun, 06 Nov 1994 08:49:37 UTC",
           "sun, 06 Nov 1994 08:49:37 GMT",  // names are case-sensitive
           "Sun, 06 nov 1994 08:49:37 GMT",
           "Sun, 6 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 94 08:49:37 GMT",
           "Sun, 06 Nov 1994 08:49 GMT",
           "Sun, 06 Nov 1994 08:49:37 GMT ",
           " Sun, 06 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 08:49:37",
           "Xyz, 06 Nov 1994 08:49:37 GMT",
           "Sun, 06 Nov 1994 8:49:37 GMT",
           "Sunday, 06-Nov-1994 08:49:37 GMT",
           "Sun Nov 6 08:49:37 1994",
           "1994-11-06T08:49:37Z",
       }) {
    auto t = ParseHttpDate(text);
    EXPECT_FALSE(t.ok()) << "'" << text << "' parsed as " << (t.ok() ? *t : 0);
    if (!t.ok()) {
      EXPECT_NE(t.message().find("is not an HTTP-date"), std::string::npos);
    }
  }
  for (const char* text : {"Sun, 31 Nov 1994 08:49:37 GMT", "Sun, 29 Feb 1900 00:00:00 GMT",
                           "Sun, 00 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT",
                           "Sun, 06 Nov 1994 08:60:00 GMT", "Sun, 06 Nov 1994 08:00:61 GMT"}) {
    auto t = ParseHttpDate(text);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_NE(t.message().find("not a real time of day"), std::string::npos) << t.message();
  }
  EXPECT_TRUE(ParseHttpDate("Tue, 29 Feb 2000 00:00:00 GMT").ok()) << "2000 is a leap year";
}

}  // namespace
}  // namespace opencapf::http
