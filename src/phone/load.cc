// The load generator: `concurrency` worker coroutines, each on its own strand, take the next
// device and run a whole phone session (connect, TLS, pin, CAPF) until none are left.
#include "phone/load.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <sstream>
#include <thread>

#include "base/file.h"
#include "capf/phone_session.h"
#include "net/tls.h"
#include "phone/connect.h"
#include "store/device.h"

namespace opencapf::phone {

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Shared {
  Shared(const LoadOptions& o, std::shared_ptr<asio::ssl::context> t,
         std::vector<pki::PrivateKey> p)
      : options(o), tls(std::move(t)), pool(std::move(p)) {}
  const LoadOptions& options;
  std::shared_ptr<asio::ssl::context> tls;
  std::vector<pki::PrivateKey> pool;
  std::atomic<std::size_t> next_key{0};
  std::atomic<int> generated{0};
};

// One phone session; returns "" on success or the reason it failed.
asio::awaitable<std::string> OneSession(Shared& s, const std::string& device) {
  const auto timeout = std::chrono::milliseconds(s.options.timeout);
  auto connect = ConnectTls(s.tls, s.options.capf.host, s.options.capf.port, timeout);
  TlsConnection connection = co_await std::move(connect);
  if (std::string failed =
          PinnedConnectionFailure(connection, *s.options.capf_certificate, "--capf-cert");
      !failed.empty()) {
    co_return failed;
  }
  capf::PhoneCredentials credentials;
  credentials.device_name = device;
  credentials.auth_string = s.options.auth_string;
  capf::PhoneScript script;
  script.keygen_delay = s.options.keygen_delay;
  script.make_key = [&s](const pki::KeySpec& spec) -> Result<pki::PrivateKey> {
    const pki::PrivateKey& pooled = s.pool[s.next_key++ % s.pool.size()];
    if (pooled.algorithm() == spec.algorithm && pooled.bits() == spec.bits) return pooled;
    ++s.generated;
    return pki::PrivateKey::Generate(spec);
  };
  auto outcome =
      co_await capf::RunPhoneSession(*connection.stream, credentials, script, s.options.timeout);
  Close(connection);
  if (!outcome.ok()) co_return ExchangeFailure(outcome.message());
  if (!outcome->end) co_return "no END_SESSION";
  switch (outcome->end->reason) {
    case capf::Reason::kOk:
      if (outcome->lsc || outcome->deleted) co_return "";
      co_return "END_SESSION 1 without a certificate";
    case capf::Reason::kNoAction:
      if (outcome->fetched) co_return "";
      co_return "END_SESSION 0: nothing scheduled";
    case capf::Reason::kInvalidElement:
      co_return "END_SESSION 7: refused";
    case capf::Reason::kUnknownDevice:
      co_return "END_SESSION 9: unknown device";
  }
  co_return "END_SESSION " + std::to_string(static_cast<int>(outcome->end->reason));
}

Result<std::vector<pki::PrivateKey>> MakePool(const pki::KeySpec& spec, int count, int threads) {
  std::vector<std::optional<Result<pki::PrivateKey>>> made(static_cast<std::size_t>(count));
  std::atomic<int> next{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < std::max(1, std::min(threads, count)); ++t) {
    workers.emplace_back([&] {
      for (int i = next++; i < count; i = next++) {
        made[static_cast<std::size_t>(i)] = pki::PrivateKey::Generate(spec);
      }
    });
  }
  for (auto& w : workers) w.join();
  std::vector<pki::PrivateKey> pool;
  for (auto& key : made) {
    if (!key->ok())
      return Fail("generating the key pool (" + spec.ToString() + "): " + key->message());
    pool.push_back(std::move(*key).value());
  }
  return pool;
}

}  // namespace

