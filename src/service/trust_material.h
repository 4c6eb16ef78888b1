#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/clock.h"
#include "base/result.h"
#include "service/capf_server.h"
#include "service/config.h"
#include "service/data_dir.h"
#include "service/service_itl.h"

namespace opencapf::service {

/// Everything `serve` derives from the data directory's certificates — the CAPF identity and
/// issuers, the TLS contexts, the signed ITL — rebuilt as a whole when a certificate file
/// changes (regeneration, import). Readers get immutable snapshots; a reload swaps them at once,
/// so a session or transfer in progress finishes with what it started with.
class TrustMaterial {
 public:
  TrustMaterial(DataDir dir, Config config, const Clock& clock);

  /// Loads everything; an error says which file and why.
  Status Load();
  /// Reloads when a certificate file changed since the last load. Returns whether it did; on
  /// error the previous material stays in force.
  Result<bool> ReloadIfChanged();

  /// Where the ITL's timestamp comes from: by default the clock at each build; in a cluster the
  /// time its certificate files last changed, so every node signs the same bytes. The function
  /// returns nullopt while it knows none.
  void SetItlTime(std::function<std::optional<std::uint32_t>()> itl_time);

  std::shared_ptr<const CapfEndpoint> capf() const;
  /// The current ITLFile.tlv bytes.
  std::shared_ptr<const Bytes> itl() const;
  /// The certificate (and key) the ITL lists with the TFTP role: it signs NAME.sgn files.
  std::shared_ptr<const Identity> tftp_signer() const;
  /// The TVS identity's TLS context.
  std::shared_ptr<asio::ssl::context> tvs_tls() const;
  /// SHA-1 of the current CAPF certificate, for logs.
  std::string capf_summary() const;

 private:
  struct Snapshot {
    std::shared_ptr<const CapfEndpoint> capf;
    std::shared_ptr<const Bytes> itl;
    std::shared_ptr<asio::ssl::context> tvs_tls;
    std::shared_ptr<const Identity> tftp_signer;
    std::string fingerprint;
  };
  Result<Snapshot> Build() const;

  DataDir dir_;
  Config config_;
  const Clock& clock_;
  mutable std::mutex mu_;
  Snapshot current_;
  std::function<std::optional<std::uint32_t>()> itl_time_;
};

}  // namespace opencapf::service
