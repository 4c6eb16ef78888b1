// The administration server under load, over real HTTPS on 127.0.0.1: what an API script and
// the pages cost as the number of phones grows, side by side in one run.
//
//   GET /api/v1/devices                (every device, JSON)
//   GET /api/v1/devices?lsc_status=... (a filtered search)
//   GET /api/v1/report?format=csv      (the CAPF report)
//   GET /devices                       (the page listing every phone)
//   POST /login                        (one scrypt check: the cost an attacker pays per guess)
#include <benchmark/benchmark.h>
#include <httplib.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>

#include "admin/auth.h"
#include "admin/server.h"
#include "base/metrics.h"
#include "pki/secret.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "store/sqlite_store.h"

namespace {

using namespace opencapf;

// One server per device count, made once and kept for every benchmark that uses that count.
class Fixture {
 public:
  explicit Fixture(int devices)
      : dir_(
            std::filesystem::temp_directory_path() /
            ("opencapf-admin-bench-" + std::to_string(::getpid()) + "-" + std::to_string(devices))),
        clock_(std::time(nullptr)) {
    std::filesystem::remove_all(dir_.root());
    if (!service::Init(dir_, {}, clock_).ok()) std::abort();
    auto store = store::OpenSqliteStore(dir_.store(), clock_);
    if (!store.ok()) std::abort();
    store_ = std::move(*store);
    std::vector<store::Device> all;
    for (int i = 0; i < devices; ++i) {
      char name[16];
      std::snprintf(name, sizeof(name), "SEP%012X", i);
      store::Device d;
      d.name = name;
      if (i % 3 == 0) {
        d.operation = store::Operation::kInstall;
        d.complete_by = clock_.Now() + 86400;
        d.operation_status = std::string(store::kStatusPending);
      }
      all.push_back(d);
    }
    if (!store_->AddAll(all).ok()) std::abort();
    auto token = admin::CreateApiToken(*store_, "bench");
    if (!token.ok()) std::abort();
    token_ = *token;
    auto config = service::LoadConfig(dir_.config());
    if (!config.ok()) std::abort();
    auto context = std::unique_ptr<admin::AdminContext>(new admin::AdminContext{
        dir_, *config, *store_, clock_, metrics_, nullptr, nullptr, nullptr});
    auto server = admin::AdminServer::Create(std::move(context), {"127.0.0.1", 0});
    if (!server.ok()) std::abort();
    server_ = std::move(*server);
    server_->Start();
  }
  ~Fixture() {
    server_->Stop();
    server_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_.root());
  }

  std::unique_ptr<httplib::SSLClient> Client() const {
    auto c = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
    c->set_ca_cert_path(dir_.certificate(service::kAdmin).c_str());
    c->enable_server_certificate_verification(true);
    c->set_keep_alive(true);
    c->set_tcp_nodelay(true);
    return c;
  }
  httplib::Headers Bearer() const { return {{"Authorization", "Bearer " + token_}}; }
  store::Store& store() { return *store_; }

 private:
  service::DataDir dir_;
  FakeClock clock_;
  Metrics metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<admin::AdminServer> server_;
  std::string token_;
};

Fixture& For(int devices) {
  static std::map<int, std::unique_ptr<Fixture>> fixtures;
  auto& f = fixtures[devices];
  if (!f) f = std::make_unique<Fixture>(devices);
  return *f;
}

void Get(benchmark::State& state, const std::string& path, bool page) {
  Fixture& f = For(static_cast<int>(state.range(0)));
  auto client = f.Client();
  httplib::Headers headers = f.Bearer();
  if (page) {
    // Pages need a login session, not a token.
    auto form = client->Get("/login");
    const std::string cookie = form->get_header_value("Set-Cookie");
    const auto start = cookie.find('=') + 1;
    const std::string csrf = cookie.substr(start, cookie.find(';') - start);
    auto hash = pki::HashPassword("bench password!", {1024, 8, 1});
    (void)f.store().SetAdminPassword(*hash);
    auto login = client->Post(
        "/login", {{"Cookie", "opencapf_login_csrf=" + csrf}},
        httplib::Params{{"user", "admin"}, {"password", "bench password!"}, {"csrf", csrf}});
    std::string session;
    for (const auto& [k, v] : login->headers) {
      if (k == "Set-Cookie" && v.starts_with("opencapf_session="))
        session = v.substr(0, v.find(';'));
    }
    headers = {{"Cookie", session}};
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    auto r = client->Get(path, headers);
    if (!r || r->status != 200) {
      state.SkipWithError(("GET " + path + " failed").c_str());
      break;
    }
    bytes += r->body.size();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
  state.counters["devices"] = static_cast<double>(state.range(0));
}

void BM_ApiListDevices(benchmark::State& state) { Get(state, "/api/v1/devices", false); }
void BM_ApiSearchPending(benchmark::State& state) {
  Get(state, "/api/v1/devices?operation_status=Operation%20Pending", false);
}
void BM_ApiReportCsv(benchmark::State& state) { Get(state, "/api/v1/report?format=csv", false); }
void BM_PageDeviceList(benchmark::State& state) { Get(state, "/devices", true); }

void BM_LoginScryptCheck(benchmark::State& state) {
  auto hash = pki::HashPassword("a long enough password");
  for (auto _ : state) {
    auto ok = pki::VerifyPassword("a wrong guess", *hash);
    benchmark::DoNotOptimize(ok);
  }
}

BENCHMARK(BM_ApiListDevices)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ApiSearchPending)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ApiReportCsv)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PageDeviceList)->Arg(100)->Arg(1000)->Arg(10000)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_LoginScryptCheck)->Unit(benchmark::kMillisecond);

}  // namespace
