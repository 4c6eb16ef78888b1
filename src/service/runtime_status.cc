#include "service/runtime_status.h"

#include <signal.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/file.h"

namespace opencapf::service {

std::optional<RuntimeListener> RuntimeStatus::Find(const std::string& service) const {
  for (const auto& l : listeners) {
    if (l.service == service) return l;
  }
  return std::nullopt;
}

std::string RuntimeStatusJson(const RuntimeStatus& status) {
  nlohmann::ordered_json listeners = nlohmann::ordered_json::array();
  for (const auto& l : status.listeners) {
    listeners.push_back({{"service", l.service},
                         {"transport", l.transport},
                         {"address", l.address},
                         {"port", l.port}});
  }
  nlohmann::ordered_json j = {{"pid", status.pid},         {"start_ticks", status.start_ticks},
                              {"version", status.version}, {"started", status.started},
                              {"data", status.data},       {"config", status.config},
                              {"listeners", listeners},    {"cluster", status.cluster},
                              {"node", status.node}};
  return j.dump(2) + "\n";
}

namespace {

template <typename T>
Result<T> Field(const nlohmann::json& j, const char* name) {
  if (!j.contains(name)) return Fail(std::string("no \"") + name + "\"");
  try {
    return j.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    return Fail(std::string("\"") + name + "\" has the wrong type");
  }
}

Result<RuntimeStatus> FromJson(const nlohmann::json& j) {
  RuntimeStatus s;
  auto pid = Field<long>(j, "pid");
  auto start_ticks = Field<unsigned long long>(j, "start_ticks");
  auto version = Field<std::string>(j, "version");
  auto started = Field<std::int64_t>(j, "started");
  auto data = Field<std::string>(j, "data");
  auto config = Field<std::string>(j, "config");
  auto cluster = Field<std::string>(j, "cluster");
  auto node = Field<std::string>(j, "node");
  for (const Error* e :
       {pid.ok() ? nullptr : &pid.error(), start_ticks.ok() ? nullptr : &start_ticks.error(),
        version.ok() ? nullptr : &version.error(), started.ok() ? nullptr : &started.error(),
        data.ok() ? nullptr : &data.error(), config.ok() ? nullptr : &config.error(),
        cluster.ok() ? nullptr : &cluster.error(), node.ok() ? nullptr : &node.error()}) {
    if (e != nullptr) return *e;
  }
  if (*pid <= 0) return Fail("\"pid\" is not a process id");
  s.pid = *pid;
  s.start_ticks = *start_ticks;
  s.version = *version;
  s.started = static_cast<std::time_t>(*started);
  s.data = *data;
  s.config = *config;
  s.cluster = *cluster;
  s.node = *node;
  if (!j.contains("listeners") || !j["listeners"].is_array()) return Fail("no \"listeners\" list");
  for (const auto& l : j["listeners"]) {
    auto service = Field<std::string>(l, "service");
    auto transport = Field<std::string>(l, "transport");
    auto address = Field<std::string>(l, "address");
    auto port = Field<int>(l, "port");
    if (!service.ok()) return Context("listener", service.error());
    if (!transport.ok()) return Context("listener", transport.error());
    if (!address.ok()) return Context("listener", address.error());
    if (!port.ok()) return Context("listener", port.error());
    if (*port < 1 || *port > 65535) return Fail("listener " + *service + ": port out of range");
    s.listeners.push_back({*service, *transport, *address, static_cast<std::uint16_t>(*port)});
  }
  return s;
}

// Field 22 of /proc/PID/stat; the command name before it may hold spaces and parentheses, so
// the fields are counted from the last ')'.
unsigned long long StartTicks(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string line;
  if (!std::getline(in, line)) return 0;
  const auto close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream fields(line.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22 && (fields >> field); ++i) {
    if (i == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return 0;
}

// kill(pid, 0) asks whether the process exists without touching it; EPERM means it does, run
// by another user (serve as opencapf, status as an administrator).
bool ServerRunning(const RuntimeStatus& status) {
  if (::kill(static_cast<pid_t>(status.pid), 0) != 0 && errno != EPERM) return false;
  const unsigned long long now = StartTicks(std::to_string(status.pid));
  return status.start_ticks == 0 || now == 0 || now == status.start_ticks;
}

}  // namespace

unsigned long long OwnStartTicks() { return StartTicks("self"); }

Result<RuntimeStatus> ParseRuntimeStatus(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return Fail("not a JSON object");
  return FromJson(j);
}

Status WriteRuntimeStatus(const DataDir& dir, const RuntimeStatus& status) {
  const std::string text = RuntimeStatusJson(status);
  return WriteFileAtomic(dir.runtime_status(), Bytes(text.begin(), text.end()), 0644);
}

void RemoveRuntimeStatus(const DataDir& dir) {
  std::error_code ec;
  std::filesystem::remove(dir.runtime_status(), ec);
}

Result<std::optional<ObservedServer>> ReadRuntimeStatus(const DataDir& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir.runtime_status(), ec)) return std::optional<ObservedServer>();
  auto bytes = ReadFile(dir.runtime_status());
  if (!bytes.ok()) return bytes.error();
  auto status = ParseRuntimeStatus(std::string(bytes->begin(), bytes->end()));
  if (!status.ok()) {
    return Fail(dir.runtime_status().string() + " is not what opencapf serve writes (" +
                status.message() + "); remove it if no server runs on this data directory");
  }
  const bool running = ServerRunning(*status);
  return std::optional<ObservedServer>(ObservedServer{std::move(*status), running});
}

}  // namespace opencapf::service