Result<LoadReport> RunLoad(const LoadOptions& options) {
  if (options.devices.empty()) return Fail("no devices to run sessions for");
  if (!options.capf_certificate) return Fail("no CAPF certificate to pin the server to");
  if (options.concurrency < 1) return Fail("--concurrency must be at least 1");
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const int threads = options.threads > 0 ? options.threads : cores;
  const int pool_size = options.key_pool > 0
                            ? options.key_pool
                            : std::min<int>(static_cast<int>(options.devices.size()), 32);
  auto tls = net::MakeClientContext({});
  if (!tls.ok()) return tls.error();

  LoadReport report;
  const auto pool_start = SteadyClock::now();
  auto pool = MakePool(options.key, pool_size, cores);
  if (!pool.ok()) return pool.error();
  report.pool_keys = pool_size;
  report.pool_seconds = std::chrono::duration<double>(SteadyClock::now() - pool_start).count();

  Shared shared(options, *tls, std::move(*pool));
  LoadPlan plan{options.devices.size(), options.concurrency, threads,
                [&options](std::size_t i) { return options.devices[i]; }};
  LoadReport run = RunLoadSessions(
      plan, [&shared, &options](std::size_t i) { return OneSession(shared, options.devices[i]); });
  run.pool_keys = report.pool_keys;
  run.pool_seconds = report.pool_seconds;
  report = std::move(run);
  report.keys_generated_during = shared.generated.load();
  return report;
}

std::string LoadJson(const LoadReport& r) { return LoadReportJson(r, true); }

std::string LoadText(const LoadReport& r, const LoadOptions& options) {
  char line[256];
  std::snprintf(line, sizeof line,
                "%d sessions against %s in %.2f s, concurrency %d: %d ok, %d errors\n", r.sessions,
                options.capf.ToString().c_str(), r.seconds, options.concurrency, r.ok, r.errors);
  std::string out = line;
  std::snprintf(line, sizeof line,
                "keys:    a pool of %d %s keys made in %.2f s before the clock started",
                r.pool_keys, options.key.ToString().c_str(), r.pool_seconds);
  std::string keys = line;
  if (r.keys_generated_during > 0) {
    keys += "; " + std::to_string(r.keys_generated_during) +
            " keys of another kind generated during the run, because the server asked for them";
  }
  return out + LoadReportText(r, "sessions", keys + "\n");
}

Result<std::vector<std::string>> GeneratedDeviceNames(const std::string& prefix_text, int count) {
  if (count < 1) return Fail("--count must be at least 1");
  std::string prefix = prefix_text;
  for (char& c : prefix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(count));
  if (prefix.rfind("SEP", 0) == 0) {
    const std::string digits = prefix.substr(3);
    if (digits.size() > 11 || digits.find_first_not_of("0123456789ABCDEF") != std::string::npos) {
      return Fail("--prefix '" + prefix_text +
                  "': after SEP come at most 11 hex digits of the MAC address (e.g. SEP00AA), "
                  "leaving room for the number of each phone");
    }
    const std::size_t width = 12 - digits.size();
    if (width < 16 && static_cast<double>(count) >= std::pow(16.0, static_cast<double>(width))) {
      return Fail("--prefix '" + prefix_text + "' leaves " + std::to_string(width) +
                  " hex digits, too few for " + std::to_string(count) + " phones");
    }
    for (int i = 1; i <= count; ++i) {
      char buffer[32];
      std::snprintf(buffer, sizeof buffer, "%0*X", static_cast<int>(width), i);
      names.push_back(prefix + buffer);
    }
    return names;
  }
  for (int i = 1; i <= count; ++i) {
    auto name = store::NormalizeDeviceName(prefix + std::to_string(i));
    if (!name.ok()) return Fail("--prefix '" + prefix_text + "': " + name.message());
    names.push_back(*name);
  }
  return names;
}

Result<std::vector<std::string>> ReadDeviceNames(const std::filesystem::path& path) {
  auto bytes = ReadFile(path);
  if (!bytes.ok()) return bytes.error();
  std::istringstream in(std::string(bytes->begin(), bytes->end()));
  std::vector<std::string> names;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    const auto end = line.find_first_of(",\r");
    std::string field = line.substr(0, end);
    field.erase(0, field.find_first_not_of(" \t\""));
    field.erase(field.find_last_not_of(" \t\"") + 1);
    if (field.empty() || field[0] == '#') continue;
    if (number == 1 && (field == "name" || field == "NAME")) continue;
    auto name = store::NormalizeDeviceName(field);
    if (!name.ok()) {
      return Fail(path.string() + ": line " + std::to_string(number) + ": " + name.message());
    }
    names.push_back(*name);
  }
  if (names.empty()) return Fail(path.string() + ": no device names in it");
  return names;
}

}  // namespace opencapf::phone
