#include "phone/tvs_load.h"

#include <openssl/rand.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>

#include "net/tls.h"
#include "phone/connect.h"
#include "tvs/client.h"

namespace opencapf::phone {

namespace {

struct TvsShared {
  TvsShared(const TvsLoadOptions& o, std::shared_ptr<asio::ssl::context> t)
      : options(o), tls(std::move(t)) {}
  const TvsLoadOptions& options;
  std::shared_ptr<asio::ssl::context> tls;
  std::atomic<int> valid{0};
  std::atomic<int> invalid{0};
};

std::uint32_t NonZeroRandom() {
  std::uint32_t id = 0;
  while (id == 0) RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id);
  return id;
}

asio::awaitable<std::string> OneVerification(TvsShared& s) {
  const auto timeout = std::chrono::milliseconds(s.options.timeout);
  auto connect = ConnectTls(s.tls, s.options.tvs.host, s.options.tvs.port, timeout);
  TlsConnection connection = co_await std::move(connect);
  if (std::string failed =
          PinnedConnectionFailure(connection, *s.options.tvs_certificate, "--tvs-cert");
      !failed.empty()) {
    co_return failed;
  }
  auto request =
      tvs::MakeClientRequest(*s.options.certificate, s.options.device_name, NonZeroRandom());
  if (!request.ok()) {
    Close(connection);
    co_return "request could not be built";
  }
  const tvs::Message question = std::move(*request);
  const std::chrono::steady_clock::duration wait = timeout;
  auto answer = co_await tvs::Ask(*connection.stream, question, wait);
  Close(connection);
  if (!answer.ok()) co_return ExchangeFailure(answer.message());
  if (answer->status == tvs::Verdict::kValid) {
    ++s.valid;
  } else {
    ++s.invalid;
  }
  co_return "";
}

}  // namespace

Result<TvsLoadReport> RunTvsLoad(const TvsLoadOptions& options) {
  if (!options.tvs_certificate) return Fail("no TVS certificate to pin the server to");
  if (!options.certificate) return Fail("no certificate to ask about");
  if (options.count < 1) return Fail("--count must be at least 1");
  if (options.concurrency < 1) return Fail("--concurrency must be at least 1");
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto tls = net::MakeClientContext({});
  if (!tls.ok()) return tls.error();
  TvsShared shared(options, *tls);
  LoadPlan plan{static_cast<std::size_t>(options.count), options.concurrency,
                options.threads > 0 ? options.threads : cores, nullptr};
  TvsLoadReport report;
  report.load = RunLoadSessions(plan, [&shared](std::size_t) { return OneVerification(shared); });
  report.valid = shared.valid.load();
  report.invalid = shared.invalid.load();
  return report;
}

std::string TvsLoadJson(const TvsLoadReport& report) {
  auto j = nlohmann::ordered_json::parse(LoadReportJson(report.load, false));
  j["verdicts"] = {{"valid", report.valid}, {"invalid", report.invalid}};
  return j.dump() + "\n";
}

std::string TvsLoadText(const TvsLoadReport& r, const TvsLoadOptions& options) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%d verifications against %s in %.2f s, concurrency %d: %d answered, %d errors\n",
                r.load.sessions, options.tvs.ToString().c_str(), r.load.seconds,
                options.concurrency, r.load.ok, r.load.errors);
  std::string out = line;
  std::snprintf(line, sizeof line, "answers: %d valid, %d invalid\n", r.valid, r.invalid);
  return out + LoadReportText(r.load, "verifications", line);
}

}  // namespace opencapf::phone
