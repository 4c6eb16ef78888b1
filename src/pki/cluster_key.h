#pragma once

// The key a cluster's nodes share, so that the private keys they keep in the shared database
// are never there in the clear: AES-256-GCM, each file sealed with its name as associated data
// (a sealed key cannot be passed off as another file). The key lives in DATA/cluster.key (0600)
// on every node and nowhere else; the database holds only a check value that proves a node has
// the right one without revealing it.

#include <array>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf::pki {

class ClusterKey {
 public:
  /// A new random key.
  static ClusterKey Generate();
  /// Reads a key file written by Save; the error says what is wrong with it.
  static Result<ClusterKey> Load(const std::filesystem::path& path);
  /// Writes the key, mode 0600 whatever the umask.
  Status Save(const std::filesystem::path& path) const;

  /// "OCK1" | 12-byte nonce | ciphertext | 16-byte tag, for the file called `name`.
  Result<Bytes> Seal(std::string_view name, ByteView plaintext) const;
  /// The plaintext of Seal's output for `name`; an error when the key, the name or a byte is
  /// wrong.
  Result<Bytes> Open(std::string_view name, ByteView sealed) const;

  /// HMAC-SHA256 of a fixed text under the key, hex: what the database keeps to tell the right
  /// key from a wrong one.
  std::string Check() const;
  /// A 32-byte key for one purpose, derived from this one (HMAC-SHA256 of "opencapf derive " +
  /// purpose): what every node computes alike without the cluster key itself leaving Seal/Open.
  Bytes Derive(std::string_view purpose) const;

 private:
  ClusterKey() = default;
  std::array<std::uint8_t, 32> key_{};
};

}  // namespace opencapf::pki
