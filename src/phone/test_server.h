#pragma once

// For the phone's tests: the whole server (Services: CAPF, TFTP and TVS on 127.0.0.1, any free
// ports) on a fresh data directory, with the store open beside it, as an administrator's CLI
// would have it.
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "server/serve.h"
#include "service/phone_config.h"
#include "store/sqlite_store.h"

namespace opencapf::phone::testing {

class TestServer {
 public:
  explicit TestServer(const std::string& tag) {
    base = std::filesystem::temp_directory_path() /
           ("opencapf-phone-" + std::to_string(::getpid()) + "-" + tag);
    std::filesystem::remove_all(base);
    std::filesystem::create_directories(base);
    const auto o = server::ServeOptions::OnLoopback(base / "data");
    auto services = server::Services::Open(o, SystemClock::Instance());
    if (!services.ok()) throw std::runtime_error(services.message());
    this->services = std::move(*services);
    this->services->Start();
    thread = std::thread([this] { this->services->Run(); });
    auto opened = store::OpenSqliteStore(base / "data" / "opencapf.db", SystemClock::Instance());
    if (!opened.ok()) throw std::runtime_error(opened.message());
    store = std::move(*opened);
  }

  ~TestServer() {
    services->Stop();
    thread.join();
    services.reset();
    store.reset();
    std::filesystem::remove_all(base);
  }

  /// Schedules an install for `name` (adding it when new) and writes its cnf.xml.
  void Schedule(const std::string& name, store::AuthMode auth = store::AuthMode::kNullString,
                std::optional<std::string> auth_string = std::nullopt) {
    auto existing = store->Get(name);
    ASSERT_TRUE(existing.ok());
    store::Device d = existing->value_or(store::Device{});
    d.name = name;
    d.operation = store::Operation::kInstall;
    d.auth = auth;
    d.auth_string = auth_string;
    d.complete_by = std::time(nullptr) + 3600;
    d.operation_status = std::string(store::kStatusPending);
    Status st = *existing ? store->Save(d, std::nullopt) : store->Add(d);
    ASSERT_TRUE(st.ok()) << st.message();
    const service::CapfLocation capf{"127.0.0.1", services->capf_port()};
    ASSERT_TRUE(service::ApplyCnf(base / "data" / "tftp" / (name + ".cnf.xml"), d, capf).ok());
  }

  store::Device Get(const std::string& name) {
    auto d = store->Get(name);
    EXPECT_TRUE(d.ok() && d->has_value()) << name;
    return d.ok() && *d ? **d : store::Device{};
  }

  std::filesystem::path base;
  std::unique_ptr<server::Services> services;
  std::thread thread;
  std::unique_ptr<store::Store> store;
};

}  // namespace opencapf::phone::testing
