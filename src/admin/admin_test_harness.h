#pragma once

// An administration server for tests: a fresh data directory (opencapf init), a known password,
// the server on 127.0.0.1 with a free port, and HTTPS clients that check its certificate.

#include <httplib.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "admin/server.h"
#include "base/bytes.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "store/store.h"

namespace opencapf::admin::testing {

inline constexpr const char* kPassword = "correct horse battery staple";

/// Each piece of `text` that follows `before` and runs up to (not including) the next `end`:
/// AllBetween("a=1; a=2;", "a=", ';') is {"1", "2"}. (std::regex trips a GCC 12 false
/// -Wmaybe-uninitialized in the sanitizer build; pages and cookies need no more than this.)
std::vector<std::string> AllBetween(std::string_view text, std::string_view before, char end);
/// The first of them, or "" when there is none.
std::string Between(std::string_view text, std::string_view before, char end);

struct HarnessOptions {
  /// Serve the ITLFile.tlv built from the data directory (as `serve` does), and rebuild it when
  /// the server asks the services to reload; without it the server serves no ITL and has no
  /// services to reload.
  bool serve_itl = false;
};

class AdminHarness {
 public:
  /// Starts a server over a new data directory named after the running test.
  AdminHarness();
  explicit AdminHarness(const HarnessOptions& options);
  ~AdminHarness();

  /// A client for the server, verifying its certificate against certs/admin.pem.
  std::unique_ptr<httplib::SSLClient> Client() const;

  /// A login session: the cookie header value and the CSRF token the pages carry. Fails the
  /// test when the login does not succeed.
  struct Login {
    std::string cookie;  ///< "opencapf_session=..."
    std::string csrf;
  };
  Login LogIn();

  /// A new API token named `name`.
  std::string Token(const std::string& name = "test");

  /// Headers with "Authorization: Bearer TOKEN".
  static httplib::Headers Bearer(const std::string& token);

  std::filesystem::path data() const { return data_; }
  store::Store& store() { return *store_; }
  FakeClock& clock() { return clock_; }
  Metrics& metrics() { return metrics_; }
  AdminServer& server() { return *server_; }
  /// With serve_itl: the ITL served now, and why the server asked to reload, oldest first.
  std::shared_ptr<const Bytes> itl() const;
  std::vector<std::string> reloads() const;

 private:
  std::filesystem::path data_;
  FakeClock clock_;
  Metrics metrics_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<AdminServer> server_;
  mutable std::mutex mu_;
  std::shared_ptr<const Bytes> itl_;
  std::vector<std::string> reloads_;

  void RebuildItl();
};

}  // namespace opencapf::admin::testing
