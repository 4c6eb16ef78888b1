#pragma once

#include <filesystem>
#include <string>

#include "base/bytes.h"
#include "base/result.h"

namespace opencapf {

/// Reads a whole regular file. Errors say which path and why (missing, a directory, unreadable).
Result<Bytes> ReadFile(const std::filesystem::path& path);

/// Writes a file atomically: a temporary beside it, fsync, rename. `mode` is applied before any
/// byte is written, so a private key is never readable by others, not even for a moment.
Status WriteFileAtomic(const std::filesystem::path& path, ByteView data, unsigned mode = 0644);

}  // namespace opencapf
