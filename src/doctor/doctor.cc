#include "doctor/doctor.h"

#include <nlohmann/json.hpp>

#include <sstream>

#include "doctor/checks.h"
#include "service/open_store.h"
#include "service/runtime_status.h"

namespace opencapf::doctor {

std::string_view LevelText(Level level) {
  switch (level) {
    case Level::kOk:
      return "OK";
    case Level::kWarn:
      return "WARN";
    case Level::kFail:
      return "FAIL";
  }
  return "?";
}

int Report::Count(Level level) const {
  int n = 0;
  for (const auto& f : findings) n += f.level == level ? 1 : 0;
  return n;
}

int Report::ExitCode() const {
  if (Count(Level::kFail) > 0) return 1;
  if (Count(Level::kWarn) > 0) return 3;
  return 0;
}

std::string LocalAddress(const std::string& listen) {
  if (listen.empty() || listen == "0.0.0.0") return "127.0.0.1";
  if (listen == "::" || listen == "[::]") return "::1";
  return listen;
}

std::string Span(long long seconds) {
  if (seconds < 0) seconds = -seconds;
  if (seconds >= 2 * 86400) return std::to_string(seconds / 86400) + " days";
  if (seconds >= 2 * 3600) return std::to_string(seconds / 3600) + " h";
  if (seconds >= 120) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds) + " s";
}

namespace {
std::string Quote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    plain = plain && (std::isalnum(static_cast<unsigned char>(c)) != 0 ||
                      std::string_view("/._-+:@,=").find(c) != std::string_view::npos);
  }
  if (plain) return word;
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}
}  // namespace

std::optional<Finding> CheckRunningServer(const service::DataDir& dir, service::Config& config) {
  auto observed = service::ReadRuntimeStatus(dir);
  if (!observed.ok()) {
    return Finding{"server", Level::kWarn, observed.message(),
                   "the ports opencapf serve really uses cannot be read, so the configured ones "
                   "are checked",
                   "remove the file if no server runs on this data directory"};
  }
  if (!observed->has_value()) return std::nullopt;  // the listening checks say what is down
  const service::RuntimeStatus& s = (*observed)->status;
  if (!(*observed)->running) {
    return Finding{"server", Level::kWarn,
                   dir.runtime_status().string() + " names PID " + std::to_string(s.pid) +
                       ", which has ended: opencapf serve stopped without cleaning up",
                   "it was killed or crashed, or the machine restarted; phones get no LSC and "
                   "no ITL while it is down",
                   "start it again (systemctl start opencapf), and read its log (journalctl -u "
                   "opencapf) for why it stopped"};
  }
  // The ports serve bound, not the configured ones: `serve --capf-port N` is checked on N.
  std::string ports;
  for (const auto& l : s.listeners) {
    if (l.service == "capf") config.capf.port = l.port;
    if (l.service == "tftp") config.tftp.port = l.port;
    if (l.service == "http") config.http.port = l.port;
    if (l.service == "tvs") config.tvs.port = l.port;
    if (l.service == "ocsp") config.ocsp.port = l.port;
    if (l.service == "admin") config.admin.port = l.port;
    config.listen_address = l.address;
    ports += (ports.empty() ? "" : ", ") + l.service + " " + std::to_string(l.port);
  }
  config.http.enabled = s.Find("http").has_value();
  return Finding{"server",
                 Level::kOk,
                 "opencapf serve " + s.version + " runs as PID " + std::to_string(s.pid) +
                     "; checking the ports it listens on: " + ports,
                 {},
                 {}};
}

std::string Context::DataArg() const { return "--data " + Quote(dir.root().string()); }

Result<Report> RunDoctor(const DoctorOptions& options, const Clock& clock) {
  const service::DataDir dir(options.data, options.config);
  if (!dir.Initialized()) {
    return Fail(options.data.string() + " is not an opencapf data directory (there is no " +
                dir.config().string() + "); name the right one with --data");
  }
  auto config = service::LoadConfig(dir.config());
  if (!config.ok()) return config.error();
  std::optional<Finding> server = CheckRunningServer(dir, *config);
  Context c{options, clock, clock.Now(), dir, *config, nullptr, {}, {}, {}, {}, {}};
  if (server) c.findings.push_back(std::move(*server));
  auto store = service::OpenStore(dir, *config, clock);
  if (store.ok()) {
    c.store = std::move(*store);
  } else {
    c.Add("store", Level::kFail, "the device store cannot be opened: " + store.message(),
          "without it CAPF cannot look phones up: every phone gets LSC: Failed",
          "check " + service::StoreName(dir, *config) +
              " (permissions, disk, the database server), or restore it from a backup");
  }
  CheckCapfCertificate(c);
  CheckServiceCertificates(c);
  CheckCapfListening(c);
  CheckTvsListening(c);
  CheckTftpServers(c);
  CheckProvisioning(c);
  CheckRevocationServices(c);
  CheckTvsTrust(c);
  CheckHostNames(c);
  CheckDevices(c);
  CheckCluster(c);
  return Report{std::move(c.findings)};
}

std::string ReportText(const Report& report) {
  std::ostringstream out;
  for (const auto& f : report.findings) {
    const std::string level(LevelText(f.level));
    out << level << std::string(5 - level.size(), ' ') << f.check << ": " << f.summary << "\n";
    if (!f.cause.empty()) out << "      cause: " << f.cause << "\n";
    if (!f.fix.empty()) out << "      fix:   " << f.fix << "\n";
  }
  out << report.Count(Level::kOk) << " OK, " << report.Count(Level::kWarn) << " WARN, "
      << report.Count(Level::kFail) << " FAIL\n";
  return out.str();
}

std::string ReportJson(const Report& report) {
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  for (const auto& f : report.findings) {
    nlohmann::ordered_json j;
    j["check"] = f.check;
    j["status"] = LevelText(f.level);
    j["summary"] = f.summary;
    j["cause"] = f.cause.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(f.cause);
    j["fix"] = f.fix.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(f.fix);
    checks.push_back(j);
  }
  nlohmann::ordered_json j;
  j["checks"] = checks;
  j["ok"] = report.Count(Level::kOk);
  j["warn"] = report.Count(Level::kWarn);
  j["fail"] = report.Count(Level::kFail);
  return j.dump(2) + "\n";
}

}  // namespace opencapf::doctor
