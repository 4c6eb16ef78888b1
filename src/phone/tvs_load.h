#pragma once

// `opencapf tvs load`: many TVS verifications at once against a TVS server (any TVS server:
// this is only the phone's side), each a phone's whole exchange — connect, TLS, check the
// server's certificate, VERIFY_REQUEST, answer — with throughput, latency and errors measured.
#include <chrono>
#include <optional>
#include <string>

#include "base/result.h"
#include "phone/address.h"
#include "phone/load_run.h"
#include "pki/certificate.h"

namespace opencapf::phone {

struct TvsLoadOptions {
  HostPort tvs;
  /// The certificate the server must present (as a phone pins TVS to its ITL); required.
  std::optional<pki::Certificate> tvs_certificate;
  /// The certificate every verification asks about.
  std::optional<pki::Certificate> certificate;
  /// Sent as DEVICE_NAME; empty: none.
  std::string device_name;
  int count = 1000;
  int concurrency = 20;
  /// Bounds the connect, the handshake and the answer.
  std::chrono::seconds timeout{10};
  /// I/O threads; 0: one per core.
  int threads = 0;
};

/// What the verifications found, beside the load report: a verification "succeeded" when the
/// server answered (valid or invalid); the answers are counted here.
struct TvsLoadReport {
  LoadReport load;
  int valid = 0;
  int invalid = 0;
};

Result<TvsLoadReport> RunTvsLoad(const TvsLoadOptions& options);

/// The `phone load` JSON shape (without the per-device "succeeded" list) with
/// "verdicts": {"valid": N, "invalid": N}.
std::string TvsLoadJson(const TvsLoadReport& report);
std::string TvsLoadText(const TvsLoadReport& report, const TvsLoadOptions& options);

}  // namespace opencapf::phone
